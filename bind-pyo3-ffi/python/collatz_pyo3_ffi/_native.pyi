"""Type information for the hand-written extension (checked by mypy.stubtest in the test suite)."""

import sys
from collections.abc import Callable, Iterable
from typing import ClassVar, SupportsIndex, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

def step(n: SupportsIndex, /) -> int:
    """One Collatz step: n // 2 if n is even, else 3 * n + 1."""

def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """`step` applied k times (a real loop of k steps); k = 0 returns n."""

def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until n first reaches 1."""

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
class Stats(tuple[int, int, int, int, int]):
    """The record of one trajectory: a struct sequence (a tuple subclass) of five int fields."""

    n_fields: ClassVar[int]
    n_sequence_fields: ClassVar[int]
    n_unnamed_fields: ClassVar[int]
    __match_args__: ClassVar[tuple[str, str, str, str, str]]
    def __new__(cls, sequence: Iterable[int], dict: dict[str, object] = ...) -> Self: ...
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
    if sys.version_info >= (3, 13):
        def __replace__(self, **kwargs: int) -> Self:
            """A copy with the given fields replaced (struct sequences have it from 3.13)."""

def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of n (1 <= n <= 2**128 - 1)."""

def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of n up to the first 1, or the first k."""

def residue(vector: str, /) -> int:
    """The r with 1 <= r <= 2**len(vector) whose first Terras parities are vector."""
