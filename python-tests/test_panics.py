"""A Rust panic surfaces as an ordinary Python exception (`except Exception` catches it, the
message is kept) and the interpreter lives on. Uses the test-only `test-hooks` builds that
`make test` puts under target/hooks/ (never the installed wheels, which have no hooks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parents[1] / "target" / "hooks"

PYO3 = """
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

UNIFFI = """
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


@pytest.mark.parametrize(("crate", "script"), [("bind-pyo3", PYO3), ("bind-uniffi", UNIFFI)])
def test_panic_becomes_an_exception(crate: str, script: str) -> None:
    build = HOOKS / crate
    assert build.is_dir(), f"{build} is missing: `make test` builds it (target/hooks/.built)"
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "ok"


def test_installed_wheels_have_no_hooks() -> None:
    import ctypes

    import collatz_pyo3
    from collatz_cabi import _library
    from collatz_uniffi._native import collatz_uniffi as generated

    assert not hasattr(collatz_pyo3._native, "_test_panic")
    assert not hasattr(generated, "test_panic")
    exported = ctypes.CDLL(_library.PATH)
    assert hasattr(exported, "collatz_step"), "the lookup itself works"
    assert not hasattr(exported, "collatz_test_panic")
