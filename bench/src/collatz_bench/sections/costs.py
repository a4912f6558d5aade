"""What each binding costs besides call time: release build time, wheel size, import time,
lines of glue and runtime dependencies, per front end.

- **Build time** is the standard wheel build of the package (``pip wheel``, the pinned build
  tools of this environment), in release mode, from a warm cache of third-party crates: the
  project's own crates (the core and the binding) are cleaned first, so each build compiles
  and links exactly what the binding adds to its dependencies, the same way for every
  package. One build per package per run (a full run; the quick one skips builds); the
  front ends of ``collatz_cabi`` share one package, so one build.
- **Tool build** is the one-time build of a build tool that is not a Python package (BoltFFI's
  CLI, ``cargo install``), as ``make`` timed it when it installed it.
- **Wheel size** is that wheel's size; **installed size** the files the installed
  distribution lists (with its shared libraries), measured whether or not builds ran.
- **Import time** is ``import <module>`` timed inside a fresh interpreter, median of several
  interpreters, each front end after the others in turn.
- **Lines of glue** are the non-blank, non-comment lines of the files ``collatz_bench.probes``
  names as the front end's glue (Rust, and Python or Cython), counted from the sources.
- **Runtime dependencies** come from the installed distribution's metadata.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from collatz_contract.backends import Backend

from .. import probes, provenance
from ..context import Context, Tick
from ..section import Section
from ..table import Table

TOOLS = Path("target") / "tools"
"""Where make installs the build tools that are not Python packages (BoltFFI's CLI), each with
the seconds its one-time build took in ``<build>-build-seconds``."""

IMPORT = "import time, sys; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _projects(ctx: Context) -> dict[str, Backend]:
    """One backend per package to build (the first front end of each), by directory."""
    projects: dict[str, Backend] = {}
    for backend in ctx.native:
        if backend.package is not None:
            projects.setdefault(backend.package.directory, backend)
    return projects


def steps(ctx: Context) -> int:
    builds = len(_projects(ctx)) if ctx.config.cost_builds and provenance.find_repo() else 0
    return builds + ctx.config.import_runs


def import_seconds(module: str) -> float:
    """``import module`` in a fresh interpreter, seconds."""
    run = subprocess.run(
        [sys.executable, "-c", IMPORT.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(run.stdout.strip().splitlines()[-1])


def code_lines(path: Path) -> int:
    """Non-blank lines that are not only a comment."""
    comment = "//" if path.suffix == ".rs" else "#"
    return sum(
        1 for line in path.read_text().splitlines() if line.strip() and not line.strip().startswith(comment)
    )


def glue(repo: Path, backend: Backend) -> dict[str, Any]:
    listed = probes.of(backend)
    found: set[Path] = set()
    for pattern in listed.glue:
        matched = {p for p in repo.glob(pattern) if p.is_file()}
        if not matched and listed.glue_listed:  # a stale entry would silently shrink the figure
            raise ValueError(f"{backend.name}: glue pattern {pattern!r} matches no file in {repo}")
        found |= matched
    if not found and backend.native:
        raise ValueError(f"{backend.name}: no glue found in {repo} (patterns {listed.glue})")
    files = sorted(found)
    rust = sum(code_lines(p) for p in files if p.suffix == ".rs")
    python = sum(code_lines(p) for p in files if p.suffix in (".py", ".pyx"))
    return {"rust_lines": rust, "python_lines": python, "files": [str(p.relative_to(repo)) for p in files]}


def installed(distribution: str) -> dict[str, Any]:
    dist = metadata.distribution(distribution)
    sizes = [(str(f), f.size or 0) for f in dist.files or []]
    libraries = {name: size for name, size in sizes if re.search(r"\.(so|pyd|dylib)$", name)}
    return {
        "version": dist.version,
        "requires": sorted(dist.requires or []),
        "installed_bytes": sum(size for _, size in sizes),
        "shared_libraries": libraries,
    }


def build(repo: Path, backend: Backend) -> dict[str, Any]:
    """Clean the project's crates, then build its wheel the standard way; seconds and bytes."""
    assert backend.package is not None
    env = {
        **os.environ,
        "CARGO_TARGET_DIR": str(repo / "target"),
        "PYO3_PYTHON": sys.executable,
        "MATURIN_PEP517_ARGS": "--locked",
        # The build tools make installs (BoltFFI's CLI) beside the environment's.
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), str(repo / TOOLS / "bin"), os.environ.get("PATH", "")]
        ),
    }
    crates = [f"-p{crate}" for crate in ("collatz-core", backend.package.crate)]
    clean = ["cargo", "clean", "--release", "--quiet", *crates]
    subprocess.run(clean, cwd=repo, env=env, check=True, capture_output=True, timeout=600)
    # BoltFFI's CLI also builds the crate in a target directory of its own, to read its exports.
    records = repo / "target" / "boltffi-source-records"
    if records.is_dir():
        clean = ["cargo", "clean", "--quiet", "--target-dir", str(records), *crates]
        subprocess.run(clean, cwd=repo, env=env, check=True, capture_output=True, timeout=600)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                out,
                str(repo / backend.package.directory),
            ],
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
            timeout=3600,
        )
        seconds = time.perf_counter() - start
        wheel = next(Path(out).glob("*.whl"))
        return {
            "seconds": seconds,
            "wheel": wheel.name,
            "wheel_bytes": wheel.stat().st_size,
            "tool_build_seconds": tool_build_seconds(repo, backend.package.build),
        }


def tool_build_seconds(repo: Path, build: str) -> float | None:
    """How long the one-time build of the tool behind ``build`` took, where make built one."""
    record = repo / TOOLS / f"{build}-build-seconds"
    try:
        return float(record.read_text())
    except (OSError, ValueError):
        return None


def run(ctx: Context, tick: Tick) -> dict[str, Any]:
    repo = provenance.find_repo()
    result: dict[str, Any] = {"backends": {}, "builds": {}}
    if repo is None:
        result["note"] = "not run from a collatz-ffi checkout: no builds, no lines of glue"
    elif not ctx.config.cost_builds:
        result["note"] = "builds skipped in a quick run"
    else:
        for project, backend in _projects(ctx).items():
            result["builds"][project] = build(repo, backend)
            tick()
    imports: dict[str, list[float]] = {b.name: [] for b in ctx.backends}
    for _ in range(ctx.config.import_runs):
        for backend in ctx.backends:
            imports[backend.name].append(import_seconds(backend.module))
        tick()
    for backend in ctx.backends:
        entry: dict[str, Any] = {
            "module": backend.module,
            "project": backend.package.directory if backend.package else None,
            "import_ms": statistics.median(imports[backend.name]) * 1e3,
            "import_ms_all": [t * 1e3 for t in imports[backend.name]],
        }
        entry["distribution"] = installed(backend.distribution)
        if repo is not None:
            entry["glue"] = glue(repo, backend)
        result["backends"][backend.name] = entry
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def tables(costs: dict[str, Any]) -> list[Table]:
    builds = costs["builds"]
    t = Table(
        "What each binding costs besides call time",
        [
            "front end",
            "release build",
            "tool build (once)",
            "wheel",
            "installed",
            "import",
            "glue: Rust / Python lines",
            "runtime dependencies",
        ],
        note=costs.get(
            "note", "cffi, ctypes and cython share one package (collatz-cabi): one build, one wheel."
        ),
    )
    for name, entry in costs["backends"].items():
        built = builds.get(entry["project"] or "")
        dist = entry.get("distribution", {})
        lines = entry.get("glue")
        t.rows.append(
            [
                name,
                f"{built['seconds']:.1f} s" if built else "",
                f"{built['tool_build_seconds']:.0f} s" if built and built.get("tool_build_seconds") else "",
                _mb(built["wheel_bytes"]) if built else "",
                _mb(dist["installed_bytes"]) if dist else "",
                f"{entry['import_ms']:.1f} ms",
                f"{lines['rust_lines']} / {lines['python_lines']}" if lines and lines["files"] else "",
                ", ".join(dist.get("requires", [])) or "(none)",
            ]
        )
    return [t]


SECTION = Section("costs", "what each binding costs", steps, run, tables)
