"""The speed targets' verdicts, on synthetic results: met and missed in both directions, by how
much, by whom, and a figure the run does not have."""

from __future__ import annotations

from typing import Any

import pytest

from collatz_bench.targets import TARGETS, Target, verdict, verdicts


def _scalar(**ratios: float) -> dict[str, Any]:
    return {"scalar": {"backends": {n: {"ratio_to_floor": {"median": r}} for n, r in ratios.items()}}}


def _one(value: float | None) -> Any:
    return lambda results: {} if value is None else {"": value}


def test_at_most_met_and_missed() -> None:
    at_most = Target("step", _one(1.5), 2, "at most", "×")
    met = verdict(at_most, {})
    assert met.met is True
    assert met.text() == "met, 0.50× to spare"
    missed = verdict(Target("step", _one(2.5), 2, "at most", "×"), {})
    assert missed.met is False
    assert missed.text() == "**missed** by 0.50× (25 %)"
    assert missed.figure_text() == "2.50×"


def test_at_least_met_and_missed() -> None:
    assert verdict(Target("speed-up", _one(4.0), 2.5, "at least", "×"), {}).met is True
    missed = verdict(Target("speed-up", _one(2.0), 2.5, "at least", "×"), {})
    assert missed.met is False
    assert "missed" in missed.text() and "0.50× (20 %)" in missed.text()


def test_the_threshold_itself_is_met() -> None:
    assert verdict(Target("t", _one(2.0), 2, "at most", "×"), {}).met is True
    assert verdict(Target("t", _one(2.0), 2, "at least", "×"), {}).met is True


def test_several_figures_name_who_misses() -> None:
    many = Target("convert", lambda r: {"a": 0.5, "b": 1.2, "c": 1.5}, 1, "at most", "ns")
    v = verdict(many, {})
    assert v.met is False
    assert v.missed == {"b": 1.2, "c": 1.5}
    assert v.text() == "**missed**: c by 0.50 ns (50 %), b by 0.20 ns (20 %); met by the other 1"
    assert v.figure_text() == "a 0.50 ns to c 1.50 ns (3 front ends)"
    ok = verdict(Target("convert", lambda r: {"a": 0.5, "b": 0.9}, 1, "at most", "ns"), {})
    assert ok.text() == "met by all 2; closest: b, 0.10 ns to spare"


def test_a_figure_the_run_lacks_is_no_verdict() -> None:
    v = verdict(Target("t", _one(None), 2, "at most", "×", absent="not in this run"), {})
    assert v.met is None
    assert v.text() == "not in this run"
    assert v.figure_text() == "—"


def test_every_target_on_a_partial_run() -> None:
    """A run with the scalar section only: the step targets get verdicts, the others none."""
    results = _scalar(pyo3=2.34, cython=1.73, cffi=4.0, ctypes=17.0, uniffi=160.0)
    found = {v.target.name: v for v in verdicts(results)}
    assert len(found) == len(TARGETS)
    assert found["PyO3 `step(27)`, × the floor"].met is False
    assert found["PyO3 `step(27)`, × the floor"].text() == "**missed** by 0.34× (17 %)"
    assert found["Cython `step(27)`, × the floor"].met is True
    assert found["ctypes `step(27)`, × the floor"].met is True  # at the threshold
    assert found["UniFFI `step(27)`, × the floor"].met is False
    assert sum(v.met is None for v in found.values()) == len(TARGETS) - 5


@pytest.mark.parametrize("direction", ["at most", "at least"])
def test_spare_is_positive_exactly_when_met(direction: Any) -> None:
    target = Target("t", _one(None), 10, direction, "×")
    for value in (5.0, 10.0, 15.0):
        assert (target.spare(value) >= 0) == (value <= 10 if direction == "at most" else value >= 10)
