"""What a framework costs: the same call shapes through PyO3 (abi3), PyO3 built for this
interpreter, the extension written by hand against the C API (``pyo3-ffi``), and Cython over
the C ABI, against the floor, in the same rounds.

The shapes are the places where PyO3 does work a hand-written function does differently or not
at all: a scalar (argument parsing, the panic guard, the GIL token), an integer beyond the
small-int cache (``2**40``: conversion both ways), a 128-bit argument and a record out
(``stats``), a string out (``parity_vector``) and in (``residue``), one ``next()`` of a native
iterator, one callback per value (``walk``), and the error path (``step(0)``). Two ratios
answer the two questions: PyO3 (per interpreter) over the hand-written extension — what PyO3's
layers cost — and PyO3 abi3 over PyO3 per interpreter — what the stable ABI costs.
"""

from __future__ import annotations

from typing import Any

from ..context import FLOOR, Context, floor_case
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

FRONT_ENDS = ("pyo3", "pyo3-versioned", "pyo3-ffi", "cython")
"""The front ends compared, those of them the run measures."""
BIG = 2**40
WIDE = 27 << 95
FAILING = "try:\n    f(a)\nexcept ValueError:\n    pass"
SHAPES: dict[str, tuple[str, str, str, Any, int]] = {
    # key: (what, function, statement, argument, units per call)
    "scalar": ("step(27)", "step", "f(a)", 27, 1),
    "big_int": ("step(2**40): beyond the small-int cache", "step", "f(a)", BIG, 1),
    "wide_record": ("stats(27 << 95): 128-bit in, record out", "stats", "f(a)", WIDE, 1),
    "string_out": ("parity_vector(27): 70-char str out", "parity_vector", "f(a)", 27, 1),
    "string_in": ("residue('0110' * 31): 124-char str in", "residue", "f(a)", "0110" * 31, 1),
    "next": ("next() of a Trajectory, per value", "Trajectory", "for _ in f(a): pass", 27, 112),
    "callback": ("walk(27, visit), per value", "walk", "f(a, bool)", 27, 112),
    "error": ("step(0): the error path", "step", FAILING, 0, 1),
}


def _compared(ctx: Context) -> dict[str, Any]:
    return {b.name: m for b, m in ctx.backends.items() if b.name in FRONT_ENDS}


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for name, module in _compared(ctx).items():
        for key, (_, function, statement, argument, units) in SHAPES.items():
            out.append(
                Case(f"{key}/{name}", statement, {"f": getattr(module, function), "a": argument}, units=units)
            )
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    compared = _compared(ctx)
    result: dict[str, Any] = {"shapes": {k: v[0] for k, v in SHAPES.items()}, "backends": {}, "ratios": {}}
    for name in compared:
        result["backends"][name] = {
            key: {
                "ns_per_unit": Summary.of(
                    measured[f"{key}/{name}"].samples, measured[f"{key}/{name}"].units
                ).as_dict(),
                "ratio_to_floor": ratio_summary(measured[f"{key}/{name}"].samples, floor).as_dict(),
            }
            for key in SHAPES
        }
    pairs = {
        "pyo3_over_hand_written": ("pyo3-versioned", "pyo3-ffi"),
        "abi3_over_versioned": ("pyo3", "pyo3-versioned"),
    }
    for label, (slower, faster) in pairs.items():
        if slower in compared and faster in compared:
            result["ratios"][label] = {
                key: ratio_summary(
                    measured[f"{key}/{slower}"].samples, measured[f"{key}/{faster}"].samples
                ).as_dict()
                for key in SHAPES
            }
    return result


def tables(own: dict[str, Any]) -> list[Table]:
    names = list(own["backends"])
    ratio_columns = {
        "pyo3_over_hand_written": "PyO3 ÷ by hand",
        "abi3_over_versioned": "abi3 ÷ per interpreter",
    }
    present = [label for label in ratio_columns if label in own["ratios"]]
    t = Table(
        "What the framework costs: median per call (per value for next() and walk), and two ratios "
        "taken within each round",
        ["shape", *names, *(ratio_columns[label] for label in present)],
    )
    for key, what in own["shapes"].items():
        row = [what]
        row += [ns(own["backends"][name][key]["ns_per_unit"]["median"]) for name in names]
        row += [f"{own['ratios'][label][key]['median']:.2f}" for label in present]
        t.rows.append(row)
    return [t]


SECTION = timed("framework", "what the framework costs", cases, summary, tables)
