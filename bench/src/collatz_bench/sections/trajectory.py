"""Call shape: a variable-size result. ``trajectory(n)`` returns an array whose length only
the native side knows (memory filled by Rust); timed for trajectories of ~10, ~100 and ~1000
values, next to ``total_stopping_times`` on an array of as many elements, where the caller knows the
size and allocates the output (the elements are ones: no work, only the crossing)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..context import (
    FLOOR,
    Context,
    floor_case,
    trajectory_length,
)
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary


def _lengths(ctx: Context) -> dict[int, int]:
    return {n: trajectory_length(n) for n in ctx.config.shape_starts}


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for n, length in _lengths(ctx).items():
        ones = np.ones(length, dtype=np.uint64)
        for backend, module in ctx.backends.items():
            out.append(
                Case(f"trajectory/{backend.name}/{n}", "f(n)", {"f": module.trajectory, "n": n}, units=length)
            )
            out.append(
                Case(
                    f"caller/{backend.name}/{n}",
                    "f(v)",
                    {"f": module.total_stopping_times, "v": ones},
                    units=length,
                )
            )
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    result: dict[str, Any] = {"lengths": {str(n): v for n, v in _lengths(ctx).items()}, "backends": {}}
    for backend in ctx.backends:
        rows = []
        for n, length in _lengths(ctx).items():
            own = measured[f"trajectory/{backend.name}/{n}"]
            caller = measured[f"caller/{backend.name}/{n}"]
            rows.append(
                {
                    "n": n,
                    "values": length,
                    "ns_per_call": Summary.of(own.samples).as_dict(),
                    "ns_per_value": Summary.of(own.samples, length).as_dict(),
                    "ratio_to_floor": ratio_summary(own.samples, floor).as_dict(),
                    "caller_allocated_ns_per_call": Summary.of(caller.samples).as_dict(),
                }
            )
        result["backends"][backend.name] = rows
    return result


def tables(section: dict[str, Any]) -> list[Table]:
    lengths = list(section["lengths"].values())
    t = Table(
        "Variable-size result: trajectory(n), per call [per value]; caller-allocated "
        "total_stopping_times of as many ones, per call",
        ["backend", *[f"{v} values" for v in lengths], *[f"caller-allocated, {v}" for v in lengths]],
    )
    for name, rows in section["backends"].items():
        t.rows.append(
            [
                name,
                *[f"{ns(r['ns_per_call']['median'])} [{ns(r['ns_per_value']['median'])}]" for r in rows],
                *[ns(r["caller_allocated_ns_per_call"]["median"]) for r in rows],
            ]
        )
    return [t]


SECTION = timed("trajectory", "variable-size results", cases, summary, tables)
