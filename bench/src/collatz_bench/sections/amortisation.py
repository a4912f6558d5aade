"""Amortisation: ``iterate(27, k)`` for k = 1, 10, … per backend: ns per call and
per step, the per-call overhead and per-step cost fitted from them, and the ``k`` at which
each backend reaches 90 % of the native per-step speed (from the headline section)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..context import Context
from ..render.plots import color, machine
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary

GO_WAYS = {"Go (blog's way)": "blog_loop", "Go (careful)": "careful_loop"}

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _runners(ctx: Context) -> dict[str, tuple[Any, bool]]:
    """Every loop to time: name -> (iterate-like function, native)."""
    runners: dict[str, tuple[Any, bool]] = {b.name: (m.iterate, b.native) for b, m in ctx.backends.items()}
    if ctx.go is not None:
        for name, attribute in GO_WAYS.items():
            runners[name] = (getattr(ctx.go, attribute), True)
    return runners


def cases(ctx: Context) -> list[Case]:
    out = []
    for name, (iterate, native) in _runners(ctx).items():
        for k in ctx.config.ks:
            if not native and k > ctx.config.reference_max_k:
                continue
            out.append(Case(f"{name}/{k}", "f(a, k)", {"f": iterate, "a": 27, "k": k}, units=k))
    return out


def fit_overhead(ks: list[int], seconds: list[float]) -> tuple[float, float]:
    """Fit ``t(k) = overhead + per_step * k`` (ns) minimising relative error."""
    k = np.asarray(ks, dtype=float)
    t = np.asarray(seconds, dtype=float) * 1e9
    design = np.stack([1 / t, k / t], axis=1)
    (overhead, per_step), *_ = np.linalg.lstsq(design, np.ones_like(t), rcond=None)
    return float(overhead), float(per_step)


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    native_per_step_ns = ctx.results["headline"]["native_per_step_ns"]
    result: dict[str, Any] = {"native_per_step_ns": native_per_step_ns, "backends": {}, "go": {}}
    for name, (_, native) in _runners(ctx).items():
        points = []
        ks, medians = [], []
        for k in ctx.config.ks:
            case = measured.get(f"{name}/{k}")
            if case is None:
                continue
            per_call = Summary.of(case.samples)
            points.append({"k": k, "ns_per_call": per_call.as_dict(), "ns_per_step": per_call.median / k})
            ks.append(k)
            medians.append(per_call.median / 1e9)
        overhead, per_step = fit_overhead(ks, medians)
        where = "go" if name in GO_WAYS else "backends"
        result[where][name] = {
            "points": points,
            "fit": {"overhead_ns": overhead, "per_step_ns": per_step},
            # Never, for a loop whose own per-step cost is clearly above the native core's (the
            # reference, Go); the fit's noise on the Rust front ends stays far below 1.5x.
            "k_at_90pct_native": (
                9 * overhead / native_per_step_ns if native and per_step < 1.5 * native_per_step_ns else None
            ),
        }
    return result


def tables(amort: dict[str, Any]) -> list[Table]:
    t = Table(
        f"Amortisation: iterate(27, k); native core {amort['native_per_step_ns']:.2f} ns/step",
        ["backend", "overhead (fit)", "per step (fit)", "ns/step at largest k", "k for 90 % of native"],
    )
    for name, entry in {**amort["backends"], **amort.get("go", {})}.items():
        last = entry["points"][-1]
        k90 = entry["k_at_90pct_native"]
        t.rows.append(
            [
                name,
                ns(entry["fit"]["overhead_ns"]),
                f"{entry['fit']['per_step_ns']:.2f} ns",
                f"{last['ns_per_step']:.2f} ns (k={last['k']:.0e})",
                f"{k90:,.0f}" if k90 is not None else "never",
            ]
        )
    return [t]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    amort = results["amortisation"]
    for name, entry in {**amort["backends"], **amort.get("go", {})}.items():
        ks = [p["k"] for p in entry["points"]]
        ns = [p["ns_per_call"]["median"] for p in entry["points"]]
        style = "--" if name.startswith("Go") else "-"
        ax.loglog(ks, ns, marker="o", linestyle=style, color=color(name), label=name)
    all_k = sorted({p["k"] for e in amort["backends"].values() for p in e["points"]})
    native = amort["native_per_step_ns"]
    ax.loglog(
        all_k,
        [native * k for k in all_k],
        color="black",
        linestyle="--",
        label=f"native core, {native:.2f} ns/step",
    )
    plain = results["headline"].get("plain_c_per_step_ns")
    if plain:
        ax.loglog(
            all_k,
            [plain * k for k in all_k],
            color="black",
            linestyle=":",
            label=f"plain C loop (-O2), {plain:.2f} ns/step",
        )
    ax.set_xlabel("k (steps per call)")
    ax.set_ylabel("ns per call of iterate(27, k)")
    ax.set_title(
        f"Amortisation: where the per-call overhead stops mattering\n{machine(results)}", fontsize=10
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


SECTION = timed(
    "amortisation",
    "amortisation over k",
    cases,
    summary,
    tables,
    needs=("headline",),
    plots={"amortisation.png": plot},
)
