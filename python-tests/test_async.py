"""The awaitable forms (docs/contract.md, "Awaitable forms: `…_async`"): the same answers and
errors as the synchronous calls, through an ``await``; ``progress`` on the loop's thread;
cancelling stops the search's thread; any loop in any thread; a clear error without one.

Whether the native work has stopped is read from the threads: every front end runs an awaited
search on a thread named ``collatz-search`` (the glue's and the reference's), which ends when
the search does. Cases that could hang the interpreter (a loop closed under a running search,
Ctrl-C) run in a child process with a timeout.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from collatz_contract.backends import BACKENDS, Backend

SEARCH_THREAD = "collatz-search"
STOP_BOUND = 0.5
"""Seconds from a cancel to the search's thread having ended (the contract's bound)."""
LONG = 2**40
"""A limit whose search outlasts every test (hours)."""


class Stop(Exception):
    pass


def searches() -> list[str]:
    """The search threads running: Python threads of that name (the glue's, the reference's)
    and, where ``/proc`` says, native threads of that name (PyO3's, started by Rust: not in
    ``threading.enumerate()``)."""
    found = [t.name for t in threading.enumerate() if t.name == SEARCH_THREAD and t.is_alive()]
    return found + native_threads(SEARCH_THREAD)


def native_threads(name: str) -> list[str]:
    """The threads of this process the kernel knows by ``name`` (Linux; none elsewhere)."""
    found = []
    for comm in glob.glob("/proc/self/task/*/comm"):
        try:
            with open(comm) as f:
                if f.read().strip() == name:
                    found.append(name)
        except OSError:  # the thread ended meanwhile
            pass
    return found


def wait_for_no_search(bound: float = STOP_BOUND) -> float:
    """Seconds until no search thread is left; fails the test past ``bound``."""
    began = time.perf_counter()
    while searches():
        waited = time.perf_counter() - began
        assert waited < bound, f"a search still runs {waited:.2f} s after it was abandoned"
        time.sleep(0.002)
    return time.perf_counter() - began


async def search_ended() -> None:
    """Wait, the loop still running (so that a closed loop is not what ended it), until no
    search thread is left; fail past the contract's bound."""
    began = time.perf_counter()
    while searches():
        waited = time.perf_counter() - began
        assert waited < STOP_BOUND, f"a search still runs {waited:.2f} s after its task was cancelled"
        await asyncio.sleep(0.002)


@pytest.fixture(autouse=True)
def no_search_left(caplog: pytest.LogCaptureFixture) -> Any:
    """Every test starts and ends with no search running, and asyncio logged no error (an
    exception in a callback the binding scheduled: a future resolved after its task was
    cancelled, say)."""
    wait_for_no_search(5)
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        yield
    wait_for_no_search()
    logged = [r.getMessage() for r in caplog.get_records("call") if r.name == "asyncio"]
    assert not logged, f"asyncio logged errors: {logged}"


def small(impl: ModuleType, ref: ModuleType, native: int, reference: int) -> int:
    return reference if impl is ref else native


# --- the same answers and errors --------------------------------------------------------------


def test_they_return_coroutines_that_start_nothing_until_awaited(impl: ModuleType) -> None:
    trivial = impl.total_stopping_time_async(27)
    coroutine = impl.max_total_stopping_time_async(LONG)
    assert asyncio.iscoroutine(trivial) and asyncio.iscoroutine(coroutine)
    time.sleep(0.01)
    assert not searches(), "calling started a search"
    trivial.close()
    coroutine.close()


def test_the_same_answers_as_the_synchronous_calls(impl: ModuleType, ref: ModuleType) -> None:
    starts = [1, 2, 27, 97, 2**40 + 1, 2**64 - 1]
    limits = [2, 3, 1000, small(impl, ref, 3 * 2**20 + 5, 8_200)]

    async def main() -> tuple[list[int], list[tuple[int, int]]]:
        times = [await impl.total_stopping_time_async(n) for n in starts]
        records = [await impl.max_total_stopping_time_async(limit) for limit in limits]
        return times, records

    times, records = asyncio.run(main())
    assert times == [impl.total_stopping_time(n) for n in starts]
    assert records == [impl.max_total_stopping_time(limit) for limit in limits]
    assert all(type(t) is int for t in times)
    assert all(type(r) is tuple and all(type(x) is int for x in r) for r in records)


def test_a_thousand_concurrent_awaits(impl: ModuleType) -> None:
    starts = range(1, 1001)

    async def main() -> list[int]:
        return list(await asyncio.gather(*(impl.total_stopping_time_async(n) for n in starts)))

    assert asyncio.run(main()) == [impl.total_stopping_time(n) for n in starts]


BAD_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("total_stopping_time", (0,), {}),
    ("total_stopping_time", (-1,), {}),
    ("total_stopping_time", (2**64,), {}),
    ("total_stopping_time", ("27",), {}),
    ("total_stopping_time", (1.5,), {}),
    ("max_total_stopping_time", (1,), {}),
    ("max_total_stopping_time", (2**64,), {}),
    ("max_total_stopping_time", ("x",), {}),
    ("max_total_stopping_time", (100,), {"progress": 5}),
    ("max_total_stopping_time", ("x",), {"progress": 5}),  # limit before progress
]


def _raised(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except BaseException as e:  # the outcome is what is compared
        return e
    raise AssertionError("no exception")


@pytest.mark.parametrize(("name", "args", "kwargs"), BAD_CALLS, ids=lambda v: repr(v)[:30])
def test_errors_arrive_through_the_await_as_the_synchronous_calls_raise_them(
    impl: ModuleType, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    expected = _raised(lambda: getattr(impl, name)(*args, **kwargs))
    got = _raised(lambda: asyncio.run(getattr(impl, f"{name}_async")(*args, **kwargs)))
    assert (type(got), str(got)) == (type(expected), str(expected))


def test_arguments_are_positional_and_progress_keyword_only(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.max_total_stopping_time_async(100, lambda d, t: None)  # type: ignore[misc]
    with pytest.raises(TypeError):
        impl.total_stopping_time_async(n=27)


@pytest.mark.parametrize("name", ["total_stopping_time_async", "max_total_stopping_time_async"])
def test_without_a_running_loop_it_is_a_clear_error(impl: ModuleType, name: str) -> None:
    coroutine = getattr(impl, name)(100)
    with pytest.raises(RuntimeError, match=f"^{name} must be awaited in a running asyncio event loop$"):
        coroutine.send(None)
    coroutine.close()
    assert not searches()


# --- progress -----------------------------------------------------------------------------------


def test_progress_runs_on_the_loops_thread_in_order_before_the_result(
    impl: ModuleType, ref: ModuleType
) -> None:
    limit = small(impl, ref, 3 * 2**20 + 5, 8_200)
    calls: list[tuple[int, int, int]] = []

    async def main() -> tuple[int, int]:
        def progress(done: int, total: int) -> None:
            calls.append((threading.get_ident(), done, total))

        result = await impl.max_total_stopping_time_async(limit, progress=progress)
        assert calls and calls[-1][1:] == (limit - 1, limit - 1), "the last report before the result"
        return result

    assert asyncio.run(main()) == impl.max_total_stopping_time(limit)
    assert {thread for thread, _, _ in calls} == {threading.get_ident()}
    dones = [done for _, done, _ in calls]
    assert dones == sorted(dones)
    assert all(total == limit - 1 for _, _, total in calls)


def test_a_raising_progress_stops_the_search_and_its_exception_is_awaited(impl: ModuleType) -> None:
    error = Stop("from progress")
    calls = 0

    def progress(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        raise error

    async def main() -> None:
        with pytest.raises(Stop) as info:
            await impl.max_total_stopping_time_async(LONG, progress=progress)
        assert info.value is error
        await search_ended()

    asyncio.run(main())
    assert calls == 1, "not called again after it raised"


# --- cancelling ---------------------------------------------------------------------------------


async def _started(impl: ModuleType, progress: Callable[[int, int], object] | None = None) -> Any:
    """A task awaiting a long search, once the search runs."""
    task = asyncio.ensure_future(impl.max_total_stopping_time_async(LONG, progress=progress))
    deadline = time.perf_counter() + 10
    while not searches():
        assert time.perf_counter() < deadline, "no search thread started"
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.02)
    return task


@pytest.mark.parametrize("with_progress", [False, True], ids=["no-progress", "progress"])
def test_cancelling_the_task_stops_the_search(impl: ModuleType, with_progress: bool) -> None:
    reports = 0

    def progress(done: int, total: int) -> None:
        nonlocal reports
        reports += 1

    async def main() -> None:
        task = await _started(impl, progress if with_progress else None)
        deadline = time.perf_counter() + 10
        while with_progress and not reports and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)  # cancel once progress has run at least once
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await search_ended()

    asyncio.run(main())
    if with_progress:
        assert reports >= 1


def test_cancelling_while_progress_runs_stops_the_search(impl: ModuleType) -> None:
    async def main() -> None:
        me = asyncio.current_task()
        inner: list[Any] = []

        def progress(done: int, total: int) -> None:
            if inner:
                inner[0].cancel()  # from inside progress, on the loop's thread

        task = asyncio.ensure_future(impl.max_total_stopping_time_async(LONG, progress=progress))
        inner.append(task)
        with pytest.raises(asyncio.CancelledError):
            await task
        assert me is not None and not me.cancelled()
        await search_ended()

    asyncio.run(main())


def test_a_timeout_stops_the_search(impl: ModuleType) -> None:
    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(impl.max_total_stopping_time_async(LONG), 0.05)
        await search_ended()

    asyncio.run(main())


def test_cancelled_before_it_starts_it_never_runs(impl: ModuleType) -> None:
    async def main() -> None:
        tasks = [
            asyncio.ensure_future(impl.max_total_stopping_time_async(LONG)),
            asyncio.ensure_future(impl.total_stopping_time_async(27)),
        ]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    assert not searches()


def test_asyncio_run_ending_with_the_search_pending_stops_it(impl: ModuleType) -> None:
    async def main() -> None:
        await _started(impl)  # the task is left pending: asyncio.run cancels it

    asyncio.run(main())
    wait_for_no_search()


# --- loops and threads --------------------------------------------------------------------------


def test_two_loops_in_two_threads_at_once(impl: ModuleType, ref: ModuleType) -> None:
    limits = [small(impl, ref, 2**21 + 7, 4_500), small(impl, ref, 3 * 2**20 + 5, 8_300)]
    results: dict[int, Any] = {}
    reporters: dict[int, set[int]] = {0: set(), 1: set()}
    both = threading.Barrier(2)

    def run(i: int) -> None:
        async def main() -> tuple[int, int]:
            both.wait()
            return await impl.max_total_stopping_time_async(
                limits[i], progress=lambda d, t: reporters[i].add(threading.get_ident())
            )

        try:
            results[i] = (threading.get_ident(), asyncio.run(main()))
        except BaseException as e:  # reported by the assertion below
            results[i] = (threading.get_ident(), e)

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for i in (0, 1):
        ident, result = results[i]
        assert result == impl.max_total_stopping_time(limits[i])
        assert reporters[i] == {ident}, "each loop's progress on its own thread"


CHILD_PRELUDE = """
import asyncio, glob, importlib, signal, sys, threading, time
signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal
m = importlib.import_module({module!r})
def searches():
    named = [t for t in threading.enumerate() if t.name == "collatz-search" and t.is_alive()]
    native = []
    for comm in glob.glob("/proc/self/task/*/comm"):
        try:
            with open(comm) as f:
                if f.read().strip() == "collatz-search":
                    native.append(comm)
        except OSError:
            pass
    return named + native
def stopped_within(bound):
    began = time.perf_counter()
    while searches():
        if time.perf_counter() - began > bound:
            return False
        time.sleep(0.002)
    return True
"""

HAZARDS = """
# 1. A loop closed under a running search (its task abandoned, never cancelled).
loop = asyncio.new_event_loop()
task = loop.create_task(m.max_total_stopping_time_async(2**40, progress=lambda d, t: None))
loop.run_until_complete(asyncio.sleep(0.1))
assert searches(), "the search runs"
loop.close()
print("closed loop:", "stopped" if stopped_within(0.5) else "still running", flush=True)

# 2. Ctrl-C while awaiting under asyncio.run (the parent sends SIGINT).
async def main():
    print("awaiting", flush=True)
    return await m.max_total_stopping_time_async(2**40)
try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
print("Ctrl-C:", "stopped" if stopped_within(0.5) else "still running", flush=True)

# 3. The interpreter exits right after an awaited answer: the search's thread, which posted it
# (call_soon_threadsafe lets the GIL go to write to the loop's pipe), may still be waiting for
# the GIL when finalisation starts; a native thread caught there must not abort the process.
print("answer:", asyncio.run(m.max_total_stopping_time_async(10**4, progress=lambda d, t: None)), flush=True)
"""


class Lines:
    """A child's output lines, read by a thread (``select`` on a buffered pipe can miss lines
    the buffer already holds): :meth:`next` waits for one, up to a timeout."""

    def __init__(self, child: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        assert child.stdout is not None
        stdout = child.stdout
        self.reader = threading.Thread(
            target=lambda: [self.queue.put(line.strip()) for line in stdout], daemon=True
        )
        self.reader.start()

    def next(self, timeout: float = 30) -> str:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return "timeout"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.name)
def test_a_closed_loop_and_ctrl_c_stop_the_search(backend: Backend) -> None:
    """In a child process: a loop closed under a running search stops it; Ctrl-C while
    awaiting is a ``KeyboardInterrupt`` out of ``asyncio.run`` and stops the search; the
    interpreter exiting right after an awaited answer exits cleanly (no abort)."""
    script = textwrap.dedent(CHILD_PRELUDE.format(module=backend.module)) + textwrap.dedent(HAZARDS)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        output = Lines(child)
        try:
            lines = [output.next(), output.next()]
            if lines[-1] == "awaiting":
                time.sleep(0.1)
                os.kill(child.pid, signal.SIGINT)
                lines += [output.next(), output.next(), output.next()]
            child.wait(30)
        finally:
            child.kill()
            output.reader.join(5)
            assert child.stderr is not None
            err = child.stderr.read()
    assert lines == [
        "closed loop: stopped",
        "awaiting",
        "KeyboardInterrupt",
        "Ctrl-C: stopped",
        "answer: (6171, 261)",
    ], err
    assert child.returncode == 0, err
    assert "Traceback" not in err, err
