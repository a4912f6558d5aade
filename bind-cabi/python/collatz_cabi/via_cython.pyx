# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""collatz-core through its C ABI, called from Cython.

The declarations come from ``include/collatz.pxd``, which cbindgen generates from the same
Rust source as ``collatz.h``; the module links to the same Rust library as ``via_cffi`` and
``via_ctypes``. Arguments are checked here, in C: the success path of a scalar call is a type
check, a C conversion, the C call and a test of the result against the failure sentinel. Only
when that fails are the arguments looked at again (``_args``) to raise the contract's
exception, with the message every front end gives.

The module is compiled against each interpreter's full C API, not the limited API (abi3):
Cython's limited-API mode makes every call several times slower, and a cheap call is the
point of this front end.
"""

from libc.stdint cimport int32_t, uint64_t
from libc.stdlib cimport free, malloc

from collatz cimport (
    COLLATZ_OK,
    COLLATZ_STOPPING_TIME_ERROR,
    collatz_iterate,
    collatz_last_error,
    collatz_last_error_message,
    collatz_max_stopping_time,
    collatz_step,
    collatz_stopping_time,
    collatz_stopping_times,
)

import numpy as np

from collatz_cabi._args import as_u64, as_u64_array
from collatz_cabi._status import error_for

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]

# Calls with at least this many steps or elements release the GIL; below it, releasing and
# re-acquiring it would cost more than the work.
cdef uint64_t DETACH_MIN_STEPS = 1 << 14
cdef size_t DETACH_MIN_LEN = 1 << 10


cdef object _last_error():
    """The exception for the last failed call on this thread."""
    cdef int32_t code = collatz_last_error()
    cdef size_t size = collatz_last_error_message(NULL, 0) + 1
    cdef char *buf = <char *>malloc(size)
    if buf == NULL:
        raise MemoryError()
    try:
        collatz_last_error_message(buf, size)
        message = buf[: size - 1].decode("utf-8")
    finally:
        free(buf)
    return error_for(code, message)


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
    cdef uint64_t result
    if not (_exact_u64(n, &v) and _exact_u64(k, &steps)):
        v = as_u64(n, "n", 1)
        steps = as_u64(k, "k", 0)
    if steps < DETACH_MIN_STEPS:
        result = collatz_iterate(v, steps)
    else:
        with nogil:
            result = collatz_iterate(v, steps)
    if result:
        return result
    raise _last_error()


def stopping_time(n, /):
    """stopping_time(n, /) -> int

    The number of steps until n first reaches 1.
    """
    cdef uint64_t v
    cdef uint64_t result
    if not _exact_u64(n, &v):
        v = as_u64(n, "n", 1)
    result = collatz_stopping_time(v)
    if result != COLLATZ_STOPPING_TIME_ERROR:
        return result
    raise _last_error()


def stopping_times(values, /):
    """stopping_times(values, /) -> numpy.ndarray[uint64]

    The stopping time of every element of a 1-D array or sequence of integers. A
    C-contiguous uint64 array is read in place, without copying.
    """
    cdef const uint64_t[::1] source = as_u64_array(values)
    cdef size_t length = source.shape[0]
    out = np.empty(length, dtype=np.uint64)
    if length == 0:
        return out
    cdef uint64_t[::1] target = out
    cdef int32_t status
    if length < DETACH_MIN_LEN:
        status = collatz_stopping_times(&source[0], &target[0], length)
    else:
        with nogil:
            status = collatz_stopping_times(&source[0], &target[0], length)
    if status != COLLATZ_OK:
        raise _last_error()
    return out


def max_stopping_time(limit, /):
    """max_stopping_time(limit, /) -> tuple[int, int]

    (n, stopping_time(n)) for the n in 1 <= n < limit with the longest stopping time; ties go
    to the smallest n. Uses all cores, with the GIL released.
    """
    cdef uint64_t bound = as_u64(limit, "limit", 2)
    cdef uint64_t n = 0, steps = 0
    cdef int32_t status
    with nogil:
        status = collatz_max_stopping_time(bound, &n, &steps)
    if status != COLLATZ_OK:
        raise _last_error()
    return n, steps
