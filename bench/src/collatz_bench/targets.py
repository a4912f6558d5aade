"""The project's speed targets: the figures of one run they are held to (:func:`targets`, written
to ``bench.json``), and the targets themselves as data (:data:`TARGETS`: what each says, its
figure, threshold and direction) with the verdict computed from a run's results
(:func:`verdicts`: met or missed, by how much). The guide's "How it measures" page renders them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

PLAIN_C = "plain C"


def targets(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"step_ratio_to_floor": {}, "convert_ns_per_element": {}}
    for name, entry in results["scalar"]["backends"].items():
        out["step_ratio_to_floor"][name] = entry["ratio_to_floor"]["median"]
    one_call = results["headline"]["one_call"]
    if PLAIN_C in one_call:
        fastest = results["headline"]["native_per_step_ns"]  # ns per step == s per 10^9 steps
        out["iterate_speedup_vs_plain_c"] = one_call[PLAIN_C]["seconds"] / fastest
    top = max((rows[-1]["n"] for rows in results["bulk"].values() if rows), default=0)
    largest = {name: rows[-1] for name, rows in results["bulk"].items() if rows and rows[-1]["n"] == top}
    speedups = {name: 1 / row["vs_plain_c"]["median"] for name, row in largest.items() if "vs_plain_c" in row}
    if speedups:
        out["total_stopping_times_speedup_vs_plain_c"] = speedups
        out["total_stopping_times_n"] = top
    for name, row in largest.items():
        if "convert_ns_per_element" in row:
            out["convert_ns_per_element"][name] = row["convert_ns_per_element"]["median"]
    ranges = results.get("range", {}).get("backends", {})
    if PLAIN_C in ranges:
        out["max_total_stopping_time_speedup_vs_plain_c"] = {
            name: 1 / e["vs_plain_c"]["median"] for name, e in ranges.items() if "vs_plain_c" in e
        }
        out["max_total_stopping_time_limit"] = results["range"]["limit"]
    return out


# --- The targets as data, and their verdicts ------------------------------------------------

Direction = Literal["at most", "at least"]
Figures = Callable[[dict[str, Any]], dict[str, float]]
"""A target's figure(s) in one run's results: a label (a front end, or ``""`` for a single
figure) → the value. Empty when the run does not have the figure (a section left out, a quick
run's smaller sizes, or a figure ``collatz-bench`` never measures)."""


@dataclass(frozen=True)
class Target:
    """One speed target: what it says, the figure it is held to, the threshold, the direction."""

    name: str
    """What the target says (Markdown)."""
    figures: Figures
    threshold: float
    direction: Direction
    unit: str
    """``×`` (a ratio), ``ns`` or ``s``."""
    absent: str = "not in this run"
    """The verdict when the run has no figure for the target (and why)."""
    context: Callable[[dict[str, Any]], str] | None = None
    """What the run shows instead, when it has no figure for the target."""

    def format(self, value: float) -> str:
        """A figure in the target's unit: ``2.34×``, ``0.76 ns``."""
        return f"{value:.2f}×" if self.unit == "×" else f"{value:.2f} {self.unit}"

    def threshold_text(self) -> str:
        """``≤ 2×``, ``≥ 2.5×``, ``≤ 1 ns``."""
        sign = "≤" if self.direction == "at most" else "≥"
        return f"{sign} {self.threshold:g}{'×' if self.unit == '×' else ' ' + self.unit}"

    def spare(self, value: float) -> float:
        """How far ``value`` is on the right side of the threshold, in the target's unit:
        positive when met, negative (the shortfall) when missed."""
        return self.threshold - value if self.direction == "at most" else value - self.threshold


@dataclass(frozen=True)
class Verdict:
    """A target against one run: its figures, and whether each meets the threshold."""

    target: Target
    figures: dict[str, float]
    context: str = ""
    """The run's related figure, when it has none for the target itself."""

    @property
    def measured(self) -> bool:
        return bool(self.figures)

    @property
    def missed(self) -> dict[str, float]:
        """The figures that miss the threshold, label → value."""
        return {k: v for k, v in self.figures.items() if self.target.spare(v) < 0}

    @property
    def met(self) -> bool | None:
        """Whether every figure meets the threshold; ``None`` when the run has none."""
        return not self.missed if self.measured else None

    @property
    def closest(self) -> tuple[str, float]:
        """The label and value with the least to spare (the furthest past, when missed)."""
        return min(self.figures.items(), key=lambda item: self.target.spare(item[1]))

    def by(self, value: float, relative: bool = True) -> str:
        """How far ``value`` is from the threshold, in the target's unit and (``relative``) as a
        share of the threshold: ``0.34× (17 %)``."""
        spare = abs(self.target.spare(value))
        unit = "×" if self.target.unit == "×" else " " + self.target.unit
        share = f" ({spare / self.target.threshold * 100:.0f} %)" if relative else ""
        return f"{spare:.2f}{unit}{share}"

    def figure_text(self) -> str:
        """This run's figure(s): one value, or the range over the front ends, with their names."""
        if not self.measured:
            return self.context or "—"
        if list(self.figures) == [""]:
            return self.target.format(self.figures[""])
        low = min(self.figures.items(), key=lambda item: item[1])
        high = max(self.figures.items(), key=lambda item: item[1])
        if len(self.figures) == 1:
            return f"{low[0]} {self.target.format(low[1])}"
        return (
            f"{low[0]} {self.target.format(low[1])} to {high[0]} {self.target.format(high[1])} "
            f"({len(self.figures)} front ends)"
        )

    def text(self) -> str:
        """The verdict in words: met (with how much to spare), missed (by how much, by whom)."""
        if not self.measured:
            return self.target.absent
        single = list(self.figures) == [""]
        if self.met:
            label, value = self.closest
            spare = f"{self.by(value, relative=False)} to spare"
            if single:
                return f"met, {spare}"
            if len(self.figures) == 1:
                return f"met by {label}, {spare}"
            return f"met by all {len(self.figures)}; closest: {label}, {spare}"
        missed = self.missed
        if single:
            return f"**missed** by {self.by(missed[''])}"
        who = ", ".join(
            f"{label} by {self.by(value)}"
            for label, value in sorted(missed.items(), key=lambda item: self.target.spare(item[1]))
        )
        rest = len(self.figures) - len(missed)
        return f"**missed**: {who}" + (f"; met by the other {rest}" if rest else "")


def _dig(results: dict[str, Any], *path: str | int) -> Any:
    """The value at ``path``, or ``None`` when any part is missing."""
    value: Any = results
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _step(backend: str) -> Figures:
    """A front end's ``step(27)`` as a multiple of the floor (the scalar section's median)."""

    def figures(results: dict[str, Any]) -> dict[str, float]:
        value = _dig(results, "scalar", "backends", backend, "ratio_to_floor", "median")
        return {"": float(value)} if value is not None else {}

    return figures


def _front_ends(names: Iterable[str]) -> list[str]:
    """The names that are front ends (the plain C loop, the Go loops, the reference left out)."""
    return [n for n in names if n not in (PLAIN_C, "reference") and not n.startswith("Go ")]


def _iterate_speedup(results: dict[str, Any]) -> dict[str, float]:
    """``iterate(27, 10**9)`` in one call, per front end: the plain C loop's time ÷ the front
    end's (both one call of 10^9 steps)."""
    one_call = _dig(results, "headline", "one_call") or {}
    if PLAIN_C not in one_call:
        return {}
    plain = one_call[PLAIN_C]["seconds"]
    return {n: plain / one_call[n]["seconds"] for n in _front_ends(one_call)}


TOTAL_STOPPING_TIMES_N = 10**6


def _total_stopping_times_speedup(results: dict[str, Any]) -> dict[str, float]:
    """``total_stopping_times(1..=10**6)``, per front end: how many times faster than the plain
    C loop (the bulk section's round-by-round ratio, inverted)."""
    out = {}
    for name, rows in (results.get("bulk") or {}).items():
        for row in rows if name in _front_ends([name]) else ():
            if row["n"] == TOTAL_STOPPING_TIMES_N and "vs_plain_c" in row:
                out[name] = 1 / row["vs_plain_c"]["median"]
    return out


RANGE_LIMIT = 10**7


def _range_speedup(results: dict[str, Any]) -> dict[str, float]:
    """``max_total_stopping_time(10**7)``, per front end: how many times faster than the plain
    C loop (the range section's ratio, inverted)."""
    if _dig(results, "range", "limit") != RANGE_LIMIT:
        return {}
    return {
        name: 1 / entry["vs_plain_c"]["median"]
        for name, entry in results["range"]["backends"].items()
        if "vs_plain_c" in entry and name in _front_ends([name])
    }


def _convert(*backends: str) -> Figures:
    """The conversion-only cost of a bulk call, ns per element, at the bulk section's largest
    size (the front end's time less the plain C loop's, per element)."""

    def figures(results: dict[str, Any]) -> dict[str, float]:
        out = {}
        for name in backends:
            rows = _dig(results, "bulk", name) or []
            if rows and "convert_ns_per_element" in rows[-1]:
                out[name] = rows[-1]["convert_ns_per_element"]["median"]
        return out

    return figures


def _not_measured(results: dict[str, Any]) -> dict[str, float]:
    return {}


def _record_seconds(k: int) -> Figures:
    """The time of the first ``max_total_stopping_time(10**k)`` call of the run (the records
    section; a full run goes up to 10^10, ``--records-up-to`` further)."""

    def figures(results: dict[str, Any]) -> dict[str, float]:
        rows = _dig(results, "records", "records") or []
        found = [float(row["seconds"]) for row in rows if row["k"] == k]
        return {"": found[0]} if found else {}

    return figures


def _record_context(k: int) -> Callable[[dict[str, Any]], str]:
    def context(results: dict[str, Any]) -> str:
        found = _record_seconds(k)(results)
        return f"{found['']:.2f} s for the search below 10^{k}" if found else ""

    return context


TARGETS: list[Target] = [
    Target(
        "`iterate(27, 10**9)` faster per step than the plain C loop",
        _iterate_speedup,
        2.5,
        "at least",
        "×",
    ),
    Target(
        "`total_stopping_times(1..=10**6)` faster than the plain C loop",
        _total_stopping_times_speedup,
        3,
        "at least",
        "×",
    ),
    Target(
        "`max_total_stopping_time(10**7)` faster than the plain C loop",
        _range_speedup,
        5,
        "at least",
        "×",
    ),
    Target(
        "`max_total_stopping_time(10**10)` faster than before the sieve (same machine)",
        _not_measured,
        8,
        "at least",
        "×",
        absent="not computed: the records section times the search below 10^10, but no results "
        "file holds the time of the search the sieve replaced",
        context=_record_context(10),
    ),
    Target(
        "`max_total_stopping_time(10**11)` within about a minute on 2 cores",
        _record_seconds(11),
        60,
        "at most",
        "s",
        absent="not in this run: its records stop below 10^11 "
        "(`collatz-bench --only records --records-up-to 11` times it)",
    ),
    Target(
        "`iterate(27, 10**9)` and `total_stopping_times(1..=10**6)` no slower than before the "
        "128-bit path (old time ÷ new)",
        _not_measured,
        1,
        "at least",
        "×",
        absent="not measured by `collatz-bench`: the core alone, old build against new, with "
        "criterion (`make bench-core`), when the 128-bit path came in; no results file holds it",
    ),
    Target(
        "conversion-only cost of a bulk call, ns per element (PyO3, cffi, ctypes, Cython)",
        _convert("pyo3", "cffi", "ctypes", "cython"),
        1,
        "at most",
        "ns",
    ),
    Target(
        "conversion-only cost of a bulk call, ns per element (UniFFI)",
        _convert("uniffi"),
        20,
        "at most",
        "ns",
    ),
    Target("UniFFI `step(27)`, × the floor", _step("uniffi"), 155, "at most", "×"),
    Target("Cython `step(27)`, × the floor", _step("cython"), 2, "at most", "×"),
    Target("cffi `step(27)`, × the floor", _step("cffi"), 5, "at most", "×"),
    Target("PyO3 `step(27)`, × the floor", _step("pyo3"), 2, "at most", "×"),
    Target("ctypes `step(27)`, × the floor", _step("ctypes"), 17, "at most", "×"),
]
"""The project's speed targets (what the README's "Speed targets" table stated by hand before
the verdicts were computed)."""


def verdict(target: Target, results: dict[str, Any]) -> Verdict:
    figures = target.figures(results)
    context = target.context(results) if target.context and not figures else ""
    return Verdict(target, figures, context)


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """Every target of :data:`TARGETS` against one run's results."""
    return [verdict(t, results) for t in TARGETS]
