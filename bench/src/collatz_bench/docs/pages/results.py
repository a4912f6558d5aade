"""The results pages: one per benchmark section, written whole from ``bench.json`` (the
section's description, the run, its tables and its plots), and the guide's list of them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ...render import markdown
from ...section import Section
from ...sections import SECTIONS
from ...table import seconds
from ..figures import Results

FOLDER = "results"
"""Where the pages go, under ``docs/`` (beside the results files they render)."""


def _prose(docstring: str) -> str:
    """A section's module docstring as Markdown: reST's double backticks and roles dropped."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", docstring.strip())
    text = text.replace("``", "`")
    return "\n\n".join(_paragraph(p) for p in text.split("\n\n"))


def _paragraph(paragraph: str) -> str:
    """One paragraph reflowed onto one line; a bulleted list, one line per item."""
    items: list[str] = []
    for line in paragraph.strip().splitlines():
        if line.lstrip().startswith("- ") or not items:
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    return "\n".join(" ".join(item.split()) for item in items)


def title(section: Section) -> str:
    return section.title[0].upper() + section.title[1:]


def module_of(section: Section) -> str:
    return section.tables.__module__


def page(section: Section, results: Results) -> str:
    module = module_of(section)
    doc = sys.modules[module].__doc__ or ""
    parts = [
        f"# {title(section)}",
        f"<!-- Written by `make docs` from docs/results/bench.json and bench/src/{module.replace('.', '/')}.py: "
        "edit those, not this page. -->",
        _prose(doc),
        f"Measured at {results.run()}.",
        *(markdown.draw(t) for t in results.tables(section.key)),
        *(f"![{title(section)}]({name})" for name in section.plots),
    ]
    return "\n\n".join(parts) + "\n"


def pages(results: Results) -> dict[str, str]:
    """File name (under ``docs/results/``) → the page, for every section the run has."""
    return {f"{s.key}.md": page(s, results) for s in SECTIONS if results.bench.get(s.key)}


def index(results: Results) -> str:
    """The guide's list of results pages (``SUMMARY.md``'s block)."""
    return "\n".join(f"  - [{title(s)}]({FOLDER}/{s.key}.md)" for s in SECTIONS if results.bench.get(s.key))


def write(docs: Path, results: Results) -> dict[Path, str]:
    """The pages to write: path → text."""
    return {docs / FOLDER / name: text for name, text in pages(results).items()}


# The Results chapter's own page (docs/results.md) sees the public functions of this module
# too: the two below are for it.


def plot_files(results: Results) -> list[str]:
    """The PNG files the run's sections draw beside ``bench.json``, sorted: the plots the
    Results page must describe."""
    return sorted(name for s in SECTIONS if results.bench.get(s.key) for name in s.plots)


def import_time(results: Results, *backends: str) -> str:
    """The median time of ``import`` in a fresh interpreter (the costs section) of one front
    end, or the range over several: ``2.1 ms``, ``559 µs–630 µs``."""
    times = [float(results.r(f"costs/backends/{b}/import_ms")) / 1e3 for b in backends]
    lo, hi = seconds(min(times)), seconds(max(times))
    return lo if lo == hi else f"{lo}–{hi}"
