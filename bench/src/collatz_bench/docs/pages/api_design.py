"""The figures of ``docs/api-design.md`` ("Designing a binding's API"): listings and ranges of
one figure over the front ends, and the few derived figures its advice quotes, each read from
the committed results.

A *figure path* is a ``/``-path into ``bench.json`` with ``{}`` where the front end's name goes:
``"callbacks/backends/{}/ns_per_visit/median"``. A *format* names how a value is written:
``"ns"`` (``34 ns``, ``1.20 µs``), ``"x"`` (``2.34×``; ``"x0"``, ``"x1"`` with 0 or 1 decimal)
or ``"n"`` (``3,715``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from collatz_contract.backends import NATIVE

from ...table import ns, seconds
from ..figures import Results, n, x

__all__ = [
    "C_LEVEL",
    "HANDLE",
    "array_advantage",
    "callback_over_loop",
    "front_ends",
    "high",
    "listing",
    "low",
    "progress_every",
    "slowest_shape",
    "span",
    "values",
]

C_LEVEL = ("pyo3", "pyo3-versioned", "pyo3-ffi", "cython")
"""The front ends whose functions, classes and callbacks are C-level code (a ``#[pyclass]``, a
``cdef class``, a type written by hand): no Python runs between the caller and the binding."""

HANDLE = ("cffi", "ctypes", "boltffi")
"""The front ends whose ``Trajectory`` is a Python class around a native handle."""

FORMATS = {
    "ns": ns,
    "x": x,
    "x0": lambda v: x(v, 0),
    "x1": lambda v: x(v, 1),
    "n": n,
    "s": seconds,
}


def _names(results: Results, backends: Iterable[str] | str | None) -> list[str]:
    if backends is None:
        return front_ends(results)
    if isinstance(backends, str):  # one name, or a constant of this module by its name
        return list(globals()[backends]) if backends in ("C_LEVEL", "HANDLE") else [backends]
    return list(backends)


def front_ends(results: Results) -> list[str]:
    """The native front ends the run measured, in the registry's order
    (``collatz_contract.backends.NATIVE``)."""
    return [b.name for b in NATIVE if b.name in results.bench["scalar"]["backends"]]


def values(
    results: Results, what: str | Mapping[str, float], backends: Iterable[str] | str | None = None
) -> dict[str, float]:
    """Front end → figure: ``what`` is a figure path (``{}`` for the front end) or a mapping
    already computed (:func:`array_advantage`); ``backends`` defaults to every front end."""
    names = _names(results, backends)
    if isinstance(what, str):
        return {b: float(results.r(what.format(b))) for b in names}
    return {b: float(what[b]) for b in names}


def low(
    results: Results, what: str | Mapping[str, float], backends: Iterable[str] | str | None = None
) -> float:
    """The lowest of :func:`values`."""
    return min(values(results, what, backends).values())


def high(
    results: Results, what: str | Mapping[str, float], backends: Iterable[str] | str | None = None
) -> float:
    """The highest of :func:`values`."""
    return max(values(results, what, backends).values())


def span(
    results: Results,
    what: str | Mapping[str, float],
    backends: Iterable[str] | str | None = None,
    fmt: str = "ns",
) -> str:
    """The range of :func:`values` as the tables write a range, ``14 ns–20 ns`` (one figure
    when both ends read the same)."""
    write = FORMATS[fmt]
    lo, hi = write(low(results, what, backends)), write(high(results, what, backends))
    return lo if lo == hi else f"{lo}–{hi}"


def listing(
    results: Results,
    what: str | Mapping[str, float],
    backends: Iterable[str] | str | None = None,
    fmt: str = "ns",
) -> str:
    """Every front end with its figure, lowest first: ``pyo3 1.48 ns, pyo3-versioned 1.66 ns,
    …``."""
    write = FORMATS[fmt]
    found = values(results, what, backends)
    return ", ".join(f"{b} {write(v)}" for b, v in sorted(found.items(), key=lambda item: item[1]))


def _shapes(results: Results, backend: str) -> tuple[float, float, float]:
    entry = results.r(f"shapes/backends/{backend}")
    return (
        float(entry["array_ns_per_value"]),
        float(entry["iterator_ns_per_value"]),
        float(entry["callback_ns_per_value"]),
    )


def array_advantage(results: Results) -> dict[str, float]:
    """Front end → how many times cheaper per value the array is than the cheaper of the
    iterator and the callback (the shapes section: one trajectory, three ways)."""
    out = {}
    for b in front_ends(results):
        array, iterator, callback = _shapes(results, b)
        out[b] = min(iterator, callback) / array
    return out


def callback_over_loop(results: Results) -> dict[str, float]:
    """Front end → its cost per callback from Rust ÷ a Python loop's per call of the same
    no-op function (the callbacks section, same rounds)."""
    loop = float(results.r("callbacks/backends/Python loop/ns_per_visit/median"))
    return {
        b: float(results.r(f"callbacks/backends/{b}/ns_per_visit/median")) / loop for b in front_ends(results)
    }


def slowest_shape(results: Results) -> str:
    """Where a callback per value is the slowest of the three shapes, in prose: ``every front
    end but uniffi, whose iterator is slower still``."""
    names = front_ends(results)
    iterator_slower = [b for b in names if _shapes(results, b)[1] > _shapes(results, b)[2]]
    if not iterator_slower:
        return "every front end"
    if len(iterator_slower) == 1:
        return f"every front end but {iterator_slower[0]}, whose iterator is slower still"
    listed = ", ".join(iterator_slower[:-1]) + " and " + iterator_slower[-1]
    return f"every front end but {listed}, whose iterators are slower still"


def progress_every(results: Results) -> str:
    """How often the progress section's callback came, over the front ends: the call's time
    with progress ÷ the number of progress calls, as a range (``4.0 ms–4.8 ms``)."""
    every = {
        b: float(e["with_s"]) / int(e["progress_calls"])
        for b, e in results.r("progress/backends").items()
        if e["progress_calls"]
    }
    lo, hi = seconds(min(every.values())), seconds(max(every.values()))
    return lo if lo == hi else f"{lo}–{hi}"
