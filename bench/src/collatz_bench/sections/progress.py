"""Progress overhead: ``max_total_stopping_time(limit)`` with and without a no-op ``progress``
callback, per native backend, interleaved; and how many times it was called."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..context import Context, Tick
from ..section import Section
from ..table import Table, power_of_ten, seconds
from ..timing import Summary, ratio_summary, time_once


def steps(ctx: Context) -> int:
    return ctx.config.progress_repeats * len(ctx.native) * 2


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    limit = ctx.config.progress_limit
    calls: dict[str, int] = {}
    runs: dict[str, dict[str, list[float]]] = {b.name: {"without": [], "with": []} for b in ctx.native}
    for _ in range(ctx.config.progress_repeats):
        for backend, module in ctx.native.items():
            count = 0

            def progress(done: int, total: int) -> None:
                nonlocal count
                count += 1

            plain: Callable[[], object] = lambda: module.max_total_stopping_time(limit)  # noqa: E731
            reported: Callable[[], object] = lambda: module.max_total_stopping_time(limit, progress=progress)  # noqa: E731
            runs[backend.name]["without"].append(time_once(plain))
            tick()
            runs[backend.name]["with"].append(time_once(reported))
            tick()
            calls[backend.name] = count
    result: dict[str, Any] = {"limit": limit, "backends": {}}
    for name, timed in runs.items():
        result["backends"][name] = {
            "without_s": Summary.of(timed["without"]).median / 1e9,
            "with_s": Summary.of(timed["with"]).median / 1e9,
            "ratio": ratio_summary(timed["with"], timed["without"]).as_dict(),
            "progress_calls": calls[name],
        }
    return result


def tables(section: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Progress overhead: max_total_stopping_time({power_of_ten(section['limit'])}) with a no-op progress",
        ["backend", "without", "with progress", "ratio", "progress calls"],
    )
    for name, entry in section["backends"].items():
        t.rows.append(
            [
                name,
                seconds(entry["without_s"]),
                seconds(entry["with_s"]),
                f"{entry['ratio']['median']:.3f}",
                str(entry["progress_calls"]),
            ]
        )
    return [t]


SECTION = Section("progress", "progress overhead", steps, run, tables)
