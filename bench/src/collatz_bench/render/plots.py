"""PNG plots (matplotlib): each section declares its own (``Section.plots``); this module
draws them, and gives every front end its colour."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from collatz_contract.backends import NATIVE

if TYPE_CHECKING:
    from ..section import Section

# Front ends take the palette's colours in the registry's order; the lines that are not front
# ends keep their own.
PALETTE = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#e377c2", "#bcbd22", "#8c564b", "#17becf"]
FIXED = {
    "reference": "#7f7f7f",
    "Go (blog's way)": "#00bfbf",
    "Go (careful)": "#5b3a29",
    "plain C": "#000000",
}
OTHER = "#333333"


def color(name: str) -> str:
    """The colour of a line or bar: by the front end's place in the registry."""
    if name in FIXED:
        return FIXED[name]
    names = [b.name for b in NATIVE]
    return PALETTE[names.index(name) % len(PALETTE)] if name in names else OTHER


def machine(results: dict[str, Any]) -> str:
    """The machine and Python a figure was measured on, for plot titles."""
    return f"{results['provenance']['cpu']}, Python {results['provenance']['python']}"


def write_all(results: dict[str, Any], sections: list[Section], out: Path) -> list[Path]:
    """Draw the plots of every section that has results; return the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for section in sections:
        if not results.get(section.key):
            continue
        for filename, plot in section.plots.items():
            fig, ax = plt.subplots(figsize=(8, 5.5))
            plot(results, fig, ax)
            fig.tight_layout()
            fig.savefig(out / filename, dpi=120)
            plt.close(fig)
            written.append(out / filename)
    return written
