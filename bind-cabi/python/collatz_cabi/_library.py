"""Where the Rust library (the C ABI) is: ``_lib.abi3.so`` next to this file, put there by
setuptools-rust. ``via_ctypes`` and cffi's ABI mode load it by this path; ``_api`` and
``via_cython`` are linked to it (rpath ``$ORIGIN``)."""

from __future__ import annotations

from pathlib import Path


def _find() -> str:
    here = Path(__file__).resolve().parent
    for candidate in sorted(here.glob("_lib.*")):
        if candidate.suffix in (".so", ".dylib", ".pyd", ".dll"):
            return str(candidate)
    raise ImportError(f"collatz_cabi: the Rust library _lib is missing from {here}; reinstall the package")


PATH = _find()
