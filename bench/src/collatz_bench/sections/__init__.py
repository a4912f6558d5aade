"""The sections of the comparison, in the order they run. Each module defines ``SECTION``
(a :class:`~collatz_bench.section.Section`): its key in ``bench.json``, how many progress
steps it makes, how it measures, and the tables that show its results. Adding a section is
one module and one line here."""

from __future__ import annotations

from ..section import Section
from . import (
    amortisation,
    breakdown,
    bulk,
    callbacks,
    costs,
    errors,
    headline,
    interrupts,
    objects,
    progress,
    range,
    records,
    scalar,
    shapes,
    threads,
    trajectory,
)

SECTIONS: list[Section] = [
    scalar.SECTION,
    headline.SECTION,  # before amortisation: it measures the native per-step cost
    amortisation.SECTION,
    bulk.SECTION,
    range.SECTION,
    records.SECTION,
    threads.SECTION,
    breakdown.SECTION,
    trajectory.SECTION,
    objects.SECTION,
    callbacks.SECTION,
    shapes.SECTION,  # after the three above: it compares their figures
    errors.SECTION,
    progress.SECTION,
    interrupts.SECTION,
    costs.SECTION,  # last: it rebuilds the packages
]
