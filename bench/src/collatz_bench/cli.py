"""``collatz-bench``: compare the call overhead of every backend, side by side."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import provenance, report, suite
from .backends import BACKENDS, Backend
from .baseline import compile_baseline

DESCRIPTION = """\
Measure what each way of binding the Rust core costs, for every backend and the pure-Python
reference, in one process, interleaved round by round: the floor (a C builtin call), scalar
call overhead, amortisation over iterate(27, k), the blog's 10^9-step headline, bulk
stopping_times, and GIL release from two threads. Prints tables; writes bench.json (every
figure with its provenance) and PNG plots to --out.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="collatz-bench", description=DESCRIPTION)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced sizes and repetitions: everything in well under a minute (smoke test)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="directory for bench.json and the plots (default: results/)",
    )
    parser.add_argument(
        "--backends",
        default=",".join(b.name for b in BACKENDS),
        metavar="LIST",
        help="comma-separated backends to measure (default: all: %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="rounds of interleaved measurements (default: 15, or 3 with --quick)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = suite.QUICK if args.quick else suite.FULL
    if args.rounds is not None:
        if args.rounds < 1:
            sys.exit("collatz-bench: --rounds must be >= 1")
        config = dataclasses.replace(config, rounds=args.rounds)
    wanted = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(wanted) - {b.name for b in BACKENDS})
    if unknown:
        sys.exit(f"collatz-bench: unknown backend(s) {', '.join(unknown)}")
    backends: dict[Backend, ModuleType] = {b: b.load() for b in BACKENDS if b.name in wanted}
    if not any(b.native for b in backends):
        sys.exit("collatz-bench: choose at least one native backend")

    # Wide enough for the tables even when stdout is not a terminal (CI logs, files).
    console = Console(width=max(Console().width, 132))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    plain_c = compile_baseline()
    for backend, module in backends.items():
        if backend.native:
            module.stopping_time(3)  # builds the core's tables before anything is timed
    if plain_c is None:
        console.print("[yellow]no C compiler found: the plain C baseline is left out[/]")

    scalar_cases = suite.scalar_cases(backends)
    amort_cases = suite.amortisation_cases(backends, config)
    bulk_cases = suite.bulk_cases(backends, plain_c, config)
    native_count = sum(1 for b in backends if b.native)
    total = (
        sum(len(c) * (config.rounds + 1) for c in (scalar_cases, amort_cases, bulk_cases))
        + 1 + native_count * (1 + config.headline_repeats)
        + (config.headline_repeats if plain_c else 0)
        + config.range_repeats * (native_count + (1 if plain_c else 0))
        + len(backends)
    )
    results: dict[str, Any] = {
        "schema": 1,
        "provenance": provenance.collect(provenance.find_repo()),
        "config": config.as_dict() | {"backends": [b.name for b in backends]},
    }
    if plain_c is not None:
        results["provenance"]["plain_c"] = {"compiler": plain_c.compiler, "flags": plain_c.flags}

    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=total)

        def tick() -> None:
            progress.advance(task)

        progress.update(task, description="scalar call overhead")
        scalar = suite.measure_group(scalar_cases, config, tick)
        results["scalar"] = suite.summarize_scalar(scalar, backends)

        progress.update(task, description="the blog's headline")
        results["headline"] = suite.headline(backends, plain_c, config, tick)
        native_per_step = min(e["seconds"] for n, e in results["headline"]["one_call"].items() if n != "plain C")
        results["native"] = {
            "per_step_ns": native_per_step,  # seconds for 10^9 steps == ns per step
            "plain_c_per_step_ns": results["headline"]["one_call"].get("plain C", {}).get("seconds"),
            "how": "fastest backend's single iterate(27, k) call, per step",
        }

        progress.update(task, description="amortisation over k")
        amort = suite.measure_group(amort_cases, config, tick)
        results["amortisation"] = suite.summarize_amortisation(amort, backends, native_per_step)

        progress.update(task, description="bulk stopping_times")
        bulk = suite.measure_group(bulk_cases, config, tick)
        results["bulk"] = suite.summarize_bulk(bulk, backends, config)

        progress.update(task, description="max_stopping_time range")
        results["range"] = suite.max_range(backends, plain_c, config, tick)

        progress.update(task, description="threads")
        results["threads"] = suite.threads(backends, config, tick)

        if any(b.name == "uniffi" for b in backends):
            progress.update(task, description="where UniFFI's time goes")
            results["uniffi_breakdown"] = suite.uniffi_breakdown(config)
    results["targets"] = suite.targets(results)

    report.print_tables(results, console)
    report.print_uniffi_breakdown(results, console)
    report.write_json(results, out / "bench.json")
    (out / "summary.md").write_text(report.markdown(results))
    written = [out / "bench.json", out / "summary.md"]
    if not args.no_plots:
        written += report.write_plots(results, out)
    console.print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
