"""``await``: what the awaitable forms (docs/contract.md, "Awaitable forms") cost, for every
front end and the reference, beside two baselines measured in the same loop and rounds:
``await asyncio.sleep(0)`` (one trip through the event loop, the floor of any ``await``) and
``await asyncio.to_thread(f, ...)`` over the same front end's synchronous call (what every
Python user has without any binding's help).

- **One trivial await**, ``await total_stopping_time_async(27)``, one after another in a
  coroutine: time per await, as multiples of the floor and of ``to_thread``.
- **1,000 concurrent awaits**, ``asyncio.gather`` of ``total_stopping_time_async(n)`` for
  ``n = 1 … 1000``: time per await when they overlap.
- **The event loop's lag during one long awaited search**
  (``max_total_stopping_time_async(10**8)``): a ticker task asks to wake every millisecond;
  the worst and the median lateness of its wake-ups while the search runs, against the same
  ticker on an idle loop and during the same search through ``to_thread``.
- **Cancellation latency**: from ``task.cancel()`` on a running
  ``max_total_stopping_time_async(2**40)`` to its search's thread having ended (every front end runs an awaited search on a
  thread named ``collatz-search``, a Python thread or a native one, which ends when the native
  search returns): the native
  work measured as stopped, not assumed. ``to_thread`` has no such figure: cancelling its
  task leaves the thread computing until the search ends.

- **Instructions per trivial await** (callgrind, ``collatz_bench.instructions``; a full run
  only), beside ``await asyncio.sleep(0)``'s, where the await stays on the loop's thread:
  PyO3's, UniFFI's and BoltFFI's own async support compute the trivial call in their first
  poll. The glue's await runs the call on a worker thread, and callgrind serialises threads:
  a count would say how valgrind scheduled them, not what an ``await`` costs, so those front
  ends have none.
"""

from __future__ import annotations

import asyncio
import glob
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from .. import instructions
from ..context import Context, Tick
from ..section import Section
from ..table import Table, ns, seconds

SEARCH_THREAD = "collatz-search"
FLOOR = "await asyncio.sleep(0)"
TRIVIAL_N = 27
GATHER = 1000
CANCEL_LIMIT = 2**40
TICK = 0.001
"""The ticker's period (seconds)."""
LAG_LIMIT = 10**8
"""The search the loop's lag is measured during: a few hundred milliseconds in Rust."""
REFERENCE_LAG_LIMIT = 2**15
"""The same for the pure-Python reference (its loop takes seconds per 10^5 numbers)."""


def _searches() -> int:
    """Search threads running: Python threads of that name, and native ones (a thread Rust
    starts is not in ``threading.enumerate()``; Linux names it in ``/proc``)."""
    count = sum(1 for t in threading.enumerate() if t.name == SEARCH_THREAD and t.is_alive())
    for comm in glob.glob("/proc/self/task/*/comm"):
        try:
            with open(comm) as f:
                count += f.read().strip() == SEARCH_THREAD
        except OSError:  # the thread ended meanwhile
            pass
    return count


async def _per_await(make: Callable[[], Awaitable[Any]], count: int) -> float:
    """Seconds per await of ``count`` awaits of ``make()``, one after another."""
    began = time.perf_counter()
    for _ in range(count):
        await make()
    return (time.perf_counter() - began) / count


async def _gathered(make: Callable[[int], Awaitable[Any]]) -> float:
    """Seconds per await of :data:`GATHER` concurrent awaits."""
    began = time.perf_counter()
    await asyncio.gather(*(make(n) for n in range(1, GATHER + 1)))
    return (time.perf_counter() - began) / GATHER


async def _lag(work: Callable[[], Awaitable[Any]] | None, idle: float) -> dict[str, float]:
    """The ticker's lateness (seconds) while ``work()`` runs (or for ``idle`` seconds)."""
    late: list[float] = []
    done = False

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not done:
            due = loop.time() + TICK
            await asyncio.sleep(TICK)
            late.append(max(0.0, loop.time() - due))

    began = time.perf_counter()
    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    if work is None:
        await asyncio.sleep(idle)
    else:
        await work()
    done = True
    await task
    return {
        "seconds": time.perf_counter() - began,
        "worst": max(late),
        "median": statistics.median(late),
        "ticks": len(late),
    }


async def _cancel_latency(search: Callable[..., Awaitable[Any]]) -> float | None:
    """Seconds from ``cancel()`` to the search's thread having ended; ``None`` past 10 s."""
    task = asyncio.ensure_future(search(CANCEL_LIMIT))
    deadline = time.perf_counter() + 10
    while not _searches() and time.perf_counter() < deadline:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.05)  # well into the search
    sent = time.perf_counter()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    while _searches():  # polled from the loop's thread: the search needs nothing from the loop
        if time.perf_counter() - sent > 10:
            return None
        time.sleep(0.0002)
    return time.perf_counter() - sent


def _count(ctx: Context) -> int:
    """Awaits per timing of the trivial call: twice the run's target time at ~50 µs each."""
    return max(50, int(ctx.config.target / 50e-6) * 2)


def steps(ctx: Context) -> int:
    rounds = ctx.config.rounds
    return (
        rounds * (1 + 2 * len(ctx.backends))
        + 2
        + 2 * len(ctx.backends)
        + ctx.config.interrupt_repeats * len(ctx.backends)
        + (1 if ctx.config.instructions else 0)
    )


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    loop = asyncio.new_event_loop()
    try:
        return _measure(ctx, tick, loop)
    finally:
        loop.close()


def _measure(ctx: Context, tick: Tick, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    count = _count(ctx)
    names = {backend.name: module for backend, module in ctx.backends.items()}
    trivial: dict[str, list[float]] = {FLOOR: []}
    trivial |= {f"{name}/async": [] for name in names} | {f"{name}/to_thread": [] for name in names}

    def cases() -> dict[str, Callable[[], Awaitable[Any]]]:
        out: dict[str, Callable[[], Awaitable[Any]]] = {FLOOR: partial(asyncio.sleep, 0)}
        for name, m in names.items():
            out[f"{name}/async"] = partial(m.total_stopping_time_async, TRIVIAL_N)
            out[f"{name}/to_thread"] = partial(asyncio.to_thread, m.total_stopping_time, TRIVIAL_N)
        return out

    made = cases()
    for make in made.values():  # warm-up: the pools' threads, the first calls
        loop.run_until_complete(_per_await(make, 20))
    for _ in range(ctx.config.rounds):  # interleaved round by round
        for key, make in made.items():
            trivial[key].append(loop.run_until_complete(_per_await(make, count)))
            tick()

    gathered: dict[str, dict[str, float]] = {}
    for name, m in names.items():
        gathered[name] = {
            "async": loop.run_until_complete(_gathered(m.total_stopping_time_async)),
            "to_thread": loop.run_until_complete(
                _gathered(partial(asyncio.to_thread, m.total_stopping_time))
            ),
        }
        tick()

    idle = loop.run_until_complete(_lag(None, 0.3))
    tick()
    lag: dict[str, dict[str, Any]] = {}
    for name, m in names.items():
        limit = LAG_LIMIT if name != "reference" else REFERENCE_LAG_LIMIT
        m.max_total_stopping_time(1000)  # the library's tables, built once per process
        lag[name] = {
            "limit": limit,
            "async": loop.run_until_complete(_lag(partial(m.max_total_stopping_time_async, limit), 0)),
            "to_thread": loop.run_until_complete(
                _lag(partial(asyncio.to_thread, m.max_total_stopping_time, limit), 0)
            ),
        }
        tick()
    tick()

    cancel: dict[str, list[float | None]] = {}
    for name, m in names.items():
        cancel[name] = []
        for _ in range(ctx.config.interrupt_repeats):
            cancel[name].append(loop.run_until_complete(_cancel_latency(m.max_total_stopping_time_async)))
            tick()

    counted = _instructions(ctx)
    if ctx.config.instructions:
        tick()

    floor = statistics.median(trivial[FLOOR])
    backends: dict[str, Any] = {}
    for name in names:
        mine, theirs = trivial[f"{name}/async"], trivial[f"{name}/to_thread"]
        stopped = [c for c in cancel[name] if c is not None]
        backends[name] = {
            "await_ns": statistics.median(mine) * 1e9,
            "to_thread_ns": statistics.median(theirs) * 1e9,
            "x_floor": statistics.median(mine) / floor,
            "x_to_thread": statistics.median([a / b for a, b in zip(mine, theirs, strict=True)]),
            "gather_ns": gathered[name]["async"] * 1e9,
            "gather_to_thread_ns": gathered[name]["to_thread"] * 1e9,
            "lag": lag[name],
            "cancel_ms": [None if c is None else c * 1e3 for c in cancel[name]],
            "cancel_median_ms": statistics.median(stopped) * 1e3 if stopped else None,
            "cancel_max_ms": max(stopped) * 1e3 if stopped else None,
            "not_stopped": len(cancel[name]) - len(stopped),
            "await_instructions": counted["backends"].get(name),
        }
    return {
        "floor_ns": floor * 1e9,
        "floor_samples": trivial[FLOOR],
        "awaits_per_sample": count,
        "trivial_call": f"total_stopping_time_async({TRIVIAL_N})",
        "gather": GATHER,
        "tick_ms": TICK * 1e3,
        "idle_lag": idle,
        "cancel_limit": CANCEL_LIMIT,
        "instructions": counted["about"],
        "floor_instructions": counted["floor"],
        "backends": backends,
    }


def _instructions(ctx: Context) -> dict[str, Any]:
    """Instructions per trivial await of every native front end whose await stays on the
    loop's thread, and ``await asyncio.sleep(0)``'s; why not, where there are none."""
    if not ctx.config.instructions:
        return {"about": "not counted: a quick run", "floor": None, "backends": {}}
    if instructions.valgrind() is None:
        return {"about": "not counted: valgrind is not installed", "floor": None, "backends": {}}
    figures = instructions.measure(
        {b.name: b.module for b in ctx.native}, Path("results") / "callgrind-await", [instructions.AWAIT]
    )
    return {
        "about": "callgrind, per await; where the await stays on the loop's thread",
        "floor": figures["await_floor_per_call"],
        "backends": {
            name: {
                "per_await": cases[instructions.AWAIT]["per_call"],
                "x_floor": cases[instructions.AWAIT]["ratio_to_floor"],
            }
            for name, cases in figures["backends"].items()
            if instructions.AWAIT in cases
        },
    }


def tables(own: dict[str, Any]) -> list[Table]:
    trivial = Table(
        f"One await of {own['trivial_call']}, one after another: per await, against "
        f"{FLOOR} ({ns(own['floor_ns'])}) and asyncio.to_thread of the same front end's call",
        ["front end", "await", "× sleep(0)", "to_thread", "× to_thread"],
    )
    gather = Table(
        f"{own['gather']:,} concurrent awaits (asyncio.gather): per await",
        ["front end", "await", "to_thread"],
    )
    idle = own["idle_lag"]
    lag = Table(
        f"The event loop during one awaited search: lateness of a {own['tick_ms']:.0f} ms ticker, "
        f"worst (median); idle loop: {seconds(idle['worst'])} ({seconds(idle['median'])})",
        ["front end", "search", "limit", "await: worst (median)", "to_thread: worst (median)"],
    )
    cancel = Table(
        f"Cancelling a running max_total_stopping_time_async(2**{own['cancel_limit'].bit_length() - 1}): "
        "from task.cancel() to the search's thread having ended, median (max)",
        ["front end", "stopped after"],
    )
    for name, e in own["backends"].items():
        trivial.rows.append(
            [
                name,
                ns(e["await_ns"]),
                f"{e['x_floor']:.1f}×",
                ns(e["to_thread_ns"]),
                f"{e['x_to_thread']:.2f}×",
            ]
        )
        gather.rows.append([name, ns(e["gather_ns"]), ns(e["gather_to_thread_ns"])])
        mine, theirs = e["lag"]["async"], e["lag"]["to_thread"]
        lag.rows.append(
            [
                name,
                seconds(mine["seconds"]),
                f"{e['lag']['limit']:_}",
                f"{seconds(mine['worst'])} ({seconds(mine['median'])})",
                f"{seconds(theirs['worst'])} ({seconds(theirs['median'])})",
            ]
        )
        stopped = (
            "did not stop"
            if e["cancel_median_ms"] is None
            else f"{e['cancel_median_ms']:.1f} ms ({e['cancel_max_ms']:.1f} ms)"
        )
        cancel.rows.append(
            [name, stopped + (f", {e['not_stopped']} did not stop" if e["not_stopped"] else "")]
        )
    counted = [
        (name, e["await_instructions"]) for name, e in own["backends"].items() if e.get("await_instructions")
    ]
    if not counted:
        return [trivial, gather, lag, cancel]
    per_await = Table(
        f"Instructions per await of {own['trivial_call']} (callgrind), against {FLOOR} "
        f"({own['floor_instructions']:,.0f}): the front ends whose await stays on the loop's thread",
        ["front end", "instructions", "× sleep(0)"],
    )
    for name, figure in counted:
        per_await.rows.append([name, f"{figure['per_await']:,.0f}", f"{figure['x_floor']:.2f}×"])
    return [trivial, gather, lag, cancel, per_await]


SECTION = Section("async", "await", steps, run, tables)
