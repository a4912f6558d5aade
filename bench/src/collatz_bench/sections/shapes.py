"""Three ways to one sequence: the same trajectory as an array (``trajectory``), an iterator
(``Trajectory``) and a callback (``walk``), ns per value per backend, from the three sections
before this one (same run, longest trajectory). Measures nothing itself."""

from __future__ import annotations

from typing import Any

from ..context import Context, Tick
from ..section import Section
from ..table import Table, ns


def steps(ctx: Context) -> int:
    return 0


def run(ctx: Context, tick: Tick) -> dict[str, Any] | None:
    results = ctx.results
    if not all(key in results for key in ("trajectory", "objects", "callbacks")):
        return None
    out: dict[str, Any] = {"n": results["objects"]["n"], "values": results["objects"]["values"], "backends": {}}
    for name, rows in results["trajectory"]["backends"].items():
        longest = rows[-1]
        out["backends"][name] = {
            "array_ns_per_value": longest["ns_per_value"]["median"],
            "iterator_ns_per_value": results["objects"]["backends"][name]["drain_ns_per_value"]["median"],
            "callback_ns_per_value": results["callbacks"]["backends"][name]["ns_per_visit"]["median"],
        }
    return out


def tables(results: dict[str, Any]) -> list[Table]:
    section = results["shapes"]
    t = Table(
        f"Three ways to one sequence: the {section['values']} values of the trajectory of "
        f"{section['n']}, ns per value",
        ["backend", "array: trajectory(n)", "iterator: Trajectory(n)", "callback: walk(n, visit)"],
        note="The iterator is drained by a Python for loop; the callback is a no-op Python function.",
    )
    for name, entry in section["backends"].items():
        t.rows.append(
            [
                name,
                ns(entry["array_ns_per_value"]),
                ns(entry["iterator_ns_per_value"]),
                ns(entry["callback_ns_per_value"]),
            ]
        )
    return [t]


SECTION = Section("shapes", "three ways to one sequence", steps, run, tables)
