"""Heap allocations per call, counted by memray: figures that do not move with the machine.

Every call shape the benchmark times runs in a loop under ``memray.Tracker`` with
``trace_python_allocators=True``, which records every allocation and free: those of CPython's
object allocator (pymalloc) as well as ``malloc``/``realloc``/``calloc`` from native code (the
Rust of every front end, libffi, numpy). Each case is counted at two loop lengths and the
difference taken, so what a measurement costs once (starting the tracker, building the loop,
a fresh iterator) cancels and what is left is the cost of one more call:

- **allocations** and **bytes** per call: every allocation the call makes, in Python and in
  native code, freed or not (a ``realloc`` counts as one allocation of its new size);
- **growth** per call: the bytes allocated inside the loop and still allocated when it ends.
  A steady call leaves nothing behind, so anything but 0 is a leak (or a cache still filling).

The loops iterate over ``itertools.repeat`` (no ``int`` objects), with the cyclic garbage
collector off, after a warm-up outside the tracker (specialisation, free lists, caches, the
thread pool), in a child process per front end with ``PYTHONHASHSEED=0``: two runs give the
same counts (the benchmark runs the count twice and says whether they agree). memray's
``mmap`` records (pymalloc's 1 MiB arenas, now and then) are left out: they are where
allocations are carved from, not allocations.

Why memray rather than valgrind's DHAT: DHAT sees only ``malloc`` (pymalloc's objects would need
``PYTHONMALLOC=malloc``, a different allocator from the one users run) and counts a whole
program, so each case would need two runs of its own under valgrind; memray sees both
allocators in the interpreter users run, at native speed, and its reader's Python API gives
every record, in order, to count windows of a process.

``python -m collatz_bench.memory`` prints the counts of every installed front end as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

SHORT, LONG = 200, 1000
"""The two loop lengths every case is counted at (and the two numbers of live objects the
object sizes are counted at). Allocation counts come out exact at any lengths; what is left
allocated after a loop varies by up to a few KiB between loops (caches, other threads'
timing), so the lengths are far enough apart for a leak of one 16-byte block per call (12.8 KB
between them) to stand well above that."""
LEAK = 32.0
"""Bytes per call left after the loop and a collection from which on a front end is said to
leak: two of pymalloc's smallest blocks (or one int) leaked on every call. Without a leak the
figure stays within a few bytes of 0, except where native threads free late (BoltFFI: up to
about 15 bytes seen)."""
LONG_START = 9_780_657_630
"""A start with 1133 values: a fresh iterator outlasts the longest loop of ``next`` calls."""


@dataclass(frozen=True)
class Shape:
    """One call shape: a statement that makes one call, and what it is, for tables."""

    call: str
    """The call (names: ``m`` the front end, ``t`` a fresh ``Trajectory(LONG_START)``,
    ``SMALL``/``MEDIUM`` uint64 arrays, ``noop``/``noop2`` callbacks)."""
    what: str
    per: int = 1
    """How many items one call handles (visits, values): tables also show per item."""


SHAPES: dict[str, Shape] = {
    "step": Shape("m.step(27)", "step(27)"),
    "step_big": Shape("m.step(2**40)", "step(2**40): a result outside the small-int cache"),
    "step_fails": Shape(
        "try:\n    m.step(0)\nexcept ValueError:\n    pass", "step(0), failing: the error path"
    ),
    "next": Shape("next(t)", "next() on a Trajectory"),
    "walk": Shape("m.walk(27, noop)", "walk(27, visit): 112 callbacks", per=112),
    "stats": Shape("m.stats(27)", "stats(27): a record"),
    "parity_vector": Shape("m.parity_vector(27)", "parity_vector(27): a string of 111 out"),
    "residue": Shape("m.residue('01101101')", "residue('01101101'): a string in"),
    "trajectory": Shape("m.trajectory(27)", "trajectory(27): an array of 112 out", per=112),
    "trajectory_long": Shape(
        f"m.trajectory({LONG_START})", f"trajectory({LONG_START:_}): an array of 1133 out", per=1133
    ),
    "total_stopping_times_10": Shape(
        "m.total_stopping_times(SMALL)", "total_stopping_times, 10 in and out", per=10
    ),
    "total_stopping_times_10k": Shape(
        "m.total_stopping_times(MEDIUM)", "total_stopping_times, 10,000 in and out", per=10_000
    ),
    "max_total_stopping_time": Shape("m.max_total_stopping_time(1000)", "max_total_stopping_time(1000)"),
    "max_total_stopping_time_progress": Shape(
        "m.max_total_stopping_time(1000, progress=noop2)", "the same with a progress callback"
    ),
}
"""The shapes counted per call, by key."""

FLOOR = "floor"
"""The row of a C builtin's call (``operator.index(27)``): what a call costs with no binding."""

OBJECTS: dict[str, tuple[str, str]] = {
    "Trajectory": ("m.Trajectory(LONG_START)", "a fresh Trajectory"),
    "Trajectory_started": ("started(m.Trajectory(LONG_START))", "a Trajectory after one next()"),
    "Stats": ("m.stats(27)", "a Stats record"),
}
"""Objects whose size is counted: the bytes one live object holds, Python and native."""

CHILD = textwrap.dedent(
    r"""
    import gc, importlib, itertools, json, operator, os, signal, sys, tempfile, time
    import numpy
    import memray

    # Python's own SIGINT handler, as from a terminal, whatever the parent ignores: the glue
    # saves and restores it around long calls, so the counts depend on it.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    plan = json.loads(sys.argv[1])
    LONG_START = plan["long_start"]
    SMALL = numpy.arange(1, 11, dtype=numpy.uint64)
    MEDIUM = numpy.arange(1, 10_001, dtype=numpy.uint64)
    repeat = itertools.repeat
    FREES = {memray.AllocatorType.FREE, memray.AllocatorType.PYMALLOC_FREE}
    SKIPPED = {memray.AllocatorType.MMAP, memray.AllocatorType.MUNMAP}

    def noop(x):
        pass

    def noop2(done, total):
        pass

    def started(t):
        next(t)
        return t

    MARK = 1_234_567  # the size of a buffer allocated once, between the run and the collection

    def tracked(run, *args):
        # (allocations, bytes allocated, bytes left for the cyclic GC, bytes left after it)
        # while run(*args) runs and a collection follows it.
        fd, path = tempfile.mkstemp(suffix=".memray")
        os.close(fd)
        os.unlink(path)
        gc.collect()
        gc.disable()
        try:
            with memray.Tracker(path, trace_python_allocators=True, native_traces=False):
                kept = run(*args)
                # A native thread may free what a call made just after the call returns
                # (BoltFFI's job threads): let it, before what is left is taken.
                time.sleep(0.02)
                mark = bytearray(MARK)
                gc.collect()
                del mark
        finally:
            gc.enable()
        count = allocated = 0
        before_collection = None
        live = {}
        try:
            for record in memray.FileReader(path).get_allocation_records():
                kind = memray.AllocatorType(record.allocator)
                if kind in SKIPPED:
                    continue
                if kind in FREES:
                    live.pop(record.address, None)
                elif before_collection is None and MARK <= record.size <= MARK + 64:
                    before_collection = sum(live.values())
                elif before_collection is None:
                    count += 1
                    allocated += record.size
                    live[record.address] = record.size
                # (what the collection itself allocates is not the call's)
        finally:
            os.unlink(path)
        del kept
        return count, allocated, before_collection, sum(live.values())

    def loop(call, m):
        source = (
            "def run(m, t, n):\n    for _ in repeat(None, n):\n"
            + "".join("        " + line + "\n" for line in call.splitlines())
        )
        scope = dict(globals())
        exec(source, scope)
        return scope["run"]

    def python_frames(run, *args):
        # (Python frames entered, their frame objects' bytes) while run(*args) runs. memray
        # follows the Python stack through a profile function, and CPython makes a frame
        # object for every Python call a profile function sees: an allocation that only
        # happens under the tracker. Counted here the same way, it is taken off.
        seen = [0, 0]

        def profile(frame, event, arg):
            if event == "call":
                seen[0] += 1
                seen[1] += sys.getsizeof(frame)

        sys.setprofile(profile)
        try:
            run(*args)
        finally:
            sys.setprofile(None)
        return seen

    def per_call(call, m, frame_cost):
        # frame_cost: allocations a Python call's frame object costs under the tracker, as
        # measured on a plain function (1 from CPython 3.11, whose frames live on a stack
        # until something asks for an object; 0 on 3.10, which reuses a code object's frame).
        run = loop(call, m)
        fresh = (lambda: m.Trajectory(LONG_START)) if m is not None else (lambda: None)
        run(m, fresh(), 50)  # warm up, untracked
        tracked(run, m, fresh(), plan["short"])  # the first tracked loop allocates a few more
        short = tracked(run, m, fresh(), plan["short"])
        long = tracked(run, m, fresh(), plan["long"])
        frames_short = python_frames(run, m, fresh(), plan["short"])
        frames_long = python_frames(run, m, fresh(), plan["long"])
        span = plan["long"] - plan["short"]
        allocations, allocated, cyclic, growth = ((b - a) / span for a, b in zip(short, long))
        frames, frame_bytes = ((b - a) / span for a, b in zip(frames_short, frames_long))
        return {
            "allocations": round(allocations - frame_cost * frames, 3),
            "bytes": round(allocated - frame_cost * frame_bytes, 1),
            "cyclic": round(cyclic - growth, 1),
            "growth": round(growth, 1),
            "python_calls": round(frames, 3),
        }

    def object_size(make, m):
        build = eval("lambda m: " + make, globals())

        def keep(n):
            slots = [None] * n  # 8 bytes per object, taken off below
            for i in range(n):
                slots[i] = build(m)
            return slots

        for _ in range(20):
            build(m)
        tracked(keep, plan["objects_short"])
        short = tracked(keep, plan["objects_short"])
        long = tracked(keep, plan["objects_long"])
        span = plan["objects_long"] - plan["objects_short"]
        # The list of slots grows by 8 bytes per object: not the object's.
        return round((long[3] - short[3]) / span - 8, 1)

    def python_function(n):
        return n

    # A plain Python function's call allocates nothing but, under the tracker, its frame
    # object: what that costs is measured on it (frame_cost left out), then taken off every
    # Python call of every case; the checks below must then come out at 0.
    raw = per_call("python_function(27)", None, 0)
    frame_cost = round(raw["allocations"] / raw["python_calls"])
    out = {
        "frame_cost": frame_cost,
        # Checks of the method, each 0 when it is right: a C builtin's call, and a Python
        # function's (whose frame object only the tracker makes).
        "floor": per_call("operator.index(27)", None, frame_cost),
        "python_function": per_call("python_function(27)", None, frame_cost),
        "backends": {},
        "objects": {},
    }
    for name, module in plan["backends"].items():
        m = importlib.import_module(module)
        m.step(27), list(m.Trajectory(27)), m.total_stopping_times(MEDIUM)
        out["backends"][name] = {key: per_call(call, m, frame_cost) for key, call in plan["shapes"].items()}
        out["objects"][name] = {key: object_size(make, m) for key, make in plan["objects"].items()}
    print(json.dumps(out))
    """
)


def _child(python: str, program: str, plan: dict[str, Any], failure: str) -> dict[str, Any]:
    """Run ``program`` with ``plan`` in a fresh interpreter (``PYTHONHASHSEED=0``); the JSON
    object it prints last."""
    run = subprocess.run(
        [python, "-c", program, json.dumps(plan)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        timeout=1800,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"{failure} ({run.returncode}):\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def available() -> bool:
    """Whether memray is installed (Linux and macOS; ``make`` installs it)."""
    import importlib.util

    return importlib.util.find_spec("memray") is not None


def count(
    backends: dict[str, str],
    shapes: list[str] | None = None,
    objects: bool = True,
    python: str = sys.executable,
    loops: tuple[int, int] = (SHORT, LONG),
) -> dict[str, Any]:
    """Allocations, bytes and growth per call of ``shapes`` (default: all), and object sizes,
    for every front end (name → module), each in a child process of its own, from loops of
    ``loops`` calls (and as many live objects)."""
    chosen = {key: SHAPES[key].call for key in (shapes if shapes is not None else SHAPES)}
    short, long = loops
    result: dict[str, Any] = {"loops": {"short": short, "long": long}, "backends": {}, "objects": {}}
    for name, module in backends.items():
        plan = {
            "backends": {name: module},
            "shapes": chosen,
            "objects": {k: make for k, (make, _) in OBJECTS.items()} if objects else {},
            "short": short,
            "long": long,
            "objects_short": short,
            "objects_long": long,
            "long_start": LONG_START,
        }
        figures = _child(python, CHILD, plan, f"memray count failed for {name}")
        for check in ("floor", "python_function", "frame_cost"):
            result.setdefault(check, {})[name] = figures[check]
        result["backends"].update(figures["backends"])
        result["objects"].update(figures["objects"])
    return result


BULK: dict[str, tuple[str, str, str, str]] = {
    # key: (input, call, the data's size in bytes, what it is)
    "total_stopping_times": (
        "numpy.arange(1, size + 1, dtype=numpy.uint64)",
        "m.total_stopping_times(x)",
        "x.nbytes",
        "total_stopping_times of a uint64 array: the data is the input (8 bytes per element)",
    ),
    "total_stopping_times_list": (
        "list(range(1, size + 1))",
        "m.total_stopping_times(x)",
        "8 * len(x)",
        "total_stopping_times of a list of ints (size ÷ 100 of them): the data is its values as uint64",
    ),
    "parity_vector": (
        "2**100 + 1",
        "m.parity_vector(x, min(size, 2**20))",
        "min(size, 2**20)",
        "parity_vector(n, k), k = min(size, 2**20) (the contract's largest): the data is the string"
        " out (1 byte per parity)",
    ),
}
"""Bulk calls whose peak is measured, each in a fresh process. A trajectory has at most a few
thousand values below 2**128, so there is no bulk trajectory; its array is in the per-call
counts (``trajectory_long``)."""

BULK_CHILD = textwrap.dedent(
    r"""
    import gc, importlib, json, os, signal, sys, tempfile
    import numpy
    import memray

    signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal

    plan = json.loads(sys.argv[1])
    m = importlib.import_module(plan["module"])
    size = plan["size"]
    # Everything a call needs once, before the tracker: the module's lazy imports and tables.
    m.total_stopping_times(numpy.arange(1, 100, dtype=numpy.uint64)), m.total_stopping_times([1, 2])
    m.parity_vector(2**100 + 1, 100)
    x = eval(plan["input"])
    data = eval(plan["data"])
    FREES = {memray.AllocatorType.FREE, memray.AllocatorType.PYMALLOC_FREE}
    SKIPPED = {memray.AllocatorType.MMAP, memray.AllocatorType.MUNMAP}
    fd, path = tempfile.mkstemp(suffix=".memray")
    os.close(fd)
    os.unlink(path)
    gc.collect()
    gc.disable()
    with memray.Tracker(path, trace_python_allocators=True, native_traces=False):
        result = eval(plan["call"])
    live = {}
    now = peak = 0
    large = []
    for record in memray.FileReader(path).get_allocation_records():
        kind = memray.AllocatorType(record.allocator)
        if kind in SKIPPED:
            continue
        if kind in FREES:
            now -= live.pop(record.address, 0)
        else:
            live[record.address] = record.size
            now += record.size
            peak = max(peak, now)
            if record.size >= data // 2:
                large.append(record.size)
    os.unlink(path)
    print(json.dumps({"data_bytes": data, "peak_bytes": peak, "kept_bytes": now, "large": large}))
    """
)


def bulk(backends: dict[str, str], size: int, python: str = sys.executable) -> dict[str, Any]:
    """For every front end and bulk call (:data:`BULK`), each in a fresh process: the peak of
    the heap the call allocated above what existed before it (its input included there), the
    bytes still held after it (the result), and the buffers at least half the data's size it
    allocated (the data's copies, the result among them)."""
    out: dict[str, Any] = {"size": size, "cases": {k: v[3] for k, v in BULK.items()}, "backends": {}}
    for name, module in backends.items():
        for key, (made, call, data, _) in BULK.items():
            # A list's elements are converted one by one (an allocation each, in some front
            # ends), and memray's reader takes seconds per million records: lists at 1 %.
            n = size // 100 if key.endswith("_list") else size
            plan = {"module": module, "size": n, "input": made, "call": call, "data": data}
            figures = _child(python, BULK_CHILD, plan, f"memray bulk failed for {name} {key}")
            figures["peak_per_data"] = figures["peak_bytes"] / figures["data_bytes"]
            figures["copies"] = len(figures.pop("large"))
            out["backends"].setdefault(name, {})[key] = figures
    return out


def allocations(figures: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Allocations per call, by front end and shape: what ``make perf-check`` budgets."""
    return {
        name: {shape: entry["allocations"] for shape, entry in cases.items()}
        for name, cases in figures["backends"].items()
    }


if __name__ == "__main__":  # pragma: no cover - the command line of the module
    from collatz_contract.backends import NATIVE

    print(json.dumps(count({b.name: b.module for b in NATIVE}), indent=2))
