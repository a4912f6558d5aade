"""Section 6 of the design, run early: the blog's headline, 10^9 Collatz steps, reproduced —
in pure Python (extrapolated), by one native call per step (extrapolated), and by one
``iterate`` call per backend and in the plain C loop, interleaved. Also sets the native
per-step cost the amortisation section compares with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from collatz_contract import reference

from ..context import Context, Tick
from ..section import Section
from ..table import Table, seconds
from ..timing import Summary, time_once

BLOG = {
    "source": "the blog post this project answers (Go behind ctypes), one machine, single runs",
    "pure_python_s": 70.0,
    "per_step_calls_s": 20 * 60.0,
    "one_call_s": 0.63,
}
STEPS = 10**9
PLAIN_C = "plain C"


def blog_loop(n: int, k: int) -> int:
    """The blog's pure-Python loop: k unchecked steps."""
    collatz = reference.collatz
    for _ in range(k):
        n = collatz(n)
    return n


def per_step_loop(step: Callable[[int], int], n: int, k: int) -> int:
    """The blog's slow way: one native call per step, the loop in Python."""
    for _ in range(k):
        n = step(n)
    return n


def steps(ctx: Context) -> int:
    one_call_runners = len(ctx.native) + (1 if ctx.plain_c else 0)
    return 1 + len(ctx.native) + ctx.config.headline_repeats * one_call_runners


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    config = ctx.config
    python_s = min(time_once(lambda: blog_loop(27, config.python_loop_steps)) for _ in range(3))
    tick()
    per_step: dict[str, Any] = {}
    for backend, module in ctx.native.items():
        calls = config.per_step_calls
        t = min(time_once(lambda: per_step_loop(module.step, 27, calls)) for _ in range(3))
        per_step[backend.name] = {"seconds": t * STEPS / calls, "extrapolated_from_steps": calls}
        tick()

    # One call of iterate: interleaved across backends, repeated.
    runners: dict[str, Callable[[int, int], object]] = {b.name: m.iterate for b, m in ctx.native.items()}
    if ctx.plain_c is not None:
        runners[PLAIN_C] = ctx.plain_c.iterate
    runs: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(config.headline_repeats):
        for name, iterate in runners.items():
            runs[name].append(time_once(lambda: iterate(27, config.headline_k)))
            tick()
    scale = STEPS / config.headline_k
    one_call: dict[str, Any] = {}
    for name, times in runs.items():
        s = Summary.of(times)
        one_call[name] = {
            "seconds": s.median / 1e9 * scale,
            "min_s": s.low / 1e9 * scale,
            "max_s": s.high / 1e9 * scale,
            "k": config.headline_k,
            "extrapolated": config.headline_k != STEPS,
        }
    backends_only = [e["seconds"] for n, e in one_call.items() if n != PLAIN_C]
    return {
        "steps": STEPS,
        "pure_python": {
            "seconds": python_s * STEPS / config.python_loop_steps,
            "extrapolated_from_steps": config.python_loop_steps,
        },
        "per_step_calls": per_step,
        "one_call": one_call,
        # seconds for 10^9 steps == ns per step
        "native_per_step_ns": min(backends_only),
        "plain_c_per_step_ns": one_call.get(PLAIN_C, {}).get("seconds"),
        "blog": BLOG,
    }


def tables(results: dict[str, Any]) -> list[Table]:
    h = results["headline"]
    t = Table("The blog's headline: 10^9 Collatz steps", ["how", "time", "how measured", "blog"], align="lrlr")
    t.rows.append(
        [
            "pure Python loop",
            seconds(h["pure_python"]["seconds"]),
            f"extrapolated from {h['pure_python']['extrapolated_from_steps']:,} steps",
            seconds(h["blog"]["pure_python_s"]),
        ]
    )
    for name, entry in h["per_step_calls"].items():
        t.rows.append(
            [
                f"one {name} call per step",
                seconds(entry["seconds"]),
                f"extrapolated from {entry['extrapolated_from_steps']:,} calls",
                seconds(h["blog"]["per_step_calls_s"]),
            ]
        )
    for name, entry in h["one_call"].items():
        how = f"iterate(27, {entry['k']:.0e})" + (", extrapolated" if entry["extrapolated"] else "")
        t.rows.append([f"one {name} call", seconds(entry["seconds"]), how, seconds(h["blog"]["one_call_s"])])
    return [t]


SECTION = Section("headline", "the blog's headline", steps, run, tables)
