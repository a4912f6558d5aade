"""Out of memory is a ``MemoryError`` (docs/contract.md, "Out of memory"): never an abort, a
``PanicException`` or a ``RuntimeError`` claiming a panic.

Each case runs in a child process whose address space is limited (``RLIMIT_AS``) to what it
uses after warming up plus a few megabytes, then keeps the results of one call shape until
something fails; the child reports what. A crash or a hang fails the test. ``make test`` runs
each case once; ``make test-long`` (CI) runs each ``REPEATS`` times, because where the first
failing allocation lands varies from run to run (on the Python side or the native one).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import NamedTuple

import pytest

from collatz_contract.backends import NATIVE, Backend

REPEATS = 20
"""Runs per case in the long profile: each run fails a different allocation first (the limit
lands at a different point of the loop), so twenty runs see each shape's allocations fail in
turn: an abort in one of them shows up."""


class Shape(NamedTuple):
    statement: str
    """One call whose result is kept (``i`` counts the calls)."""
    headroom_mb: int
    """Address space left above what the child uses after warming up."""
    setup: str = ""
    """Run before the limit is set (the input of a bulk call)."""
    arrays: bool = False
    """Whether the shape makes numpy arrays: numpy is loaded, and the array calls warmed up,
    before the limit, as a program would have them (the other shapes skip numpy's import)."""


SHAPES = {
    "step": Shape("kept.append(m.step(2**40 + 2 * i))", 4),
    "next": Shape("t = m.Trajectory(2**40 + i); kept.append((t, next(t), next(t)))", 4),
    "walk": Shape("m.walk(2**40 + i, kept.append)", 4),
    "stats": Shape("kept.append(m.stats(2**100 + i))", 4),
    # Input-sized allocations (issue 28's figures): a trajectory grows in Rust, a parity vector
    # is a string of up to 2**20 characters, a bulk call's input and output are 80 MB each.
    "trajectory": Shape("kept.append(m.trajectory(2**40 + i))", 40, arrays=True),
    "parity_vector": Shape("kept.append(m.parity_vector(2**100 + i, None if i % 2 else 2**16))", 40),
    "total_stopping_times": Shape(
        "kept.append(m.total_stopping_times(values))",
        100,
        setup="values = numpy.ones(10**7, numpy.uint64)",
        arrays=True,
    ),
}
"""Call shapes whose every allocation is made or checked by the binding: results kept until
the limit is reached."""


CHILD = """
import importlib, os, resource
m = importlib.import_module({module!r})
def mapped():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
# Everything a call needs once (tables, caches, thread pool) before the limit.
m.step(27); list(m.Trajectory(27)); m.walk(27, lambda x: None); m.stats(2**100); m.parity_vector(27)
{arrays}
{setup}
limit = mapped() + {headroom} * 2**20
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
kept = []
outcome = "no error"
try:
    for i in range(10**8):
        {shape}
except MemoryError as e:
    outcome = "MemoryError" if isinstance(e, MemoryError) else repr(e)
except BaseException as e:
    outcome = f"{{type(e).__module__}}.{{type(e).__name__}}: {{str(e)[:200]}}"
del kept
os.write(1, outcome.encode() + b"\\n")
"""


def run_case(backend: Backend, shape: str, *, one_arena: bool = True) -> str:
    """Run one case in a child; ``one_arena``: glibc's malloc with one arena
    (``MALLOC_ARENA_MAX=1``). Under the limit, malloc with several arenas tries to map a new
    64 MiB arena before every failing allocation and falls back: one system call per
    allocation, which made a child that fills its headroom with Python objects take seconds
    (BoltFFI's, whose calls allocate most). The long profile also runs the default."""
    case = SHAPES[shape]
    arrays = (
        "import numpy; m.trajectory(27); m.total_stopping_times(numpy.ones(2**16, numpy.uint64))"
        if case.arrays
        else ""
    )
    script = CHILD.format(
        module=backend.module,
        headroom=case.headroom_mb,
        setup=case.setup,
        shape=case.statement,
        arrays=arrays,
    )
    try:
        run = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "RUST_BACKTRACE": "0"} | ({"MALLOC_ARENA_MAX": "1"} if one_arena else {}),
        )
    except subprocess.TimeoutExpired:
        return "hang (no exit within 60 s)"
    if run.returncode != 0:
        return f"exit {run.returncode}: {run.stderr[-1500:]}"
    return run.stdout.strip()


def _cases(repeats: int) -> list[object]:
    cases: list[object] = []
    for backend in NATIVE:
        for shape in SHAPES:
            cases.append(pytest.param(backend, shape, repeats, id=f"{backend.name}-{shape}"))
    return cases


needs_rlimit = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc/self/statm: Linux"
)


@needs_rlimit
@pytest.mark.parametrize(("backend", "shape", "repeats"), _cases(1))
def test_out_of_memory_is_memory_error(backend: Backend, shape: str, repeats: int) -> None:
    for _ in range(repeats):
        assert run_case(backend, shape) == "MemoryError"


@needs_rlimit
@pytest.mark.long
@pytest.mark.parametrize(("backend", "shape", "repeats"), _cases(REPEATS))
def test_out_of_memory_is_memory_error_every_time(backend: Backend, shape: str, repeats: int) -> None:
    outcomes = [run_case(backend, shape, one_arena=bool(r % 2)) for r in range(repeats)]
    assert outcomes == ["MemoryError"] * repeats
