"""collatz-core for Python through a compiled module that is the whole API.

The functions, ``Trajectory`` and ``Stats`` are the compiled ones from ``._native``,
re-exported unwrapped: no Python code runs between a call and the Rust function. The same file
is the package of three builds, each its own distribution: ``collatz_pyo3`` (PyO3, the stable
ABI), ``collatz_pyo3_versioned`` (the same crate built for one interpreter) and
``collatz_pyo3_ffi`` (the extension written by hand against the C API; its
``total_stopping_times`` imports ``._glue`` for arrays of other dtypes).
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

        return version(__name__.replace("_", "-"))  # collatz-pyo3, -pyo3-versioned, -pyo3-ffi
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
