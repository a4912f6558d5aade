"""What every section is given: the backends, the run's configuration, the plain C baseline
and the results of the sections before it."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from collatz_contract.backends import Backend

from .baseline import PlainC
from .config import Config
from .golang import BlogGo
from .timing import Case, calibrate, run_rounds

Tick = Callable[[], None]
"""Called once per progress step; a section's ``steps`` says how many it will make."""


@dataclass
class Context:
    backends: dict[Backend, ModuleType]
    config: Config
    plain_c: PlainC | None
    go: BlogGo | None = None
    """The blog's Go library, when a Go toolchain is available."""
    go_note: str = ""
    """Why the Go library is absent, or how it was built."""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def native(self) -> dict[Backend, ModuleType]:
        """The native backends (the reference left out)."""
        return {b: m for b, m in self.backends.items() if b.native}


FLOOR = "floor"


def floor_case() -> Case:
    """The floor, a call of the C builtin ``operator.index``, to time in every group whose
    figures are reported as multiples of it (ratios are taken within a round)."""
    return Case(FLOOR, "f(a)", {"f": operator.index, "a": 27})


def python_trajectory(n: int) -> Iterator[int]:
    """The trajectory of ``n`` as a plain Python generator: what a native iterator competes with."""
    yield n
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        yield n


def trajectory_length(n: int) -> int:
    """How many values the trajectory of ``n`` has, ``n`` and ``1`` included."""
    return sum(1 for _ in python_trajectory(n))


def measure_group_steps(cases: list[Case], rounds: int) -> int:
    """Progress steps :func:`measure_group` makes: one calibration and ``rounds`` runs each."""
    return len(cases) * (rounds + 1)


def measure_group(cases: list[Case], rounds: int, target: float, tick: Tick) -> dict[str, Case]:
    """Calibrate every case, then run them interleaved for ``rounds`` rounds."""
    for case in cases:
        calibrate(case, target)
        tick()
    run_rounds(cases, rounds, tick)
    return {c.key: c for c in cases}
