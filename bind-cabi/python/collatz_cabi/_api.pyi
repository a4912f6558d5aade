"""cffi's compiled module (built from include/collatz.h by build_cffi.py): mypy cannot read
compiled modules, and cffi describes its objects only at run time."""

from typing import Any

ffi: Any
lib: Any
