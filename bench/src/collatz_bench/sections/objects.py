"""Call shape: an object with native state. ``Trajectory(n)``: what creating one costs, and
what each ``next()`` costs, next to a pure-Python generator of the same values. The cost per
``next()`` is the difference between draining a long trajectory and a one-value one, taken
within each round, divided by the values between them."""

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

DRAIN = "for _ in T(n): pass"
PYTHON_GENERATOR = "Python generator"


def _makers(ctx: Context) -> dict[str, Any]:
    makers: dict[str, Any] = {b.name: m.Trajectory for b, m in ctx.backends.items()}
    makers[PYTHON_GENERATOR] = python_trajectory
    return makers


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for name, make in _makers(ctx).items():
        out.append(Case(f"one/{name}", DRAIN, {"T": make, "n": 1}))
        out.append(Case(f"long/{name}", DRAIN, {"T": make, "n": ctx.config.long_start}))
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    n = ctx.config.long_start
    values = trajectory_length(n)
    result: dict[str, Any] = {"n": n, "values": values, "backends": {}}
    for name in _makers(ctx):
        one, long = measured[f"one/{name}"].samples, measured[f"long/{name}"].samples
        per_next = [(b - a) / (values - 1) for a, b in zip(one, long, strict=True)]
        result["backends"][name] = {
            "object_ns": Summary.of(one).as_dict(),
            "ns_per_next": Summary.of(per_next).as_dict(),
            "next_ratio_to_floor": ratio_summary(per_next, floor).as_dict(),
            "drain_ns_per_value": Summary.of(long, values).as_dict(),
        }
    return result


def tables(section: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Native object: Trajectory(n); one object drained (1 value), per next() "
        f"(from {section['values']} values)",
        ["backend", "object: create + drain", "per next()", "next() × floor"],
    )
    for name, entry in section["backends"].items():
        t.rows.append(
            [
                name,
                ns(entry["object_ns"]["median"]),
                ns(entry["ns_per_next"]["median"]),
                f"{entry['next_ratio_to_floor']['median']:.1f}",
            ]
        )
    return [t]


SECTION = timed("objects", "native objects", cases, summary, tables)
