"""collatz-core for Python through UniFFI.

UniFFI generates a low-level module (``collatz_uniffi._native``): plain ``int`` arguments, a
``CollatzFfiError`` exception class, bulk data as packed bytes. This facade presents the
project's contract over it: the same functions, built-in exceptions and numpy arrays as every
other backend.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from collections.abc import Callable
from typing import Any

from ._args import as_u64, as_u64_array
from ._native import collatz_uniffi as _generated

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]

_ffi: Any = _generated  # generated code, typed loosely
_FfiFailure: tuple[type[Exception], ...] = (_ffi.CollatzFfiError, _ffi.InternalError)
# One entry per variant of the Rust `CollatzFfiError` (one per core error kind), and UniFFI's
# own `InternalError` for a caught panic.
_EXCEPTIONS: dict[type[Exception], type[Exception]] = {
    _ffi.CollatzFfiError.Invalid: ValueError,
    _ffi.CollatzFfiError.Overflow: OverflowError,
    _ffi.CollatzFfiError.Argument: ValueError,
    _ffi.InternalError: RuntimeError,
}
_ffi_step: Callable[[int], int] = _ffi.step
_ffi_iterate: Callable[[int, int], int] = _ffi.iterate
_ffi_stopping_time: Callable[[int], int] = _ffi.stopping_time


def _translate(error: Exception) -> Exception:
    """The built-in exception for an error raised by the generated module."""
    try:
        exception = _EXCEPTIONS[type(error)]
    except KeyError:
        return RuntimeError(f"unexpected error from the generated bindings: {error!r}")
    if exception is RuntimeError:
        return RuntimeError(f"internal error (panic): {error}")
    return exception(str(error))


# The generated functions check their arguments themselves (``__index__``, then the u64
# range), raising ``TypeError`` or ``ValueError`` for every bad value. The facade calls them
# directly and only on those exceptions looks at the arguments again (``as_u64``) to raise the
# contract's exception instead: ``OverflowError`` above ``2**64 - 1``, and messages that name
# the argument. ``as_u64`` never returns for an argument UniFFI refused, so the retry ends.


def step(n: int, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    try:
        return _ffi_step(n)
    except _FfiFailure as e:
        raise _translate(e) from None
    except (TypeError, ValueError):
        pass
    return step(as_u64(n, "n", 1))


def iterate(n: int, k: int, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    try:
        return _ffi_iterate(n, k)
    except _FfiFailure as e:
        raise _translate(e) from None
    except (TypeError, ValueError):
        pass
    return iterate(as_u64(n, "n", 1), as_u64(k, "k", 0))


def stopping_time(n: int, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    try:
        return _ffi_stopping_time(n)
    except _FfiFailure as e:
        raise _translate(e) from None
    except (TypeError, ValueError):
        pass
    return stopping_time(as_u64(n, "n", 1))


def stopping_times(values: npt.ArrayLike, /) -> npt.NDArray[np.uint64]:
    """The stopping time of every element of a 1-D array or sequence of integers.

    The values cross as one ``bytes`` object each way (borrowed by Rust without a copy on
    the way in), never element by element.
    """
    array = as_u64_array(values)
    try:
        packed = _ffi.stopping_times_bytes(array.tobytes())
    except _FfiFailure as e:
        raise _translate(e) from None
    return np.frombuffer(packed, dtype=np.uint64).copy()


def max_stopping_time(limit: int, /) -> tuple[int, int]:
    """``(n, stopping_time(n))`` for the ``n < limit`` with the longest stopping time."""
    limit = as_u64(limit, "limit", 2)
    try:
        best = _ffi.max_stopping_time(limit)
    except _FfiFailure as e:
        raise _translate(e) from None
    return best.n, best.steps
