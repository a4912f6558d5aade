"""The introduction's figures: the blog's headline as measured here, and a check that the map of
the guide names every page of ``docs/SUMMARY.md``."""

from __future__ import annotations

import re

from collatz_contract.backends import NATIVE

from ...table import seconds
from ..figures import Results

__all__ = ["maps_every_page", "one_call_range", "per_step_range"]


def _front_ends(results: Results, part: str) -> dict[str, float]:
    """Front end → seconds for 10^9 steps, in one of the headline's parts."""
    measured = results.r(f"headline/{part}")
    return {b.name: float(measured[b.name]["seconds"]) for b in NATIVE if b.name in measured}


def _range(values: dict[str, float]) -> str:
    fastest = min(values, key=values.__getitem__)
    slowest = max(values, key=values.__getitem__)
    return f"{seconds(values[fastest])} ({fastest}) to {seconds(values[slowest])} ({slowest})"


def per_step_range(results: Results) -> str:
    """10^9 steps as one native call per step, the loop in Python: the cheapest and the
    dearest front end."""
    return _range(_front_ends(results, "per_step_calls"))


def one_call_range(results: Results) -> str:
    """10^9 steps in one ``iterate`` call: the fastest and the slowest front end."""
    return _range(_front_ends(results, "one_call"))


def maps_every_page(results: Results) -> bool:
    """Whether ``docs/introduction.md`` links to every page ``docs/SUMMARY.md`` lists, other than
    itself and the generated results pages (the results index stands for them)."""
    docs = results.directory.parent
    listed = set(re.findall(r"\]\(([^)]+\.md)\)", (docs / "SUMMARY.md").read_text()))
    wanted = {p for p in listed if p != "introduction.md" and not p.startswith("results/")}
    linked = set(re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", (docs / "introduction.md").read_text()))
    return wanted <= linked
