"""The sections of the comparison, in the order they run. Each module defines ``SECTION``
(a :class:`~collatz_bench.section.Section`): its key in ``bench.json``, how many progress
steps it makes, how it measures, the sections it needs, and the tables and plots that show its
results. Adding a section is one module and one line here; a test checks that every section
comes after those it needs."""

from __future__ import annotations

from ..section import Section
from . import (
    amortisation,
    awaiting,
    breakdown,
    bulk,
    callbacks,
    costs,
    errors,
    framework,
    generators,
    headline,
    instructions,
    interrupts,
    memory,
    objects,
    progress,
    pyperf,
    ranges,
    records,
    records_strings,
    scalar,
    shapes,
    threads,
    trajectory,
)

SECTIONS: list[Section] = [
    scalar.SECTION,
    pyperf.SECTION,
    headline.SECTION,
    amortisation.SECTION,
    bulk.SECTION,
    ranges.SECTION,
    records.SECTION,
    threads.SECTION,
    breakdown.SECTION,
    trajectory.SECTION,
    objects.SECTION,
    callbacks.SECTION,
    shapes.SECTION,
    records_strings.SECTION,
    framework.SECTION,
    generators.SECTION,
    errors.SECTION,
    progress.SECTION,
    interrupts.SECTION,
    awaiting.SECTION,
    instructions.SECTION,
    memory.SECTION,
    costs.SECTION,  # last: it rebuilds the packages
]
