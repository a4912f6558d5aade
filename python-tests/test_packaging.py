"""What the wheels ship: type information for every package, and stubs that match the
compiled module (mypy.stubtest)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from collatz_contract.backends import NATIVE


@pytest.mark.parametrize("package", ["collatz_pyo3", "collatz_cabi", "collatz_uniffi", "collatz_contract"])
def test_py_typed(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / "py.typed").is_file()


def test_every_backend_exposes_exactly_the_contract() -> None:
    for backend in NATIVE:
        module = backend.load()
        public = {name for name in getattr(module, "__all__", [])}
        assert public == {"step", "iterate", "stopping_time", "stopping_times", "max_stopping_time"}


def test_argument_rules_are_one_file_in_both_packages() -> None:
    """collatz_cabi and collatz_uniffi each ship the contract's argument rules; the copies are
    one file, byte for byte, in the sources and in the installed packages."""
    import collatz_cabi._args
    import collatz_uniffi._args

    root = Path(__file__).resolve().parents[1]
    source = (root / "bind-cabi/python/collatz_cabi/_args.py").read_bytes()
    assert (root / "bind-uniffi/python/collatz_uniffi/_args.py").read_bytes() == source, (
        "the two _args.py differ: edit bind-cabi's and run `make sync-args`"
    )
    for module in (collatz_cabi._args, collatz_uniffi._args):
        assert module.__file__ is not None
        assert Path(module.__file__).read_bytes() == source, f"{module.__file__} is stale: rebuild"


def test_pyo3_stub_matches_the_compiled_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "collatz_pyo3._native", "--ignore-missing-stub"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
