"""Reference counts by hand, checked: every argument keeps its count across a call, on the
success path and on every error path; every result is a new object owned by the caller alone;
the types are not leaked by their instances; and a million calls of each shape leave resident
memory flat (in a child process, so that nothing else in the run moves it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import collatz_pyo3_ffi as m

BIG = 2**40 + 11  # not a cached small int: its count is this test's own
WIDE = 2**100 + 7


class Index:
    """An integer through __index__ (returns a fresh int each time)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def counts(*objects: object) -> list[int]:
    return [sys.getrefcount(o) for o in objects]


CALLS: list[tuple[str, Callable[[], Any], tuple[object, ...]]] = []


def case(name: str, call: Callable[..., Any], *arguments: object) -> None:
    CALLS.append((name, lambda: call(*arguments), arguments))


big, wide, index, text, limit = BIG, WIDE, Index(BIG), "0110", 10**4
case("step", m.step, big)
case("step via __index__", m.step, index)
case("step overflows", m.step, 2**64 - 1)
case("step below the domain", m.step, -BIG)
case("step above the domain", m.step, 2**70 + 1)
case("step not an integer", m.step, "x")
case("iterate", m.iterate, big, 10**5)
case("iterate, GIL released", m.iterate, big, 10**6)
case("total_stopping_time", m.total_stopping_time, big)
case("stats", m.stats, wide)
case("stats above 2**128", m.stats, 2**130)
case("parity_vector", m.parity_vector, wide, 100)
case("parity_vector k too large", m.parity_vector, wide, 2**21)
case("residue", m.residue, text)
case("residue bad", m.residue, "01x")
case("residue not a str", m.residue, b"01")
case("trajectory", m.trajectory, big)
case("total_stopping_times list", m.total_stopping_times, [big, big + 1])
case("total_stopping_times bad element", m.total_stopping_times, [big, 0])
case("total_stopping_times array", m.total_stopping_times, np.arange(1, 100, dtype=np.uint64))
case("total_stopping_times int32 array", m.total_stopping_times, np.arange(1, 100, dtype=np.int32))
case("max_total_stopping_time", m.max_total_stopping_time, limit)
case("walk", m.walk, big, bool)
case("walk not callable", m.walk, big, 5)
case("Trajectory", m.Trajectory, big)
case("Trajectory bad", m.Trajectory, 0)


@pytest.mark.parametrize(("name", "call", "arguments"), CALLS, ids=[c[0] for c in CALLS])
def test_arguments_keep_their_counts(
    name: str, call: Callable[[], Any], arguments: tuple[object, ...]
) -> None:
    for _ in range(3):  # warm: caches (numpy, the glue) are filled by the first call
        try:
            call()
        except Exception:
            pass
    before = counts(*arguments)
    for _ in range(100):
        try:
            call()
        except Exception:
            pass
    after = counts(*arguments)
    assert after == before


@pytest.mark.parametrize(
    "call",
    [
        lambda: m.step(BIG),
        lambda: m.iterate(BIG, 3),
        lambda: m.total_stopping_time(63_728_127),  # 949: not a cached small int
        lambda: m.stats(WIDE),
        lambda: m.parity_vector(WIDE, 50),
        lambda: m.residue("0110" * 20),
        lambda: m.trajectory(BIG),
        lambda: m.total_stopping_times([BIG]),
        lambda: m.max_total_stopping_time(10**3),
        lambda: m.Trajectory(BIG),
    ],
)
def test_results_belong_to_the_caller_alone(call: Callable[[], Any]) -> None:
    result = call()
    count = sys.getrefcount(result)
    assert count == 2  # `result`, and getrefcount's own argument


def test_values_and_records_are_new_objects() -> None:
    # (Counted outside the asserts: pytest's rewriting holds their operands.)
    seen: list[int] = []
    m.walk(BIG, seen.append)
    visited = {sys.getrefcount(v) for v in seen if v > 256}
    assert visited == {3}  # the list's, the loop variable's, getrefcount's argument
    record = m.stats(WIDE)
    field = sys.getrefcount(record[0])
    assert field == 2  # the record's, and getrefcount's argument
    t = m.Trajectory(BIG)
    first = sys.getrefcount(next(t))
    assert first == 1  # getrefcount's argument only


def test_callbacks_and_their_exceptions_keep_their_counts() -> None:
    def progress(done: int, total: int) -> None:
        pass

    class Stop(Exception):
        pass

    error = Stop()

    def raising(x: int) -> None:
        raise error

    before = counts(progress, raising, error)
    for _ in range(20):
        m.max_total_stopping_time(10**4, progress=progress)
        with pytest.raises(Stop):
            m.walk(BIG, raising)
        with pytest.raises(Stop):
            m.max_total_stopping_time(10**4, progress=lambda d, t: raising(d))
    error.__traceback__ = None
    after = counts(progress, raising, error)
    assert after == before


def test_instances_do_not_leak_their_types() -> None:
    def use() -> None:
        t = m.Trajectory(BIG)
        next(t)
        t.__reduce__()
        del t
        m.stats(27)

    use()  # the first use fills caches that hold a reference to each type
    before = counts(m.Trajectory, m.Stats)
    for _ in range(1000):
        t = m.Trajectory(BIG)
        next(t)
        t.__reduce__()
        del t
        m.stats(27)
    after = counts(m.Trajectory, m.Stats)  # outside the assert: pytest's rewriting holds its operands
    assert after == before


LEAK = """
import collatz_pyo3_ffi as m, numpy as np
PAGE = __import__("os").sysconf("SC_PAGE_SIZE")
def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
calls = [
    lambda: m.step(2**40 + 11),
    lambda: m.total_stopping_time(2**40 + 11),
    lambda: m.stats(2**100 + 7),
    lambda: m.parity_vector(27),
    lambda: m.residue("0110"),
    lambda: next(m.Trajectory(27)),
    lambda: m.walk(1, bool),
]
def failing(f):
    try:
        f()
    except (ValueError, OverflowError, TypeError):
        pass
errors = [lambda: m.step(0), lambda: m.step(2**64), lambda: m.step("x"), lambda: m.stats(2**129)]
def run(rounds):
    for _ in range(rounds):
        for f in calls:
            f()
        for f in errors:
            failing(f)
run(20_000)
start = resident()
run(1_000_000 // len(calls))
growth = resident() - start
assert growth < 2 * 2**20, f"resident memory grew by {growth} bytes over a million calls"
print("ok")
"""


def test_a_million_calls_leave_memory_flat() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LEAK], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr
