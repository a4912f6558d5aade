"""What the wheels ship: type information for every package, and stubs that match the
compiled module (mypy.stubtest)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from collatz_bench.backends import NATIVE


@pytest.mark.parametrize("package", ["collatz_pyo3", "collatz_cabi", "collatz_uniffi", "collatz_bench"])
def test_py_typed(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / "py.typed").is_file()


def test_every_backend_exposes_exactly_the_contract() -> None:
    for backend in NATIVE:
        module = backend.load()
        public = {name for name in getattr(module, "__all__", [])}
        assert public == {"step", "iterate", "stopping_time", "stopping_times", "max_stopping_time"}


def test_pyo3_stub_matches_the_compiled_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "collatz_pyo3._native", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
