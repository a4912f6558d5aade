"""Sizes and repetitions of a run: :data:`FULL` by default, :data:`QUICK` for smoke tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Config:
    name: str
    rounds: int
    target: float
    """Seconds per measurement (calls are batched to reach it)."""
    ks: tuple[int, ...]
    reference_max_k: int
    bulk_sizes: tuple[int, ...]
    reference_max_bulk: int
    headline_k: int
    headline_repeats: int
    per_step_calls: int
    python_loop_steps: int
    thread_len: int
    thread_calls: int
    thread_repeats: int
    range_limit: int
    range_repeats: int
    shape_starts: tuple[int, ...]
    """Starting values whose trajectories have ~10, ~100 and ~1000 values."""

    progress_limit: int
    progress_repeats: int
    interrupt_repeats: int
    records_up_to: int
    """Records below 10^k for k = 1 … this."""
    cost_builds: bool
    """Time a release build of every package (the costs section)."""
    instructions: bool
    """Count instructions under callgrind (the instructions section, about a minute)."""
    import_runs: int
    """Fresh interpreters per front end for import times."""
    gil_probe_steps: int
    """Steps of the native call during which another thread's Python work is counted."""
    memory_bulk: int
    """Elements of the bulk calls whose peak memory is measured (the memory section)."""
    memory_loops: tuple[int, int]
    """The two loop lengths allocations per call are counted from (the memory section)."""
    memory_recount: bool
    """Count allocations a second time, in fresh processes, to show the counts agree."""

    @property
    def long_start(self) -> int:
        """The start of the longest trajectory of ``shape_starts`` (per-value costs are taken on it)."""
        return self.shape_starts[-1]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


FULL = Config(
    name="full",
    rounds=15,
    target=0.02,
    ks=tuple(10**i for i in range(7)),
    reference_max_k=10**5,
    bulk_sizes=tuple(10**i for i in range(7)),
    reference_max_bulk=10**4,
    headline_k=10**9,
    headline_repeats=3,
    per_step_calls=200_000,
    python_loop_steps=2_000_000,
    thread_len=16_000,
    thread_calls=200,
    thread_repeats=5,
    range_limit=10**7,
    range_repeats=3,
    shape_starts=(12, 27, 63_728_127),
    progress_limit=10**8,
    progress_repeats=3,
    interrupt_repeats=3,
    records_up_to=10,
    cost_builds=True,
    instructions=True,
    import_runs=15,
    gil_probe_steps=500_000_000,
    memory_bulk=10**7,
    memory_loops=(200, 1000),
    memory_recount=True,
)
QUICK = Config(
    name="quick",
    rounds=3,
    target=0.002,
    ks=tuple(10**i for i in range(6)),
    reference_max_k=10**3,
    bulk_sizes=tuple(10**i for i in range(6)),
    reference_max_bulk=10**2,
    headline_k=10**7,
    headline_repeats=1,
    per_step_calls=20_000,
    python_loop_steps=100_000,
    thread_len=16_000,
    thread_calls=20,
    thread_repeats=1,
    range_limit=10**5,
    range_repeats=1,
    shape_starts=(12, 27, 63_728_127),
    progress_limit=10**6,
    progress_repeats=1,
    interrupt_repeats=1,
    records_up_to=7,
    cost_builds=False,
    instructions=False,
    import_runs=3,
    gil_probe_steps=200_000_000,
    memory_bulk=10**5,
    memory_loops=(100, 500),
    memory_recount=False,
)
