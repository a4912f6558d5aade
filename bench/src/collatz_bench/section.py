"""What a section of the comparison is: see :mod:`collatz_bench.sections`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .context import Context, Tick
from .table import Table


@dataclass(frozen=True)
class Section:
    key: str
    """Key of the section's results in ``bench.json``."""
    title: str
    """What the progress bar says while it runs."""
    steps: Callable[[Context], int]
    """Progress steps ``run`` will make (``tick`` calls)."""
    run: Callable[[Context, Tick], dict[str, Any] | None]
    """Measure; ``None`` when the section does not apply to the backends chosen."""
    tables: Callable[[dict[str, Any]], list[Table]]
    """The section's tables, from the whole results dict (its own entry and what it needs)."""
