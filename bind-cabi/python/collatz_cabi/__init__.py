"""collatz-core behind a plain C ABI.

Three front ends call the same Rust library (``_lib``): :mod:`collatz_cabi.via_cffi` (cffi's
compiled module), :mod:`collatz_cabi.via_ctypes` (the standard library's ctypes) and
:mod:`collatz_cabi.via_cython` (a Cython module). This package re-exports the cffi one, on
first use: ``from collatz_cabi import via_ctypes`` needs neither cffi nor numpy.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing takes milliseconds
if TYPE_CHECKING:  # what the lazy re-export below gives, for type checkers
    from .via_cffi import (
        Trajectory,
        iterate,
        max_total_stopping_time,
        parity_vector,
        residue,
        stats,
        step,
        total_stopping_time,
        total_stopping_times,
        trajectory,
        walk,
    )

__all__ = [
    "Trajectory",
    "iterate",
    "max_total_stopping_time",
    "parity_vector",
    "residue",
    "stats",
    "step",
    "total_stopping_time",
    "total_stopping_times",
    "trajectory",
    "walk",
]


__version__: str
"""The installed distribution's version (read from its metadata on first use, by
``__getattr__`` below: importing importlib.metadata takes milliseconds). Declared here so that
type checkers see a ``str``."""


def __getattr__(name: str) -> object:
    if name in __all__:
        from . import via_cffi

        return getattr(via_cffi, name)
    if name == "__version__":
        from importlib.metadata import version

        return version("collatz-cabi")
    raise AttributeError(f"module 'collatz_cabi' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__", "via_cffi", "via_ctypes", "via_cython"])
