"""collatz-core for Python through PyO3.

The functions and the ``Trajectory`` class are the compiled ones from ``._native``, re-exported
unwrapped: no Python code runs between a call and the Rust function. The same file is the
package of both builds of ``bind-pyo3``: ``collatz_pyo3`` (the stable ABI, abi3) and
``collatz_pyo3_versioned`` (built for one interpreter), each with its own distribution.
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

        return version(__name__.replace("_", "-"))  # collatz-pyo3, collatz-pyo3-versioned
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
