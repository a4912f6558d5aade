"""A Rust panic surfaces as an ordinary Python exception (`except Exception` catches it, the
message is kept) and the interpreter lives on. Runs the test-only `test-hooks` build of this
package that `make test` unpacks under target/hooks/ (never the installed wheel, which has no
hooks), in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
HOOKS = PACKAGE.parent / "target" / "hooks" / PACKAGE.name

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


def test_panic_becomes_an_exception() -> None:
    assert HOOKS.is_dir(), f"{HOOKS} is missing: `make test` builds it (target/hooks/.built)"
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(HOOKS), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "ok"
