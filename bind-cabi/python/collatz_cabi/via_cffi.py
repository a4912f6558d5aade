"""collatz-core through its C ABI, called with cffi.

The calls go through ``collatz_cabi._api``, cffi's compiled (API, out-of-line) module, built
with the package: a small CPython extension that calls the C functions directly, without
libffi. ``COLLATZ_CFFI_MODE=abi`` in the environment selects cffi's ABI mode instead
(``ffi.dlopen``, every call through libffi) — an explicit opt-out, for comparison or for a
build without the compiled module. ``MODE`` says which is in use.

The library is loaded once at import. Scalar calls go straight to the C function: the success
path costs one type check (cffi would accept anything with ``__int__``, e.g. ``Decimal``), the
C call, and a test of the result against the failure sentinel. cffi itself refuses integers
outside ``uint64_t`` with ``OverflowError``; only then, or for non-``int`` arguments, are the
arguments looked at again to raise the contract's exception.
"""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt

from ._args import as_u64, as_u64_array
from ._status import error_for

MODE = os.environ.get("COLLATZ_CFFI_MODE", "api")
if MODE == "api":
    try:
        from ._api import ffi, lib
    except ImportError as missing:
        raise ImportError(
            f"collatz_cabi.via_cffi: cffi's compiled module is missing ({missing}); reinstall "
            "collatz-cabi, or set COLLATZ_CFFI_MODE=abi to use cffi's ABI mode"
        ) from missing
elif MODE == "abi":
    from ._abi_mode import ffi, lib
else:
    raise ImportError(f"collatz_cabi.via_cffi: COLLATZ_CFFI_MODE must be 'api' or 'abi', got {MODE!r}")

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]

_c_step = lib.collatz_step
_c_iterate = lib.collatz_iterate
_c_stopping_time = lib.collatz_stopping_time
_STOPPING_TIME_ERROR: int = lib.COLLATZ_STOPPING_TIME_ERROR
_OK: int = lib.COLLATZ_OK


def _last_error() -> Exception:
    code = lib.collatz_last_error()
    size = lib.collatz_last_error_message(ffi.NULL, 0) + 1
    buf = ffi.new("char[]", size)
    lib.collatz_last_error_message(buf, size)
    return error_for(code, ffi.string(buf).decode())


def step(n: int, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    if n.__class__ is int:
        try:
            result: int = _c_step(n)
        except OverflowError:
            pass  # out of the uint64_t range: as_u64 below raises the contract's error
        else:
            if result:
                return result
            raise _last_error()
    return step(as_u64(n, "n", 1))


def iterate(n: int, k: int, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int:
        try:
            result: int = _c_iterate(n, k)
        except OverflowError:
            pass
        else:
            if result:
                return result
            raise _last_error()
    return iterate(as_u64(n, "n", 1), as_u64(k, "k", 0))


def stopping_time(n: int, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int:
        try:
            result: int = _c_stopping_time(n)
        except OverflowError:
            pass
        else:
            if result != _STOPPING_TIME_ERROR:
                return result
            raise _last_error()
    return stopping_time(as_u64(n, "n", 1))


def stopping_times(values: npt.ArrayLike, /) -> npt.NDArray[np.uint64]:
    """The stopping time of every element of a 1-D array or sequence of integers.

    A C-contiguous ``uint64`` array is passed to the library by pointer, without copying.
    """
    array = as_u64_array(values)
    out = np.empty(array.shape[0], dtype=np.uint64)
    status = lib.collatz_stopping_times(
        ffi.from_buffer("uint64_t[]", array), ffi.from_buffer("uint64_t[]", out), out.shape[0]
    )
    if status != _OK:
        raise _last_error()
    return out


def max_stopping_time(limit: int, /) -> tuple[int, int]:
    """``(n, stopping_time(n))`` for the ``n < limit`` with the longest stopping time."""
    limit = as_u64(limit, "limit", 2)
    n = ffi.new("uint64_t *")
    steps = ffi.new("uint64_t *")
    if lib.collatz_max_stopping_time(limit, n, steps) != _OK:
        raise _last_error()
    return int(n[0]), int(steps[0])
