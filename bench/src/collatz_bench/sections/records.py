"""Collatz records, computed by the project: for k = 1, 2, …, the ``n`` below 10^k with the
longest total stopping time, by ``max_total_stopping_time(10**k)`` of the first native backend chosen,
each call timed (one call: the search keeps what it learns for later calls, so the first
call of a session is the honest one to time)."""

from __future__ import annotations

from typing import Any

from ..context import Context, Tick
from ..section import Section
from ..table import Table, seconds
from ..timing import time_once


def steps(ctx: Context) -> int:
    return ctx.config.records_up_to if ctx.native else 0


def run(ctx: Context, tick: Tick) -> dict[str, Any] | None:
    if not ctx.native:
        return None
    backend, module = next(iter(ctx.native.items()))
    rows = []
    for k in range(1, ctx.config.records_up_to + 1):
        answer: list[tuple[int, int]] = []
        elapsed = time_once(lambda: answer.append(module.max_total_stopping_time(10**k)))
        n, time = answer[0]
        rows.append({"k": k, "n": n, "total_stopping_time": time, "seconds": elapsed})
        tick()
    return {"backend": backend.name, "records": rows}


def tables(section: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Collatz records: the n below 10^k with the longest total stopping time ({section['backend']})",
        ["below", "n", "total stopping time", "search time"],
    )
    for row in section["records"]:
        t.rows.append(
            [f"10^{row['k']}", f"{row['n']:,}", str(row["total_stopping_time"]), seconds(row["seconds"])]
        )
    return [t]


SECTION = Section("records", "Collatz records", steps, run, tables)
