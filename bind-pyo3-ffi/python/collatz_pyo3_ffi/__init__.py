"""collatz-core for Python as a CPython extension written by hand against the C API.

The functions, ``Trajectory`` and ``Stats`` are the compiled ones from ``._native`` (Rust over
the ``pyo3-ffi`` declarations, no ``pyo3``), re-exported unwrapped: no Python code runs between
a call and the Rust function. ``_glue.as_u64_array`` (the shared Python rules) converts arrays
of other dtypes for ``total_stopping_times``; the extension imports it when it needs it.
"""

from ._native import (
    Stats as Stats,
)
from ._native import (
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
    if name == "__version__":
        from importlib.metadata import version  # on first use: it takes milliseconds to import

        return version("collatz-pyo3-ffi")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
