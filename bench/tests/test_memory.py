"""The allocation count (collatz_bench.memory) and its budgets (collatz_bench.perfcheck): what
the counts of a few known calls must be, that two counts agree, and that a budget fails on one
allocation more."""

from __future__ import annotations

import pytest

from collatz_bench import memory, perfcheck

pytestmark = pytest.mark.skipif(not memory.available(), reason="memray is not installed")


@pytest.fixture(scope="module")
def counted() -> list[dict[str, object]]:
    """Two counts of a few shapes of the PyO3 front end, in fresh processes."""
    shapes = ["step", "step_big", "walk", "trajectory"]
    return [memory.count({"pyo3": "collatz_pyo3"}, shapes, objects=False) for _ in range(2)]


def test_the_method_counts_nothing_for_a_call_that_allocates_nothing(counted: list[dict]) -> None:
    """A C builtin's call and a plain Python function's (whose frame object only the tracker
    makes, and the count takes off) allocate nothing."""
    for check in ("floor", "python_function"):
        assert counted[0][check]["pyo3"]["allocations"] == 0, counted[0][check]
        assert counted[0][check]["pyo3"]["bytes"] == 0
    assert counted[0]["python_function"]["pyo3"]["python_calls"] == 1


def test_known_calls_count_what_they_allocate(counted: list[dict]) -> None:
    pyo3 = counted[0]["backends"]["pyo3"]
    assert pyo3["step"]["allocations"] == 0  # 82: a cached small int
    assert pyo3["step_big"]["allocations"] == 1  # 2**39: one int object
    assert pyo3["step_big"]["bytes"] == 32
    # walk(27, noop): 112 Python calls; the values above 256 are new int objects.
    from collatz_contract.reference import trajectory

    assert pyo3["walk"]["python_calls"] == 112
    assert pyo3["walk"]["allocations"] == sum(1 for v in trajectory(27) if v > 256)
    # trajectory(27): its 112 values (896 bytes) are in the bytes counted.
    assert pyo3["trajectory"]["bytes"] >= 112 * 8
    for entry in pyo3.values():
        assert entry["growth"] < memory.LEAK and entry["cyclic"] == 0


def test_two_counts_agree(counted: list[dict]) -> None:
    assert memory.allocations(counted[0]) == memory.allocations(counted[1])


def test_one_allocation_more_than_the_budget_fails() -> None:
    budgets = {"pyo3": {"step": 0.0, "walk": 65.0}}
    assert perfcheck.compare_allocations({"pyo3": {"step": 0.0, "walk": 65.0}}, budgets, 0.5) == ([], [])
    over, _ = perfcheck.compare_allocations({"pyo3": {"step": 1.0, "walk": 65.0}}, budgets, 0.5)
    assert over == ["pyo3 step: 1 allocations per call, budget 0"]
    _, under = perfcheck.compare_allocations({"pyo3": {"step": 0.0, "walk": 64.0}}, budgets, 0.5)
    assert under == ["pyo3 walk: 64 allocations per call, budget 65"]
    over, _ = perfcheck.compare_allocations({"cffi": {"step": 0.0}}, budgets, 0.5)
    assert "no budget" in over[0]
