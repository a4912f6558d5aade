# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""collatz-core through its C ABI, called from Cython.

The declarations come from ``include/collatz.pxd``, which cbindgen generates from the same
Rust source as ``collatz.h``; the module links to the same Rust library as ``via_cffi`` and
``via_ctypes``. Arguments are checked here, in C: the success path of a scalar call is a type
check, a C conversion, the C call and a test of the result against the failure sentinel. Only
when that fails are the arguments looked at again (``_glue``) to raise the contract's
exception, with the message every front end gives.

The module is compiled against each interpreter's full C API, not the limited API (abi3):
Cython's limited-API mode makes every call several times slower, and a cheap call is the
point of this front end.
"""

from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport int32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from collatz cimport (
    COLLATZ_UNTIL_ONE,
    CollatzStats,
    collatz_free_string,
    collatz_parity_vector,
    collatz_residue,
    collatz_stats,
    COLLATZ_OK,
    COLLATZ_TOTAL_STOPPING_TIME_ERROR,
    CollatzTrajectory,
    collatz_free_values,
    collatz_iterate,
    collatz_iterate_polled,
    COLLATZ_MESSAGE_CAPACITY,
    collatz_last_error_message,
    collatz_last_failure,
    collatz_max_total_stopping_time,
    collatz_step,
    collatz_total_stopping_time,
    collatz_total_stopping_times,
    collatz_trajectory,
    collatz_trajectory_free,
    collatz_trajectory_new,
    collatz_trajectory_next,
    collatz_trajectory_position,
    collatz_trajectory_resume,
    collatz_trajectory_status,
    collatz_walk,
)

from collatz_cabi._glue import (
    Stats,
    as_parity_count,
    as_u64,
    as_u64_array,
    as_u128,
    awaitable_forms,
    check_callable,
    checked_vector,
)
from collatz_cabi._status import exception_for, finish

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

# Calls with at least this many steps or elements release the GIL; below it, releasing and
# re-acquiring it would cost more than the work.
cdef uint64_t DETACH_MIN_STEPS = 1 << 14
cdef size_t DETACH_MIN_LEN = 1 << 10
# iterate calls with at least this many steps poll for Ctrl-C (collatz_iterate_polled).
cdef uint64_t LONG_K = 1 << 24


cdef class _Call:
    """The state of one library call that calls back into Python (its C context pointer)."""

    cdef object visit
    cdef object progress
    cdef object error

    def raise_stopped(self):
        """The library stopped because a callback asked it to: raise what the callback raised."""
        error, self.error = self.error, None
        raise error


cdef int32_t _c_progress(void *ctx, uint64_t done, uint64_t total) noexcept with gil:
    """Poll and progress callback: runs Python's signal handlers, then ``progress``. Any
    exception is kept for the caller and stops the library (a C function has no Python frame
    for a handler to raise into, so ``KeyboardInterrupt`` is raised here, inside the ``try``)."""
    cdef _Call call = <_Call>ctx
    try:
        PyErr_CheckSignals()
        if call.progress is not None:
            call.progress(done, total)
    except BaseException as e:
        call.error = e
        return 1
    return 0


cdef int32_t _c_visit(void *ctx, uint64_t value) noexcept with gil:
    cdef _Call call = <_Call>ctx
    try:
        call.visit(value)
    except BaseException as e:
        call.error = e
        return 1
    return 0


cpdef object _last_error():
    """The exception for the last failed call on this thread: its code and message in one
    call, into a buffer on the stack; a longer message (one quoting a huge value) is fetched
    whole into one on the heap."""
    cdef char stack[COLLATZ_MESSAGE_CAPACITY]
    cdef size_t length = 0
    cdef int32_t code = collatz_last_failure(stack, COLLATZ_MESSAGE_CAPACITY, &length)
    if length < COLLATZ_MESSAGE_CAPACITY:
        return exception_for(code, stack[:length].decode("utf-8"))
    cdef char *buf = <char *>malloc(length + 1)
    if buf == NULL:
        raise MemoryError()
    try:
        collatz_last_error_message(buf, length + 1)
        message = buf[:length].decode("utf-8")
    finally:
        free(buf)
    return exception_for(code, message)


cdef uint64_t _checked_n(object n) except 0:
    """``n`` for the call shapes, checked before any other argument."""
    cdef uint64_t v
    if _exact_u64(n, &v) and v != 0:
        return v
    return as_u64(n, "n", 1)


cdef inline bint _exact_u64(object value, uint64_t *out):
    """Store ``value`` in ``*out`` if it is an ``int`` (not a subclass) in the uint64 range."""
    if type(value) is not int:
        return False
    try:
        out[0] = value
    except OverflowError:
        return False
    return True


def step(n, /):
    """step(n, /) -> int

    One Collatz step: n // 2 if n is even, else 3 * n + 1.
    """
    cdef uint64_t v
    cdef uint64_t result
    if not _exact_u64(n, &v):
        v = as_u64(n, "n", 1)
    result = collatz_step(v)
    if result:
        return result
    raise _last_error()


def iterate(n, k, /):
    """iterate(n, k, /) -> int

    `step` applied k times (a real loop of k steps); k = 0 returns n.
    """
    cdef uint64_t v, steps
    cdef uint64_t result = 0
    cdef int32_t status
    cdef _Call call
    if not (_exact_u64(n, &v) and _exact_u64(k, &steps)):
        v = as_u64(n, "n", 1)
        steps = as_u64(k, "k", 0)
    if steps < DETACH_MIN_STEPS:
        result = collatz_iterate(v, steps)
    elif steps < LONG_K:
        with nogil:
            result = collatz_iterate(v, steps)
    else:
        call = _Call()
        with nogil:
            status = collatz_iterate_polled(v, steps, _c_progress, <void *>call, &result)
        finish(status, call, _last_error)
        return result
    if result:
        return result
    raise _last_error()


def total_stopping_time(n, /):
    """total_stopping_time(n, /) -> int

    The number of steps until n first reaches 1.
    """
    cdef uint64_t v
    cdef uint64_t result
    if not _exact_u64(n, &v):
        v = as_u64(n, "n", 1)
    result = collatz_total_stopping_time(v)
    if result != COLLATZ_TOTAL_STOPPING_TIME_ERROR:
        return result
    raise _last_error()


def total_stopping_times(values, /):
    """total_stopping_times(values, /) -> numpy.ndarray[uint64]

    The total stopping time of every element of a 1-D array or sequence of integers. A
    C-contiguous uint64 array is read in place, without copying.
    """
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    cdef const uint64_t[::1] source = as_u64_array(values)
    cdef size_t length = source.shape[0]
    out = np.empty(length, dtype=np.uint64)
    if length == 0:
        return out
    cdef uint64_t[::1] target = out
    cdef int32_t status
    if length < DETACH_MIN_LEN:
        status = collatz_total_stopping_times(&source[0], &target[0], length)
    else:
        with nogil:
            status = collatz_total_stopping_times(&source[0], &target[0], length)
    if status != COLLATZ_OK:
        raise _last_error()
    return out


def max_total_stopping_time(limit, /, *, progress=None):
    """max_total_stopping_time(limit, /, *, progress=None) -> tuple[int, int]

    (n, total_stopping_time(n)) for the n in 1 <= n < limit with the longest total stopping time; ties go
    to the smallest n. Uses all cores, with the GIL released. progress(done, total), if given,
    is called from the library as the search goes.
    """
    cdef uint64_t bound = as_u64(limit, "limit", 2)
    cdef uint64_t n = 0, steps = 0
    cdef int32_t status
    check_callable(progress, "progress", optional=True)
    cdef _Call call = _Call()
    call.progress = progress
    with nogil:
        status = collatz_max_total_stopping_time(bound, _c_progress, <void *>call, &n, &steps)
    finish(status, call, _last_error)
    return n, steps


def trajectory(n, /):
    """trajectory(n, /) -> numpy.ndarray[uint64]

    The whole trajectory n, step(n), ..., 1 as a new array (filled by the library).
    """
    import numpy as np  # on first use, not with the module

    cdef uint64_t v = _checked_n(n)
    cdef uint64_t *values = NULL
    cdef size_t length = 0
    if collatz_trajectory(v, &values, &length) != COLLATZ_OK:
        raise _last_error()
    try:
        out = np.empty(length, dtype=np.uint64)
        target: uint64_t[::1] = out
        memcpy(&target[0], values, length * sizeof(uint64_t))
    finally:
        collatz_free_values(values, length)
    return out


def walk(n, visit, /):
    """walk(n, visit, /) -> int

    Call visit(x) for each value of the trajectory of n, from the library; return the number
    of values visited. If visit raises, the walk stops and the exception propagates.
    """
    cdef uint64_t v = _checked_n(n)
    cdef uint64_t count = 0
    check_callable(visit, "visit")
    cdef _Call call = _Call()
    call.visit = visit
    # The GIL stays held: every value calls back into Python.
    status = collatz_walk(v, _c_visit, <void *>call, &count)
    finish(status, call, _last_error)
    return count


def stats(n, /):
    """stats(n, /) -> Stats

    The record of the trajectory of n (1 <= n <= 2**128 - 1): n, total_stopping_time,
    stopping_time, peak, odd_steps (a C struct returned by value, 128-bit halves).
    """
    cdef object v = as_u128(n, "n")
    cdef CollatzStats record = collatz_stats(v >> 64, v & 0xFFFFFFFFFFFFFFFF)
    if record.status != COLLATZ_OK:
        raise _last_error()
    return Stats(
        (<object>record.n_hi) << 64 | record.n_lo,
        record.total_stopping_time,
        record.stopping_time,
        (<object>record.peak_hi) << 64 | record.peak_lo,
        record.odd_steps,
    )


def parity_vector(n, k=None, /):
    """parity_vector(n, k=None, /) -> str

    The parities of the Terras map from n ('1' odd, '0' even) up to the first 1, or the first
    k of them (a string the library allocates, copied and freed here).
    """
    cdef object v = as_u128(n, "n")
    cdef uint64_t count = as_parity_count(k)
    cdef char *text = NULL
    cdef size_t length = 0
    cdef uint64_t hi = v >> 64, lo = v & 0xFFFFFFFFFFFFFFFF
    cdef int32_t status
    with nogil:
        status = collatz_parity_vector(hi, lo, count, &text, &length)
    if status != COLLATZ_OK:
        raise _last_error()
    try:
        return text[:length].decode("ascii")
    finally:
        collatz_free_string(text, length)


def residue(vector, /):
    """residue(vector, /) -> int

    The r with 1 <= r <= 2**len(vector) whose first Terras parities are vector.
    """
    cdef bytes data = checked_vector(vector)
    cdef uint64_t hi = 0, lo = 0
    if collatz_residue(data, len(data), &hi, &lo) != COLLATZ_OK:
        raise _last_error()
    return (<object>hi) << 64 | lo


cdef class Trajectory:
    """Trajectory(n, /)

    The trajectory n, step(n), ..., 1 as an iterator over a C handle (freed with the object,
    in C). Copies and pickles are new handles at the same position; __init__ called again does
    nothing (the handle is made once, by __cinit__).
    """

    cdef CollatzTrajectory *_handle
    cdef uint64_t _start

    def __cinit__(self, n, /):
        self._start = _checked_n(n)
        self._handle = collatz_trajectory_new(self._start)
        if self._handle == NULL:
            raise _last_error()

    def __dealloc__(self):
        if self._handle != NULL:
            collatz_trajectory_free(self._handle)
            self._handle = NULL

    def __iter__(self):
        return self

    def __next__(self):
        cdef uint64_t value = collatz_trajectory_next(self._handle)
        if value:
            return value
        if collatz_trajectory_status(self._handle) == COLLATZ_OK:
            raise StopIteration
        raise _last_error()

    def __repr__(self):
        return f"Trajectory({self._start})"

    def __reduce__(self):
        """Copies and pickles: a new handle on the same start, at the same position."""
        return (type(self), (self._start,), collatz_trajectory_position(self._handle))

    def __setstate__(self, position, /):
        cdef CollatzTrajectory *handle = collatz_trajectory_resume(
            self._start, as_u64(position, "position", 0)
        )
        if handle == NULL:
            raise _last_error()
        collatz_trajectory_free(self._handle)
        self._handle = handle


# The awaitable forms (docs/contract.md): the shared glue's thread and call_soon_threadsafe,
# over this module's synchronous calls.
total_stopping_time_async, max_total_stopping_time_async = awaitable_forms(
    __name__, total_stopping_time, max_total_stopping_time
)


def __dir__():
    """The contract's names only (the module's helpers are not part of its interface)."""
    return sorted(__all__)
