"""Every front end's call shapes and the hazards of docs/contract.md ("Copies, fork, signals,
threads"), driven once each, for ``make memcheck``: valgrind's memcheck watches this process
(``PYTHONMALLOC=malloc``) and ``memcheck_report.py`` fails on any invalid read, write or free,
or a definite leak, with a frame in the project's libraries.

Run directly, it is an ordinary script (a smoke test of the same calls). Each call is small:
under valgrind everything runs some 30 times slower.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import glob
import pickle
import threading
from typing import Any

import numpy as np

from collatz_contract.backends import NATIVE


def expect(exception: type[BaseException], function: Any, *args: object) -> None:
    try:
        function(*args)
    except exception:
        return
    raise AssertionError(f"{function!r}{args} did not raise {exception.__name__}")


class Stop(Exception):
    pass


def stop_at_5(x: int) -> None:
    if x == 5:
        raise Stop


def raising_progress(done: int, total: int) -> None:
    raise Stop


def exercise(f: Any) -> None:
    """One of every shape and hazard through the front end ``f`` (a module)."""
    assert f.step(27) == 82 and f.iterate(27, 111) == 1 and f.total_stopping_time(27) == 111
    assert f.total_stopping_times(np.arange(1, 3000, dtype=np.uint64))[26] == 111
    assert f.total_stopping_times([27, 97]).tolist() == [111, 118]
    assert f.max_total_stopping_time(10**4, progress=lambda done, total: None) == (6171, 261)
    assert f.trajectory(27).tolist()[-1] == 1
    assert f.walk(27, lambda x: None) == 112
    # errors on every path
    for bad in (0, -1, 2**64, 1.5, "x"):
        expect(Exception, f.step, bad)
        expect(Exception, f.trajectory, bad)
        expect(Exception, f.Trajectory, bad)
    expect(OverflowError, f.step, 2**64 - 1)
    expect(OverflowError, f.trajectory, 2**64 - 2)
    expect(OverflowError, f.walk, 2**64 - 2, lambda x: None)
    expect(ValueError, f.total_stopping_times, [1, 0])
    expect(Stop, f.walk, 27, stop_at_5)
    expect(Stop, lambda: f.max_total_stopping_time(10**4, progress=raising_progress))
    # the native iterator: drained, abandoned, overflowing, copied, pickled, re-initialised
    t = f.Trajectory(27)
    assert len(list(t)) == 112
    abandoned = f.Trajectory(97)
    next(abandoned)
    del abandoned
    t = f.Trajectory(2**64 - 2)
    next(t)
    next(t)
    expect(OverflowError, next, t)
    assert list(t) == []
    t = f.Trajectory(27)
    next(t)
    copies = [copy.copy(t), copy.deepcopy(t), pickle.loads(pickle.dumps(t))]
    assert {next(c) for c in copies} == {82}
    del t, copies
    t = f.Trajectory(27)
    for _ in range(50):
        t.__init__(97)
    list(t)
    # one iterator, two threads
    shared = f.Trajectory(63_728_127)
    threads = [threading.Thread(target=lambda: [None for _ in shared]) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the awaitable forms: completed, failed, stopped by progress, cancelled mid-search
    asyncio.run(awaited(f))
    gc.collect()


async def awaited(f: Any) -> None:
    assert await f.total_stopping_time_async(27) == 111
    assert await f.max_total_stopping_time_async(10**4, progress=lambda done, total: None) == (6171, 261)
    for bad in (0, 2**64, "x"):
        try:
            await f.max_total_stopping_time_async(bad)
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            raise AssertionError(f"max_total_stopping_time_async({bad!r}) did not raise")
    try:
        await f.max_total_stopping_time_async(10**4, progress=raising_progress)
    except Stop:
        pass
    task = asyncio.ensure_future(f.max_total_stopping_time_async(2**40))
    await asyncio.sleep(0.05)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    while searching():
        await asyncio.sleep(0.01)  # the search's thread ends before the next front end starts


def searching() -> bool:
    """Whether a search thread runs: a Python one, or a native one named in ``/proc``."""
    if any(t.name == "collatz-search" for t in threading.enumerate()):
        return True
    for comm in glob.glob("/proc/self/task/*/comm"):
        try:
            with open(comm) as f:
                if f.read().strip() == "collatz-search":
                    return True
        except OSError:
            pass
    return False


ROUNDS = 3
"""Every front end is exercised this many times: memory lost once per call shows as at least
this many leaked blocks, while a module's once-per-process state stays one block."""

for _ in range(ROUNDS):
    for backend in NATIVE:
        exercise(backend.load())
print(f"memcheck: {', '.join(b.name for b in NATIVE)} exercised {ROUNDS} times", flush=True)
