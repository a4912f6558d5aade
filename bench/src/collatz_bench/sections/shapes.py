"""Three ways to one sequence: the same trajectory as an array (``trajectory``), an iterator
(``Trajectory``) and a callback (``walk``), ns per value per backend, from the three sections
before this one (same run, longest trajectory). Measures nothing itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..context import Context, Tick
from ..render.plots import machine
from ..section import Section
from ..table import Table, ns

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def steps(ctx: Context) -> int:
    return 0


def run(ctx: Context, tick: Tick) -> dict[str, Any] | None:
    results = ctx.results
    out: dict[str, Any] = {
        "n": results["objects"]["n"],
        "values": results["objects"]["values"],
        "backends": {},
    }
    for name, rows in results["trajectory"]["backends"].items():
        longest = rows[-1]
        out["backends"][name] = {
            "array_ns_per_value": longest["ns_per_value"]["median"],
            "iterator_ns_per_value": results["objects"]["backends"][name]["drain_ns_per_value"]["median"],
            "callback_ns_per_value": results["callbacks"]["backends"][name]["ns_per_visit"]["median"],
        }
    return out


def tables(section: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Three ways to one sequence: the {section['values']} values of the trajectory of "
        f"{section['n']}, ns per value",
        ["backend", "array: trajectory(n)", "iterator: Trajectory(n)", "callback: walk(n, visit)"],
        note="The iterator is drained by a Python for loop; the callback is a no-op Python function.",
    )
    for name, entry in section["backends"].items():
        t.rows.append(
            [
                name,
                ns(entry["array_ns_per_value"]),
                ns(entry["iterator_ns_per_value"]),
                ns(entry["callback_ns_per_value"]),
            ]
        )
    return [t]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
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
        ax.bar(
            xs,
            [section["backends"][n][key] for n in names],
            width,
            label=label,
            color=["#4c72b0", "#dd8452", "#55a868"][i],
        )
    # Eight front ends share the axis: slanted labels, so neighbours do not run together.
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("ns per value (log scale)")
    ax.set_title(
        f"Three ways to one sequence: the {section['values']} values of the trajectory of "
        f"{section['n']}\n{machine(results)}",
        fontsize=10,
    )
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)


SECTION = Section(
    "shapes",
    "three ways to one sequence",
    steps,
    run,
    tables,
    needs=("trajectory", "objects", "callbacks"),
    plots={"shapes.png": plot},
)
