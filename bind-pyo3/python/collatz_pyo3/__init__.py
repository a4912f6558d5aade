"""collatz-core for Python through a compiled module that is the whole API.

The functions, ``Trajectory`` and ``Stats`` are the compiled ones from ``._native``,
re-exported unwrapped: no Python code runs between a call and the Rust function. The same file
is the package of three builds, each its own distribution: ``collatz_pyo3`` (PyO3, the stable
ABI), ``collatz_pyo3_versioned`` (the same crate built for one interpreter) and
``collatz_pyo3_ffi`` (the extension written by hand against the C API; its
``total_stopping_times`` imports ``._glue`` for arrays of other dtypes). The two awaitable
forms are PyO3's own ``async fn`` in the PyO3 builds and the shared glue's (``._glue``,
imported at the first await) in the hand-written one.
"""

from __future__ import annotations

from . import _native
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

# Not `from typing import ...`: importing typing takes milliseconds (mypy treats any
# TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from typing import Any, SupportsIndex


_forms: Any = None


def _glue_forms() -> Any:
    """The glue's awaitable forms over this module's calls, made at the first await."""
    global _forms
    if _forms is None:
        from ._glue import awaitable_forms  # on first use: no glue in a PyO3 build's import

        _forms = awaitable_forms(__name__, total_stopping_time, max_total_stopping_time)
    return _forms


async def _total_stopping_time_async(n: SupportsIndex, /) -> int:
    """``total_stopping_time(n)``, awaited (docs/contract.md, "Awaitable forms")."""
    result: int = await _glue_forms()[0](n)
    return result


async def _max_total_stopping_time_async(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``max_total_stopping_time(limit, progress=progress)``, awaited: the search on a thread
    of its own, ``progress`` on the loop's thread, stopped within milliseconds of a cancel."""
    result: tuple[int, int] = await _glue_forms()[1](limit, progress=progress)
    return result


for _form in (_total_stopping_time_async, _max_total_stopping_time_async):
    _form.__name__ = _form.__qualname__ = _form.__name__.removeprefix("_")


# The awaitable forms: PyO3's own `async fn` where the module has them (collatz_pyo3 and
# collatz_pyo3_versioned, src/awaiting.rs); the shared glue's thread and call_soon_threadsafe
# in the extension written by hand (collatz_pyo3_ffi), whose C API has no coroutines.
total_stopping_time_async: Callable[[SupportsIndex], Coroutine[Any, Any, int]] = getattr(
    _native, "total_stopping_time_async", _total_stopping_time_async
)
max_total_stopping_time_async: Callable[..., Coroutine[Any, Any, tuple[int, int]]] = getattr(
    _native, "max_total_stopping_time_async", _max_total_stopping_time_async
)


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
