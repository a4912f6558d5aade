"""What a section of the comparison is: see :mod:`collatz_bench.sections`.

Most sections time a group of cases interleaved round by round and summarise them:
:func:`timed` builds such a section from its cases and its summary, so the module holds only
those, its tables and its plots.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .context import Context, Tick, measure_group, measure_group_steps
from .table import Table
from .timing import Case

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Plot = Callable[[dict[str, Any], "Figure", "Axes"], None]
"""Draws one PNG from the whole results (its own section's and those it needs, provenance)."""


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
    """The section's tables, from its own results."""
    needs: tuple[str, ...] = ()
    """Keys of the sections whose results ``run`` (or a plot) reads: they run before it."""
    plots: Mapping[str, Plot] = field(default_factory=dict)
    """PNG file name → the function that draws it."""
    files: Mapping[str, Callable[[dict[str, Any]], str]] = field(default_factory=dict)
    """Further files the section writes beside ``bench.json``: file name → its text, from the
    section's own results."""


def timed(
    key: str,
    title: str,
    cases: Callable[[Context], list[Case]],
    summary: Callable[[Context, dict[str, Case]], dict[str, Any]],
    tables: Callable[[dict[str, Any]], list[Table]],
    *,
    needs: tuple[str, ...] = (),
    plots: Mapping[str, Plot] | None = None,
) -> Section:
    """A section that calibrates ``cases(ctx)``, times them interleaved for the run's rounds,
    and reports ``summary(ctx, measured)`` (``measured``: the cases by key, with their samples).
    The cases are built once per run, when the run counts its progress steps."""
    built: dict[int, list[Case]] = {}

    def steps(ctx: Context) -> int:
        built[id(ctx)] = cases(ctx)
        return measure_group_steps(built[id(ctx)], ctx.config.rounds)

    def run(ctx: Context, tick: Tick) -> dict[str, Any]:
        group = built.pop(id(ctx), None) or cases(ctx)
        return summary(ctx, measure_group(group, ctx.config.rounds, ctx.config.target, tick))

    return Section(key, title, steps, run, tables, needs, plots or {})
