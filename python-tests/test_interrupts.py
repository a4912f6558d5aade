"""Ctrl-C during a long call stops it within half a second with `KeyboardInterrupt`, in every
front end (docs/contract.md, Ctrl-C): long native calls poll for signals every few tens of
milliseconds (PyO3 and Cython natively; cffi, ctypes and UniFFI through a callback into
Python), with and without a `progress` callback, and a `walk` stops during a slow `visit`.
"""

from __future__ import annotations

import select
import signal
import subprocess
import sys
import textwrap
import time
from typing import IO

import pytest

from collatz_contract.backends import NATIVE, Backend

CHILD = textwrap.dedent(
    """
    import importlib, signal, sys, time
    # As from a terminal, even if the suite runs with SIGINT ignored (inherited by children).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    backend = importlib.import_module(sys.argv[1])
    function = getattr(backend, sys.argv[2].partition("+")[0])
    args = [int(a) for a in sys.argv[3:]]
    kwargs = {}
    if sys.argv[2] == "max_total_stopping_time+progress":
        function = backend.max_total_stopping_time
        kwargs["progress"] = lambda done, total: None
    if sys.argv[2] == "walk":
        args.append(lambda x: time.sleep(0.01))  # a slow visit: 112 values, over a second
    backend.iterate(27, 10**6)  # load tables, warm up
    start = time.perf_counter()
    try:  # "ready" inside the try: a SIGINT that comes early is still caught
        print("ready", flush=True)
        function(*args, **kwargs)  # (not eval(): CPython re-raises SIGINT at exit after eval'd code)
    except KeyboardInterrupt:
        print(f"interrupted {time.perf_counter() - start:.3f}", flush=True)
    else:
        print(f"finished {time.perf_counter() - start:.3f}", flush=True)
    """
)


def _line(stream: IO[str], timeout: float) -> str:
    """The next line, or a test failure after ``timeout`` seconds (never a hang)."""
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, f"no output from the child within {timeout} s"
    return stream.readline()


def interrupt(
    module: str, call: tuple[str | int, ...], after: float = 0.1, timeout: float = 60
) -> tuple[str, float]:
    """Run ``call`` (function name and arguments) in a child, send SIGINT ``after`` seconds in;
    return the child's verdict and the seconds from the signal to the verdict."""
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, module, *map(str, call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        try:
            assert child.stdout is not None
            assert _line(child.stdout, timeout).strip() == "ready"
            time.sleep(after)
            sent = time.perf_counter()
            child.send_signal(signal.SIGINT)
            verdict = _line(child.stdout, timeout).split()
            latency = time.perf_counter() - sent
            _, stderr = child.communicate(timeout=timeout)
            assert child.returncode == 0, stderr
        finally:
            child.kill()
    return verdict[0], latency


CALLS = [
    ("iterate", 27, 10**15),
    ("max_total_stopping_time", 2**40),
    ("max_total_stopping_time+progress", 2**40),
    ("walk", 27),
]


@pytest.mark.parametrize("backend", NATIVE, ids=lambda b: b.name)
@pytest.mark.parametrize("call", CALLS, ids=[c[0] for c in CALLS])
def test_ctrl_c_stops_long_calls_within_half_a_second(backend: Backend, call: tuple[str | int, ...]) -> None:
    verdict, latency = interrupt(backend.module, call)
    assert verdict == "interrupted", "KeyboardInterrupt, not a finished call"
    assert latency < 0.5, f"KeyboardInterrupt took {latency:.3f} s"
