"""Ctrl-C latency: the time from SIGINT to ``KeyboardInterrupt`` during a long call, per
native backend, measured in child processes (a test asserts the bound; this reports the
figure). Long calls: ``iterate(27, 10**15)`` and ``max_total_stopping_time(2**40)``."""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import time
from typing import IO, Any

from ..context import Context, Tick
from ..section import Section
from ..table import Table

CALLS = {"iterate": ("iterate", 27, 10**15), "max_total_stopping_time": ("max_total_stopping_time", 2**40)}
CHILD = """
import importlib, signal, sys, time
# Ctrl-C as an interpreter started from a terminal has it, even if the benchmark was started
# with SIGINT ignored (a background job of a non-interactive shell), which children inherit.
signal.signal(signal.SIGINT, signal.default_int_handler)
backend = importlib.import_module(sys.argv[1])
function = getattr(backend, sys.argv[2])
args = [int(a) for a in sys.argv[3:]]
backend.iterate(27, 10**6)
try:  # "ready" inside the try: a SIGINT that comes early is still caught
    print("ready", flush=True)
    function(*args)
except KeyboardInterrupt:
    print("interrupted", flush=True)
else:
    print("finished", flush=True)
"""
TIMEOUT = 30.0


def _line(stream: IO[str]) -> str:
    ready, _, _ = select.select([stream], [], [], TIMEOUT)
    return stream.readline() if ready else "timeout"


def latency(module: str, call: tuple[Any, ...]) -> float | None:
    """Seconds from SIGINT to the child's report, or ``None`` if it did not stop."""
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, module, *map(str, call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            if _line(child.stdout).strip() != "ready":
                return None
            time.sleep(0.2)
            sent = time.perf_counter()
            child.send_signal(signal.SIGINT)
            verdict = _line(child.stdout).strip()
            elapsed = time.perf_counter() - sent
        finally:
            child.kill()
    return elapsed if verdict == "interrupted" else None


def steps(ctx: Context) -> int:
    return ctx.config.interrupt_repeats * len(ctx.native) * len(CALLS)


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    result: dict[str, Any] = {"calls": {k: list(map(str, v)) for k, v in CALLS.items()}, "backends": {}}
    for backend in ctx.native:
        entry: dict[str, Any] = {}
        for what, call in CALLS.items():
            times = []
            for _ in range(ctx.config.interrupt_repeats):
                times.append(latency(backend.module, call))
                tick()
            stopped = [t for t in times if t is not None]
            entry[what] = {
                "median_ms": sorted(stopped)[len(stopped) // 2] * 1e3 if stopped else None,
                "max_ms": max(stopped) * 1e3 if stopped else None,
                "not_stopped": len(times) - len(stopped),
            }
        result["backends"][backend.name] = entry
    return result


def tables(own: dict[str, Any]) -> list[Table]:
    t = Table(
        "Ctrl-C: from SIGINT to KeyboardInterrupt during a long call (median, max)",
        ["backend", "iterate(27, 10**15)", "max_total_stopping_time(2**40)"],
    )

    def cell(entry: dict[str, Any]) -> str:
        if entry["median_ms"] is None:
            return "did not stop"
        return f"{entry['median_ms']:.0f} ms ({entry['max_ms']:.0f} ms)"

    for name, entry in own["backends"].items():
        t.rows.append([name, cell(entry["iterate"]), cell(entry["max_total_stopping_time"])])
    return [t]


SECTION = Section("interrupts", "Ctrl-C latency", steps, run, tables)
