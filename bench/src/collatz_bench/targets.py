"""The project's speed targets, as ratios taken from the figures of one run (the README's
"Speed targets" table states what each must reach)."""

from __future__ import annotations

from typing import Any

PLAIN_C = "plain C"


def targets(results: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"step_ratio_to_floor": {}, "convert_ns_per_element": {}}
    for name, entry in results["scalar"]["backends"].items():
        out["step_ratio_to_floor"][name] = entry["ratio_to_floor"]["median"]
    one_call = results["headline"]["one_call"]
    if PLAIN_C in one_call:
        fastest = results["headline"]["native_per_step_ns"]  # ns per step == s per 10^9 steps
        out["iterate_speedup_vs_plain_c"] = one_call[PLAIN_C]["seconds"] / fastest
    top = max((rows[-1]["n"] for rows in results["bulk"].values() if rows), default=0)
    largest = {name: rows[-1] for name, rows in results["bulk"].items() if rows and rows[-1]["n"] == top}
    speedups = {name: 1 / row["vs_plain_c"]["median"] for name, row in largest.items() if "vs_plain_c" in row}
    if speedups:
        out["total_stopping_times_speedup_vs_plain_c"] = speedups
        out["total_stopping_times_n"] = top
    for name, row in largest.items():
        if "convert_ns_per_element" in row:
            out["convert_ns_per_element"][name] = row["convert_ns_per_element"]["median"]
    ranges = results.get("range", {}).get("backends", {})
    if PLAIN_C in ranges:
        out["max_total_stopping_time_speedup_vs_plain_c"] = {
            name: 1 / e["vs_plain_c"]["median"] for name, e in ranges.items() if "vs_plain_c" in e
        }
        out["max_total_stopping_time_limit"] = results["range"]["limit"]
    return out
