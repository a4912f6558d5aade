"""``make perf-check``: instructions per call against committed budgets.

Counts the budgeted cases of every front end under callgrind (``collatz_bench.instructions``;
two runs on one machine agree to the instruction) and fails when any exceeds its budget in
``bench/budgets.json`` by more than the tolerance written there. A figure that fell below its
budget by more than the tolerance is reported too, so that budgets are tightened on purpose.
Budgets change deliberately, in the commit that moves them: ``make perf-budgets`` (this module
with ``--update``) rewrites the file from a fresh count.

Instruction counts depend on the interpreter build and the C library's code paths, so the file
records the Python it was counted with, and a check on another Python fails with a message
that says so instead of comparing unlike figures.
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
    measured = count()
    if args.update:
        budgets = {
            "about": "Instructions per call (callgrind) of collatz_bench.perfcheck's cases; "
            "make perf-check fails above budget * (1 + tolerance). Update deliberately: make perf-budgets.",
            "interpreter": interpreter(),
            "tolerance": TOLERANCE,
            "budgets": measured,
        }
        args.budgets.write_text(json.dumps(budgets, indent=2) + "\n")
        print(f"perf-check: wrote {args.budgets}")
        return 0
    budgets = json.loads(args.budgets.read_text())
    if args.add_missing and budgets["interpreter"] == interpreter():
        added = []
        for name, cases in measured.items():
            existing = budgets["budgets"].setdefault(name, {})
            for case, value in cases.items():
                if case not in existing:
                    existing[case] = value
                    added.append(f"{name} {case}")
        args.budgets.write_text(json.dumps(budgets, indent=2) + "\n")
        print(f"perf-check: added {len(added)} budgets to {args.budgets}: {', '.join(added) or 'none'}")
        return 0
    if budgets["interpreter"] != interpreter():
        print(
            f"perf-check: the budgets were counted with {budgets['interpreter']}, this is "
            f"{interpreter()}: counts differ between interpreter builds; count budgets for this "
            "one with make perf-budgets",
            file=sys.stderr,
        )
        return 1
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
