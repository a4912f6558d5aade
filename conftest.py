"""Fixtures for every test directory of the repository (pytest reads this file first): what
the binding packages' own tests (``bind-*/tests/python``) share."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture
def run_with_panic_hooks() -> Callable[[str, str], None]:
    """Run ``script`` in a child interpreter that imports the test-only ``test-hooks`` build of
    the package in ``directory`` (``make test`` unpacks it under ``target/hooks/cp3XY/``, never into
    ``.venv``); the script must print ``ok``. A child process: a panic that crossed the
    boundary would abort it, and the test would fail instead of the run."""

    def run(directory: str, script: str) -> None:
        tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
        hooks = ROOT / "target" / "hooks" / tag / directory
        assert hooks.is_dir(), (
            f"{hooks} is missing: `make test` builds it (target/hooks/<interpreter>/.built)"
        )
        child = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(hooks), "PATH": "/usr/bin:/bin"},
            timeout=60,
            check=False,
        )
        assert child.returncode == 0, child.stdout + child.stderr
        assert child.stdout.strip() == "ok"

    return run
