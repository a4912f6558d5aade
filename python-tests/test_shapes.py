"""The call shapes of the contract (docs/contract.md §1): a variable-size result
(`trajectory`), a native object (`Trajectory`), Rust calling Python (`walk`, `progress`), for
every backend and the reference."""

from __future__ import annotations

import collections.abc
from types import ModuleType
from typing import Any

import numpy as np
import pytest

U64_MAX = 2**64 - 1
# Even, so its first step halves it; the next value is odd and its 3x + 1 does not fit.
CLIMBS_OUT = U64_MAX - 1


def expected_values(n: int) -> list[int]:
    values = [n]
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        values.append(n)
    return values


@pytest.mark.parametrize("n", [1, 2, 3, 6, 27, 97, 871, 63_728_127, 2**63, 2**64 - 2**32])
def test_three_ways_to_one_sequence(impl: ModuleType, n: int) -> None:
    expected = expected_values(n)
    array = impl.trajectory(n)
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.uint64 and array.ndim == 1
    assert array.flags.c_contiguous and array.flags.writeable
    assert array.tolist() == expected
    assert len(expected) == impl.total_stopping_time(n) + 1

    iterator = impl.Trajectory(n)
    values = list(iterator)
    assert values == expected
    assert all(type(v) is int for v in values)

    visited: list[int] = []
    assert impl.walk(n, visited.append) == len(expected)
    assert visited == expected
    assert all(type(v) is int for v in visited)


def test_trajectory_is_an_iterator(impl: ModuleType) -> None:
    t = impl.Trajectory(6)
    assert iter(t) is t
    assert isinstance(t, collections.abc.Iterator)
    assert next(t) == 6
    assert list(t) == [3, 10, 5, 16, 8, 4, 2, 1]
    for _ in range(3):
        with pytest.raises(StopIteration):
            next(t)
    assert "6" in repr(t)


def test_trajectories_are_independent(impl: ModuleType) -> None:
    a, b = impl.Trajectory(27), impl.Trajectory(27)
    assert next(a) == 27 and next(a) == 82
    assert next(b) == 27
    assert next(a) == 41


def test_arrays_are_fresh(impl: ModuleType) -> None:
    first = impl.trajectory(27)
    first[:] = 0
    assert impl.trajectory(27)[0] == 27


@pytest.mark.parametrize("make", [lambda n: n, np.uint64, np.int32, bool])
def test_n_accepts_what_total_stopping_time_accepts(impl: ModuleType, make: Any) -> None:
    n = make(1) if make is bool else make(27)
    expected = impl.trajectory(int(n)).tolist()
    assert impl.trajectory(n).tolist() == expected
    assert list(impl.Trajectory(n)) == expected
    assert impl.walk(n, lambda x: None) == len(expected)


# --- errors ------------------------------------------------------------------------------------

BAD_N: list[tuple[Any, type[Exception], str]] = [
    (0, ValueError, "n must be >= 1, got 0"),
    (-5, ValueError, "n must be >= 1, got -5"),
    (2**64, OverflowError, "n must be <= 2**64 - 1, got 18446744073709551616"),
    (1.5, TypeError, "n must be an integer, got float 1.5"),
    ("27", TypeError, "n must be an integer, got str '27'"),
    (None, TypeError, "n must be an integer, got NoneType None"),
]


@pytest.mark.parametrize(("n", "exception", "message"), BAD_N)
def test_n_is_checked_like_total_stopping_time(
    impl: ModuleType, n: Any, exception: type, message: str
) -> None:
    for call in (
        lambda: impl.trajectory(n),
        lambda: impl.Trajectory(n),
        lambda: impl.walk(n, print),
        lambda: impl.walk(n, 5),  # n is checked before visit
    ):
        with pytest.raises(exception) as info:
            call()
        assert type(info.value) is exception
        assert str(info.value) == message


@pytest.mark.parametrize("bad", [5, "x", None, [print]])
def test_callbacks_must_be_callable(impl: ModuleType, bad: Any) -> None:
    with pytest.raises(TypeError) as info:
        impl.walk(27, bad)
    assert type(info.value) is TypeError
    assert str(info.value).startswith("visit must be callable, got ")
    if bad is None:
        return  # progress=None is allowed
    with pytest.raises(TypeError) as info:
        impl.max_total_stopping_time(100, progress=bad)
    assert str(info.value).startswith("progress must be callable or None, got ")
    # limit is checked before progress
    with pytest.raises(ValueError):
        impl.max_total_stopping_time(1, progress=bad)


def test_progress_is_keyword_only(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.max_total_stopping_time(100, print)
    with pytest.raises(TypeError):
        impl.walk(n=27, visit=print)
    with pytest.raises(TypeError):
        impl.Trajectory(n=27)


def test_overflow_when_the_value_would_be_produced(impl: ModuleType) -> None:
    before = [CLIMBS_OUT, CLIMBS_OUT // 2]
    with pytest.raises(OverflowError) as info:
        impl.trajectory(CLIMBS_OUT)
    assert type(info.value) is OverflowError
    assert f"the trajectory of {CLIMBS_OUT} overflows" in str(info.value)

    t = impl.Trajectory(CLIMBS_OUT)
    assert [next(t), next(t)] == before
    with pytest.raises(OverflowError) as info:
        next(t)
    assert f"the trajectory of {CLIMBS_OUT} overflows" in str(info.value)
    with pytest.raises(StopIteration):
        next(t)

    visited: list[int] = []
    with pytest.raises(OverflowError):
        impl.walk(CLIMBS_OUT, visited.append)
    assert visited == before


# --- callbacks that raise, return odd values, call back ---------------------------------------


class Stop(Exception):
    pass


def test_a_raising_visit_stops_the_walk_and_its_exception_propagates(impl: ModuleType) -> None:
    calls: list[int] = []
    error = Stop("from visit")

    def visit(x: int) -> None:
        calls.append(x)
        if len(calls) == 3:
            raise error

    with pytest.raises(Stop) as info:
        impl.walk(27, visit)
    assert info.value is error, "the same exception object"
    assert calls == [27, 82, 41], "not called again after it raised"


@pytest.mark.parametrize("exception", [KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError])
def test_base_exceptions_from_callbacks_propagate(impl: ModuleType, exception: type[BaseException]) -> None:
    def visit(x: int) -> None:
        raise exception("from the callback")

    with pytest.raises(exception):
        impl.walk(27, visit)

    def progress(done: int, total: int) -> None:
        raise exception("from progress")

    with pytest.raises(exception):
        impl.max_total_stopping_time(10_000, progress=progress)


@pytest.mark.parametrize("odd", [None, 0, 1, -1, True, False, 2**70, "stop", object(), 1.5])
def test_return_values_of_callbacks_are_ignored(impl: ModuleType, odd: Any) -> None:
    assert impl.walk(27, lambda x: odd) == 112
    assert impl.max_total_stopping_time(1000, progress=lambda d, t: odd) == (871, 178)


def test_callbacks_may_call_back_into_the_library(impl: ModuleType, backends: list[ModuleType]) -> None:
    inner: list[int] = []

    def visit(x: int) -> None:
        for other in backends:
            inner.append(other.total_stopping_time(x))
            assert other.walk(x, lambda y: None) == other.total_stopping_time(x) + 1
            assert next(other.Trajectory(x)) == x
        with pytest.raises(ValueError):
            impl.step(0)

    assert impl.walk(27, visit) == 112
    assert inner[: len(backends)] == [111] * len(backends)

    progress_calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal progress_calls
        progress_calls += 1
        assert impl.max_total_stopping_time(100) == (97, 118)

    assert impl.max_total_stopping_time(1000, progress=progress) == (871, 178)
    assert progress_calls >= 1


# --- progress ------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [2, 3, 10, 5000, 3 * 2**20 + 5])
def test_progress_reports_the_range_covered(impl: ModuleType, ref: ModuleType, limit: int) -> None:
    if impl is ref and limit > 10_000:
        pytest.skip("too long for the pure-Python reference")
    calls: list[tuple[int, int]] = []
    result = impl.max_total_stopping_time(limit, progress=lambda done, total: calls.append((done, total)))
    assert result == impl.max_total_stopping_time(limit)
    assert calls, "at least one call"
    assert all(total == limit - 1 for _, total in calls)
    dones = [done for done, _ in calls]
    assert dones == sorted(dones), "non-decreasing"
    assert all(0 <= d <= limit - 1 for d in dones)
    assert calls[-1] == (limit - 1, limit - 1)
    assert impl.max_total_stopping_time(limit, progress=None) == result


def test_a_raising_progress_stops_the_search(impl: ModuleType, ref: ModuleType) -> None:
    limit = 20_000 if impl is ref else 4 * 2**20
    calls = 0
    error = Stop("from progress")

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        raise error

    with pytest.raises(Stop) as info:
        impl.max_total_stopping_time(limit, progress=progress)
    assert info.value is error
    assert calls == 1, "not called again after it raised"


def test_progress_comes_from_the_calling_thread(backend: ModuleType) -> None:
    import threading

    threads = set()
    backend.max_total_stopping_time(3 * 2**20, progress=lambda d, t: threads.add(threading.get_ident()))
    assert threads == {threading.get_ident()}
