"""The README's generated parts: the headline table (per front end, the call shapes a binding
author meets first, each as time and as a multiple of the floor) and the "which one" summary
computed from it."""

from __future__ import annotations

from dataclasses import dataclass

from collatz_contract.backends import NATIVE

from ...table import ns
from ..figures import Results, x

__all__ = ["cheapest", "headline_table", "which_one"]


@dataclass(frozen=True)
class Shape:
    column: str
    """The column's heading."""
    path: str
    """Where a front end's figures are in ``bench.json`` (``{}``: the front end), without the
    last part: ``/ns_per_call/median`` (or ``ns_key``) and ``/ratio_to_floor/median`` (or
    ``ratio_key``) follow it."""
    ns_key: str = "ns_per_call"
    ratio_key: str | None = "ratio_to_floor"
    """``None``: the section has no ratio to the floor; it is the median time over the floor's."""

    def ns(self, results: Results, backend: str) -> float:
        return float(results.r(f"{self.path.format(backend)}/{self.ns_key}/median"))

    def ratio(self, results: Results, backend: str) -> float:
        if self.ratio_key is None:
            return self.ns(results, backend) / _floor(results)
        return float(results.r(f"{self.path.format(backend)}/{self.ratio_key}/median"))


SHAPES = {
    "scalar": Shape("scalar call: `step(27)`", "scalar/backends/{}"),
    "element": Shape(
        "array element: `total_stopping_times`, 10^6 in and out",
        "bulk/{}/-1",
        ns_key="convert_ns_per_element",
        ratio_key=None,
    ),
    "callback": Shape(
        "callback: `walk`, per visit", "callbacks/backends/{}", "ns_per_visit", "visit_ratio_to_floor"
    ),
    "string_out": Shape("string out: `parity_vector(27)`", "records_strings/backends/{}/parity_short"),
    "string_in": Shape("string in: `residue('01101101')`", "records_strings/backends/{}/residue_short"),
}


def _floor(results: Results) -> float:
    return float(results.r("scalar/floor/operator.index/median"))


def _front_ends(results: Results) -> list[str]:
    return [b.name for b in NATIVE if b.name in results.bench["scalar"]["backends"]]


def cheapest(results: Results, shape: str) -> list[str]:
    """The front ends, cheapest first, for one of :data:`SHAPES`."""
    measure = SHAPES[shape].ns
    return sorted(_front_ends(results), key=lambda b: measure(results, b))


def headline_table(results: Results) -> str:
    """Per front end and shape: the median time and its multiple of the floor (a call of the C
    builtin ``operator.index``); the cheapest in each column in bold."""
    floor = _floor(results)
    best = {key: cheapest(results, key)[0] for key in SHAPES}
    lines = [
        "| front end | " + " | ".join(s.column for s in SHAPES.values()) + " |",
        "|---|" + "---:|" * len(SHAPES),
    ]
    for backend in _front_ends(results):
        cells = []
        for key, shape in SHAPES.items():
            ratio = shape.ratio(results, backend)
            cell = f"{ns(shape.ns(results, backend))} · {x(ratio, 3 if ratio < 0.1 else 2)}"
            cells.append(f"**{cell}**" if best[key] == backend else cell)
        lines.append(f"| {backend} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Median of {results.bench['config']['rounds']} interleaved rounds; × floor: the time "
        f"as a multiple of a call of `operator.index` ({ns(floor)}), the cheapest call Python "
        "can make (the median of the round-by-round ratios; per array element: the median time "
        f"over the floor's). The cheapest in each column in bold. Measured at {results.run()}.",
    ]
    return "\n".join(lines)


def which_one(results: Results) -> str:
    """The choice in six lines, each computed from the run's figures."""

    def ranked(shape: str, count: int = 3) -> str:
        order = cheapest(results, shape)[:count]
        ratios = {b: SHAPES[shape].ratio(results, b) for b in order}
        return ", ".join(f"{b} ({x(r, 3 if r < 0.1 else 2)})" for b, r in ratios.items())

    slowest = cheapest(results, "scalar")[-1]
    return "\n".join(
        [
            f"- **Cheapest scalar call**: {ranked('scalar')}. The most expensive: {slowest} "
            f"({x(results.step(slowest))}).",
            f"- **Cheapest callback into Python**: {ranked('callback')}.",
            f"- **Cheapest array element**: {ranked('element')}.{_no_array_type(results)}",
            f"- **Cheapest string out**: {ranked('string_out')}; **string in**: {ranked('string_in')}.",
            *_awaits(results),
            "- The full matrix, with import time, wheel size and build time, and the advice "
            "behind it: [Choosing a binding](docs/choosing.md).",
        ]
    )


def _awaits(results: Results) -> list[str]:
    """The cheapest ``await`` (the async section's trivial call, × ``await asyncio.sleep(0)``)
    and the slowest cancellation, as a line; none where the run has no async section."""
    own = results.bench.get("async")
    if not own:
        return []
    native = {b: e for b, e in own["backends"].items() if b in _front_ends(results)}
    order = sorted(native, key=lambda b: native[b]["x_floor"])[:3]
    cheapest = ", ".join(f"{b} ({x(native[b]['x_floor'], 2)})" for b in order)
    stops = [e["cancel_max_ms"] for e in native.values() if e["cancel_max_ms"] is not None]
    return [
        f"- **Cheapest await** (`await total_stopping_time_async(27)`, × `await asyncio.sleep(0)`): "
        f"{cheapest}. Cancelling a long await stopped its Rust work within {max(stops):.0f} ms in "
        f"every front end."
    ]


def _no_array_type(results: Results) -> str:
    """Why the generated front ends come last per element, said only when they do."""
    generated = [b for b in ("uniffi", "boltffi") if b in _front_ends(results)]
    if not generated or sorted(cheapest(results, "element")[-len(generated) :]) != sorted(generated):
        return ""
    return (
        f" The most expensive, {' and '.join(generated)}, have no array type: their data "
        "crosses as bytes, copied each way."
    )
