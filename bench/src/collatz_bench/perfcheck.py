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

from . import instructions

BUDGETED = ["step", "step_fails", "next", "walk", "stats", "residue"]
"""The cases held to a budget: the scalar call, the error path, an iterator, a callback, a
record and a string in (the rest are in the full benchmark's instructions section)."""
TOLERANCE = 0.02


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
    tolerance = budgets["tolerance"]
    over, under = [], []
    for name, cases in measured.items():
        for case, value in cases.items():
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collatz_bench.perfcheck", description=__doc__)
    parser.add_argument("--budgets", type=Path, default=Path("bench/budgets.json"))
    parser.add_argument("--update", action="store_true", help="rewrite the budgets from a fresh count")
    parser.add_argument(
        "--add-missing",
        action="store_true",
        help="add budgets for the figures that have none (a new front end or case), keep the others",
    )
    args = parser.parse_args(argv)
    if instructions.valgrind() is None:
        print("perf-check: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    this = interpreter()
    stored = json.loads(args.budgets.read_text()) if args.budgets.exists() else {}
    everyone: dict[str, Any] = stored.get("interpreters", {})
    if this not in everyone and not (args.update or args.add_missing):
        print(
            f"perf-check: {args.budgets} has no budgets for {this} (it has: "
            f"{', '.join(everyone) or 'none'}); counts differ between interpreter builds: count "
            f"this one's deliberately with make perf-budgets PYTHON=...",
            file=sys.stderr,
        )
        return 1
    measured = count()
    if args.update or args.add_missing:
        budgets = everyone.setdefault(this, {})
        if args.update:
            budgets.clear()
        added = []
        for name, cases in measured.items():
            existing = budgets.setdefault(name, {})
            for case, value in cases.items():
                if args.update or case not in existing:
                    existing[case] = value
                    added.append(f"{name} {case}")
        document = {
            "about": "Instructions per call (callgrind) of collatz_bench.perfcheck's cases, per "
            "interpreter; make perf-check fails above budget * (1 + tolerance). Update "
            "deliberately: make perf-budgets (PYTHON=...).",
            "tolerance": stored.get("tolerance", TOLERANCE),
            "interpreters": dict(sorted(everyone.items())),
        }
        args.budgets.write_text(json.dumps(document, indent=2) + "\n")
        print(f"perf-check: {this}: wrote {len(added)} budgets to {args.budgets}")
        return 0
    budgets = {"tolerance": stored["tolerance"], "budgets": everyone[this]}
    over, under = compare(measured, budgets)
    for line in under:
        print(f"perf-check: below budget, tighten it (make perf-budgets): {line}")
    for line in over:
        print(f"perf-check: OVER BUDGET: {line}")
    checked = sum(len(cases) for cases in measured.values())
    print(f"perf-check: {checked} figures, {len(over)} over budget (tolerance {budgets['tolerance']:.0%})")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
