"""Type information for the compiled Cython module (checked by mypy.stubtest in the test suite)."""

from typing import SupportsIndex

import numpy as np
import numpy.typing as npt

__all__ = ["iterate", "max_stopping_time", "step", "stopping_time", "stopping_times"]

def step(n: SupportsIndex, /) -> int:
    """One Collatz step: n // 2 if n is even, else 3 * n + 1."""

def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """`step` applied k times (a real loop of k steps); k = 0 returns n."""

def stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until n first reaches 1."""

def stopping_times(values: npt.ArrayLike, /) -> npt.NDArray[np.uint64]:
    """The stopping time of every element of a 1-D array or sequence of integers."""

def max_stopping_time(limit: SupportsIndex, /) -> tuple[int, int]:
    """(n, stopping_time(n)) for the n < limit with the longest stopping time."""
