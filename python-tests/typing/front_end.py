"""Type-checked, not run: what every front end is to a type checker.

python-tests/test_packaging.py (test_every_front_end_types_the_same) writes a script that
imports every front end of the registry and passes each to :func:`use`, and every package's
``__version__`` to a ``str``, then runs `mypy --strict` on it and this file. That checks that
every front end takes and returns the same types, and that calls which work at run time type-
check: plain ints, numpy integer scalars, objects with __index__, and for total_stopping_times
lists, tuples, generators and integer arrays. The lines marked `# type: ignore` must be
errors (mypy's `warn_unused_ignores` fails if they are not)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, SupportsIndex

import numpy as np
import numpy.typing as npt


class Index:
    def __index__(self) -> int:
        return 27


def use(m: FrontEnd) -> None:
    for n in (27, np.uint64(27), np.int32(27), Index(), True):
        a: int = m.step(n)
        b: int = m.iterate(n, n)
        c: int = m.total_stopping_time(n)
        d: tuple[int, int] = m.max_total_stopping_time(n, progress=lambda done, total: None)
        e: npt.NDArray[np.uint64] = m.trajectory(n)
        f: Iterator[int] = m.Trajectory(n)
        g: int = m.walk(n, print)
    values: list[int] = [1, 27]
    for v in (
        values,
        tuple(values),
        (x for x in values),
        np.arange(1, 5),
        np.ones(3, dtype=np.uint8),
        [Index()],
    ):
        h: npt.NDArray[np.uint64] = m.total_stopping_times(v)
    record: StatsRecord = m.stats(2**100)
    total: int = record.total_stopping_time + record.stopping_time + record.odd_steps
    n, total, stopping, peak, odd = m.stats(np.uint64(27))
    parities: str = m.parity_vector(27) + m.parity_vector(2**100, 10) + m.parity_vector(Index(), None)
    r: int = m.residue("0101")
    m.residue(b"0101")  # type: ignore[arg-type]
    m.step(1.5)  # type: ignore[arg-type]
    m.total_stopping_times("123")  # type: ignore[arg-type]
    m.total_stopping_times([1.5])  # type: ignore[list-item]
    m.walk(27, 5)  # type: ignore[arg-type]


async def use_async(m: FrontEnd) -> None:
    a: int = await m.total_stopping_time_async(np.uint64(27))
    b: tuple[int, int] = await m.max_total_stopping_time_async(1000, progress=lambda done, total: None)
    c: tuple[int, int] = await m.max_total_stopping_time_async(Index())
    await m.max_total_stopping_time_async(1000, progress=5)  # type: ignore[arg-type]


class StatsRecord(Protocol):
    """What every front end's record is to a type checker: five int fields, unpacked like a
    tuple of five."""

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
    def __iter__(self) -> Iterator[int]: ...
    def __len__(self) -> int: ...


class FrontEnd(Protocol):
    """What every front end is, for a type checker: the contract's names with one typing (a
    module matches a protocol through its functions, without their `self`)."""

    def step(self, n: SupportsIndex, /) -> int: ...
    def iterate(self, n: SupportsIndex, k: SupportsIndex, /) -> int: ...
    def total_stopping_time(self, n: SupportsIndex, /) -> int: ...
    def total_stopping_times(self, values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]: ...
    def max_total_stopping_time(
        self, limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
    ) -> tuple[int, int]: ...
    def trajectory(self, n: SupportsIndex, /) -> npt.NDArray[np.uint64]: ...
    def walk(self, n: SupportsIndex, visit: Callable[[int], object], /) -> int: ...
    def stats(self, n: SupportsIndex, /) -> StatsRecord: ...
    def parity_vector(self, n: SupportsIndex, k: SupportsIndex | None = None, /) -> str: ...
    def residue(self, vector: str, /) -> int: ...
    async def total_stopping_time_async(self, n: SupportsIndex, /) -> int: ...
    async def max_total_stopping_time_async(
        self, limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
    ) -> tuple[int, int]: ...
    @property
    def Trajectory(self) -> Callable[[SupportsIndex], Iterator[int]]: ...
