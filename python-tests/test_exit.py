"""Exit while a call runs (docs/contract.md, "Out of memory, and exit while a call runs"): a
daemon thread inside a long call of any front end never takes the process down with it.

Before 3.14, CPython ends a thread that asks for the GIL once finalisation has started with
``pthread_exit``; its forced unwind aborts the process if it meets a Rust ``catch_unwind``
("FATAL: exception not rethrown"), and a thread that calls back late enough reads freed state
(a crash). Each case starts a daemon thread in one long call shape, lets the main thread end
while it runs, and checks that the process exits as a normal program does: status 0, nothing
fatal on stderr, within seconds. Where in the call the thread is when finalisation starts
(native code, waiting for the GIL, inside a callback) varies from run to run, so the delay
varies too; ``make test`` runs each case once, ``make test-long`` (CI) ``REPEATS`` times.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from collatz_contract.backends import NATIVE, Backend

REPEATS = 20
"""Runs per case in the long profile. Before the fix, the walk and BoltFFI cases aborted in
every run and the others (a crash calling back late) in about one run in four: twenty runs of
each, with five different delays, see every phase of the call meet the exit."""

SHAPES = {
    "max_total_stopping_time": "m.max_total_stopping_time(2**40)",
    "max_total_stopping_time_progress": "m.max_total_stopping_time(2**40, progress=lambda d, t: None)",
    "iterate": "m.iterate(27, 10**15)",
    "walk_sleeping": "m.walk(2**40 + 1, lambda x: time.sleep(0.01))",
    "walk": "while True: m.walk(2**60 + 7, lambda x: None)",
    "next": "while True: list(m.Trajectory(2**40 + 1))",
    "total_stopping_times": "values = numpy.arange(1, 2**20, dtype=numpy.uint64)\n"
    "while True: m.total_stopping_times(values)",
}
"""Long calls (with the GIL released, calling back, holding it) and loops of short ones."""

CHILD = """
import importlib, threading, time
m = importlib.import_module({module!r})
{numpy}
m.step(27)
def work():
{body}
threading.Thread(target=work, daemon=True).start()
time.sleep({delay})
"""


def run_case(backend: Backend, shape: str, attempt: int) -> str:
    """``"ok"``, or what went wrong when the main thread ended with the daemon thread busy."""
    body = SHAPES[shape]
    script = CHILD.format(
        module=backend.module,
        numpy="import numpy" if "numpy" in body else "",
        body=textwrap.indent(body, "    "),
        delay=0.05 + 0.05 * (attempt % 5),
    )
    try:
        run = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return "hang (no exit within 30 s)"
    if run.returncode != 0 or "fatal" in run.stderr.lower():
        return f"exit {run.returncode}: {run.stderr[-300:]!r}"
    return "ok"


def _cases(repeats: int) -> list[object]:
    return [
        pytest.param(backend, shape, repeats, id=f"{backend.name}-{shape}")
        for backend in NATIVE
        for shape in SHAPES
    ]


@pytest.mark.parametrize(("backend", "shape", "repeats"), _cases(1))
def test_exit_while_a_daemon_thread_is_in_a_call(backend: Backend, shape: str, repeats: int) -> None:
    assert run_case(backend, shape, 0) == "ok"


@pytest.mark.long
@pytest.mark.parametrize(("backend", "shape", "repeats"), _cases(REPEATS))
def test_exit_while_a_daemon_thread_is_in_a_call_every_time(
    backend: Backend, shape: str, repeats: int
) -> None:
    outcomes = [run_case(backend, shape, attempt) for attempt in range(repeats)]
    assert outcomes == ["ok"] * repeats
