"""Where a binding's call time goes: for every backend whose probes declare a
:class:`~collatz_bench.probes.Breakdown` (today UniFFI's generated ``step``), each part of one
raw call timed alone."""

from __future__ import annotations

import importlib
from typing import Any

from collatz_contract.backends import Backend

from .. import probes
from ..context import Context, Tick
from ..section import Section
from ..table import Table
from ..timing import Case, Summary, calibrate, run_rounds

REST = "the rest (Python frames, argument tuples)"


def _declared(ctx: Context) -> list[Backend]:
    return [b for b in ctx.backends if probes.of(b).breakdown is not None]


def steps(ctx: Context) -> int:
    return len(_declared(ctx))


def _cases(backend: Backend) -> list[Case]:
    spec = probes.of(backend).breakdown
    assert spec is not None
    env: dict[str, Any] = dict(vars(importlib.import_module(spec.module)))
    exec(spec.setup, env)  # the registry's setup statements: the struct and function the parts use
    return [Case(name, stmt, env) for name, stmt in (("whole", spec.whole), *spec.parts)]


def run(ctx: Context, tick: Tick) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    for backend in _declared(ctx):
        cases = _cases(backend)
        for case in cases:
            calibrate(case, ctx.config.target)
        run_rounds(cases, max(3, ctx.config.rounds // 3))
        medians = {c.key: Summary.of(c.samples).median for c in cases}
        whole = medians.pop("whole")
        spec = probes.of(backend).breakdown
        assert spec is not None
        result[backend.name] = {
            "call": spec.whole,
            "whole_ns": whole,
            "parts_ns": medians | {REST: whole - sum(medians.values())},
        }
        tick()
    return result or None


def tables(own: dict[str, Any]) -> list[Table]:
    out = []
    for name, entry in own.items():
        whole = entry["whole_ns"]
        t = Table(
            f"Where a {name} call's time goes: the generated {entry['call']}, part by part",
            ["part", "ns per call", "share"],
        )
        t.rows.append([f"whole {entry['call']}", f"{whole:.0f}", ""])
        for part, ns_ in entry["parts_ns"].items():
            t.rows.append([part, f"{ns_:.0f}", f"{ns_ / whole:.0%}"])
        out.append(t)
    return out


SECTION = Section("breakdown", "where a call's time goes", steps, run, tables)
