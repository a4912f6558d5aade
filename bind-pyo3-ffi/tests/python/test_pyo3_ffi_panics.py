"""A Rust panic surfaces as an ordinary Python exception (`except Exception` catches it, the
message is kept), with the GIL held and with it released, and the interpreter lives on: the
test-only `test-hooks` build of this package, in a child process (the root conftest's
``run_with_panic_hooks``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

SCRIPT = """
import collatz_pyo3_ffi
assert "target/hooks" in collatz_pyo3_ffi.__file__, collatz_pyo3_ffi.__file__
native = collatz_pyo3_ffi._native
for hook in (native._test_panic, native._test_panic_released):
    try:
        hook()
    except Exception as e:  # must be catchable as Exception
        assert type(e) is RuntimeError, type(e)
        assert "forced panic from _test_panic" in str(e), str(e)
    else:
        raise AssertionError("no exception")
assert collatz_pyo3_ffi.step(27) == 82  # alive, and the GIL is held again
print("ok")
"""


def test_panic_becomes_an_exception(run_with_panic_hooks: Callable[[str, str], None]) -> None:
    run_with_panic_hooks(Path(__file__).resolve().parents[2].name, SCRIPT)
