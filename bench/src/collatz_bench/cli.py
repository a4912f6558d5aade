"""``collatz-bench``: compare what every backend costs, side by side."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from collatz_contract.backends import BACKENDS, Backend

from . import golang, provenance
from .baseline import compile_baseline
from .config import FULL, QUICK, Config
from .context import Context
from .render import jsonfile, markdown, terminal
from .render.plots import write_all as write_plots
from .section import Section
from .sections import SECTIONS
from .targets import targets

DESCRIPTION = """\
Measure what each way of binding the Rust core costs, for every backend and the pure-Python
reference, in one process, interleaved round by round: the floor (a C builtin call), scalar
call overhead, amortisation over iterate(27, k), the blog's 10^9-step headline, bulk
total_stopping_times, max_total_stopping_time over a range, GIL release from two threads, and where a
call's time goes, every call shape (arrays, objects, callbacks), the error path, progress
callbacks, Ctrl-C latency, and Collatz records. Prints tables; writes bench.json (every figure
with its provenance), summary.md and PNG plots to --out.
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="collatz-bench", description=DESCRIPTION)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced sizes and repetitions: everything in about a minute (smoke test)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        metavar="DIR",
        help="directory for bench.json, summary.md and the plots (default: results/)",
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
        help=f"rounds of interleaved measurements (default: {FULL.rounds}, or {QUICK.rounds} with --quick)",
    )
    parser.add_argument(
        "--only",
        metavar="LIST",
        help=f"comma-separated sections to run (default: all: {','.join(s.key for s in SECTIONS)})",
    )
    parser.add_argument(
        "--records-up-to",
        type=int,
        metavar="K",
        help="compute the Collatz records below 10^k for k up to K (default: 10, or 7 with "
        "--quick); e.g. `--only records --records-up-to 11`",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="only count instructions per call under callgrind (the instructions section; "
        "also in a quick run), beside the time ratios of the same loops",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    return parser.parse_args(argv)


def configure(args: argparse.Namespace) -> Config:
    """The run's sizes: quick or full, with the overrides the command line gives."""
    config = QUICK if args.quick else FULL
    if args.rounds is not None:
        if args.rounds < 1:
            sys.exit("collatz-bench: --rounds must be >= 1")
        config = dataclasses.replace(config, rounds=args.rounds)
    if args.records_up_to is not None:
        if args.records_up_to < 1 or args.records_up_to > 19:
            sys.exit("collatz-bench: --records-up-to must be in 1..19")
        config = dataclasses.replace(config, records_up_to=args.records_up_to)
    if args.instructions:
        config = dataclasses.replace(config, instructions=True)
    return config


def choose_sections(only: str | None) -> list[Section]:
    """The sections to run, in their order; each with the sections it needs."""
    if not only:
        return SECTIONS
    keys = [k.strip() for k in only.split(",") if k.strip()]
    unknown = sorted(set(keys) - {s.key for s in SECTIONS})
    if unknown:
        sys.exit(f"collatz-bench: unknown section(s) {', '.join(unknown)}")
    for section in SECTIONS:
        missing = [need for need in section.needs if need not in keys]
        if section.key in keys and missing:
            sys.exit(f"collatz-bench: section {section.key} needs {', '.join(missing)} (add it to --only)")
    return [s for s in SECTIONS if s.key in keys]


def load_backends(names: str) -> dict[Backend, ModuleType]:
    """Import the backends asked for; a missing one ends the run with a one-line message."""
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = sorted(set(wanted) - {b.name for b in BACKENDS})
    if unknown:
        sys.exit(f"collatz-bench: unknown backend(s) {', '.join(unknown)}")
    loaded = {}
    for backend in BACKENDS:
        if backend.name not in wanted:
            continue
        try:
            loaded[backend] = backend.load()
        except ImportError as e:
            sys.exit(
                f"collatz-bench: backend {backend.name} ({backend.module}) is not installed: {e}. "
                "Install it (`make setup`, or pip install ./bind-...), or leave it out with --backends."
            )
    return loaded


def record_provenance(ctx: Context, config: Config) -> None:
    """What the figures will be compared by: code, machine, tools, sizes."""
    results = ctx.results
    results["schema"] = 2
    results["provenance"] = provenance.collect(provenance.find_repo())
    results["config"] = config.as_dict() | {"backends": [b.name for b in ctx.backends]}
    if ctx.plain_c is not None:
        results["provenance"]["plain_c"] = {"compiler": ctx.plain_c.compiler, "flags": ctx.plain_c.flags}
    results["provenance"]["go"] = (
        {"version": ctx.go.version, "build_seconds": ctx.go.build_seconds, "c_int_bug": ctx.go.c_int_bug()}
        if ctx.go is not None
        else {"absent": ctx.go_note}
    )


def measure(ctx: Context, sections: list[Section], console: Console) -> None:
    """Run the sections in order, with a progress bar; each adds its results to ``ctx.results``."""
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        planned = sum(s.steps(ctx) for s in sections)
        task = progress.add_task("starting", total=planned)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            progress.advance(task)

        seconds: dict[str, float] = {}
        for section in sections:
            progress.update(task, description=section.title)
            began = time.perf_counter()
            outcome = section.run(ctx, tick)
            seconds[section.key] = round(time.perf_counter() - began, 1)
            if outcome is not None:
                ctx.results[section.key] = outcome
    if all(key in ctx.results for key in ("scalar", "headline", "bulk")):
        ctx.results["targets"] = targets(ctx.results)
    ctx.results["progress_steps"] = {"planned": planned, "done": done, "seconds": seconds}


def report(
    results: dict[str, Any], sections: list[Section], out: Path, plots: bool, console: Console
) -> None:
    """Print the tables; write bench.json, summary.md and the plots to ``out``."""
    tables = [t for s in sections if s.key in results for t in s.tables(results[s.key])]
    terminal.print_all(results, tables, console)
    jsonfile.write(results, out / "bench.json")
    (out / "summary.md").write_text(markdown.document(results, tables))
    written = [out / "bench.json", out / "summary.md"]
    for section in sections:
        for filename, text in section.files.items() if section.key in results else ():
            (out / filename).write_text(text(results[section.key]))
            written.append(out / filename)
    if plots:
        written += write_plots(results, sections, out)
    console.print("wrote " + ", ".join(str(p) for p in written))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = configure(args)
    sections = choose_sections("instructions" if args.instructions else args.only)
    ctx = Context(load_backends(args.backends), config, compile_baseline())
    if not ctx.native:
        sys.exit("collatz-bench: choose at least one native backend")
    ctx.go, ctx.go_note = golang.build()

    # Wide enough for the tables even when stdout is not a terminal (CI logs, files).
    console = Console(width=max(Console().width, 132))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for module in ctx.native.values():
        module.total_stopping_time(3)  # builds the core's tables before anything is timed
    if ctx.plain_c is None:
        console.print("[yellow]no C compiler found: the plain C baseline is left out[/]")
    if ctx.go is None:
        console.print(f"[yellow]{ctx.go_note}[/]")
    record_provenance(ctx, config)
    measure(ctx, sections, console)
    report(ctx.results, sections, out, not args.no_plots, console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
