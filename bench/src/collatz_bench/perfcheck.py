"""``make perf-check``: instructions per call against committed budgets.

Counts the budgeted cases of every front end under callgrind (``collatz_bench.instructions``;
two runs on one machine agree to the instruction) and fails when any exceeds its budget in
``bench/budgets.json`` by more than the tolerance written there. A figure that fell below its
budget by more than the tolerance is reported too, so that budgets are tightened on purpose.
Budgets change deliberately, in the commit that moves them: ``make perf-budgets`` (this module
with ``--update``) rewrites the file from a fresh count.

Instruction counts depend on the interpreter build and the C library's code paths, so the file
keeps one set of budgets per interpreter (``CPython 3.12.1 (x86_64)``), and a check on a Python
with none fails with a message that says how to count them, instead of comparing unlike figures.

Heap allocations per call (``collatz_bench.memory``, counted by memray: exact, so their budget
is exact) are held the same way, under ``allocations`` in the same file: every call shape of
the memory section, every front end; a call that makes one allocation more than its budget
fails (a slack of half an allocation absorbs the few shapes whose count depends on a thread's
timing, BoltFFI's polled searches). The count's own checks (a C builtin's call and a plain
Python function's allocate nothing) must hold too, and no call may leave ``memory.LEAK`` bytes
or more behind per call, after a collection (a leak).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

from collatz_contract.backends import NATIVE

from . import instructions, memory

BUDGETED = ["step", "step_fails", "next", "walk", "stats", "residue", instructions.AWAIT]
"""The cases held to a budget: the scalar call, the error path, an iterator, a callback, a
record, a string in (the rest are in the full benchmark's instructions section), and the
trivial await where it stays on the loop's thread (PyO3's, UniFFI's and BoltFFI's own async
support; the glue's runs on a worker thread, which callgrind cannot count faithfully)."""
TOLERANCE = 0.02
AWAIT_TOLERANCE = 0.10
"""The trivial await's tolerance: it runs an event loop's Python machinery, whose count moved
by 3 % between two checkouts of one commit on one machine (``await asyncio.sleep(0)`` on
3.10); a call's own code moves by less."""
SLACK = 0.5
"""Allocations per call above (or below) a budget that a figure may be without failing."""


def interpreter() -> str:
    return f"{platform.python_implementation()} {platform.python_version()} ({platform.machine()})"


def count() -> dict[str, dict[str, int]]:
    """Instructions per call of every budgeted case, per front end."""
    with tempfile.TemporaryDirectory() as out:
        figures = instructions.measure({b.name: b.module for b in NATIVE}, Path(out), BUDGETED)
    return {
        name: {case: round(figure["per_call"]) for case, figure in cases.items()}
        for name, cases in figures["backends"].items()
    } | {"floor": {"operator.index": round(figures["floor_per_call"])}}


def compare(measured: dict[str, dict[str, int]], budgets: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Figures over budget (failures), and figures well under it (to tighten)."""
    over, under = [], []
    for name, cases in measured.items():
        for case, value in cases.items():
            tolerance = max(budgets["tolerance"], AWAIT_TOLERANCE if case == instructions.AWAIT else 0)
            budget = budgets["budgets"].get(name, {}).get(case)
            if budget is None:
                over.append(f"{name} {case}: {value:,} instructions, and no budget (run make perf-budgets)")
            elif value > budget * (1 + tolerance):
                over.append(
                    f"{name} {case}: {value:,} instructions, budget {budget:,} (+{value / budget - 1:.1%})"
                )
            elif value < budget * (1 - tolerance):
                under.append(
                    f"{name} {case}: {value:,} instructions, budget {budget:,} ({value / budget - 1:.1%})"
                )
    return over, under


def count_allocations() -> tuple[dict[str, dict[str, float]], list[str]]:
    """Allocations per call of every shape, per front end; and what fails outright: the
    method's checks, and any call that leaves ``memory.LEAK`` bytes or more behind (a leak)."""
    figures = memory.count({b.name: b.module for b in NATIVE}, objects=False)
    failed = [
        f"{check} ({name}'s process): {entry['allocations']} allocations per call, not 0"
        for check in ("floor", "python_function")
        for name, entry in figures[check].items()
        if entry["allocations"] != 0
    ] + [
        f"{name} {shape} leaves {entry['growth']} bytes per call behind (a leak)"
        for name, cases in figures["backends"].items()
        for shape, entry in cases.items()
        if entry["growth"] >= memory.LEAK
    ]
    return memory.allocations(figures), failed


def compare_allocations(
    measured: dict[str, dict[str, float]], budgets: dict[str, Any], slack: float
) -> tuple[list[str], list[str]]:
    """Figures more than ``slack`` allocations over budget (failures), or under it (to tighten)."""
    over, under = [], []
    for name, cases in measured.items():
        for case, value in cases.items():
            budget = budgets.get(name, {}).get(case)
            if budget is None:
                over.append(
                    f"{name} {case}: {value:g} allocations per call, and no budget (run make perf-budgets)"
                )
            elif value > budget + slack:
                over.append(f"{name} {case}: {value:g} allocations per call, budget {budget:g}")
            elif value < budget - slack:
                under.append(f"{name} {case}: {value:g} allocations per call, budget {budget:g}")
    return over, under


def _merge(stored: dict[str, Any], measured: dict[str, dict[str, Any]], replace: bool) -> list[str]:
    """Write ``measured`` into one interpreter's ``stored`` budgets: all of them (``replace``),
    or those that have none. The names of the budgets written."""
    if replace:
        stored.clear()
    added = []
    for name, cases in measured.items():
        existing = stored.setdefault(name, {})
        for case, value in cases.items():
            if replace or case not in existing:
                existing[case] = value
                added.append(f"{name} {case}")
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collatz_bench.perfcheck", description=__doc__)
    parser.add_argument("--budgets", type=Path, default=Path("bench/budgets.json"))
    parser.add_argument("--update", action="store_true", help="rewrite the budgets from a fresh count")
    parser.add_argument(
        "--add-missing",
        action="store_true",
        help="add budgets for the figures that have none (a new front end or case), keep the others",
    )
    parser.add_argument(
        "--only",
        choices=["instructions", "allocations"],
        help="check (or count) one kind of figure only",
    )
    args = parser.parse_args(argv)
    kinds = [args.only] if args.only else ["instructions", "allocations"]
    if "instructions" in kinds and instructions.valgrind() is None:
        print("perf-check: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    this = interpreter()
    stored = json.loads(args.budgets.read_text()) if args.budgets.exists() else {}
    everyone: dict[str, Any] = stored.get("interpreters", {})
    allocation_budgets: dict[str, Any] = stored.get("allocations", {}).get("interpreters", {})
    writing = args.update or args.add_missing
    missing = [
        kind
        for kind, budgets in (("instructions", everyone), ("allocations", allocation_budgets))
        if kind in kinds and this not in budgets
    ]
    if missing and not writing:
        print(
            f"perf-check: {args.budgets} has no {' or '.join(missing)} budgets for {this} (it "
            f"has: {', '.join(everyone) or 'none'}); counts differ between interpreter builds: "
            f"count this one's deliberately with make perf-budgets PYTHON=...",
            file=sys.stderr,
        )
        return 1
    measured = count() if "instructions" in kinds else {}
    allocations, failed_checks = count_allocations() if "allocations" in kinds else ({}, [])
    for line in failed_checks:
        print(f"perf-check: FAILED: {line}", file=sys.stderr)
    if failed_checks:
        return 1
    if writing:
        added = []
        if "instructions" in kinds:
            added += _merge(everyone.setdefault(this, {}), measured, args.update)
        if "allocations" in kinds:
            added += _merge(allocation_budgets.setdefault(this, {}), allocations, args.update)
        document = {
            "about": "Instructions per call (callgrind) of collatz_bench.perfcheck's cases, per "
            "interpreter; make perf-check fails above budget * (1 + tolerance). Update "
            "deliberately: make perf-budgets (PYTHON=...).",
            "tolerance": stored.get("tolerance", TOLERANCE),
            "interpreters": dict(sorted(everyone.items())),
            "allocations": {
                "about": "Heap allocations per call (memray; collatz_bench.memory) of every call "
                "shape, per interpreter; make perf-check fails more than slack over budget.",
                "slack": stored.get("allocations", {}).get("slack", SLACK),
                "interpreters": dict(sorted(allocation_budgets.items())),
            },
        }
        args.budgets.write_text(json.dumps(document, indent=2) + "\n")
        print(f"perf-check: {this}: wrote {len(added)} budgets to {args.budgets}")
        return 0
    over: list[str] = []
    checked = 0
    if "instructions" in kinds:
        budgets = {"tolerance": stored["tolerance"], "budgets": everyone[this]}
        more, under = compare(measured, budgets)
        over += more
        checked += sum(len(cases) for cases in measured.values())
        for line in under:
            print(f"perf-check: below budget, tighten it (make perf-budgets): {line}")
    if "allocations" in kinds:
        slack = stored["allocations"]["slack"]
        more, under = compare_allocations(allocations, allocation_budgets[this], slack)
        over += more
        checked += sum(len(cases) for cases in allocations.values())
        for line in under:
            print(f"perf-check: below budget, tighten it (make perf-budgets): {line}")
    for line in over:
        print(f"perf-check: OVER BUDGET: {line}")
    print(
        f"perf-check: {checked} figures, {len(over)} over budget (instructions: tolerance "
        f"{stored.get('tolerance', TOLERANCE):.0%}; allocations: slack "
        f"{stored.get('allocations', {}).get('slack', SLACK)})"
    )
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
