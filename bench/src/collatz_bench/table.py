"""Tables as data: every section describes its results as :class:`Table` objects, and each
renderer (terminal, Markdown) draws them its own way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    align: str = ""
    """One letter per column, ``l`` (text) or ``r`` (figures); by default the first column is
    text and the others are figures."""
    note: str | None = None
    """A sentence printed under the table."""

    def alignment(self) -> str:
        return self.align or "l" + "r" * (len(self.columns) - 1)


def ns(value: float) -> str:
    """Nanoseconds, in the unit that reads best."""
    if value >= 1e9:
        return f"{value / 1e9:.2f} s"
    if value >= 1e6:
        return f"{value / 1e6:.2f} ms"
    if value >= 1e3:
        return f"{value / 1e3:.2f} µs"
    if value >= 10:
        return f"{value:.0f} ns"
    return f"{value:.2f} ns"


def seconds(value: float) -> str:
    """Seconds, in the unit that reads best."""
    if value >= 120:
        return f"{value / 60:.1f} min"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1e3:.0f} ms"
    if value >= 0.001:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def spread(summary: Mapping[str, float]) -> str:
    """Median and interquartile range of a :class:`~collatz_bench.timing.Summary` dict."""
    return f"{ns(summary['median'])} [{ns(summary['q1'])}–{ns(summary['q3'])}]"


def power_of_ten(n: int) -> str:
    """``1000`` → ``"10^3"``; other numbers as they are."""
    exponent = len(str(n)) - 1
    return f"10^{exponent}" if n == 10**exponent else f"{n:,}"


def ratio_ci(summary: dict[str, Any]) -> str:
    """A ratio's median and its bootstrap 95 % interval: ``1.90 (1.86–1.95)``."""
    if "ci_low" not in summary:
        return f"{summary['median']:.2f}"
    return f"{summary['median']:.2f} ({summary['ci_low']:.2f}–{summary['ci_high']:.2f})"
