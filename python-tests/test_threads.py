"""Calls from several Python threads at once get the same answers as calls from one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import numpy as np
import pytest

THREADS = 8


def _work(impl: ModuleType, seed: int) -> list[object]:
    """A deterministic mix of every function, successes and failures."""
    results: list[object] = []
    for i in range(200):
        n = seed * 1000 + i + 1
        results.append(impl.step(n))
        results.append(impl.iterate(n, 300))
        results.append(impl.total_stopping_time(n))
        for bad in (0, 2**64 - 1):
            try:
                impl.step(bad)
            except (ValueError, OverflowError) as e:
                results.append((type(e), str(e)))
    results.append(impl.total_stopping_times(np.arange(1, 3000, dtype=np.uint64) + seed).tolist())
    results.append(impl.max_total_stopping_time(2000 + seed))
    return results


def test_concurrent_calls_agree(backend: ModuleType) -> None:
    expected = [_work(backend, seed) for seed in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        for _ in range(3):
            got = list(pool.map(_work, [backend] * THREADS, range(THREADS)))
            assert got == expected


@pytest.mark.parametrize("size", [10, 100_000])
def test_concurrent_bulk_calls(backend: ModuleType, size: int) -> None:
    values = np.arange(1, size + 1, dtype=np.uint64)
    expected = backend.total_stopping_times(values)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(backend.total_stopping_times, [values] * 16))
    for out in outs:
        assert np.array_equal(out, expected)


def test_error_messages_stay_with_their_thread(backend: ModuleType) -> None:
    """The C ABI keeps the last error per thread: a failure in one thread must never be
    reported with another thread's message."""

    def fail(n: int) -> str:
        try:
            backend.total_stopping_times([1] * n + [0])
        except ValueError as e:
            return str(e)
        return "no error"

    with ThreadPoolExecutor(THREADS) as pool:
        for n, message in zip(range(500), pool.map(fail, range(500)), strict=True):
            assert message == f"element {n} must be >= 1, got 0"


def test_one_trajectory_shared_by_threads(backend: ModuleType) -> None:
    """A Trajectory pulled from by many threads at once hands out every value exactly once."""
    n = 63_728_127  # 950 values
    for _ in range(5):
        shared = backend.Trajectory(n)

        def drain(_: int) -> list[int]:
            got = []
            for value in shared:
                got.append(value)
            return got

        with ThreadPoolExecutor(THREADS) as pool:
            parts = list(pool.map(drain, range(THREADS)))
        assert sorted(v for part in parts for v in part) == sorted(backend.trajectory(n).tolist())


def test_walks_from_many_threads(backend: ModuleType) -> None:
    def walk(n: int) -> list[int]:
        seen: list[int] = []
        backend.walk(n, seen.append)
        return seen

    with ThreadPoolExecutor(THREADS) as pool:
        for n, seen in zip(range(1, 400), pool.map(walk, range(1, 400)), strict=True):
            assert seen == backend.trajectory(n).tolist()
