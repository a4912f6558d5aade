"""Call shape: Rust calls Python. ``walk(n, visit)`` with a no-op ``visit``: the cost of each
call from native code into Python, next to a Python loop calling the same function."""

from __future__ import annotations

from typing import Any

from ..context import (
    FLOOR,
    Context,
    floor_case,
    python_trajectory,
    trajectory_length,
)
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

PYTHON_LOOP = "Python loop"


def visit(value: int) -> None:
    """The callback: does nothing, so its call is all that is timed."""


def python_loop(values: list[int], f: Any) -> int:
    """A Python loop calling ``f`` for each value: what a native walk competes with."""
    count = 0
    for value in values:
        f(value)
        count += 1
    return count


def cases(ctx: Context) -> list[Case]:
    n = ctx.config.long_start
    values = list(python_trajectory(n))
    out = [floor_case()]
    for backend, module in ctx.backends.items():
        out.append(
            Case(f"walk/{backend.name}", "w(n, v)", {"w": module.walk, "n": n, "v": visit}, units=len(values))
        )
    out.append(
        Case(f"walk/{PYTHON_LOOP}", "w(n, v)", {"w": python_loop, "n": values, "v": visit}, units=len(values))
    )
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    n = ctx.config.long_start
    values = trajectory_length(n)
    result: dict[str, Any] = {"n": n, "values": values, "backends": {}}
    for name in [*(b.name for b in ctx.backends), PYTHON_LOOP]:
        samples = measured[f"walk/{name}"].samples
        per_visit = [s / values for s in samples]
        result["backends"][name] = {
            "ns_per_visit": Summary.of(per_visit).as_dict(),
            "visit_ratio_to_floor": ratio_summary(per_visit, floor).as_dict(),
        }
    return result


def tables(section: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Rust calls Python: walk(n, visit) with a no-op visit, {section['values']} values",
        ["backend", "per visit", "visit × floor"],
    )
    for name, entry in section["backends"].items():
        t.rows.append(
            [name, ns(entry["ns_per_visit"]["median"]), f"{entry['visit_ratio_to_floor']['median']:.1f}"]
        )
    return [t]


SECTION = timed("callbacks", "callbacks into Python", cases, summary, tables)
