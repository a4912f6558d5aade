"""The harness checked against the standard one: ``step(27)`` for every backend and the floor,
timed by this harness (in one process, interleaved round by round) and by ``pyperf timeit``
(the CPython project's benchmark tool: each benchmark in its own worker processes, one after
another), ratios to the floor side by side.

Both time the same loop: the callee a local of the loop function and the argument a constant
or a local (``pyperf timeit -s "from M import step as f" "f(27)"``; this harness binds a case's
names as locals, :meth:`~collatz_bench.timing.Case.timer`). What is left to differ is the
process: pyperf starts a fresh interpreter per worker and averages over them, this harness
measures everything in one process, with numpy imported (and with it OpenBLAS's worker
threads). So pyperf times each call twice here: as its usual command does (only the front end
imported) and with ``import numpy`` in the setup, the process this harness measures in. The section also writes both as pyperf JSON files
(``scalar.pyperf.json``, this harness's rounds; ``scalar.pyperf-timeit.json``, pyperf's
workers), so ``python -m pyperf compare_to`` and figures from other pyperf-based suites can be
set beside them.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..context import FLOOR, Context, Tick, floor_case, measure_group, measure_group_steps
from ..section import Section
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

STATEMENT = "f(27)"
FLOOR_IMPORT = "from operator import index as f"


def bench_name(name: str) -> str:
    """A benchmark's name in both pyperf files: what it calls."""
    return "operator.index(27)" if name == FLOOR else f"{name} step(27)"


def _imports(ctx: Context) -> dict[str, str]:
    """pyperf's setup per benchmark: the floor, then every backend's public ``step``."""
    return {FLOOR: FLOOR_IMPORT} | {b.name: f"from {b.module} import step as f" for b in ctx.backends}


def _cases(ctx: Context) -> list[Case]:
    return [floor_case()] + [
        Case(backend.name, "f(a)", {"f": module.step, "a": 27}) for backend, module in ctx.backends.items()
    ]


WITH_NUMPY = "import numpy; "
"""The setup prefix of pyperf's second timing: a process with numpy imported, as this one."""


def steps(ctx: Context) -> int:
    return measure_group_steps(_cases(ctx), ctx.config.rounds) + 2 * len(_imports(ctx))


QUICK_OPTIONS = ["--processes", "2", "--values", "3", "--warmups", "1", "--loops", "10000"]
"""A quick run's pyperf: two workers and a fixed loop count, no calibration (a smoke test:
pyperf's own ``--fast`` still takes six seconds per benchmark, two minutes for the section)."""


def pyperf_timeit(name: str, setup: str, quick: bool) -> dict[str, Any]:
    """One ``python -m pyperf timeit`` run (its own worker processes); its JSON, as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        command = [sys.executable, "-m", "pyperf", "timeit", "--quiet", "--name", name, "-s", setup]
        command += QUICK_OPTIONS if quick else []
        subprocess.run([*command, "-o", str(out), STATEMENT], check=True, stdout=subprocess.DEVNULL)
        loaded: dict[str, Any] = json.loads(out.read_text())
        return loaded


def _values(benchmark: dict[str, Any]) -> list[float]:
    """Seconds per call, every value of every worker run (the warm-ups left out)."""
    return [v for run in benchmark["benchmarks"][0]["runs"] for v in run.get("values", [])]


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    measured = measure_group(_cases(ctx), ctx.config.rounds, ctx.config.target, tick)
    floor = measured[FLOOR].samples
    pyperf_runs: dict[str, dict[str, Any]] = {}
    numpy_runs: dict[str, dict[str, Any]] = {}
    quick = ctx.config.name == "quick"
    for name, setup in _imports(ctx).items():
        pyperf_runs[name] = pyperf_timeit(bench_name(name), setup, quick)
        tick()
        numpy_runs[name] = pyperf_timeit(bench_name(name), WITH_NUMPY + setup, quick)
        tick()
    pyperf_floor = statistics.median(_values(pyperf_runs[FLOOR]))
    numpy_floor = statistics.median(_values(numpy_runs[FLOOR]))
    rows: dict[str, Any] = {}
    for name in _imports(ctx):
        values = _values(pyperf_runs[name])
        median = statistics.median(values)
        rows[name] = {
            "harness": {
                "ns_per_call": Summary.of(measured[name].samples).as_dict(),
                "ratio_to_floor": ratio_summary(measured[name].samples, floor).as_dict(),
                "seconds_per_round": measured[name].samples,
                "loops": measured[name].number,
            },
            "pyperf": {
                "ns_per_call": Summary.of(values).as_dict(),
                "ratio_to_floor": median / pyperf_floor,
                "processes": len(pyperf_runs[name]["benchmarks"][0]["runs"]),
                "values": len(values),
                "json": pyperf_runs[name],
            },
            "pyperf_with_numpy": {
                "ns_per_call": Summary.of(_values(numpy_runs[name])).as_dict(),
                "ratio_to_floor": statistics.median(_values(numpy_runs[name])) / numpy_floor,
            },
        }
    return {
        "statement": STATEMENT,
        "setup_with_numpy": WITH_NUMPY.strip(),
        "backends": rows,
        "pyperf_version": _pyperf_version(),
    }


def _pyperf_version() -> str:
    import pyperf

    return str(pyperf.__version__)


def harness_suite(results: dict[str, Any]) -> str:
    """This harness's rounds as a pyperf suite (one benchmark per backend, one run whose
    values are the rounds), for ``pyperf compare_to``."""
    import pyperf

    benchmarks = []
    for name, row in results["backends"].items():
        metadata = {"name": bench_name(name), "unit": "second", "loops": row["harness"]["loops"]}
        run = pyperf.Run(row["harness"]["seconds_per_round"], metadata=metadata, collect_metadata=False)
        benchmarks.append(pyperf.Benchmark([run]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suite.json"
        pyperf.BenchmarkSuite(benchmarks).dump(str(path))
        return path.read_text()


def pyperf_suite(results: dict[str, Any]) -> str:
    """pyperf's own runs, as one pyperf suite file."""
    import pyperf

    with tempfile.TemporaryDirectory() as tmp:
        benchmarks = []
        for i, row in enumerate(results["backends"].values()):
            path = Path(tmp) / f"{i}.json"
            path.write_text(json.dumps(row["pyperf"]["json"]))
            benchmarks += pyperf.BenchmarkSuite.load(str(path)).get_benchmarks()
        out = Path(tmp) / "suite.json"
        pyperf.BenchmarkSuite(benchmarks).dump(str(out))
        return out.read_text()


def tables(results: dict[str, Any]) -> list[Table]:
    rows = []
    for name, row in results["backends"].items():
        ours, theirs = row["harness"]["ratio_to_floor"]["median"], row["pyperf"]["ratio_to_floor"]
        numpy = row["pyperf_with_numpy"]["ratio_to_floor"]
        rows.append(
            [
                "floor: operator.index" if name == FLOOR else name,
                ns(row["harness"]["ns_per_call"]["median"]),
                f"{ours:.2f}",
                ns(row["pyperf"]["ns_per_call"]["median"]),
                f"{theirs:.2f}",
                f"{(ours / theirs - 1) * 100:+.1f} %",
                ns(row["pyperf_with_numpy"]["ns_per_call"]["median"]),
                f"{numpy:.2f}",
                f"{(ours / numpy - 1) * 100:+.1f} %",
            ]
        )
    return [
        Table(
            f"The harness against pyperf {results['pyperf_version']}: {results['statement']}, "
            "median per call and ratio to the floor",
            [
                "backend",
                "this harness",
                "× floor",
                "pyperf timeit",
                "× floor",
                "harness ÷ pyperf",
                "pyperf, numpy imported",
                "× floor",
                "harness ÷ pyperf (numpy)",
            ],
            rows,
            note="This harness: one process (numpy imported), every backend interleaved round by "
            "round. pyperf: each benchmark in its own worker processes, one benchmark after "
            f"another; its second timing adds `{results['setup_with_numpy']}` to the setup.",
        )
    ]


SECTION = Section(
    "pyperf",
    "harness vs pyperf",
    steps,
    run,
    tables,
    files={"scalar.pyperf.json": harness_suite, "scalar.pyperf-timeit.json": pyperf_suite},
)
