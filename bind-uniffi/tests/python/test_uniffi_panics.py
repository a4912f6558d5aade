"""A Rust panic surfaces as an ordinary Python exception (`except Exception` catches it, the
message is kept) and the interpreter lives on: the test-only `test-hooks` build of this package,
in a child process (the root conftest's ``run_with_panic_hooks``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

SCRIPT = """
import collatz_uniffi
from collatz_uniffi._native import collatz_uniffi as generated
assert "target/hooks" in collatz_uniffi.__file__, collatz_uniffi.__file__
try:
    generated.test_panic()
except Exception as e:
    assert isinstance(e, generated.InternalError), type(e)
    translated = collatz_uniffi._translate(e)
    assert type(translated) is RuntimeError, type(translated)
    assert "forced panic from test_panic" in str(translated), str(translated)
else:
    raise AssertionError("no exception")
assert collatz_uniffi.step(27) == 82
print("ok")
"""


def test_panic_becomes_an_exception(run_with_panic_hooks: Callable[[str, str], None]) -> None:
    run_with_panic_hooks(Path(__file__).resolve().parents[2].name, SCRIPT)
