"""PNG plots (matplotlib), one function per plot, keyed by the section whose results it draws.
A section without an entry here has tables only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLORS = {
    "reference": "#7f7f7f",
    "pyo3": "#d62728",
    "cffi": "#1f77b4",
    "ctypes": "#2ca02c",
    "uniffi": "#9467bd",
    "cython": "#ff7f0e",
    "Go (blog's way)": "#17becf",
    "Go (careful)": "#8c564b",
    "plain C": "#000000",
}
OTHER = "#333333"


def _machine(results: dict[str, Any]) -> str:
    return f"{results['provenance']['cpu']}, Python {results['provenance']['python']}"


def scalar_overhead(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    scalar = results["scalar"]
    labels, values, errors, colors = [], [], [], []
    for name, entry in scalar["backends"].items():
        timed = [(name, entry["ns_per_call"])]
        if entry["raw"]:
            timed.append((f"{name}: {entry['raw']['what']}", entry["raw"]["ns_per_call"]))
        timed += [(f"{name}: {v['what']}", v["ns_per_call"]) for v in entry["variants"]]
        for label, summary in timed:
            labels.append(label)
            values.append(summary["median"])
            errors.append([summary["median"] - summary["q1"], summary["q3"] - summary["median"]])
            colors.append(COLORS.get(name, OTHER))
    fig.set_size_inches(9, 0.45 * len(labels) + 1.8)
    y = range(len(labels))
    ax.barh(y, values, xerr=list(zip(*errors)) if errors else None, color=colors, alpha=0.85)
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    floor = scalar["floor"]["operator.index"]["median"]
    ax.axvline(floor, color="black", linestyle="--", label=f"floor: operator.index ({floor:.0f} ns)")
    pyfun = scalar["floor"]["python_function"]["median"]
    ax.axvline(pyfun, color="gray", linestyle=":", label=f"one-line Python function ({pyfun:.0f} ns)")
    ax.set_xlabel("ns per call of step(27) (log scale; bars: median, whiskers: IQR)")
    ax.set_title(f"Scalar call overhead per backend\n{_machine(results)}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)


def amortisation(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    amort = results["amortisation"]
    for name, entry in {**amort["backends"], **amort.get("go", {})}.items():
        ks = [p["k"] for p in entry["points"]]
        ns = [p["ns_per_call"]["median"] for p in entry["points"]]
        style = "--" if name.startswith("Go") else "-"
        ax.loglog(ks, ns, marker="o", linestyle=style, color=COLORS.get(name, OTHER), label=name)
    all_k = sorted({p["k"] for e in amort["backends"].values() for p in e["points"]})
    native = amort["native_per_step_ns"]
    ax.loglog(all_k, [native * k for k in all_k], color="black", linestyle="--",
              label=f"native core, {native:.2f} ns/step")
    plain = results["headline"].get("plain_c_per_step_ns")
    if plain:
        ax.loglog(all_k, [plain * k for k in all_k], color="black", linestyle=":",
                  label=f"plain C loop (-O2), {plain:.2f} ns/step")
    ax.set_xlabel("k (steps per call)")
    ax.set_ylabel("ns per call of iterate(27, k)")
    ax.set_title(f"Amortisation: where the per-call overhead stops mattering\n{_machine(results)}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def bulk(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    for name, rows in results["bulk"].items():
        color = COLORS.get(name, OTHER)
        ax.loglog([r["n"] for r in rows], [r["ns_per_element"]["median"] for r in rows], marker="o",
                  color=color, label=f"{name}: stopping_times")
        conv = [r for r in rows if "convert_ns_per_element" in r]
        if conv:
            ax.loglog([r["n"] for r in conv], [r["convert_ns_per_element"]["median"] for r in conv],
                      linestyle="--", color=color, alpha=0.7, label=f"{name}: conversion only")
    ax.set_xlabel("N (elements per call)")
    ax.set_ylabel("ns per element")
    ax.set_title(f"Bulk calls: stopping_times(1..N) and conversion-only cost (all ones)\n{_machine(results)}",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)


def threads(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    th = results["threads"]
    names = list(th)
    ax.bar(names, [th[n]["speedup"]["median"] for n in names], color=[COLORS.get(n, OTHER) for n in names])
    ax.axhline(1, color="gray", linestyle=":", label="no gain (GIL held)")
    ax.axhline(2, color="black", linestyle="--", label="ideal on 2 threads")
    ax.set_ylabel("speed-up, 2 threads vs 1 (same total work)")
    ax.set_title(f"Does the backend release the GIL?\n{_machine(results)}", fontsize=10)
    ax.legend(fontsize=8)


def shapes(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    section = results["shapes"]
    names = list(section["backends"])
    kinds = [
        ("array_ns_per_value", "array: trajectory(n)"),
        ("iterator_ns_per_value", "iterator: Trajectory(n)"),
        ("callback_ns_per_value", "callback: walk(n, visit)"),
    ]
    width = 0.8 / len(kinds)
    for i, (key, label) in enumerate(kinds):
        xs = [j + (i - 1) * width for j in range(len(names))]
        ax.bar(xs, [section["backends"][n][key] for n in names], width, label=label,
               color=["#4c72b0", "#dd8452", "#55a868"][i])
    ax.set_xticks(range(len(names)), names)
    ax.set_yscale("log")
    ax.set_ylabel("ns per value (log scale)")
    ax.set_title(f"Three ways to one sequence: the {section['values']} values of the trajectory of "
                 f"{section['n']}\n{_machine(results)}", fontsize=10)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)


Plot = Callable[[dict[str, Any], "Figure", "Axes"], None]
PLOTS: dict[str, dict[str, Plot]] = {
    "scalar": {"scalar_overhead.png": scalar_overhead},
    "amortisation": {"amortisation.png": amortisation},
    "bulk": {"bulk.png": bulk},
    "threads": {"threads.png": threads},
    "shapes": {"shapes.png": shapes},
}


def write_all(results: dict[str, Any], out: Path) -> list[Path]:
    """Draw every plot whose section has results; return the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for key, plots in PLOTS.items():
        if not results.get(key):
            continue
        for filename, plot in plots.items():
            fig, ax = plt.subplots(figsize=(8, 5.5))
            plot(results, fig, ax)
            fig.tight_layout()
            fig.savefig(out / filename, dpi=120)
            plt.close(fig)
            written.append(out / filename)
    return written
