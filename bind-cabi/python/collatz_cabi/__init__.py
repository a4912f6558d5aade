"""collatz-core behind a plain C ABI.

Two front ends call the same shared library: :mod:`collatz_cabi.via_cffi` and
:mod:`collatz_cabi.via_ctypes`. This package re-exports the cffi one.
"""

from .via_cffi import iterate, max_stopping_time, step, stopping_time, stopping_times

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]
