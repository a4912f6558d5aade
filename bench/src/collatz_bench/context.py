"""What every section is given: the backends, the run's configuration, the plain C baseline
and the results of the sections before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from collatz_contract.backends import Backend

from .baseline import PlainC
from .config import Config
from .timing import Case, calibrate, run_rounds

Tick = Callable[[], None]
"""Called once per progress step; a section's ``steps`` says how many it will make."""


@dataclass
class Context:
    backends: dict[Backend, ModuleType]
    config: Config
    plain_c: PlainC | None
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def native(self) -> dict[Backend, ModuleType]:
        """The native backends (the reference left out)."""
        return {b: m for b, m in self.backends.items() if b.native}


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
