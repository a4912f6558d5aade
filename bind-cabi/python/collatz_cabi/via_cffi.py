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

Callbacks from the library (``walk``'s ``visit``, ``max_total_stopping_time``'s ``progress``, and
the Ctrl-C poll of long calls) go through two ``ffi.callback`` trampolines made once, at import;
each call passes its state (:class:`~collatz_cabi._glue.NativeCall`) as the C context
pointer.
"""

from __future__ import annotations

import os

from ._glue import (
    NativeCall,
    Stats,
    as_parity_count,
    as_u64,
    as_u64_array,
    as_u128,
    awaitable_forms,
    check_callable,
    checked_n,
    checked_vector,
    halves,
    in_main_interpreter,
    register_unsafe,
    wide,
)
from ._status import MESSAGE_CAPACITY, exception_for, finish

MODE = os.environ.get("COLLATZ_CFFI_MODE", "api")


def _refuse_isolated_on_312() -> None:
    """CPython 3.12 runs a single-phase module's init function inside an isolated
    subinterpreter before it refuses the module; cffi's ``_cffi_backend`` then keeps that
    interpreter's objects in C statics, and the process aborts at its next use of cffi
    (docs/interpreters.md). 3.13 refuses before the init runs."""
    import sys

    if sys.version_info[:2] != (3, 12):
        return
    import _thread

    # An isolated subinterpreter (the stdlib's own-GIL config) allows no daemon threads.
    if in_main_interpreter() or _thread.daemon_threads_allowed():
        return
    raise ImportError(
        "collatz_cabi.via_cffi cannot be loaded in an isolated subinterpreter: cffi's modules "
        "are single-phase extension modules"
    )


def _load(mode: str) -> tuple[Any, Any]:
    """cffi's ``ffi`` and ``lib`` in the mode asked for."""
    _refuse_isolated_on_312()
    if mode == "api":
        try:
            from ._api import ffi, lib
        except ImportError as e:
            if "subinterpreters" in str(e):
                raise ImportError(
                    "collatz_cabi.via_cffi cannot be loaded in an isolated subinterpreter: "
                    f"cffi's modules are single-phase extension modules ({e})"
                ) from e
            raise ImportError(
                f"collatz_cabi.via_cffi: cffi's compiled module is missing ({e}); reinstall "
                "collatz-cabi, or set COLLATZ_CFFI_MODE=abi to use cffi's ABI mode"
            ) from e
        return ffi, lib
    if mode == "abi":
        from ._abi_mode import ffi, lib

        return ffi, lib
    raise ImportError(f"collatz_cabi.via_cffi: COLLATZ_CFFI_MODE must be 'api' or 'abi', got {mode!r}")


ffi, lib = _load(MODE)

TYPE_CHECKING = False  # not typing's: see _glue.py
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, SupportsIndex

    import numpy as np
    import numpy.typing as npt

__all__ = [
    "Trajectory",
    "iterate",
    "max_total_stopping_time",
    "max_total_stopping_time_async",
    "parity_vector",
    "residue",
    "stats",
    "step",
    "total_stopping_time",
    "total_stopping_time_async",
    "total_stopping_times",
    "trajectory",
    "walk",
]

_c_step = lib.collatz_step
_c_iterate = lib.collatz_iterate
_c_total_stopping_time = lib.collatz_total_stopping_time
_c_trajectory_next = lib.collatz_trajectory_next
_c_trajectory_status = lib.collatz_trajectory_status
# walk holds the GIL throughout (build_cffi.py says why); ABI mode has no compiled wrapper.
_c_walk = getattr(lib, "collatz_walk_holding_gil", lib.collatz_walk)
_TOTAL_STOPPING_TIME_ERROR: int = lib.COLLATZ_TOTAL_STOPPING_TIME_ERROR
_OK: int = lib.COLLATZ_OK
# iterate calls with at least this many steps poll for Ctrl-C (collatz_iterate_polled).
_LONG_K = 1 << 24


def _on_progress(ctx: object, done: int, total: int) -> bool:
    call: NativeCall = ffi.from_handle(ctx)
    return call.on_progress(done, total)


def _on_visit(ctx: object, value: int) -> bool:
    call: NativeCall = ffi.from_handle(ctx)
    return call.on_visit(value)


# A signal that arrives in a trampoline (before the NativeCall method's `try`) is delivered
# later, inside it; see _glue._Sigint.
register_unsafe(_on_progress, _on_visit)
# `error=1`: should a trampoline itself fail, the library is asked to stop, not to go on.
_c_progress = ffi.callback("int32_t(void *, uint64_t, uint64_t)", _on_progress, error=1)
_c_visit = ffi.callback("int32_t(void *, uint64_t)", _on_visit, error=1)


def _last_error() -> Exception:
    """The exception for the last failed call on this thread: its code and message in one
    call; a message that filled the buffer (one quoting a huge value) is fetched whole."""
    buf = ffi.new("char[]", MESSAGE_CAPACITY)
    code = lib.collatz_last_failure(buf, MESSAGE_CAPACITY, ffi.NULL)
    message = ffi.string(buf)
    if len(message) == MESSAGE_CAPACITY - 1:
        size = lib.collatz_last_error_message(ffi.NULL, 0) + 1
        buf = ffi.new("char[]", size)
        lib.collatz_last_error_message(buf, size)
        message = ffi.string(buf)
    return exception_for(code, message.decode())


def step(n: SupportsIndex, /) -> int:
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


def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int and k < _LONG_K:
        try:
            result: int = _c_iterate(n, k)
        except OverflowError:
            pass
        else:
            if result:
                return result
            raise _last_error()
    n, k = as_u64(n, "n", 1), as_u64(k, "k", 0)
    if k < _LONG_K:
        return iterate(n, k)
    out = ffi.new("uint64_t *")
    with NativeCall() as call:
        handle = ffi.new_handle(call)
        status = lib.collatz_iterate_polled(n, k, _c_progress, handle, out)
    finish(status, call, _last_error)
    return int(out[0])


def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int:
        try:
            result: int = _c_total_stopping_time(n)
        except OverflowError:
            pass
        else:
            if result != _TOTAL_STOPPING_TIME_ERROR:
                return result
            raise _last_error()
    return total_stopping_time(as_u64(n, "n", 1))


def total_stopping_times(values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]:
    """The total stopping time of every element of a 1-D array or sequence of integers.

    A C-contiguous ``uint64`` array is passed to the library by pointer, without copying.
    """
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    array = as_u64_array(values)
    out = np.empty(array.shape[0], dtype=np.uint64)
    status = lib.collatz_total_stopping_times(
        ffi.from_buffer("uint64_t[]", array), ffi.from_buffer("uint64_t[]", out), out.shape[0]
    )
    finish(status, None, _last_error)
    return out


def max_total_stopping_time(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``(n, total_stopping_time(n))`` for the ``n < limit`` with the longest total stopping time.

    ``progress(done, total)``, if given, is called from the library as the search goes.
    """
    limit = as_u64(limit, "limit", 2)
    check_callable(progress, "progress", optional=True)
    n = ffi.new("uint64_t *")
    steps = ffi.new("uint64_t *")
    with NativeCall(progress=progress) as call:
        handle = ffi.new_handle(call)
        status = lib.collatz_max_total_stopping_time(limit, _c_progress, handle, n, steps)
    finish(status, call, _last_error)
    return int(n[0]), int(steps[0])


def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory ``n, step(n), …, 1`` as a new array (filled by the library)."""
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    n = checked_n(n)
    values = ffi.new("uint64_t **")
    length = ffi.new("size_t *")
    finish(lib.collatz_trajectory(n, values, length), None, _last_error)
    try:
        return np.frombuffer(ffi.buffer(values[0], 8 * length[0]), dtype=np.uint64).copy()
    finally:
        lib.collatz_free_values(values[0], length[0])


def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call ``visit(x)`` for each value of the trajectory of ``n``, from the library; return
    the number of values visited."""
    n = checked_n(n)
    check_callable(visit, "visit")
    count = ffi.new("uint64_t *")
    with NativeCall(visit=visit) as call:
        handle = ffi.new_handle(call)
        status = _c_walk(n, _c_visit, handle, count)
    finish(status, call, _last_error)
    visited = int(count[0])
    call.check_visits(visited)
    return visited


def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of ``n`` (``1 <= n <= 2**128 - 1``): a C struct returned
    by value, its 128-bit integers in two halves."""
    record = lib.collatz_stats(*halves(as_u128(n, "n")))
    if record.status != _OK:
        raise _last_error()
    return Stats.from_halves(record)


def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of ``n`` up to the first 1, or the first ``k``: a string the
    library allocates, copied and freed here."""
    hi, lo = halves(as_u128(n, "n"))
    count = as_parity_count(k)
    text = ffi.new("char **")
    length = ffi.new("size_t *")
    finish(lib.collatz_parity_vector(hi, lo, count, text, length), None, _last_error)
    try:
        parities: str = ffi.unpack(text[0], length[0]).decode("ascii")
    finally:
        lib.collatz_free_string(text[0], length[0])
    return parities


def residue(vector: str, /) -> int:
    """The ``r`` with ``1 <= r <= 2**len(vector)`` whose first Terras parities are ``vector``."""
    data = checked_vector(vector)
    hi = ffi.new("uint64_t *")
    lo = ffi.new("uint64_t *")
    finish(lib.collatz_residue(data, len(data), hi, lo), None, _last_error)
    return wide(hi[0], lo[0])


class Trajectory:
    """The trajectory ``n, step(n), …, 1`` as an iterator over a C handle (freed with the
    object, by cffi's ``ffi.gc``: in C, with no Python frame). Copies and pickles are new
    handles at the same position (``collatz_trajectory_resume``)."""

    __slots__ = ("_handle", "_start")

    def __init__(self, n: SupportsIndex, /) -> None:
        self._start = checked_n(n)
        self._handle = _owned(lib.collatz_trajectory_new(self._start))

    def __iter__(self) -> Trajectory:
        return self

    def __next__(self) -> int:
        value: int = _c_trajectory_next(self._handle)
        if value:
            return value
        if _c_trajectory_status(self._handle) == _OK:
            raise StopIteration
        raise _last_error()

    def __repr__(self) -> str:
        return f"Trajectory({self._start})"

    def __reduce__(self) -> tuple[type[Trajectory], tuple[int], int]:
        return (type(self), (self._start,), lib.collatz_trajectory_position(self._handle))

    def __setstate__(self, position: SupportsIndex, /) -> None:
        self._handle = _owned(lib.collatz_trajectory_resume(self._start, as_u64(position, "position", 0)))


def _owned(handle: Any) -> Any:
    """A new handle, freed by cffi when the last reference to it goes (or the error)."""
    if handle == ffi.NULL:
        raise _last_error()
    return ffi.gc(handle, lib.collatz_trajectory_free)


# The awaitable forms (docs/contract.md): the shared glue's thread and call_soon_threadsafe,
# over this module's synchronous calls.
total_stopping_time_async, max_total_stopping_time_async = awaitable_forms(
    __name__, total_stopping_time, max_total_stopping_time
)


def __dir__() -> list[str]:
    """The contract's names only (the module's helpers are not part of its interface)."""
    return sorted(__all__)
