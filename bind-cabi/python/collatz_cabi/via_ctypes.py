"""collatz-core through its C ABI, called with ctypes from the standard library.

``argtypes`` and ``restype`` are declared once, at import. ctypes converts an out-of-range
Python ``int`` to ``uint64_t`` by silently wrapping it (``-1`` becomes ``2**64 - 1``), so every
argument is range-checked here before the call.

Calls that are always short (``step``, ``total_stopping_time``, ``iterate`` with small ``k``, a
trajectory's ``next``) go through a ``ctypes.PyDLL`` handle, which keeps the GIL: releasing and
re-acquiring it costs more than the work; so does ``walk``, whose every value calls back into
Python. Calls that can be long (``iterate`` with large ``k``, the bulk and range functions)
go through ``ctypes.CDLL``, which releases the GIL so other threads run meanwhile.

Callbacks from the library go through two ``CFUNCTYPE`` trampolines made once, at import; each
call passes its state (:class:`~collatz_cabi._glue.NativeCall`) as the C context pointer
(its address, read back as a ``py_object``), and keeps it alive until the call returns.
"""

from __future__ import annotations

import ctypes

from ._glue import (
    U64_MAX,
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
    register_unsafe,
    rescue_interrupts_in,
    wide,
)
from ._library import PATH
from ._status import MESSAGE_CAPACITY, OK, exception_for, finish

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

_lib = ctypes.CDLL(PATH)  # releases the GIL during calls
_lib_short = ctypes.PyDLL(_lib._name)  # keeps it: for calls that take nanoseconds
_u64 = ctypes.c_uint64
_i32 = ctypes.c_int32
_size = ctypes.c_size_t
_p_u64 = ctypes.POINTER(_u64)


def _declare(name: str, restype: object, *argtypes: object, lib: ctypes.CDLL = _lib) -> Any:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


_c_step = _declare("collatz_step", _u64, _u64, lib=_lib_short)
_c_iterate_short = _declare("collatz_iterate", _u64, _u64, _u64, lib=_lib_short)
_c_iterate = _declare("collatz_iterate", _u64, _u64, _u64)
_c_total_stopping_time = _declare("collatz_total_stopping_time", _u64, _u64, lib=_lib_short)
_c_total_stopping_times = _declare(
    "collatz_total_stopping_times", _i32, ctypes.c_void_p, ctypes.c_void_p, _size
)
_PROGRESS = ctypes.CFUNCTYPE(_i32, ctypes.c_void_p, _u64, _u64)
_VISIT = ctypes.CFUNCTYPE(_i32, ctypes.c_void_p, _u64)
_c_max_total_stopping_time = _declare(
    "collatz_max_total_stopping_time", _i32, _u64, _PROGRESS, ctypes.c_void_p, _p_u64, _p_u64
)
_c_iterate_polled = _declare("collatz_iterate_polled", _i32, _u64, _u64, _PROGRESS, ctypes.c_void_p, _p_u64)
# walk keeps the GIL: each value calls back into Python, which needs it anyway.
_c_walk = _declare("collatz_walk", _i32, _u64, _VISIT, ctypes.c_void_p, _p_u64, lib=_lib_short)
_c_trajectory = _declare("collatz_trajectory", _i32, _u64, ctypes.POINTER(_p_u64), ctypes.POINTER(_size))
_c_free_values = _declare("collatz_free_values", None, _p_u64, _size)
_c_trajectory_next = _declare("collatz_trajectory_next", _u64, ctypes.c_void_p, lib=_lib_short)
_c_trajectory_status = _declare("collatz_trajectory_status", _i32, ctypes.c_void_p, lib=_lib_short)
_c_trajectory_free = _declare("collatz_trajectory_free", None, ctypes.c_void_p, lib=_lib_short)
_c_trajectory_position = _declare("collatz_trajectory_position", _u64, ctypes.c_void_p, lib=_lib_short)


class _Stats(ctypes.Structure):
    """``CollatzStats`` of include/collatz.h, returned by value."""

    status: int
    n_hi: int
    n_lo: int
    total_stopping_time: int
    stopping_time: int
    peak_hi: int
    peak_lo: int
    odd_steps: int
    _fields_ = [
        ("status", _i32),
        ("n_hi", _u64),
        ("n_lo", _u64),
        ("total_stopping_time", _u64),
        ("stopping_time", _u64),
        ("peak_hi", _u64),
        ("peak_lo", _u64),
        ("odd_steps", _u64),
    ]


_p_char = ctypes.POINTER(ctypes.c_char)
_c_stats = _declare("collatz_stats", _Stats, _u64, _u64, lib=_lib_short)
# parity_vector may take milliseconds (k up to 2**20): the GIL is released.
_c_parity_vector = _declare(
    "collatz_parity_vector", _i32, _u64, _u64, _u64, ctypes.POINTER(_p_char), ctypes.POINTER(_size)
)
_c_free_string = _declare("collatz_free_string", None, _p_char, _size, lib=_lib_short)
_c_residue = _declare("collatz_residue", _i32, ctypes.c_char_p, _size, _p_u64, _p_u64, lib=_lib_short)
_c_last_failure = _declare("collatz_last_failure", _i32, ctypes.c_char_p, _size, ctypes.POINTER(_size))
_c_last_error_message = _declare("collatz_last_error_message", _size, ctypes.c_char_p, _size)

_TOTAL_STOPPING_TIME_ERROR = U64_MAX
# iterate calls with fewer steps than this hold the GIL (a few microseconds at most).
_SHORT_K = 1 << 16
# iterate calls with at least this many steps poll for Ctrl-C (collatz_iterate_polled).
_LONG_K = 1 << 24


def _state(ctx: int) -> NativeCall:
    """The NativeCall whose address (``id``) is the context pointer; the caller keeps it alive."""
    call: NativeCall = ctypes.cast(ctx, ctypes.py_object).value
    return call


def _on_progress(ctx: int, done: int, total: int) -> int:
    return _state(ctx).on_progress(done, total)


def _on_visit(ctx: int, value: int) -> int:
    return _state(ctx).on_visit(value)


# A signal that arrives in a trampoline (before the NativeCall method's `try`) is delivered
# later, inside it; see _glue._Sigint.
register_unsafe(_state, _on_progress, _on_visit)
_c_progress = _PROGRESS(_on_progress)
_c_visit = _VISIT(_on_visit)


def _last_error() -> Exception:
    """The exception for the last failed call on this thread: its code and message in one
    call; a message that filled the buffer (one quoting a huge value) is fetched whole."""
    buf = ctypes.create_string_buffer(MESSAGE_CAPACITY)
    code = _c_last_failure(buf, MESSAGE_CAPACITY, None)
    message = buf.value
    if len(message) == MESSAGE_CAPACITY - 1:
        size = _c_last_error_message(None, 0) + 1
        buf = ctypes.create_string_buffer(size)
        _c_last_error_message(buf, size)
        message = buf.value
    return exception_for(code, message.decode())


def step(n: SupportsIndex, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    if n.__class__ is int and 0 <= n <= U64_MAX:
        result: int = _c_step(n)
        if result:
            return result
        raise _last_error()
    return step(as_u64(n, "n", 1))


def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int and 0 <= n <= U64_MAX and 0 <= k < _LONG_K:
        result: int = _c_iterate_short(n, k) if k < _SHORT_K else _c_iterate(n, k)
        if result:
            return result
        raise _last_error()
    n, k = as_u64(n, "n", 1), as_u64(k, "k", 0)
    if k < _LONG_K:
        return iterate(n, k)
    out = _u64()
    with NativeCall() as call:
        status = _c_iterate_polled(n, k, _c_progress, id(call), ctypes.byref(out))
    finish(status, call, _last_error)
    return out.value


def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int and 0 <= n <= U64_MAX:
        result: int = _c_total_stopping_time(n)
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
    status = _c_total_stopping_times(array.ctypes.data, out.ctypes.data, out.shape[0])
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
    n, steps = _u64(), _u64()
    with NativeCall(progress=progress) as call:
        status = _c_max_total_stopping_time(
            limit, _c_progress, id(call), ctypes.byref(n), ctypes.byref(steps)
        )
    finish(status, call, _last_error)
    return n.value, steps.value


def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory ``n, step(n), …, 1`` as a new array (filled by the library)."""
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    n = checked_n(n)
    values, length = _p_u64(), _size()
    finish(_c_trajectory(n, ctypes.byref(values), ctypes.byref(length)), None, _last_error)
    try:
        # One copy into a new array. (numpy.ctypeslib.as_array(values, shape).copy() copies
        # the same, but its ctypes.cast leaves a reference cycle per call, 392 bytes that only
        # the cyclic garbage collector frees: the memory section's count.)
        out = np.empty(length.value, dtype=np.uint64)
        ctypes.memmove(out.ctypes.data, values, 8 * length.value)
        return out
    finally:
        _c_free_values(values, length)


def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call ``visit(x)`` for each value of the trajectory of ``n``, from the library; return
    the number of values visited."""
    n = checked_n(n)
    check_callable(visit, "visit")
    count = _u64()
    with NativeCall(visit=visit) as call:
        status = _c_walk(n, _c_visit, id(call), ctypes.byref(count))
    finish(status, call, _last_error)
    call.check_visits(count.value)
    return count.value


def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of ``n`` (``1 <= n <= 2**128 - 1``): a C struct returned
    by value (a ``ctypes.Structure``), its 128-bit integers in two halves."""
    record = _c_stats(*halves(as_u128(n, "n")))
    if record.status != OK:
        raise _last_error()
    return Stats.from_halves(record)


def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of ``n`` up to the first 1, or the first ``k``: a string the
    library allocates, copied and freed here."""
    hi, lo = halves(as_u128(n, "n"))
    count = as_parity_count(k)
    text, length = _p_char(), _size()
    finish(_c_parity_vector(hi, lo, count, ctypes.byref(text), ctypes.byref(length)), None, _last_error)
    try:
        return ctypes.string_at(text, length.value).decode("ascii")
    finally:
        _c_free_string(text, length)


def residue(vector: str, /) -> int:
    """The ``r`` with ``1 <= r <= 2**len(vector)`` whose first Terras parities are ``vector``."""
    data = checked_vector(vector)
    hi, lo = _u64(), _u64()
    finish(_c_residue(data, len(data), ctypes.byref(hi), ctypes.byref(lo)), None, _last_error)
    return wide(hi.value, lo.value)


class _Handle(ctypes.c_void_p):
    """Owns one native trajectory handle, freed when the last reference goes: a thread in the
    middle of ``next()`` holds one, so a handle is never freed under it (a bare address would
    be). It is the ``restype`` of the functions that make handles, so ctypes builds it in C
    with the address already in it: no Python code runs between the native call and the
    ownership (a signal there would leak the handle). ctypes cannot free in C when an object
    dies, so that is a Python ``__del__``; a Ctrl-C that lands in it is delivered again
    (``_glue.rescue_interrupts_in``)."""

    def __del__(self, _free: Callable[[int], None] = _c_trajectory_free) -> None:
        # The free function is bound as a default: it outlives the module's globals at exit.
        address = self.value
        if address:
            self.value = None
            _free(address)


rescue_interrupts_in(_Handle.__del__)
_c_trajectory_new = _declare("collatz_trajectory_new", _Handle, _u64, lib=_lib_short)
_c_trajectory_resume = _declare("collatz_trajectory_resume", _Handle, _u64, _u64, lib=_lib_short)


class Trajectory:
    """The trajectory ``n, step(n), …, 1`` as an iterator over a C handle.

    The handle is let go as soon as the trajectory is over (so a drained iterator holds no
    native memory), else with the object. Copies and pickles are new handles at the same
    position (``collatz_trajectory_resume``); calling ``__init__`` again replaces the handle.
    """

    __slots__ = ("_position", "_start", "_state")

    def __init__(self, n: SupportsIndex, /) -> None:
        n = checked_n(n)
        self._replace(_c_trajectory_new(n), n, 0)

    def _replace(self, handle: _Handle, start: int, position: int) -> None:
        if not handle.value:
            raise _last_error()
        self._start = start
        self._position = position  # where an exhausted iterator (handle let go) stopped
        # The owner and its address as a plain int (reading a ctypes object's value on every
        # next() would cost a tenth more), in one slot, replaced at once: a thread in next()
        # reads both from the same tuple, so the address it uses is always its owner's, which
        # it holds until the call returns (two slots would let another thread's __init__ or
        # __setstate__ free the handle between the two reads).
        self._state: tuple[_Handle, int] | None = (handle, handle.value)

    def __iter__(self) -> Trajectory:
        return self

    def __next__(self) -> int:
        state = self._state
        if state is None:
            raise StopIteration
        address = state[1]
        value: int = _c_trajectory_next(address)
        if value:
            return value
        if _c_trajectory_status(address) == OK:
            if self._state is state:  # let it go, keeping where it stopped
                self._position = _c_trajectory_position(address)
                self._state = None
            raise StopIteration
        raise _last_error()

    def __repr__(self) -> str:
        return f"Trajectory({self._start})"

    def __reduce__(self) -> tuple[type[Trajectory], tuple[int], int]:
        state = self._state
        position = _c_trajectory_position(state[1]) if state is not None else self._position
        return (type(self), (self._start,), position)

    def __setstate__(self, position: SupportsIndex, /) -> None:
        position = as_u64(position, "position", 0)
        self._replace(_c_trajectory_resume(self._start, position), self._start, position)


# The awaitable forms (docs/contract.md): the shared glue's thread and call_soon_threadsafe,
# over this module's synchronous calls.
total_stopping_time_async, max_total_stopping_time_async = awaitable_forms(
    __name__, total_stopping_time, max_total_stopping_time
)


def __dir__() -> list[str]:
    """The contract's names only (the module's helpers are not part of its interface)."""
    return sorted(__all__)
