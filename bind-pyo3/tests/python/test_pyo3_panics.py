"""A Rust panic surfaces as an ordinary Python exception (`except Exception` catches it, the
message is kept) and the interpreter lives on: the test-only `test-hooks` build of this package,
in a child process (the root conftest's ``run_with_panic_hooks``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

SCRIPT = """
import collatz_pyo3
assert "target/hooks" in collatz_pyo3.__file__, collatz_pyo3.__file__
for hook in (collatz_pyo3._native._test_panic, collatz_pyo3._native._test_panic_detached):
    try:
        hook()
    except Exception as e:  # must be catchable as Exception
        assert type(e) is RuntimeError, type(e)
        assert "forced panic from _test_panic" in str(e), str(e)
    else:
        raise AssertionError("no exception")
assert collatz_pyo3.step(27) == 82  # alive and well
print("ok")
"""


def test_panic_becomes_an_exception(run_with_panic_hooks: Callable[[str, str], None]) -> None:
    run_with_panic_hooks(Path(__file__).resolve().parents[2].name, SCRIPT)
