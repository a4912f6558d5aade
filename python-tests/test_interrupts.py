"""Ctrl-C during a long call.

PyO3 checks for signals between chunks of work (tens of milliseconds each), so a long
`iterate` or `max_stopping_time` stops within half a second with `KeyboardInterrupt`. The C
ABI (cffi, ctypes) and UniFFI block the main thread inside one foreign call; Python runs its
signal handler when that call returns, so the interrupt arrives late but is never lost and
never crashes the process.
"""

from __future__ import annotations

from typing import IO

import select
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from collatz_contract.backends import NATIVE, Backend, by_name

CHILD = textwrap.dedent(
    """
    import importlib, sys, time
    backend = importlib.import_module(sys.argv[1])
    function = getattr(backend, sys.argv[2])
    args = [int(a) for a in sys.argv[3:]]
    backend.iterate(27, 10**6)  # load tables, warm up
    print("ready", flush=True)
    start = time.perf_counter()
    try:
        function(*args)  # (not eval(): CPython re-raises SIGINT at exit after eval'd code)
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
    module: str, call: tuple[str | int, ...], after: float = 0.3, timeout: float = 60
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


@pytest.mark.parametrize(
    "call",
    [("iterate", 27, 10**15), ("max_stopping_time", 2**40)],
    ids=["iterate", "max_stopping_time"],
)
def test_pyo3_stops_within_half_a_second(call: tuple[str | int, ...]) -> None:
    verdict, latency = interrupt(by_name("pyo3").module, call)
    assert verdict == "interrupted"
    assert latency < 0.5, f"KeyboardInterrupt took {latency:.3f} s"


@pytest.mark.parametrize("backend", [b for b in NATIVE if b.name != "pyo3"], ids=lambda b: b.name)
def test_other_backends_deliver_the_interrupt_when_the_call_returns(backend: Backend) -> None:
    # About a second of native work: the signal lands in the middle of the call.
    verdict, _ = interrupt(backend.module, ("iterate", 27, 8 * 10**9))
    assert verdict == "interrupted", "the interrupt is delivered, not lost"
