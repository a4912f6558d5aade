"""Instructions per call, counted by callgrind (``collatz_bench.instructions``), beside the time
ratios of the same loops timed natively in the same run: for every front end, the scalar call
and every call shape (the failing call, an array out, ``next()``, a callback, a record, a
string out and in). Where the two ratios disagree, the instructions are not the whole cost:
cache misses, allocation, the GIL's handoffs, libffi's and ctypes' indirect calls. The
per-function breakdown of ``step(27)`` shows where each binding's instructions go."""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import instructions
from ..context import Context, Tick, measure_group, measure_group_steps
from ..section import Section
from ..table import Table
from ..timing import Case, ratio_summary

HOW_TO_GET_VALGRIND = "valgrind not found: install it (Debian: apt-get install valgrind; `make bench` does)"


def _loops() -> dict[str, Any]:
    """The loops callgrind counts, compiled here to time them natively."""
    scope: dict[str, Any] = {"operator": operator, "LONG_START": instructions.LONG_START}
    exec(instructions.LOOPS, scope)
    return scope


def _evaluator(code: Any, scope: dict[str, Any], module: Any, n: int) -> Callable[[], object]:
    """One run of a case's loop, as a callable (what :class:`Case` times)."""
    local = {"m": module, "n": n}

    def once() -> object:
        return eval(code, scope, local)

    return once


def _time_cases(ctx: Context) -> list[Case]:
    scope = _loops()
    n = instructions.LONG
    out = [Case("floor", lambda: scope["call1"](operator.index, 27, n))]
    for backend, module in ctx.native.items():
        for case, (loop, _) in instructions.CASES.items():
            out.append(
                Case(f"{backend.name}/{case}", _evaluator(compile(loop, case, "eval"), scope, module, n))
            )
    return out


def _skipped(ctx: Context) -> str | None:
    if not ctx.config.instructions:
        return "skipped in a quick run (--instructions counts them)"
    if instructions.valgrind() is None:
        return HOW_TO_GET_VALGRIND
    return None


def steps(ctx: Context) -> int:
    if _skipped(ctx):
        return 0
    return 1 + measure_group_steps(_time_cases(ctx), max(3, ctx.config.rounds // 3))


def run(ctx: Context, tick: Tick) -> dict[str, Any] | None:
    skipped = _skipped(ctx)
    if skipped:
        return {"skipped": skipped}
    figures = instructions.measure({b.name: b.module for b in ctx.native}, Path("results") / "callgrind")
    tick()
    timed = measure_group(_time_cases(ctx), max(3, ctx.config.rounds // 3), ctx.config.target, tick)
    floor = timed["floor"].samples
    for name, entry in figures["backends"].items():
        for case, figure in entry.items():
            figure["time_ratio_to_floor"] = ratio_summary(timed[f"{name}/{case}"].samples, floor).as_dict()
    figures["cases"] = {case: what for case, (_, what) in instructions.CASES.items()}
    return figures


def tables(own: dict[str, Any]) -> list[Table]:
    if "skipped" in own:
        return [Table("Instructions per call (callgrind)", ["note"], rows=[[own["skipped"]]])]
    main = Table(
        f"Instructions per call (callgrind; the floor, operator.index, is "
        f"{own['floor_per_call']:.0f}), beside the time ratio of the same loop in this run",
        [
            "backend",
            "call",
            "instructions per call",
            "× floor (instructions)",
            "× floor (time)",
            "time ÷ instructions",
        ],
        align="llrrrr",
        note="Ratios per loop iteration (loop included), as every timing ratio is; "
        "time ÷ instructions above 1: the call costs more time than its instructions say.",
    )
    for name, entry in own["backends"].items():
        for case, figure in entry.items():
            time_ratio = figure["time_ratio_to_floor"]["median"]
            main.rows.append(
                [
                    name,
                    own["cases"][case],
                    f"{figure['per_call']:,.0f}",
                    f"{figure['ratio_to_floor']:.2f}",
                    f"{time_ratio:.2f}",
                    f"{time_ratio / figure['ratio_to_floor']:.2f}",
                ]
            )
    where = Table(
        "Where step(27)'s instructions go: the functions that executed most of them (self cost)",
        ["backend", "functions (share of the loop's instructions)"],
        align="ll",
    )
    for name, rows in own["breakdown"].items():
        where.rows.append([name, "; ".join(_where(r) for r in rows[:6])])
    return [main, where]


def _where(row: dict[str, Any]) -> str:
    where = f"{row['function']} [{row['object']}]" if row["object"] else row["function"]
    return f"{where} {row['share']:.0%}"


SECTION = Section("instructions", "instructions per call", steps, run, tables)
