"""Where the Rust library (the C ABI) is: ``_lib.abi3.so`` next to this file, put there by
setuptools-rust. ``via_ctypes`` and cffi's ABI mode load it by this path; ``_api`` and
``via_cython`` are linked to it (rpath ``$ORIGIN``). (``os.path``, not ``pathlib``, whose
import alone would double the cost of importing a front end.)"""

from __future__ import annotations

import os


def _find() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("_lib.") and name.endswith((".so", ".dylib", ".pyd", ".dll")):
            return os.path.join(here, name)
    raise ImportError(f"collatz_cabi: the Rust library _lib is missing from {here}; reinstall the package")


PATH = _find()
