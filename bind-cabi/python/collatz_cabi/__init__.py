"""collatz-core behind a plain C ABI.

Three front ends call the same Rust library (``_lib``): :mod:`collatz_cabi.via_cffi` (cffi's
compiled module), :mod:`collatz_cabi.via_ctypes` (the standard library's ctypes) and
:mod:`collatz_cabi.via_cython` (a Cython module). This package re-exports the cffi one.
"""

from .via_cffi import iterate, max_stopping_time, step, stopping_time, stopping_times

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]
