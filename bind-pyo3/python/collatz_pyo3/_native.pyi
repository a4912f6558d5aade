"""Type information for the compiled module (checked by mypy.stubtest in the test suite)."""

from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any, SupportsIndex, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

__all__ = [
    "Stats",
    "Trajectory",
    "iterate",
    "max_total_stopping_time",
    "max_total_stopping_time_async",
    "parity_vector",
    "residue",
    "stats",
    "step",
    "total_stopping_time",
    "total_stopping_time_async",
    "total_stopping_times",
    "trajectory",
    "walk",
]

def step(n: SupportsIndex, /) -> int:
    """One Collatz step: n // 2 if n is even, else 3 * n + 1."""

def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """`step` applied k times (a real loop of k steps); k = 0 returns n."""

def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until n first reaches 1."""

def total_stopping_time_async(n: SupportsIndex, /) -> Coroutine[Any, Any, int]:
    """total_stopping_time(n), as a PyO3 coroutine (computed when first awaited)."""

def max_total_stopping_time_async(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> Coroutine[Any, Any, tuple[int, int]]:
    """max_total_stopping_time(limit, progress=progress), as a PyO3 coroutine."""

def total_stopping_times(values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]:
    """The total stopping time of every element of a 1-D array or sequence of integers."""

def max_total_stopping_time(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """(n, total_stopping_time(n)) for the n < limit with the longest total stopping time."""

def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory n, step(n), ..., 1 as a new array."""

def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call visit(x) for each value of the trajectory of n; the number of values visited."""

@final
class Trajectory:
    """The trajectory n, step(n), ..., 1 as an iterator whose state lives in native code."""

    def __new__(cls, n: SupportsIndex, /) -> Self: ...
    def __iter__(self) -> Trajectory: ...
    def __next__(self) -> int: ...
    def __reduce__(self) -> tuple[type[Trajectory], tuple[int], int]: ...
    def __setstate__(self, position: SupportsIndex, /) -> None: ...

@final
class Stats:
    """The record of one trajectory: five int fields; behaves as the tuple of them."""

    @property
    def n(self) -> int: ...
    @property
    def total_stopping_time(self) -> int: ...
    @property
    def stopping_time(self) -> int: ...
    @property
    def peak(self) -> int: ...
    @property
    def odd_steps(self) -> int: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int, /) -> int: ...
    def __iter__(self) -> Iterator[int]: ...
    def __hash__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: object, /) -> bool: ...
    def __le__(self, other: object, /) -> bool: ...
    def __gt__(self, other: object, /) -> bool: ...
    def __ge__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Callable[[int], Stats], tuple[int]]: ...

def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of n (1 <= n <= 2**128 - 1)."""

def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of n up to the first 1, or the first k."""

def residue(vector: str, /) -> int:
    """The r with 1 <= r <= 2**len(vector) whose first Terras parities are vector."""
