"""The range section: ``max_total_stopping_time(limit)`` per native backend (all cores, the sieved
record search) against the plain C loop (one core, every number), interleaved; numbers of
the range covered per second."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..context import Context, Tick
from ..section import Section
from ..table import Table, power_of_ten, seconds
from ..timing import Summary, ratio_summary, time_once

PLAIN_C = "plain C"


def _runners(ctx: Context) -> dict[str, Callable[[int], tuple[int, int]]]:
    runners = {b.name: m.max_total_stopping_time for b, m in ctx.native.items()}
    if ctx.plain_c is not None:
        runners[PLAIN_C] = ctx.plain_c.max_total_stopping_time
    return runners


def steps(ctx: Context) -> int:
    return ctx.config.range_repeats * len(_runners(ctx))


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    limit = ctx.config.range_limit
    runners = _runners(ctx)
    runs: dict[str, list[float]] = {name: [] for name in runners}
    answers: dict[str, tuple[int, int]] = {}
    for _ in range(ctx.config.range_repeats):
        for name, function in runners.items():
            runs[name].append(time_once(lambda: answers.__setitem__(name, function(limit))))
            tick()
    result: dict[str, Any] = {"limit": limit, "backends": {}}
    for name, times in runs.items():
        s = Summary.of(times)
        entry: dict[str, Any] = {
            "seconds": s.median / 1e9,
            "min_s": s.low / 1e9,
            "numbers_per_second": (limit - 1) / (s.median / 1e9),
            "answer": list(answers[name]),
        }
        if PLAIN_C in runs and name != PLAIN_C:
            entry["vs_plain_c"] = ratio_summary(times, runs[PLAIN_C]).as_dict()
        result["backends"][name] = entry
    return result


def tables(rng: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Range: max_total_stopping_time({power_of_ten(rng['limit'])}), all cores vs the plain C loop (1 core)",
        ["backend", "time", "numbers/s", "answer", "speed-up vs plain C"],
    )
    for name, entry in rng["backends"].items():
        t.rows.append(
            [
                name,
                seconds(entry["seconds"]),
                f"{entry['numbers_per_second']:.3g}",
                str(tuple(entry["answer"])),
                f"{1 / entry['vs_plain_c']['median']:.1f}×" if "vs_plain_c" in entry else "",
            ]
        )
    return [t]


SECTION = Section("range", "max_total_stopping_time range", steps, run, tables)
