"""The floor, and what one scalar call costs.

The floor is a call of a C builtin that takes one int and returns one (``operator.index``);
every backend's public ``step(27)`` is timed next to it, and so is the binding's own call
under the public wrapper where its probes name one (``collatz_bench.probes``) (with its variants), so that the
wrapper's share shows.
"""

from __future__ import annotations

import operator
import statistics
from typing import TYPE_CHECKING, Any

from .. import probes
from ..context import Context
from ..render.plots import color, machine
from ..section import timed
from ..table import Table, ns, ratio_ci, spread
from ..timing import Case, Summary, ratio_summary

FLOOR = "floor/operator.index"
PYTHON_FUNCTION = "floor/python_function"

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def python_function(n: int) -> int:
    """The second floor: a one-line Python function."""
    return n


def cases(ctx: Context) -> list[Case]:
    out = [
        Case(FLOOR, "f(a)", {"f": operator.index, "a": 27}),
        Case(PYTHON_FUNCTION, "f(a)", {"f": python_function, "a": 27}),
    ]
    if ctx.go is not None:
        for way, f in _go_ways(ctx).items():
            out.append(Case(f"go/{way}", "f(a)", {"f": f, "a": 27}))
    for backend, module in ctx.backends.items():
        out.append(Case(f"public/{backend.name}", "f(a)", {"f": module.step, "a": 27}))
        inside = probes.of(backend)
        if inside.raw_step is not None:
            out.append(Case(f"raw/{backend.name}", "f(a)", {"f": inside.raw_step.load(), "a": 27}))
        for i, variant in enumerate(inside.variants):
            out.append(Case(f"variant/{backend.name}/{i}", "f(a)", {"f": variant.load(), "a": 27}))
    return out


GO_WAYS = {
    "blog": "Go via ctypes, the blog's way (c_int, argtypes set on every call)",
    "careful": "Go via ctypes, the careful way (c_int64, declared once)",
}


def _go_ways(ctx: Context) -> dict[str, Any]:
    assert ctx.go is not None
    return {"blog": ctx.go.blog_collatz, "careful": ctx.go.careful_collatz}


def _timed(case: Case, floor: list[float], what: str) -> dict[str, Any]:
    return {
        "what": what,
        "ns_per_call": Summary.of(case.samples).as_dict(),
        "ratio_to_floor": ratio_summary(case.samples, floor).as_dict(),
    }


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    result: dict[str, Any] = {
        "floor": {
            "operator.index": Summary.of(floor).as_dict(),
            "python_function": Summary.of(measured[PYTHON_FUNCTION].samples).as_dict(),
            "python_function_ratio": ratio_summary(measured[PYTHON_FUNCTION].samples, floor).as_dict(),
        },
        "backends": {},
    }
    if ctx.go is not None:
        result["go"] = {way: _timed(measured[f"go/{way}"], floor, what) for way, what in GO_WAYS.items()}
    for backend, module in ctx.backends.items():
        public = measured[f"public/{backend.name}"]
        entry = _timed(public, floor, f"{backend.module}.step")
        entry["mode"] = getattr(module, "MODE", None)
        entry["raw"] = None
        inside = probes.of(backend)
        if inside.raw_step is not None:
            raw = measured[f"raw/{backend.name}"]
            entry["raw"] = _timed(raw, floor, inside.raw_step.what)
            # The wrapper's cost, taken within each round (the two calls timed side by side),
            # then the median; a difference the noise makes negative is reported as 0.
            differences = [p - r for p, r in zip(public.samples, raw.samples, strict=True)]
            wrapper = statistics.median(differences) * 1e9
            entry["raw"]["wrapper_ns"] = max(wrapper, 0.0)
            entry["raw"]["wrapper_within_noise"] = wrapper <= 0
        entry["variants"] = [
            _timed(measured[f"variant/{backend.name}/{i}"], floor, variant.what)
            for i, variant in enumerate(inside.variants)
        ]
        result["backends"][backend.name] = entry
    return result


def tables(scalar: dict[str, Any]) -> list[Table]:
    floor = scalar["floor"]
    t = Table(
        "Scalar call: step(27), median [IQR] per call; ratios to the floor with their bootstrap 95 % interval",
        ["backend", "public call", "× floor", "raw binding call", "raw × floor", "wrapper"],
    )
    t.rows.append(["floor: operator.index", spread(floor["operator.index"]), "1.00", "", "", ""])
    t.rows.append(
        [
            "floor: one-line Python function",
            spread(floor["python_function"]),
            f"{floor['python_function_ratio']['median']:.2f}",
            "",
            "",
            "",
        ]
    )
    for entry in scalar.get("go", {}).values():
        t.rows.append(
            [
                entry["what"],
                spread(entry["ns_per_call"]),
                f"{entry['ratio_to_floor']['median']:.2f}",
                "",
                "",
                "",
            ]
        )
    for name, entry in scalar["backends"].items():
        raw = entry["raw"]
        t.rows.append(
            [
                name if entry.get("mode") is None else f"{name} ({entry['mode']} mode)",
                spread(entry["ns_per_call"]),
                ratio_ci(entry["ratio_to_floor"]),
                spread(raw["ns_per_call"]) if raw else "(same)",
                ratio_ci(raw["ratio_to_floor"]) if raw else "",
                (ns(raw["wrapper_ns"]) if not raw["wrapper_within_noise"] else "≈ 0") if raw else "",
            ]
        )
        for variant in entry["variants"]:
            t.rows.append(
                [
                    f"{name}: {variant['what']}",
                    "",
                    "",
                    spread(variant["ns_per_call"]),
                    f"{variant['ratio_to_floor']['median']:.2f}",
                    "",
                ]
            )
    return [t]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
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
            colors.append(color(name))
    fig.set_size_inches(9, 0.45 * len(labels) + 1.8)
    y = range(len(labels))
    ax.barh(y, values, xerr=list(zip(*errors, strict=True)) if errors else None, color=colors, alpha=0.85)
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    floor = scalar["floor"]["operator.index"]["median"]
    ax.axvline(floor, color="black", linestyle="--", label=f"floor: operator.index ({floor:.0f} ns)")
    pyfun = scalar["floor"]["python_function"]["median"]
    ax.axvline(pyfun, color="gray", linestyle=":", label=f"one-line Python function ({pyfun:.0f} ns)")
    ax.set_xlabel("ns per call of step(27) (log scale; bars: median, whiskers: IQR)")
    ax.set_title(f"Scalar call overhead per backend\n{machine(results)}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)


SECTION = timed("scalar", "scalar call overhead", cases, summary, tables, plots={"scalar_overhead.png": plot})
