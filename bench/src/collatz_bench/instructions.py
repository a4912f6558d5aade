"""Instruction counts per call, under valgrind's callgrind: figures that do not move with the
machine's load.

Every case is a loop of ``n`` calls (``for _ in range(n): f(a)``), run in a child interpreter
(one per front end) under ``valgrind --tool=callgrind --instr-atstart=no`` with
``PYTHONHASHSEED=0``. A tiny C
helper (``callgrind_meter.c``, compiled on first use like the plain-C baseline) switches
instrumentation on just before the loop and dumps the counts just after it, under a label:
interpreter start-up, imports and warm-up are never counted. Each case is counted at two loop
lengths; the difference divided by the difference of lengths is the count per iteration, free
of the fixed cost of starting and stopping the meter. The empty loop's count per iteration
(``for _ in range(n): pass``) is subtracted to give the count per call; the ratio to the floor
(``operator.index``) is taken per iteration, as the timing ratios are (they include the loop).

``python -m collatz_bench.instructions`` (or ``collatz-bench --instructions``) measures;
``collatz_bench.perfcheck`` holds the figures to committed budgets.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SHORT, LONG = 300, 1000
"""The two loop lengths every case is counted at."""
LONG_START = 9_780_657_630
"""A start with 1133 values: a fresh iterator outlasts the long loop of ``next`` calls."""

CASES: dict[str, tuple[str, str]] = {
    # key: (loop, what it is, for tables)
    "step": ("call1(m.step, 27, n)", "step(27)"),
    "step_fails": ("fails(m.step, 0, n)", "step(0), failing"),
    "trajectory": ("call1(m.trajectory, 27, n)", "trajectory(27): array out"),
    "next": ("nexts(m.Trajectory(LONG_START), n)", "next() on a Trajectory"),
    "walk": ("call2(m.walk, 27, noop, n)", "walk(27, visit): 112 callbacks"),
    "stats": ("call1(m.stats, 27, n)", "stats(27): a record"),
    "parity_vector": ("call1(m.parity_vector, 27, n)", "parity_vector(27): string out"),
    "residue": ("call1(m.residue, '01101101', n)", "residue('01101101'): string in"),
}
AWAIT = "await"
"""The trivial await, counted only where it stays on the loop's thread (the async section's
figure and perf-check's budget; not a case of the instructions section)."""
AWAIT_CASE = ("awaits(m.total_stopping_time_async, 27, n)", "await total_stopping_time_async(27)")
AWAIT_FLOOR = "await_floor"
"""``await asyncio.sleep(0)`` in the same loop: one trip through the event loop."""
FLOOR, EMPTY = "floor", "empty"
BREAKDOWN_CASE = "step"
"""The case whose per-function breakdown is kept for every front end."""

LOOPS = """
def call1(f, a, n):
    for _ in range(n):
        f(a)

def call2(f, a, b, n):
    for _ in range(n):
        f(a, b)

def fails(f, a, n):
    for _ in range(n):
        try:
            f(a)
        except Exception:
            pass

def nexts(it, n):
    for _ in range(n):
        next(it)

def empty(n):
    for _ in range(n):
        pass

def noop(x):
    pass

def awaits(f, a, n):
    # One event loop for the n awaits: what it costs to make and close is the same for both
    # loop lengths, and cancels.
    import asyncio
    async def run():
        for _ in range(n):
            await f(a)
    asyncio.run(run())
"""
"""The loops every case runs (under callgrind here, natively in the instructions section)."""

CHILD = (
    LOOPS
    + r"""
import asyncio, ctypes, gc, importlib, json, operator, sys, threading
meter = ctypes.CDLL(sys.argv[1])
meter.meter_stop.argtypes = [ctypes.c_char_p]
plan = json.loads(sys.argv[2])
LONG_START = plan["long_start"]

def measure(label, loop, m):
    eval(loop, globals(), {"m": m, "n": 50})  # warm up (caches, specialisation) uncounted
    for n in (plan["short"], plan["long"]):
        code = compile(loop, label, "eval")
        scope = {"m": m, "n": n}
        gc.collect()
        gc.disable()
        meter.meter_start()
        eval(code, globals(), scope)
        meter.meter_stop(f"{label}|{n}".encode())
        gc.enable()

measure("empty|" + plan["tag"], "empty(n)", None)
measure("floor|" + plan["tag"], "call1(operator.index, 27, n)", None)
if "await" in plan["cases"]:
    measure("await_floor|" + plan["tag"], "awaits(asyncio.sleep, 0, n)", None)
for backend, module in plan["backends"].items():
    m = importlib.import_module(module)
    m.step(27), m.total_stopping_time(3)
    for case, loop in plan["cases"].items():
        if case == "await":
            eval(loop, globals(), {"m": m, "n": 3})
            if threading.active_count() > 1:
                # A worker thread runs the call: callgrind serialises threads, and the count
                # would say how it scheduled them.
                print("off the loop's thread:", backend, flush=True)
                continue
        measure(f"{backend}|{case}", loop, m)
print("done", flush=True)
"""
)


@dataclass(frozen=True)
class Counts:
    """What callgrind counted: instructions per loop iteration, by label, and the dump files
    (for per-function breakdowns)."""

    per_iteration: dict[str, float]
    dumps: dict[str, Path]


def valgrind() -> str | None:
    """The valgrind executable, if any."""
    return shutil.which("valgrind")


def meter_library(cache: Path | None = None) -> Path:
    """Compile ``callgrind_meter.c`` (cached by content); needs a C compiler and valgrind's
    headers (Debian's ``valgrind`` package has both the tool and ``valgrind/callgrind.h``)."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise RuntimeError("no C compiler (cc) to build the callgrind meter")
    source = resources.files("collatz_bench").joinpath("callgrind_meter.c").read_bytes()
    digest = hashlib.sha256(source + compiler.encode()).hexdigest()[:16]
    directory = cache or Path(tempfile.gettempdir()) / "collatz-bench"
    directory.mkdir(parents=True, exist_ok=True)
    library = directory / f"meter-{digest}.so"
    if not library.is_file():
        c_file = directory / f"meter-{digest}.c"
        c_file.write_bytes(source)
        subprocess.run([compiler, "-O2", "-shared", "-fPIC", str(c_file), "-o", str(library)], check=True)
    ctypes.CDLL(str(library))  # loads: the symbols are there
    return library


def count(backends: dict[str, str], cases: dict[str, str], out: Path) -> Counts:
    """Run every case of every backend (name → module) under callgrind; counts per iteration."""
    executable = valgrind()
    if executable is None:
        raise RuntimeError(
            "valgrind is not installed (Debian: apt-get install valgrind; `make bench` does it)"
        )
    library = meter_library()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("callgrind.out.*"):
        old.unlink()
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONMALLOC": "pymalloc"}
    # One interpreter per front end, each with its own floor and empty loop: counts in one
    # process depend a little on what ran before in it (caches, dict sizes), so a change in
    # one front end must not move another's figures.
    for name, module in backends.items():
        plan = {
            "backends": {name: module},
            "tag": name,
            "cases": cases,
            "short": SHORT,
            "long": LONG,
            "long_start": LONG_START,
        }
        run = subprocess.run(
            [
                executable,
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}/callgrind.out.%p",
                sys.executable,
                "-c",
                CHILD,
                str(library),
                json.dumps(plan),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
            check=False,
        )
        if run.returncode != 0 or "done" not in run.stdout:
            raise RuntimeError(f"callgrind run failed for {name} ({run.returncode}):\n{run.stderr[-3000:]}")
    totals: dict[str, int] = {}
    dumps: dict[str, Path] = {}
    for dump in out.glob("callgrind.out.*.*"):
        text = dump.read_text(errors="replace")
        found = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if found and total:
            totals[found.group(1)] = int(total.group(1))
            dumps[found.group(1)] = dump
    return Counts(
        per_iteration(totals), {k.rsplit("|", 1)[0]: v for k, v in dumps.items() if k.endswith(f"|{LONG}")}
    )


def per_iteration(totals: dict[str, int]) -> dict[str, float]:
    """Instructions per loop iteration, by label, from each label's totals at the two loop
    lengths (``"label|300"``, ``"label|1000"``): the difference, so that what a measurement
    costs once (starting and stopping the meter, building the iterator) cancels."""
    return {
        label: (totals[f"{label}|{LONG}"] - totals[f"{label}|{SHORT}"]) / (LONG - SHORT)
        for label in {key.rsplit("|", 1)[0] for key in totals}
    }


def summarise(counts: Counts, backends: list[str], cases: list[str]) -> dict[str, Any]:
    """Per backend and case: instructions per call (the empty loop's subtracted), and the
    per-iteration ratio to the floor, both counted in the backend's own interpreter."""
    first = backends[0]
    result: dict[str, Any] = {
        "floor_per_call": counts.per_iteration[f"{FLOOR}|{first}"] - counts.per_iteration[f"{EMPTY}|{first}"],
        "empty_loop_per_iteration": counts.per_iteration[f"{EMPTY}|{first}"],
        "loops": {"short": SHORT, "long": LONG},
        "backends": {},
    }
    for backend in backends:
        empty = counts.per_iteration[f"{EMPTY}|{backend}"]
        floor = counts.per_iteration[f"{FLOOR}|{backend}"]
        entry = {}
        for case in cases:
            per_iteration = counts.per_iteration.get(f"{backend}|{case}")
            if per_iteration is None:  # the trivial await, where a thread runs it
                continue
            # The await's floor is `await asyncio.sleep(0)`, counted in the same process.
            own_floor = counts.per_iteration[f"{AWAIT_FLOOR}|{backend}"] if case == AWAIT else floor
            entry[case] = {
                "per_call": per_iteration - empty,
                "ratio_to_floor": per_iteration / own_floor,
            }
        result["backends"][backend] = entry
    if AWAIT in cases:
        result["await_floor_per_call"] = (
            counts.per_iteration[f"{AWAIT_FLOOR}|{first}"] - result["empty_loop_per_iteration"]
        )
    return result


LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.+?)\s*$")


def breakdown(dump: Path, top: int = 8) -> list[dict[str, Any]]:
    """The functions that executed the most instructions (self cost) in one dump, from
    ``callgrind_annotate``: where a call's instructions go."""
    annotate = shutil.which("callgrind_annotate")
    if annotate is None:
        return []
    run = subprocess.run(
        [annotate, "--inclusive=no", "--threshold=100", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    shares: dict[tuple[str, str], float] = {}
    for line in run.stdout.splitlines():
        match = LINE.match(line)
        if match and "PROGRAM TOTALS" not in line:
            where = match.group(3)
            # "file:function'2 [object]": the recursion depth suffix is merged into the function.
            function = re.sub(r"'\d+$", "", where.split(":", 1)[-1].split(" [", 1)[0])
            obj = Path(where.rsplit("[", 1)[-1].rstrip("]")).name if "[" in where else ""
            shares[function, obj] = shares.get((function, obj), 0.0) + float(match.group(2)) / 100
    ranked = sorted(shares.items(), key=lambda item: -item[1])[:top]
    return [{"function": f, "object": o, "share": share} for (f, o), share in ranked]


def measure(backends: dict[str, str], out: Path, cases: list[str] | None = None) -> dict[str, Any]:
    """Counts, their summary and the breakdown of :data:`BREAKDOWN_CASE` for every backend."""
    known = CASES | {AWAIT: AWAIT_CASE}
    chosen = {k: loop for k, (loop, _) in known.items() if (k in CASES if cases is None else k in cases)}
    counts = count(backends, chosen, out)
    result = summarise(counts, list(backends), list(chosen))
    if BREAKDOWN_CASE in chosen:
        result["breakdown"] = {name: breakdown(counts.dumps[f"{name}|{BREAKDOWN_CASE}"]) for name in backends}
    return result


if __name__ == "__main__":  # pragma: no cover - the command line of the module
    from collatz_contract.backends import NATIVE

    figures = measure({b.name: b.module for b in NATIVE}, Path("results/callgrind"))
    print(json.dumps(figures, indent=2))
