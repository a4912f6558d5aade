"""cffi's two modules over the C ABI, built by setuptools from ``setup.py`` (``cffi_modules``).

- ``api``: ``collatz_cabi._api``, the compiled (API, out-of-line) module: a small CPython
  extension that calls the C functions directly. ``via_cffi`` uses it.
- ``abi``: ``collatz_cabi._abi``, the ABI-mode module (pure Python; ``ffi.dlopen`` at run
  time, every call through libffi). Used only when asked for (``COLLATZ_CFFI_MODE=abi``) and by
  the benchmark, which times both.

Both read their declarations from the committed ``include/collatz.h``, without its
preprocessor lines (cffi's ``cdef`` takes declarations only). ``setup.py`` links ``_api``
against the Rust library, which it builds first.
"""

from __future__ import annotations

import re
from pathlib import Path

from cffi import FFI

INCLUDE = Path(__file__).resolve().parent / "include"


def cdef_source(header: str) -> str:
    """The header as cffi's ``cdef`` accepts it: no preprocessor lines, no C++ guards."""
    text = re.sub(r"^\s*#\s*(include|ifndef|ifdef|endif|if|else|pragma)\b.*$", "", header, flags=re.M)
    text = re.sub(r"^\s*#\s*define\s+COLLATZ_H\s*$", "", text, flags=re.M)
    return re.sub(r'extern "C" \{|\}\s*// extern "C"', "", text)


def _ffi() -> FFI:
    ffi = FFI()
    ffi.cdef(cdef_source((INCLUDE / "collatz.h").read_text()))
    return ffi


api = _ffi()
api.set_source("collatz_cabi._api", '#include "collatz.h"', include_dirs=[str(INCLUDE)])

abi = _ffi()
abi.set_source("collatz_cabi._abi", None)
