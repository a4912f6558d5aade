"""`pip install ./bind-cabi` as a new user runs it: an isolated PEP 517 build, from PyPI's
build tools, of a copy of the sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = Path(__file__).resolve().parents[2]
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "target", "results", "build", "*.egg-info", "__pycache__", "*.so", ".*_cache"
)


def test_cabi_installs_at_full_speed_the_standard_way(tmp_path: Path) -> None:
    """An isolated build of a copy of the sources, into a fresh virtual environment: cffi's
    compiled module and the Cython module are there, and importing warns about nothing."""
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYO3_", "MATURIN_", "VIRTUAL_ENV"))}
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(source / PACKAGE.name),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [
            str(python),
            "-W",
            "error",
            "-c",
            "from collatz_cabi import via_cffi, via_ctypes, via_cython\n"
            "assert via_cffi.MODE == 'api', via_cffi.MODE\n"
            "from collatz_cabi import _api\n"
            "assert via_cffi.lib is _api.lib\n"
            "assert via_cython.step(27) == via_cffi.step(27) == via_ctypes.step(27) == 82\n"
            "print('ok')\n",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok"
    assert check.stderr == "", "no warning"
