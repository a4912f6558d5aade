"""The binding generators against BoltFFI's published figure.

BoltFFI's dashboard reports an ``add`` at 49.9 ns against UniFFI's 1585.7 ns (pyperf, Apple
M3 Max, Python 3.13): UniFFI 31.8 times slower. ``add`` is an infallible function of two
integers. Here, on this machine and in the same rounds, each generator's own generated code
(not this project's facades):

- an infallible call: ``TrajectoryIterator.position()``, a method returning a ``u64``, which
  both generators produce from the same Rust (UniFFI's and BoltFFI's ``bind-*`` crates);
- a fallible call: the generated ``step(27)`` (``Result<u64, _>``), where BoltFFI's generated
  ``def`` runs the call in a lambda through its error decoder;
- BoltFFI's C entry point under that ``def`` (``_native.step``);

and PyO3's ``step`` and the floor for scale. The ratios UniFFI ÷ BoltFFI sit beside the
published one.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..context import FLOOR, Context, floor_case
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

PUBLISHED = {"boltffi_ns": 49.9, "uniffi_ns": 1585.7, "ratio": 1585.7 / 49.9}
"""BoltFFI's dashboard: add() per call, and UniFFI's (pyperf, Apple M3 Max, Python 3.13)."""

CALLS: dict[str, tuple[str, str, str, tuple[int, ...]]] = {
    # key: (what, module, expression giving the callable, its arguments)
    "boltffi/infallible": (
        "BoltFFI: generated TrajectoryIterator.position()",
        "collatz_boltffi._native",
        "TrajectoryIterator(27).position",
        (),
    ),
    "uniffi/infallible": (
        "UniFFI: generated TrajectoryIterator.position()",
        "collatz_uniffi._native.collatz_uniffi",
        "TrajectoryIterator(27).position",
        (),
    ),
    "boltffi/fallible": ("BoltFFI: generated step(27)", "collatz_boltffi._native", "step", (27,)),
    "uniffi/fallible": ("UniFFI: generated step(27)", "collatz_uniffi._native.collatz_uniffi", "step", (27,)),
    "boltffi/c_entry": (
        "BoltFFI: its C entry, _native.step(27)",
        "collatz_boltffi._native._native",
        "step",
        (27,),
    ),
    "pyo3/step": ("PyO3: step(27)", "collatz_pyo3", "step", (27,)),
}
NEEDS = {"boltffi", "uniffi"}


def _callables(ctx: Context) -> dict[str, Any]:
    names = {b.name for b in ctx.backends}
    if not names >= NEEDS:
        return {}
    out = {}
    for key, (_, module, expression, _arguments) in CALLS.items():
        if key.split("/")[0] in names:
            out[key] = eval(expression, vars(importlib.import_module(module)))
    return out


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for key, f in _callables(ctx).items():
        arguments = CALLS[key][3]
        out.append(
            Case(key, "f(a)" if arguments else "f()", {"f": f, "a": arguments[0] if arguments else None})
        )
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    result: dict[str, Any] = {"published": PUBLISHED, "calls": {}, "uniffi_over_boltffi": {}}
    for key in _callables(ctx):
        result["calls"][key] = {
            "what": CALLS[key][0],
            "ns_per_call": Summary.of(measured[key].samples).as_dict(),
            "ratio_to_floor": ratio_summary(measured[key].samples, floor).as_dict(),
        }
    for shape in ("infallible", "fallible"):
        if f"uniffi/{shape}" in measured and f"boltffi/{shape}" in measured:
            result["uniffi_over_boltffi"][shape] = ratio_summary(
                measured[f"uniffi/{shape}"].samples, measured[f"boltffi/{shape}"].samples
            ).as_dict()
    return result


def tables(own: dict[str, Any]) -> list[Table]:
    published = own["published"]
    t = Table(
        "The generators' own calls, per call (the facades aside), and UniFFI ÷ BoltFFI beside "
        f"BoltFFI's published {published['uniffi_ns']} ns ÷ {published['boltffi_ns']} ns = "
        f"{published['ratio']:.1f}×",
        ["call", "median", "× floor"],
        note=None if own["calls"] else "needs both the boltffi and uniffi front ends",
    )
    for entry in own["calls"].values():
        t.rows.append(
            [entry["what"], ns(entry["ns_per_call"]["median"]), f"{entry['ratio_to_floor']['median']:.2f}"]
        )
    for shape, ratio in own["uniffi_over_boltffi"].items():
        t.rows.append(
            [
                f"UniFFI ÷ BoltFFI, {shape} call (published: {published['ratio']:.1f}×)",
                "",
                f"{ratio['median']:.1f}×",
            ]
        )
    return [t]


SECTION = timed("generators", "the generators against BoltFFI's published figure", cases, summary, tables)
