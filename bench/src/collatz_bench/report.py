"""The results as a terminal table (rich), a JSON file and PNG plots (matplotlib)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def _ns(value: float) -> str:
    if value >= 1e9:
        return f"{value / 1e9:.2f} s"
    if value >= 1e6:
        return f"{value / 1e6:.2f} ms"
    if value >= 1e3:
        return f"{value / 1e3:.2f} µs"
    if value >= 10:
        return f"{value:.0f} ns"
    return f"{value:.2f} ns"


def _seconds(value: float) -> str:
    if value >= 120:
        return f"{value / 60:.1f} min"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1e3:.0f} ms"
    if value >= 0.001:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def _spread(summary: dict[str, float]) -> str:
    return f"{_ns(summary['median'])} [{_ns(summary['q1'])}–{_ns(summary['q3'])}]"


def print_tables(results: dict[str, Any], console: Console) -> None:
    p = results["provenance"]
    console.print(
        f"[bold]collatz-bench[/] ({results['config']['name']}) on {p['cpu']}, {p['cores']} cores, "
        f"Python {p['python']}, {p['rustc']}, commit {str(p['git_commit'])[:10]}"
        f"{' (dirty)' if p['git_dirty'] else ''}"
    )

    scalar = results["scalar"]
    floor = scalar["floor"]
    t = Table(title="Scalar call: step(27), median [IQR] per call")
    for column in ("backend", "public call", "× floor", "raw binding call", "raw × floor", "wrapper"):
        t.add_column(column, justify="right" if column != "backend" else "left")
    t.add_row("floor: operator.index", _spread(floor["operator.index"]), "1.00", "", "", "")
    t.add_row(
        "floor: Python function",
        _spread(floor["python_function"]),
        f"{floor['python_function_ratio']['median']:.2f}",
        "", "", "",
    )
    for name, entry in scalar["backends"].items():
        raw = entry["raw"]
        t.add_row(
            name,
            _spread(entry["ns_per_call"]),
            f"{entry['ratio_to_floor']['median']:.2f}",
            _spread(raw["ns_per_call"]) if raw else "(same)",
            f"{raw['ratio_to_floor']['median']:.2f}" if raw else "",
            _ns(raw["wrapper_ns"]) if raw else "",
        )
        abi = entry.get("abi_mode_raw")
        if abi:
            t.add_row(
                f"{name}: ABI mode (raw)",
                "",
                "",
                _spread(abi["ns_per_call"]),
                f"{abi['ratio_to_floor']['median']:.2f}",
                "",
            )
    console.print(t)

    amort = results["amortisation"]
    t = Table(title=f"Amortisation: iterate(27, k); native core {results['native']['per_step_ns']:.2f} ns/step")
    for column in ("backend", "overhead (fit)", "per step (fit)", "ns/step at largest k", "k for 90 % of native"):
        t.add_column(column, justify="right" if column != "backend" else "left")
    for name, entry in amort.items():
        last = entry["points"][-1]
        k90 = entry["k_at_90pct_native"]
        t.add_row(
            name,
            _ns(entry["fit"]["overhead_ns"]),
            f"{entry['fit']['per_step_ns']:.2f} ns",
            f"{last['ns_per_step']:.2f} ns (k={last['k']:.0e})",
            f"{k90:,.0f}" if k90 is not None else "never",
        )
    console.print(t)

    h = results["headline"]
    t = Table(title="The blog's headline: 10^9 Collatz steps")
    for column in ("how", "time", "how measured", "blog"):
        t.add_column(column, justify="right" if column in ("time", "blog") else "left")
    t.add_row(
        "pure Python loop",
        _seconds(h["pure_python"]["seconds"]),
        f"extrapolated from {h['pure_python']['extrapolated_from_steps']:,} steps",
        _seconds(h["blog"]["pure_python_s"]),
    )
    for name, entry in h["per_step_calls"].items():
        t.add_row(
            f"one {name} call per step",
            _seconds(entry["seconds"]),
            f"extrapolated from {entry['extrapolated_from_steps']:,} calls",
            _seconds(h["blog"]["per_step_calls_s"]),
        )
    for name, entry in h["one_call"].items():
        how = f"iterate(27, {entry['k']:.0e})" + (", extrapolated" if entry["extrapolated"] else "")
        t.add_row(f"one {name} call", _seconds(entry["seconds"]), how, _seconds(h["blog"]["one_call_s"]))
    console.print(t)

    bulk = results["bulk"]
    t = Table(title="Bulk: stopping_times(1..N), ns per element (median)")
    t.add_column("backend")
    sizes = sorted({row["n"] for rows in bulk.values() for row in rows})
    for n in sizes:
        t.add_column(f"N={n:.0e}", justify="right")
    t.add_column("convert only, largest N", justify="right")
    t.add_column("speed-up vs plain C, largest N", justify="right")
    for name, rows in bulk.items():
        by_n = {row["n"]: row for row in rows}
        last = rows[-1]
        t.add_row(
            name,
            *[f"{by_n[n]['ns_per_element']['median']:.1f}" if n in by_n else "" for n in sizes],
            f"{last['convert_ns_per_element']['median']:.2f}" if "convert_ns_per_element" in last else "",
            f"{1 / last['vs_plain_c']['median']:.2f}×" if "vs_plain_c" in last else "",
        )
    console.print(t)

    rng = results["range"]
    t = Table(title=f"Range: max_stopping_time({rng['limit']:.0e}), all cores vs the plain C loop (1 core)")
    for column in ("backend", "time", "answer", "speed-up vs plain C"):
        t.add_column(column, justify="right" if column != "backend" else "left")
    for name, entry in rng["backends"].items():
        t.add_row(
            name,
            _seconds(entry["seconds"]),
            str(tuple(entry["answer"])),
            f"{1 / entry['vs_plain_c']['median']:.1f}×" if "vs_plain_c" in entry else "",
        )
    console.print(t)

    th = results["threads"]
    t = Table(title="Threads: the same stopping_times work from 1 and from 2 Python threads")
    for column in ("backend", "elements/call", "1 thread", "2 threads", "speed-up", "GIL released"):
        t.add_column(column, justify="right" if column != "backend" else "left")
    for name, entry in th.items():
        t.add_row(
            name,
            str(entry["elements_per_call"]),
            _seconds(entry["one_thread_s"]),
            _seconds(entry["two_threads_s"]),
            f"{entry['speedup']['median']:.2f}×",
            "yes" if entry["releases_gil"] else "no",
        )
    console.print(t)


def print_uniffi_breakdown(results: dict[str, Any], console: Console) -> None:
    parts = results.get("uniffi_breakdown")
    if not parts:
        return
    whole = parts["whole generated step(27)"]
    t = Table(title="Where a UniFFI call's time goes: the generated step(27), part by part")
    t.add_column("part")
    t.add_column("ns per call", justify="right")
    t.add_column("share", justify="right")
    for name, ns in parts.items():
        t.add_row(name, f"{ns:.0f}", "" if name.startswith("whole") else f"{ns / whole:.0%}")
    console.print(t)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")


COLORS = {
    "reference": "#7f7f7f",
    "pyo3": "#d62728",
    "cffi": "#1f77b4",
    "ctypes": "#2ca02c",
    "uniffi": "#9467bd",
    "plain C": "#000000",
}


def write_plots(results: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    machine = f"{results['provenance']['cpu']}, Python {results['provenance']['python']}"
    written: list[Path] = []

    # 1. Scalar overhead per backend, floor marked.
    scalar = results["scalar"]
    labels, values, errors, colors = [], [], [], []
    for name, entry in scalar["backends"].items():
        for label, summary in ((name, entry["ns_per_call"]),) + (
            ((f"{name} (raw)", entry["raw"]["ns_per_call"]),) if entry["raw"] else ()
        ) + (
            ((f"{name} (ABI mode, raw)", entry["abi_mode_raw"]["ns_per_call"]),)
            if entry.get("abi_mode_raw")
            else ()
        ):
            labels.append(label)
            values.append(summary["median"])
            errors.append([summary["median"] - summary["q1"], summary["q3"] - summary["median"]])
            colors.append(COLORS.get(name, "#333333"))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.8))
    y = range(len(labels))
    ax.barh(y, values, xerr=list(zip(*errors)) if errors else None, color=colors, alpha=0.85)
    ax.set_yticks(list(y), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    floor = scalar["floor"]["operator.index"]["median"]
    ax.axvline(floor, color="black", linestyle="--", label=f"floor: operator.index ({floor:.0f} ns)")
    pyfun = scalar["floor"]["python_function"]["median"]
    ax.axvline(pyfun, color="gray", linestyle=":", label=f"one-line Python function ({pyfun:.0f} ns)")
    ax.set_xlabel("ns per call of step(27) (log scale; bars: median, whiskers: IQR)")
    ax.set_title(f"Scalar call overhead per backend\n{machine}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    written.append(out / "scalar_overhead.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    # 2. ns per call against k, log-log, with the native per-step line.
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for name, entry in results["amortisation"].items():
        ks = [p["k"] for p in entry["points"]]
        ns = [p["ns_per_call"]["median"] for p in entry["points"]]
        ax.loglog(ks, ns, marker="o", color=COLORS.get(name), label=name)
    all_k = sorted({p["k"] for e in results["amortisation"].values() for p in e["points"]})
    native = results["native"]["per_step_ns"]
    ax.loglog(all_k, [native * k for k in all_k], color="black", linestyle="--",
              label=f"native core, {native:.2f} ns/step")
    plain = results["native"].get("plain_c_per_step_ns")
    if plain:
        ax.loglog(all_k, [plain * k for k in all_k], color="black", linestyle=":",
                  label=f"plain C loop (-O2), {plain:.2f} ns/step")
    ax.set_xlabel("k (steps per call)")
    ax.set_ylabel("ns per call of iterate(27, k)")
    ax.set_title(f"Amortisation: where the per-call overhead stops mattering\n{machine}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    written.append(out / "amortisation.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    # 3. Bulk: ns per element against N, with conversion-only cost dashed.
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for name, rows in results["bulk"].items():
        ns = [r["n"] for r in rows]
        ax.loglog(ns, [r["ns_per_element"]["median"] for r in rows], marker="o",
                  color=COLORS.get(name), label=f"{name}: stopping_times")
        conv = [r for r in rows if "convert_ns_per_element" in r]
        if conv:
            ax.loglog([r["n"] for r in conv], [r["convert_ns_per_element"]["median"] for r in conv],
                      linestyle="--", color=COLORS.get(name), alpha=0.7, label=f"{name}: conversion only")
    ax.set_xlabel("N (elements per call)")
    ax.set_ylabel("ns per element")
    ax.set_title(f"Bulk calls: stopping_times(1..N) and conversion-only cost (all ones)\n{machine}",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    written.append(out / "bulk.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)

    # 4. Threads: speed-up from a second Python thread.
    th = results["threads"]
    fig, ax = plt.subplots(figsize=(7, 4))
    names = list(th)
    ax.bar(names, [th[n]["speedup"]["median"] for n in names], color=[COLORS.get(n) for n in names])
    ax.axhline(1, color="gray", linestyle=":", label="no gain (GIL held)")
    ax.axhline(2, color="black", linestyle="--", label="ideal on 2 threads")
    ax.set_ylabel("speed-up, 2 threads vs 1 (same total work)")
    ax.set_title(f"Does the backend release the GIL?\n{machine}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    written.append(out / "threads.png")
    fig.savefig(written[-1], dpi=120)
    plt.close(fig)
    return written


def markdown(results: dict[str, Any]) -> str:
    """The headline figures as Markdown tables (for the README's Results section)."""
    p = results["provenance"]
    lines = [
        f"Machine: {p['cpu']}, {p['cores']} cores, {p['os']}; Python {p['python']}; "
        f"{p['rustc']}; commit `{str(p['git_commit'])[:10]}`"
        f"{' (dirty)' if p['git_dirty'] else ''}; {p['date']}; "
        f"{results['config']['name']} run, {results['config']['rounds']} rounds.",
        "",
        "| backend | `step(27)` per call | × floor | raw binding call | raw × floor | "
        "overhead (fit) | k for 90 % of native | bulk ns/element, N=10^6 | convert only | 2-thread speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    floor = results["scalar"]["floor"]
    lines.append(
        f"| floor: `operator.index` | {_ns(floor['operator.index']['median'])} | 1.00 | | | | | | | |"
    )
    lines.append(
        f"| floor: one-line Python function | {_ns(floor['python_function']['median'])} | "
        f"{floor['python_function_ratio']['median']:.2f} | | | | | | | |"
    )
    for name, entry in results["scalar"]["backends"].items():
        raw = entry["raw"]
        amort = results["amortisation"][name]
        k90 = amort["k_at_90pct_native"]
        rows = results["bulk"].get(name, [])
        last = rows[-1] if rows else {}
        bulk = f"{last['ns_per_element']['median']:.1f} (N={last['n']:.0e})" if last else ""
        conv = f"{last['convert_ns_per_element']['median']:.2f}" if "convert_ns_per_element" in last else ""
        raw_cells = (
            f"{_ns(raw['ns_per_call']['median'])} | {raw['ratio_to_floor']['median']:.2f}"
            if raw
            else "(same) | "
        )
        cells = [
            name,
            _ns(entry["ns_per_call"]["median"]),
            f"{entry['ratio_to_floor']['median']:.2f}",
            raw_cells,
            _ns(amort["fit"]["overhead_ns"]),
            f"{k90:,.0f}" if k90 is not None else "never",
            bulk,
            conv,
            f"{results['threads'][name]['speedup']['median']:.2f}×",
        ]
        lines.append("| " + " | ".join(cells) + " |")
        abi = entry.get("abi_mode_raw")
        if abi:
            lines.append(
                f"| {name}: ABI mode, raw call | | | {_ns(abi['ns_per_call']['median'])} | "
                f"{abi['ratio_to_floor']['median']:.2f} | | | | | |"
            )
    tg = results.get("targets", {})
    if "iterate_speedup_vs_plain_c" in tg:
        lines += [
            "",
            f"Against the plain C loop (`cc -O2`), same run: `iterate(27, 10^9)` "
            f"{tg['iterate_speedup_vs_plain_c']:.1f}× faster per step; "
            f"`stopping_times(1..={tg.get('stopping_times_n', 0):.0e})` "
            + ", ".join(f"{n} {v:.1f}×" for n, v in tg.get("stopping_times_speedup_vs_plain_c", {}).items())
            + "; "
            f"`max_stopping_time({tg.get('max_stopping_time_limit', 0):.0e})` "
            + ", ".join(f"{n} {v:.1f}×" for n, v in tg.get("max_stopping_time_speedup_vs_plain_c", {}).items())
            + ".",
        ]
    h = results["headline"]
    lines += [
        "",
        "| 10^9 Collatz steps | here | blog |",
        "|---|---:|---:|",
        f"| pure Python loop (extrapolated) | {_seconds(h['pure_python']['seconds'])} | "
        f"{_seconds(h['blog']['pure_python_s'])} |",
    ]
    for name, entry in h["per_step_calls"].items():
        lines.append(
            f"| one {name} call per step (extrapolated) | {_seconds(entry['seconds'])} | "
            f"{_seconds(h['blog']['per_step_calls_s'])} |"
        )
    for name, entry in h["one_call"].items():
        extra = " (extrapolated)" if entry["extrapolated"] else ""
        lines.append(
            f"| one `iterate(27, 10^9)` call, {name}{extra} | {_seconds(entry['seconds'])} | "
            f"{_seconds(h['blog']['one_call_s'])} |"
        )
    return "\n".join(lines) + "\n"
