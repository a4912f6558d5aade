"""Bulk: ``total_stopping_times`` on 1 … N elements per backend and in the plain C loop:
ns per element, and the conversion-only cost (an array of ones, whose total stopping times are
free) that a binding adds per element."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..context import Context
from ..render.plots import color, machine
from ..section import timed
from ..table import Table, power_of_ten
from ..timing import Case, Summary, ratio_summary

PLAIN_C = "plain C"

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def cases(ctx: Context) -> list[Case]:
    out = []
    for n in ctx.config.bulk_sizes:
        values = np.arange(1, n + 1, dtype=np.uint64)
        ones = np.ones(n, dtype=np.uint64)
        for backend, module in ctx.backends.items():
            if not backend.native and n > ctx.config.reference_max_bulk:
                continue
            f = module.total_stopping_times
            out.append(Case(f"bulk/{backend.name}/{n}", "f(v)", {"f": f, "v": values}, units=n))
            out.append(Case(f"convert/{backend.name}/{n}", "f(v)", {"f": f, "v": ones}, units=n))
        if ctx.plain_c is not None:
            out.append(
                Case(
                    f"bulk/{PLAIN_C}/{n}",
                    "f(v)",
                    {"f": ctx.plain_c.total_stopping_times, "v": values},
                    units=n,
                )
            )
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    names = [b.name for b in ctx.backends] + ([PLAIN_C] if ctx.plain_c is not None else [])
    result: dict[str, Any] = {}
    for name in names:
        rows = []
        for n in ctx.config.bulk_sizes:
            case = measured.get(f"bulk/{name}/{n}")
            if case is None:
                continue
            row: dict[str, Any] = {"n": n, "ns_per_element": Summary.of(case.samples, n).as_dict()}
            convert = measured.get(f"convert/{name}/{n}")
            if convert is not None:
                row["convert_ns_per_element"] = Summary.of(convert.samples, n).as_dict()
            c = measured.get(f"bulk/{PLAIN_C}/{n}")
            if c is not None and name != PLAIN_C:
                row["vs_plain_c"] = ratio_summary(case.samples, c.samples).as_dict()
            rows.append(row)
        result[name] = rows
    return result


def tables(bulk: dict[str, Any]) -> list[Table]:
    sizes = sorted({row["n"] for rows in bulk.values() for row in rows})
    largest = sizes[-1]
    t = Table(
        "Bulk: total_stopping_times(1..N), ns per element (median)",
        [
            "backend",
            *[f"N={power_of_ten(n)}" for n in sizes],
            f"convert only, N={power_of_ten(largest)}",
            f"speed-up vs plain C, N={power_of_ten(largest)}",
        ],
    )
    for name, rows in bulk.items():
        by_n = {row["n"]: row for row in rows}
        top = by_n.get(largest, {})
        t.rows.append(
            [
                name,
                *[f"{by_n[n]['ns_per_element']['median']:.1f}" if n in by_n else "" for n in sizes],
                f"{top['convert_ns_per_element']['median']:.2f}" if "convert_ns_per_element" in top else "",
                f"{1 / top['vs_plain_c']['median']:.2f}×" if "vs_plain_c" in top else "",
            ]
        )
    return [t]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    for name, rows in results["bulk"].items():
        line = color(name)
        ax.loglog(
            [r["n"] for r in rows],
            [r["ns_per_element"]["median"] for r in rows],
            marker="o",
            color=line,
            label=f"{name}: total_stopping_times",
        )
        conv = [r for r in rows if "convert_ns_per_element" in r]
        if conv:
            ax.loglog(
                [r["n"] for r in conv],
                [r["convert_ns_per_element"]["median"] for r in conv],
                linestyle="--",
                color=line,
                alpha=0.7,
                label=f"{name}: conversion only",
            )
    ax.set_xlabel("N (elements per call)")
    ax.set_ylabel("ns per element")
    ax.set_title(
        f"Bulk calls: total_stopping_times(1..N) and conversion-only cost (all ones)\n{machine(results)}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)


SECTION = timed("bulk", "bulk total_stopping_times", cases, summary, tables, plots={"bulk.png": plot})
