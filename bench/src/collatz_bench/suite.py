"""What the comparison measures (shared/DESIGN.md §3), section by section.

Every section builds a list of :class:`~collatz_bench.timing.Case` and measures them
interleaved; figures that compare two things are ratios taken within the same round.
"""

from __future__ import annotations

import operator
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from . import reference
from .backends import Backend
from .baseline import PlainC
from .timing import Case, Summary, calibrate, ratio_summary, run_rounds, time_once

BLOG = {
    "source": "the blog post this project answers (Go behind ctypes), one machine, single runs",
    "pure_python_s": 70.0,
    "per_step_calls_s": 20 * 60.0,
    "one_call_s": 0.63,
}
HEADLINE_STEPS = 10**9


@dataclass(frozen=True)
class Config:
    """Sizes and repetitions; :data:`FULL` by default, :data:`QUICK` for smoke tests."""

    name: str
    rounds: int
    target: float
    """Seconds per measurement (calls are batched to reach it)."""
    ks: tuple[int, ...]
    reference_max_k: int
    bulk_sizes: tuple[int, ...]
    reference_max_bulk: int
    headline_k: int
    headline_repeats: int
    per_step_calls: int
    python_loop_steps: int
    thread_len: int
    thread_calls: int
    thread_repeats: int
    range_limit: int
    range_repeats: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


FULL = Config(
    name="full",
    rounds=15,
    target=0.02,
    ks=tuple(10**i for i in range(7)),
    reference_max_k=10**5,
    bulk_sizes=tuple(10**i for i in range(7)),
    reference_max_bulk=10**4,
    headline_k=10**9,
    headline_repeats=3,
    per_step_calls=200_000,
    python_loop_steps=2_000_000,
    thread_len=16_000,
    thread_calls=200,
    thread_repeats=5,
    range_limit=10**7,
    range_repeats=3,
)
QUICK = Config(
    name="quick",
    rounds=3,
    target=0.002,
    ks=tuple(10**i for i in range(6)),
    reference_max_k=10**3,
    bulk_sizes=tuple(10**i for i in range(6)),
    reference_max_bulk=10**2,
    headline_k=10**7,
    headline_repeats=1,
    per_step_calls=20_000,
    python_loop_steps=100_000,
    thread_len=16_000,
    thread_calls=20,
    thread_repeats=1,
    range_limit=10**5,
    range_repeats=1,
)

Tick = Callable[[], None]


def _raw_step(backend: Backend, module: ModuleType) -> Callable[[int], int] | None:
    """The binding's own call under the public wrapper, where the two differ."""
    if backend.name == "cffi":
        return module.lib.collatz_step  # type: ignore[no-any-return]
    if backend.name == "ctypes":
        return module._c_step  # type: ignore[no-any-return]
    if backend.name == "uniffi":
        from collatz_uniffi._native import collatz_uniffi

        step: Callable[[int], int] = collatz_uniffi.step
        return step
    return None


def python_function(n: int) -> int:
    """The second floor: a one-line Python function."""
    return n


# --- 1 and 2: floor and scalar call overhead ---------------------------------------------------


def scalar_cases(backends: dict[Backend, ModuleType]) -> list[Case]:
    cases = [
        Case("floor/operator.index", "f(a)", {"f": operator.index, "a": 27}),
        Case("floor/python_function", "f(a)", {"f": python_function, "a": 27}),
    ]
    for backend, module in backends.items():
        cases.append(Case(f"scalar/{backend.name}", "f(a)", {"f": module.step, "a": 27}))
        raw = _raw_step(backend, module)
        if raw is not None:
            cases.append(Case(f"raw/{backend.name}", "f(a)", {"f": raw, "a": 27}))
        if backend.name == "cffi":
            # The ABI-mode module maturin generates, next to the compiled one via_cffi uses.
            from collatz_cabi._native import lib as abi_lib

            cases.append(Case("abi-raw/cffi", "f(a)", {"f": abi_lib.collatz_step, "a": 27}))
    return cases


def summarize_scalar(cases: dict[str, Case], backends: dict[Backend, ModuleType]) -> dict[str, Any]:
    floor = cases["floor/operator.index"].samples
    result: dict[str, Any] = {
        "floor": {
            "operator.index": Summary.of(floor).as_dict(),
            "python_function": Summary.of(cases["floor/python_function"].samples).as_dict(),
            "python_function_ratio": ratio_summary(
                cases["floor/python_function"].samples, floor
            ).as_dict(),
        },
        "backends": {},
    }
    for backend in backends:
        public = cases[f"scalar/{backend.name}"].samples
        entry: dict[str, Any] = {
            "ns_per_call": Summary.of(public).as_dict(),
            "ratio_to_floor": ratio_summary(public, floor).as_dict(),
            "raw": None,
        }
        raw_case = cases.get(f"raw/{backend.name}")
        if raw_case is not None:
            raw = Summary.of(raw_case.samples)
            entry["raw"] = {
                "what": {
                    "cffi": f"lib.collatz_step ({module_mode(backends, backend)} mode)",
                    "ctypes": "collatz_step with argtypes",
                    "uniffi": "generated collatz_uniffi.step",
                }[backend.name],
                "ns_per_call": raw.as_dict(),
                "ratio_to_floor": ratio_summary(raw_case.samples, floor).as_dict(),
                "wrapper_ns": Summary.of(public).median - raw.median,
            }
        abi = cases.get(f"abi-raw/{backend.name}")
        if abi is not None:
            entry["abi_mode_raw"] = {
                "what": "lib.collatz_step of maturin's ABI-mode module (collatz_cabi._native)",
                "ns_per_call": Summary.of(abi.samples).as_dict(),
                "ratio_to_floor": ratio_summary(abi.samples, floor).as_dict(),
            }
        result["backends"][backend.name] = entry
    return result


def module_mode(backends: dict[Backend, ModuleType], backend: Backend) -> str:
    """cffi's mode in use: "api" (compiled) or "abi" (dlopen)."""
    return str(getattr(backends[backend], "MODE", "abi"))


# --- 3: amortisation ----------------------------------------------------------------------------


def amortisation_cases(backends: dict[Backend, ModuleType], config: Config) -> list[Case]:
    cases = []
    for backend, module in backends.items():
        for k in config.ks:
            if not backend.native and k > config.reference_max_k:
                continue
            cases.append(
                Case(f"iterate/{backend.name}/{k}", "f(a, k)", {"f": module.iterate, "a": 27, "k": k}, units=k)
            )
    return cases


def fit_overhead(ks: list[int], seconds: list[float]) -> tuple[float, float]:
    """Fit ``t(k) = overhead + per_step * k`` (ns) minimising relative error."""
    k = np.asarray(ks, dtype=float)
    t = np.asarray(seconds, dtype=float) * 1e9
    design = np.stack([1 / t, k / t], axis=1)
    (overhead, per_step), *_ = np.linalg.lstsq(design, np.ones_like(t), rcond=None)
    return float(overhead), float(per_step)


def summarize_amortisation(
    cases: dict[str, Case], backends: dict[Backend, ModuleType], native_per_step_ns: float
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for backend in backends:
        points = []
        ks, medians = [], []
        for key, case in cases.items():
            if not key.startswith(f"iterate/{backend.name}/"):
                continue
            k = case.units
            per_call = Summary.of(case.samples)
            points.append(
                {"k": k, "ns_per_call": per_call.as_dict(), "ns_per_step": per_call.median / k}
            )
            ks.append(k)
            medians.append(per_call.median / 1e9)
        overhead, per_step = fit_overhead(ks, medians)
        k90 = 9 * overhead / native_per_step_ns if backend.native else None
        result[backend.name] = {
            "points": points,
            "fit": {"overhead_ns": overhead, "per_step_ns": per_step},
            "k_at_90pct_native": k90,
        }
    return result


# --- 4: the blog's headline ---------------------------------------------------------------------


def blog_loop(n: int, k: int) -> int:
    """The blog's pure-Python loop: k unchecked steps."""
    collatz = reference.collatz
    for _ in range(k):
        n = collatz(n)
    return n


def per_step_loop(step: Callable[[int], int], n: int, k: int) -> int:
    """The blog's slow way: one native call per step, the loop in Python."""
    for _ in range(k):
        n = step(n)
    return n


def headline(
    backends: dict[Backend, ModuleType], plain_c: PlainC | None, config: Config, tick: Tick
) -> dict[str, Any]:
    scale = HEADLINE_STEPS / config.python_loop_steps
    python_s = min(
        time_once(lambda: blog_loop(27, config.python_loop_steps)) for _ in range(3)
    ) * scale
    tick()
    per_step: dict[str, Any] = {}
    one_call: dict[str, Any] = {}
    for backend, module in backends.items():
        if not backend.native:
            continue
        calls = config.per_step_calls
        t = min(time_once(lambda: per_step_loop(module.step, 27, calls)) for _ in range(3))
        per_step[backend.name] = {
            "seconds": t * HEADLINE_STEPS / calls,
            "extrapolated_from_steps": calls,
        }
        tick()
    # One call of iterate: interleaved across backends, repeated.
    runs: dict[str, list[float]] = {b.name: [] for b in backends if b.native}
    if plain_c is not None:
        runs["plain C"] = []
    for _ in range(config.headline_repeats):
        for backend, module in backends.items():
            if backend.native:
                runs[backend.name].append(
                    time_once(lambda: module.iterate(27, config.headline_k))
                )
                tick()
        if plain_c is not None:
            runs["plain C"].append(time_once(lambda: plain_c.iterate(27, config.headline_k)))
            tick()
    scale_call = HEADLINE_STEPS / config.headline_k
    for name, seconds in runs.items():
        s = Summary.of(seconds)
        one_call[name] = {
            "seconds": s.median / 1e9 * scale_call,
            "min_s": s.low / 1e9 * scale_call,
            "max_s": s.high / 1e9 * scale_call,
            "k": config.headline_k,
            "extrapolated": config.headline_k != HEADLINE_STEPS,
        }
    return {
        "steps": HEADLINE_STEPS,
        "pure_python": {
            "seconds": python_s,
            "extrapolated_from_steps": config.python_loop_steps,
        },
        "per_step_calls": per_step,
        "one_call": one_call,
        "blog": BLOG,
    }


# --- 5: bulk ------------------------------------------------------------------------------------


def bulk_cases(
    backends: dict[Backend, ModuleType], plain_c: PlainC | None, config: Config
) -> list[Case]:
    cases = []
    for n in config.bulk_sizes:
        values = np.arange(1, n + 1, dtype=np.uint64)
        ones = np.ones(n, dtype=np.uint64)
        for backend, module in backends.items():
            if not backend.native and n > config.reference_max_bulk:
                continue
            f = module.stopping_times
            cases.append(Case(f"bulk/{backend.name}/{n}", "f(v)", {"f": f, "v": values}, units=n))
            cases.append(Case(f"convert/{backend.name}/{n}", "f(v)", {"f": f, "v": ones}, units=n))
        if plain_c is not None:
            cases.append(
                Case(f"bulk/plain C/{n}", "f(v)", {"f": plain_c.stopping_times, "v": values}, units=n)
            )
    return cases


def summarize_bulk(
    cases: dict[str, Case], backends: dict[Backend, ModuleType], config: Config
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    names = [b.name for b in backends] + (["plain C"] if any(k.startswith("bulk/plain C/") for k in cases) else [])
    for name in names:
        rows = []
        for n in config.bulk_sizes:
            case = cases.get(f"bulk/{name}/{n}")
            if case is None:
                continue
            row: dict[str, Any] = {"n": n, "ns_per_element": Summary.of(case.samples, n).as_dict()}
            convert = cases.get(f"convert/{name}/{n}")
            if convert is not None:
                row["convert_ns_per_element"] = Summary.of(convert.samples, n).as_dict()
            c = cases.get(f"bulk/plain C/{n}")
            if c is not None and name != "plain C":
                row["vs_plain_c"] = ratio_summary(case.samples, c.samples).as_dict()
            rows.append(row)
        result[name] = rows
    return result


# --- range: max_stopping_time against the plain C loop ----------------------------------------


def max_range(
    backends: dict[Backend, ModuleType], plain_c: PlainC | None, config: Config, tick: Tick
) -> dict[str, Any]:
    """``max_stopping_time(limit)`` per native backend and for the plain C loop, interleaved."""
    limit = config.range_limit
    runs: dict[str, list[float]] = {b.name: [] for b in backends if b.native}
    answers: dict[str, object] = {}
    if plain_c is not None:
        runs["plain C"] = []
    for _ in range(config.range_repeats):
        for backend, module in backends.items():
            if backend.native:
                runs[backend.name].append(time_once(lambda: module.max_stopping_time(limit)))
                answers[backend.name] = module.max_stopping_time(limit)
                tick()
        if plain_c is not None:
            runs["plain C"].append(time_once(lambda: plain_c.max_stopping_time(limit)))
            answers["plain C"] = plain_c.max_stopping_time(limit)
            tick()
    result: dict[str, Any] = {"limit": limit, "backends": {}}
    for name, seconds in runs.items():
        s = Summary.of(seconds)
        entry: dict[str, Any] = {"seconds": s.median / 1e9, "min_s": s.low / 1e9, "answer": answers[name]}
        if "plain C" in runs and name != "plain C":
            entry["vs_plain_c"] = ratio_summary(seconds, runs["plain C"]).as_dict()
        result["backends"][name] = entry
    return result


def targets(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios that issue 5's targets are stated in, from figures of this run."""
    out: dict[str, Any] = {"step_ratio_to_floor": {}, "convert_ns_per_element": {}}
    for name, entry in results["scalar"]["backends"].items():
        out["step_ratio_to_floor"][name] = entry["ratio_to_floor"]["median"]
    one_call = results["headline"]["one_call"]
    if "plain C" in one_call:
        fastest = min(e["seconds"] for n, e in one_call.items() if n != "plain C")
        out["iterate_speedup_vs_plain_c"] = one_call["plain C"]["seconds"] / fastest
    top = max((rows[-1]["n"] for rows in results["bulk"].values() if rows), default=0)
    largest = {name: rows[-1] for name, rows in results["bulk"].items() if rows and rows[-1]["n"] == top}
    speedups = {
        name: 1 / row["vs_plain_c"]["median"] for name, row in largest.items() if "vs_plain_c" in row
    }
    if speedups:
        out["stopping_times_speedup_vs_plain_c"] = speedups
        out["stopping_times_n"] = max(row["n"] for row in largest.values())
    for name, row in largest.items():
        if "convert_ns_per_element" in row:
            out["convert_ns_per_element"][name] = row["convert_ns_per_element"]["median"]
    ranges = results.get("range", {}).get("backends", {})
    if "plain C" in ranges:
        out["max_stopping_time_speedup_vs_plain_c"] = {
            name: 1 / e["vs_plain_c"]["median"] for name, e in ranges.items() if "vs_plain_c" in e
        }
        out["max_stopping_time_limit"] = results["range"]["limit"]
    return out


# --- where UniFFI's scalar call time goes -------------------------------------------------------


def uniffi_breakdown(config: Config) -> dict[str, Any] | None:
    """The parts of one generated ``step(27)`` call, each timed alone (ns per call)."""
    try:
        import ctypes

        from collatz_uniffi._native import collatz_uniffi as generated
    except ImportError:
        return None
    g = vars(generated)
    status = g["_UniffiRustCallStatus"].default()  # generated code: untyped
    function = generated._UniffiLib.uniffi_collatz_uniffi_fn_func_step
    parts = {
        "whole generated step(27)": "step(27)",
        "argument check (check_lower)": "_UniffiFfiConverterUInt64.check_lower(27)",
        "lower and lift (identity for u64)": (
            "_UniffiFfiConverterUInt64.lower(27); _UniffiFfiConverterUInt64.lift(27)"
        ),
        "new call-status struct (ctypes)": "_UniffiRustCallStatus.default()",
        "ctypes.byref(status)": "ctypes.byref(st)",
        "the foreign call (ctypes CDLL)": "fn(27, ctypes.byref(st))",
        "status check": "_uniffi_check_call_status(None, st)",
    }
    cases = [
        Case(name, stmt, {**g, "ctypes": ctypes, "st": status, "fn": function})
        for name, stmt in parts.items()
    ]
    for case in cases:
        calibrate(case, config.target)
    run_rounds(cases, max(3, config.rounds // 3))
    result = {c.key: Summary.of(c.samples).median for c in cases}
    accounted = sum(v for k, v in result.items() if k != "whole generated step(27)")
    result["the rest (Python frames, argument tuples)"] = result["whole generated step(27)"] - accounted
    return result


# --- 6: threads ---------------------------------------------------------------------------------


def _threaded(function: Callable[[], object], threads: int, calls_each: int) -> float:
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        barrier.wait()
        for _ in range(calls_each):
            function()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - start


def threads(backends: dict[Backend, ModuleType], config: Config, tick: Tick) -> dict[str, Any]:
    """The same total work from one thread and from two: a speed-up near 2 means the
    backend releases the GIL while it computes."""
    result: dict[str, Any] = {}
    for backend, module in backends.items():
        # Elements with long trajectories, fewer than the core's parallel threshold (2^14) so
        # that any speed-up comes from the GIL being released, not from the core's threads.
        if backend.native:
            n = config.thread_len
            values = np.arange(n, dtype=np.uint64) * np.uint64(7919) + np.uint64(2**48 + 1)
        else:
            n = 64
            values = np.arange(1, n + 1, dtype=np.uint64)
        calls = config.thread_calls

        def work(f: Callable[[Any], Any] = module.stopping_times) -> object:
            return f(values)

        one, two = [], []
        _threaded(work, 2, max(1, calls // 4))  # warm-up: threads, caches, allocator
        for r in range(config.thread_repeats):
            # Alternate which goes first so that drift does not favour either.
            if r % 2:
                two.append(_threaded(work, 2, calls))
                one.append(_threaded(work, 1, 2 * calls))
            else:
                one.append(_threaded(work, 1, 2 * calls))
                two.append(_threaded(work, 2, calls))
        speedups = [a / b for a, b in zip(one, two, strict=True)]
        s = Summary.of([x / 1e9 for x in speedups])
        result[backend.name] = {
            "elements_per_call": n,
            "calls": 2 * calls,
            "one_thread_s": Summary.of(one).median / 1e9,
            "two_threads_s": Summary.of(two).median / 1e9,
            "speedup": s.as_dict(),
            "releases_gil": s.median > 1.3,
        }
        tick()
    return result


# --- everything ---------------------------------------------------------------------------------


def measure_group(cases: list[Case], config: Config, tick: Tick) -> dict[str, Case]:
    for case in cases:
        calibrate(case, config.target)
        tick()
    run_rounds(cases, config.rounds, tick)
    return {c.key: c for c in cases}
