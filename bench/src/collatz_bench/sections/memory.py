"""What each binding costs in memory, counted by memray (``collatz_bench.memory``): for every
front end and call shape, the heap allocations one call makes (Python objects and native
buffers together) and their bytes, what it leaves for the cyclic garbage collector, and what it
leaves behind for good (a leak: 0 everywhere, or a defect); beside them, the time of the same
call in this run. Then what one live object holds, and, each in a fresh process, the peak a
bulk call reaches above its input and how many data-sized buffers it makes on the way.

Counts are exact: a loop of 200 calls and one of 1000, the difference divided by 800, so what a
measurement costs once cancels. The section counts twice, in fresh processes, and says whether
the two agree (a quick run: loops of 100 and 500, counted once). memray follows the Python stack with a profile function, and from CPython 3.11
on that makes CPython create a frame object for every Python-level call, an allocation the
program would not make: what one costs is measured on a plain function, the frames are counted
by the same means and taken off, and the "Python calls" column says how many there were. A C
builtin's call and a plain Python function's come out at 0 allocations, the check that nothing
else is counted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import memory
from ..context import Context, Tick, measure_group, measure_group_steps
from ..render.plots import color, machine
from ..section import Section
from ..table import Table, ns
from ..timing import Case

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

NEXT = "for _ in T(start): pass"
"""``next()`` is timed as a drain of a Trajectory of 1133 values, per value."""


def _time_cases(ctx: Context) -> list[Case]:
    import numpy as np

    out = []
    for backend, module in ctx.native.items():
        env: dict[str, Any] = {
            "m": module,
            "SMALL": np.arange(1, 11, dtype=np.uint64),
            "MEDIUM": np.arange(1, 10_001, dtype=np.uint64),
            "noop": lambda x: None,
            "noop2": lambda done, total: None,
        }
        for key, shape in memory.SHAPES.items():
            if key == "next":
                out.append(
                    Case(
                        f"{backend.name}/{key}",
                        NEXT,
                        {"T": module.Trajectory, "start": memory.LONG_START},
                        units=1133,
                    )
                )
            else:
                out.append(Case(f"{backend.name}/{key}", shape.call, env))
    return out


def _rounds(ctx: Context) -> int:
    return max(3, ctx.config.rounds // 3)


NO_MEMRAY = "memray is not installed (pip install memray; Linux and macOS; `make` installs it)"


def steps(ctx: Context) -> int:
    if not memory.available():
        return 0
    return 3 + measure_group_steps(_time_cases(ctx), _rounds(ctx))


def _disagreements(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """Front end / shape pairs whose allocation counts differ between the two counts."""
    a, b = memory.allocations(first), memory.allocations(second)
    return [
        f"{name} {shape}"
        for name, cases in a.items()
        for shape, value in cases.items()
        if b[name][shape] != value
    ]


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    if not memory.available():
        return {"skipped": NO_MEMRAY}
    backends = {b.name: b.module for b in ctx.native}
    loops = ctx.config.memory_loops
    figures = memory.count(backends, loops=loops)
    tick()
    if ctx.config.memory_recount:
        figures["disagree"] = _disagreements(figures, memory.count(backends, objects=False, loops=loops))
    else:
        figures["disagree"] = None
    tick()
    figures["bulk"] = memory.bulk(backends, ctx.config.memory_bulk)
    tick()
    timed = measure_group(_time_cases(ctx), _rounds(ctx), ctx.config.target, tick)
    for name, cases in figures["backends"].items():
        for key, entry in cases.items():
            case = timed[f"{name}/{key}"]
            entry["ns"] = sorted(case.samples)[len(case.samples) // 2] * 1e9 / case.units
    figures["shapes"] = {key: {"what": shape.what, "per": shape.per} for key, shape in memory.SHAPES.items()}
    figures["objects_what"] = {key: what for key, (_, what) in memory.OBJECTS.items()}
    figures["leak_bytes"] = memory.LEAK
    return figures


def _bytes(value: float) -> str:
    if abs(value) >= 2**20:
        return f"{value / 2**20:,.1f} MiB"
    if abs(value) >= 10_000:
        return f"{value / 2**10:,.1f} KiB"
    return f"{value:,.0f} B" if value == int(value) else f"{value:,.1f} B"


def _count(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def leaks(own: dict[str, Any]) -> list[str]:
    """Front end / shape pairs that leave ``leak_bytes`` or more behind per call."""
    return [
        f"{name} {key}"
        for name, cases in own["backends"].items()
        for key, entry in cases.items()
        if entry["growth"] >= own["leak_bytes"]
    ]


def tables(own: dict[str, Any]) -> list[Table]:
    if "skipped" in own:
        return [Table("Memory per call (memray)", ["note"], rows=[[own["skipped"]]])]
    out = []
    agree = (
        "not checked: a quick run counts once"
        if own["disagree"] is None
        else "the two counts agree everywhere"
        if not own["disagree"]
        else ("the two counts differ for: " + ", ".join(own["disagree"]))
    )
    left = leaks(own)
    checks = Table(
        "The method's checks: a C builtin's call and a plain Python function's call allocate "
        "nothing; two counts in fresh processes; leaks",
        ["check", "result"],
        align="ll",
    )
    floor = next(iter(own["floor"].values()))
    function = next(iter(own["python_function"].values()))
    checks.rows.extend(
        [
            [
                "operator.index(27): allocations, bytes per call",
                f"{_count(floor['allocations'])}, {_bytes(floor['bytes'])}",
            ],
            [
                "def f(n): return n — allocations, bytes per call (its frame object taken off)",
                f"{_count(function['allocations'])}, {_bytes(function['bytes'])}",
            ],
            [
                "allocations a Python call's frame object costs under the tracker (taken off)",
                ", ".join(sorted({str(v) for v in own["frame_cost"].values()})),
            ],
            ["allocations per call, counted twice in fresh processes", agree],
            [
                f"left behind per call ≥ {own['leak_bytes']:.0f} bytes (a leak)",
                "none" if not left else ", ".join(left),
            ],
        ]
    )
    out.append(checks)
    for key, shape in own["shapes"].items():
        per = f"; per {shape['per']:,} items" if shape["per"] > 1 else ""
        t = Table(
            f"Memory per call: {shape['what']}{per}",
            ["front end", "allocations", "bytes", "for the cyclic GC", "left behind", "Python calls", "time"],
            note="Allocations and bytes: every heap allocation of the call, Python and native; "
            "for the cyclic GC: bytes per call freed only when a collection runs (reference cycles); "
            "left behind: bytes per call still allocated after a collection. "
            + ("Time: per value of a drained Trajectory." if key == "next" else "Time: one call, median."),
        )
        for name, cases in own["backends"].items():
            e = cases[key]
            t.rows.append(
                [
                    name,
                    _count(e["allocations"]),
                    _bytes(e["bytes"]),
                    _bytes(e["cyclic"]),
                    _bytes(e["growth"]),
                    _count(e["python_calls"]),
                    ns(e["ns"]),
                ]
            )
        out.append(t)
    objects = Table(
        "What one live object holds: bytes, Python object and native state together",
        ["front end", *own["objects_what"].values()],
    )
    for name, sizes in own["objects"].items():
        objects.rows.append([name, *(_bytes(sizes[k]) for k in own["objects_what"])])
    out.append(objects)
    bulk = own["bulk"]
    peaks = Table(
        f"Bulk data, each call in a fresh process: the heap's peak above the input, as bytes and "
        f"× the data, and the buffers of at least half the data's size made on the way "
        f"(size {bulk['size']:,})",
        ["front end", *(f"{k}: peak, × data, buffers" for k in bulk["cases"])],
        note=" ".join(f"{k}: {what}." for k, what in bulk["cases"].items())
        + " The result is one of the buffers, and counts in the peak.",
    )
    for name, cases in bulk["backends"].items():
        peaks.rows.append(
            [
                name,
                *(
                    f"{_bytes(e['peak_bytes'])}, {e['peak_per_data']:.2f}×, {e['copies']}"
                    for e in cases.values()
                ),
            ]
        )
    out.append(peaks)
    return out


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    if "skipped" in results["memory"]:
        ax.text(0.5, 0.5, results["memory"]["skipped"], ha="center", va="center", wrap=True)
        ax.set_axis_off()
        return
    bulk = results["memory"]["bulk"]
    names = list(bulk["backends"])
    cases = list(bulk["cases"])
    width = 0.8 / len(cases)
    for i, case in enumerate(cases):
        xs = [j + (i - (len(cases) - 1) / 2) * width for j in range(len(names))]
        ax.bar(
            xs,
            [bulk["backends"][n][case]["peak_per_data"] for n in names],
            width,
            label=case,
            color=["#4c72b0", "#dd8452", "#55a868"][i % 3],
        )
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    for label in ax.get_xticklabels():
        label.set_color(color(label.get_text()))
    ax.axhline(1, color="#333333", linewidth=0.8)
    ax.set_ylabel("peak heap above the input ÷ the data's size")
    ax.set_title(
        f"Bulk data: the peak a call reaches, × the data (size {bulk['size']:,})\n{machine(results)}",
        fontsize=10,
    )
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)


SECTION = Section("memory", "memory per call", steps, run, tables, plots={"memory.png": plot})
