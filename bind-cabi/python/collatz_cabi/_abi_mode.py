"""cffi's ABI mode over the Rust library: ``ffi.dlopen`` of the same ``_lib`` that the
compiled module links to, every call through libffi's generic machinery. ``via_cffi`` uses it
only when ``COLLATZ_CFFI_MODE=abi`` is set; the benchmark times it beside the compiled mode."""

from __future__ import annotations

from typing import Any

from ._abi import ffi
from ._library import PATH

lib: Any = ffi.dlopen(PATH)

__all__ = ["ffi", "lib"]
