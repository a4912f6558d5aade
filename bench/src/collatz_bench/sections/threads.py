"""Threads: the same total ``total_stopping_times`` work from one Python thread and from
two (the speed-up), and whether the backend releases the GIL, measured directly: while one
thread is inside a long native call (``iterate(27, k)``, a few tens of milliseconds), how
much Python work does another thread get done, against the same time with no call running?
Near 1 (a half if the machine leaves both threads one core): the GIL is free during the call;
0: it is held (the probe raises the interpreter's switch interval, so pure Python is not
time-sliced either). A single long call cannot use a second core on its own, so this does not
depend on the core's threads, unlike the speed-up."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..context import Context, Tick
from ..render.plots import color, machine
from ..section import Section
from ..table import Table, seconds
from ..timing import Summary, ratio_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _threaded(function: Callable[[], object], threads: int, calls_each: int) -> float:
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        for _ in range(calls_each):
            function()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - start


def steps(ctx: Context) -> int:
    return len(ctx.backends)


def python_work_share(iterate: Callable[[int, int], object], k: int) -> float:
    """Python work done by the main thread while another thread is inside ``iterate(27, k)``,
    as a share of the work it does in the same time with nothing else running.

    The interpreter's switch interval is raised above the call's length for the probe, so a
    call that holds the GIL (native or pure Python) lets no Python run at all: the share is 0,
    whatever else the machine is doing. A call that releases it lets the main thread run; on a
    loaded machine the two threads may share one core, which halves the share but leaves it far
    from 0. That is what makes the verdict stable from run to run."""
    start = time.perf_counter()
    iterate(27, k)
    solo = time.perf_counter() - start
    counter = [0]

    def spin(seconds: float, stop: threading.Event | None = None) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
            counter[0] += 1

    spin(solo)
    idle = counter[0]

    ready, done = threading.Event(), threading.Event()
    during: list[int] = []

    def call() -> None:
        ready.set()
        before = counter[0]
        iterate(27, k)
        during.append(counter[0] - before)
        done.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(max(1.0, 10 * solo))
    try:
        worker = threading.Thread(target=call)
        worker.start()
        ready.wait()
        spin(solo, done)
        done.wait()
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    return during[0] / max(idle, 1)


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    config = ctx.config
    result: dict[str, Any] = {}
    for backend, module in ctx.backends.items():
        # Elements with long trajectories, fewer than the core's parallel threshold so that any
        # speed-up comes from the GIL being released, not from the core's own threads.
        if backend.native:
            n = config.thread_len
            values = np.arange(n, dtype=np.uint64) * np.uint64(7919) + np.uint64(2**48 + 1)
        else:
            n = 64
            values = np.arange(1, n + 1, dtype=np.uint64)
        calls = config.thread_calls

        def work(f: Callable[[Any], Any] = module.total_stopping_times) -> object:
            return f(values)

        one, two = [], []
        _threaded(work, 2, max(1, calls // 4))  # warm-up: threads, caches, allocator
        for r in range(config.thread_repeats):
            # Alternate which goes first so that drift does not favour either.
            if r % 2:
                two.append(_threaded(work, 2, calls))
                one.append(_threaded(work, 1, 2 * calls))
            else:
                one.append(_threaded(work, 1, 2 * calls))
                two.append(_threaded(work, 2, calls))
        s = ratio_summary(one, two)
        k = config.gil_probe_steps if backend.native else config.gil_probe_steps // 1000
        shares = [python_work_share(module.iterate, k) for _ in range(3)]
        share = statistics.median(shares)
        result[backend.name] = {
            "elements_per_call": n,
            "calls": 2 * calls,
            "one_thread_s": Summary.of(one).median / 1e9,
            "two_threads_s": Summary.of(two).median / 1e9,
            "speedup": s.as_dict(),
            "python_work_share_during_call": share,
            "releases_gil": share > 0.1,  # released: 40-100 % (one core or two); held: 0
        }
        tick()
    return result


def tables(own: dict[str, Any]) -> list[Table]:
    t = Table(
        "Threads: the same total_stopping_times work from 1 and from 2 Python threads",
        [
            "backend",
            "elements/call",
            "1 thread",
            "2 threads",
            "speed-up",
            "Python work during a call",
            "GIL released",
        ],
    )
    for name, entry in own.items():
        t.rows.append(
            [
                name,
                str(entry["elements_per_call"]),
                seconds(entry["one_thread_s"]),
                seconds(entry["two_threads_s"]),
                f"{entry['speedup']['median']:.2f}×",
                f"{entry['python_work_share_during_call']:.0%}",
                "yes" if entry["releases_gil"] else "no",
            ]
        )
    return [t]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    th = results["threads"]
    names = list(th)
    ax.bar(names, [th[n]["speedup"]["median"] for n in names], color=[color(n) for n in names])
    ax.axhline(1, color="gray", linestyle=":", label="no gain (GIL held)")
    ax.axhline(2, color="black", linestyle="--", label="ideal on 2 threads")
    ax.set_ylabel("speed-up, 2 threads vs 1 (same total work)")
    ax.set_title(f"Does the backend release the GIL?\n{machine(results)}", fontsize=10)
    ax.legend(fontsize=8)


SECTION = Section("threads", "threads", steps, run, tables, plots={"threads.png": plot})
