"""collatz-core through its C ABI, called with ctypes from the standard library.

``argtypes`` and ``restype`` are declared once, at import. ctypes converts an out-of-range
Python ``int`` to ``uint64_t`` by silently wrapping it (``-1`` becomes ``2**64 - 1``), so every
argument is range-checked here before the call.

Calls that are always short (``step``, ``stopping_time``, ``iterate`` with small ``k``) go
through a ``ctypes.PyDLL`` handle, which keeps the GIL: releasing and re-acquiring it costs
more than the work. Calls that can be long (``iterate`` with large ``k``, the bulk and range
functions) go through ``ctypes.CDLL``, which releases the GIL so other threads run meanwhile.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import numpy.typing as npt

from ._args import U64_MAX, as_u64, as_u64_array
from ._library import PATH
from ._status import OK, error_for

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]


_lib = ctypes.CDLL(PATH)  # releases the GIL during calls
_lib_short = ctypes.PyDLL(_lib._name)  # keeps it: for calls that take nanoseconds
_u64, _i32, _size = ctypes.c_uint64, ctypes.c_int32, ctypes.c_size_t
_p_u64 = ctypes.POINTER(_u64)


def _declare(name: str, restype: object, *argtypes: object, lib: ctypes.CDLL = _lib) -> Any:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


_c_step = _declare("collatz_step", _u64, _u64, lib=_lib_short)
_c_iterate_short = _declare("collatz_iterate", _u64, _u64, _u64, lib=_lib_short)
_c_iterate = _declare("collatz_iterate", _u64, _u64, _u64)
_c_stopping_time = _declare("collatz_stopping_time", _u64, _u64, lib=_lib_short)
_c_stopping_times = _declare("collatz_stopping_times", _i32, ctypes.c_void_p, ctypes.c_void_p, _size)
_c_max_stopping_time = _declare("collatz_max_stopping_time", _i32, _u64, _p_u64, _p_u64)
_c_last_error = _declare("collatz_last_error", _i32)
_c_last_error_message = _declare("collatz_last_error_message", _size, ctypes.c_char_p, _size)

_STOPPING_TIME_ERROR = U64_MAX
# iterate calls with fewer steps than this hold the GIL (a few microseconds at most).
_SHORT_K = 1 << 16


def _last_error() -> Exception:
    code = _c_last_error()
    size = _c_last_error_message(None, 0) + 1
    buf = ctypes.create_string_buffer(size)
    _c_last_error_message(buf, size)
    return error_for(code, buf.value.decode())


def step(n: int, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    if n.__class__ is int and 0 <= n <= U64_MAX:
        result: int = _c_step(n)
        if result:
            return result
        raise _last_error()
    return step(as_u64(n, "n", 1))


def iterate(n: int, k: int, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int and 0 <= n <= U64_MAX and 0 <= k <= U64_MAX:
        result: int = _c_iterate_short(n, k) if k < _SHORT_K else _c_iterate(n, k)
        if result:
            return result
        raise _last_error()
    return iterate(as_u64(n, "n", 1), as_u64(k, "k", 0))


def stopping_time(n: int, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int and 0 <= n <= U64_MAX:
        result: int = _c_stopping_time(n)
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
    status = _c_stopping_times(array.ctypes.data, out.ctypes.data, out.shape[0])
    if status != OK:
        raise _last_error()
    return out


def max_stopping_time(limit: int, /) -> tuple[int, int]:
    """``(n, stopping_time(n))`` for the ``n < limit`` with the longest stopping time."""
    limit = as_u64(limit, "limit", 2)
    n, steps = _u64(), _u64()
    if _c_max_stopping_time(limit, ctypes.byref(n), ctypes.byref(steps)) != OK:
        raise _last_error()
    return n.value, steps.value
