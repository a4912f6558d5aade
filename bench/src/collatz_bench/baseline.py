"""The plain C loop, compiled with the system C compiler (``-O2``) at run time and called
through ctypes: the naive native baseline the Rust core is compared with (one call per
measurement, so the binding's overhead does not matter)."""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

FLAGS = ["-O2", "-shared", "-fPIC", "-std=c11"]


@dataclass
class PlainC:
    """The compiled baseline."""

    compiler: str
    flags: list[str]
    _lib: ctypes.CDLL

    def iterate(self, n: int, k: int) -> int:
        return int(self._lib.plain_iterate(n, k))

    def total_stopping_times(self, values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        out = np.empty_like(values)
        self._lib.plain_total_stopping_times(values.ctypes.data, out.ctypes.data, values.shape[0])
        return out

    def max_total_stopping_time(self, limit: int) -> tuple[int, int]:
        n, steps = ctypes.c_uint64(), ctypes.c_uint64()
        self._lib.plain_max_total_stopping_time(limit, ctypes.byref(n), ctypes.byref(steps))
        return n.value, steps.value


def compile_baseline(cache: Path | None = None) -> PlainC | None:
    """Compile ``baseline.c`` (cached by content) or return ``None`` without a C compiler."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source = resources.files("collatz_bench").joinpath("baseline.c").read_bytes()
    digest = hashlib.sha256(source + " ".join([compiler, *FLAGS]).encode()).hexdigest()[:16]
    directory = cache or Path(tempfile.gettempdir()) / "collatz-bench"
    directory.mkdir(parents=True, exist_ok=True)
    library = directory / f"plain-{digest}.so"
    if not library.is_file():
        c_file = directory / f"plain-{digest}.c"
        c_file.write_bytes(source)
        subprocess.run([compiler, *FLAGS, str(c_file), "-o", str(library)], check=True)
    lib = ctypes.CDLL(str(library))
    u64, p = ctypes.c_uint64, ctypes.c_void_p
    lib.plain_iterate.argtypes, lib.plain_iterate.restype = [u64, u64], u64
    lib.plain_total_stopping_times.argtypes, lib.plain_total_stopping_times.restype = (
        [p, p, ctypes.c_size_t],
        None,
    )
    lib.plain_max_total_stopping_time.argtypes = [u64, ctypes.POINTER(u64), ctypes.POINTER(u64)]
    lib.plain_max_total_stopping_time.restype = None
    return PlainC(compiler, FLAGS, lib)
