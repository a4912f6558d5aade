"""The error path: what a failing call costs (``step(0)``: invalid input; ``step(2**64 - 1)``:
the step overflows), per backend, against a successful ``step(27)`` in the same round."""

from __future__ import annotations

from typing import Any

from ..context import FLOOR, Context, floor_case
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

CALLS = {"success": 27, "invalid": 0, "overflow": 2**64 - 1}
FAILING = "try:\n    f(a)\nexcept Exception:\n    pass"


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for backend, module in ctx.backends.items():
        for what, argument in CALLS.items():
            out.append(Case(f"{what}/{backend.name}", FAILING, {"f": module.step, "a": argument}))
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    result: dict[str, Any] = {"calls": {k: str(v) for k, v in CALLS.items()}, "backends": {}}
    for backend in ctx.backends:
        success = measured[f"success/{backend.name}"].samples
        entry: dict[str, Any] = {}
        for what in CALLS:
            samples = measured[f"{what}/{backend.name}"].samples
            entry[what] = {
                "ns_per_call": Summary.of(samples).as_dict(),
                "ratio_to_floor": ratio_summary(samples, floor).as_dict(),
                "ratio_to_success": ratio_summary(samples, success).as_dict(),
            }
        result["backends"][backend.name] = entry
    return result


def tables(own: dict[str, Any]) -> list[Table]:
    t = Table(
        "The error path: step(n) in try/except, per call",
        [
            "backend",
            "step(27): success",
            "step(0): ValueError",
            "× success",
            "step(2**64 - 1): OverflowError",
            "× success",
        ],
    )
    for name, entry in own["backends"].items():
        t.rows.append(
            [
                name,
                ns(entry["success"]["ns_per_call"]["median"]),
                ns(entry["invalid"]["ns_per_call"]["median"]),
                f"{entry['invalid']['ratio_to_success']['median']:.1f}",
                ns(entry["overflow"]["ns_per_call"]["median"]),
                f"{entry['overflow']['ratio_to_success']['median']:.1f}",
            ]
        )
    return [t]


SECTION = timed("errors", "the error path", cases, summary, tables)
