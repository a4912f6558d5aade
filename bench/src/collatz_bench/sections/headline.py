"""The blog's headline, 10^9 Collatz steps, reproduced —
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


GO_STEP = {"Go, the blog's way": "blog_collatz", "Go, careful": "careful_collatz"}
GO_LOOP = {"Go loopCollatz, the blog's way": "blog_loop", "Go loopCollatz, careful": "careful_loop"}


def _per_step_runners(ctx: Context) -> dict[str, Callable[[int], int]]:
    runners = {b.name: m.step for b, m in ctx.native.items()}
    if ctx.go is not None:
        runners |= {name: getattr(ctx.go, attribute) for name, attribute in GO_STEP.items()}
    return runners


def _one_call_runners(ctx: Context) -> dict[str, Callable[[int, int], object]]:
    runners: dict[str, Callable[[int, int], object]] = {b.name: m.iterate for b, m in ctx.native.items()}
    if ctx.plain_c is not None:
        runners[PLAIN_C] = ctx.plain_c.iterate
    if ctx.go is not None:
        runners |= {name: getattr(ctx.go, attribute) for name, attribute in GO_LOOP.items()}
    return runners


def steps(ctx: Context) -> int:
    return 1 + len(_per_step_runners(ctx)) + ctx.config.headline_repeats * len(_one_call_runners(ctx))


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    config = ctx.config
    python_s = min(time_once(lambda: blog_loop(27, config.python_loop_steps)) for _ in range(3))
    tick()
    per_step: dict[str, Any] = {}
    calls = config.per_step_calls
    for name, step in _per_step_runners(ctx).items():
        t = min(time_once(lambda: per_step_loop(step, 27, calls)) for _ in range(5))
        per_step[name] = {"seconds": t * STEPS / calls, "extrapolated_from_steps": calls}
        tick()

    # One call for all steps: interleaved across backends, repeated.
    runners = _one_call_runners(ctx)
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
    backends_only = [one_call[b.name]["seconds"] for b in ctx.native]
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


def tables(h: dict[str, Any]) -> list[Table]:
    blog = h["blog"]
    per_step, one_call = h["per_step_calls"], h["one_call"]
    rust_step = [n for n in per_step if n not in GO_STEP]
    rust_call = [n for n in one_call if n not in GO_LOOP and n != PLAIN_C]
    fastest_step = min(rust_step, key=lambda n: per_step[n]["seconds"])
    fastest_call = min(rust_call, key=lambda n: one_call[n]["seconds"])
    has_go = any(n in per_step for n in GO_STEP)

    def go(entries: dict[str, Any], names: dict[str, str]) -> str:
        return (
            " / ".join(seconds(entries[n]["seconds"]) for n in names if n in entries) if has_go else "(no Go)"
        )

    summary = Table(
        "The blog's headline, 10^9 Collatz steps: Rust and the blog's Go measured here, the blog's figures",
        ["how", "Rust, here (fastest backend)", "Go, here (blog's way / careful)", "blog (its machine)"],
        note='Per-step figures are extrapolated from shorter loops; "careful": argtypes once, 64-bit.',
    )
    summary.rows.append(
        ["pure Python loop", seconds(h["pure_python"]["seconds"]), "", seconds(blog["pure_python_s"])]
    )
    summary.rows.append(
        [
            "one native call per step",
            f"{seconds(per_step[fastest_step]['seconds'])} ({fastest_step})",
            go(per_step, GO_STEP),
            seconds(blog["per_step_calls_s"]),
        ]
    )
    summary.rows.append(
        [
            "one native call for all steps",
            f"{seconds(one_call[fastest_call]['seconds'])} ({fastest_call})",
            go(one_call, GO_LOOP),
            seconds(blog["one_call_s"]),
        ]
    )

    t = Table("The blog's headline, every way measured here", ["how", "time", "how measured"], align="lrl")
    t.rows.append(
        [
            "pure Python loop",
            seconds(h["pure_python"]["seconds"]),
            f"extrapolated from {h['pure_python']['extrapolated_from_steps']:,} steps",
        ]
    )
    for name, entry in per_step.items():
        t.rows.append(
            [
                f"one call per step: {name}",
                seconds(entry["seconds"]),
                f"extrapolated from {entry['extrapolated_from_steps']:,} calls",
            ]
        )
    for name, entry in one_call.items():
        how = f"one call, k = {entry['k']:.0e}" + (", extrapolated" if entry["extrapolated"] else "")
        t.rows.append([f"one call for all steps: {name}", seconds(entry["seconds"]), how])
    return [summary, t]


SECTION = Section("headline", "the blog's headline", steps, run, tables)
