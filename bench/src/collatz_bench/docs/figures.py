"""What a figure marker's expression sees: the committed results, accessors into them, and the
formats figures are written in. Every name here not starting with ``_`` is in every marker's
namespace (see :mod:`collatz_bench.docs`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..render import markdown
from ..table import ns, power_of_ten, seconds

__all__ = [
    "Results",
    "load",
    "namespace",
    "ns",
    "power_of_ten",
    "seconds",
]

RESULTS = ("bench", "instructions", "fuzz", "pythons")
"""The results files of ``docs/results/`` a marker can read, by the name it reads them by."""


class Results:
    """The committed results files, and the accessors and tables markers use."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[str, dict[str, Any]] = {}
        for name in RESULTS:
            path = directory / f"{name}.json"
            if path.exists():
                self.files[name] = json.loads(path.read_text())

    @property
    def bench(self) -> dict[str, Any]:
        return self.files["bench"]

    def r(self, path: str, source: str = "bench") -> Any:
        """The value at a ``/``-separated path of a results file: ``r("scalar/backends/pyo3")``.
        A list index is a number: ``r("bulk/pyo3/-1/n")``."""
        value: Any = self.files[source]
        for part in path.split("/"):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value

    def step(self, backend: str) -> float:
        """``step(27)``'s cost as a multiple of the floor (the scalar section's median)."""
        return float(self.r(f"scalar/backends/{backend}/ratio_to_floor/median"))

    def step_ns(self, backend: str) -> float:
        """``step(27)``'s median time in ns."""
        return float(self.r(f"scalar/backends/{backend}/ns_per_call/median"))

    def interpreter(self, minor: str) -> dict[str, Any]:
        """The ``pythons.json`` run of the first CPython whose version starts with ``minor``
        (``"3.12"``)."""
        for name, entry in self.r("interpreters", "pythons").items():
            if name.startswith(f"CPython {minor}."):
                return dict(entry)
        raise KeyError(f"pythons.json has no CPython {minor}")

    def run(self) -> str:
        """Which run the figures are from: commit, date, machine, Python (one line)."""
        p = self.bench["provenance"]
        commit = p["git_commit"][:10] + (" (dirty)" if p["git_dirty"] else "")
        return (
            f"commit `{commit}`, {p['date'][:10]}, {self.bench['config']['name']} run "
            f"({self.bench['config']['rounds']} rounds): {p['cpu']}, {p['cores']} cores, "
            f"CPython {p['python']}, {p['rustc'].split(' (')[0]}"
        )

    def tables(self, section: str) -> list[Any]:
        """The tables of one benchmark section, as the section draws them."""
        from ..sections import SECTIONS

        (found,) = [s for s in SECTIONS if s.key == section]
        return found.tables(self.bench[section])

    def table(self, section: str, index: int = 0) -> str:
        """One table of a benchmark section, as Markdown."""
        return markdown.draw(self.tables(section)[index])


def x(value: float, digits: int = 2) -> str:
    """A multiple: ``2.34×``."""
    return f"{value:.{digits}f}×"


def n(value: float) -> str:
    """A count, with thousands separated: ``3,715``."""
    return f"{round(value):,}"


def pct(fraction: float, digits: int = 0) -> str:
    """A fraction as a percentage: ``0.123`` → ``12 %``."""
    return f"{fraction * 100:.{digits}f} %"


def mb(size: float, digits: int = 2) -> str:
    """Bytes in MB (10^6): ``0.31 MB``."""
    return f"{size / 1e6:.{digits}f} MB"


@cache
def load(directory: Path) -> Results:
    return Results(directory)


def namespace(results: Results, extra: dict[str, Callable[..., Any]] | None = None) -> dict[str, Any]:
    """The names a marker's expression sees."""
    names: dict[str, Any] = {
        "r": results.r,
        "step": results.step,
        "step_ns": results.step_ns,
        "run": results.run,
        "table": results.table,
        "tables": results.tables,
        "results": results,
        "x": x,
        "n": n,
        "pct": pct,
        "mb": mb,
        "ns": ns,
        "seconds": seconds,
        "power_of_ten": power_of_ten,
        "min": min,
        "max": max,
        "abs": abs,
        "round": round,
        "len": len,
        "sorted": sorted,
        "all": all,
        "any": any,
    }
    names.update(results.files)
    names.update(extra or {})
    return names
