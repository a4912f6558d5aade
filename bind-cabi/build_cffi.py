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


# In API mode cffi releases the GIL around every C call. For `collatz_walk`, whose every value
# calls back into Python, that means a release and a re-acquire per value, microseconds apart:
# CPython's switching then never hands the GIL to a waiting thread (it asks for a switch only
# after 5 ms without one), and other threads starve. This wrapper, compiled into `_api`, takes
# the GIL back at once and holds it for the whole walk, as a Python loop would (the interpreter
# hands it over every switch interval while the callbacks run).
HOLDING_GIL = """
static int32_t collatz_walk_holding_gil(uint64_t n, CollatzVisitFn visit, void *ctx, uint64_t *count)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    int32_t status = collatz_walk(n, visit, ctx, count);
    PyGILState_Release(gil);
    return status;
}
"""

api = _ffi()
api.cdef("int32_t collatz_walk_holding_gil(uint64_t n, CollatzVisitFn visit, void *ctx, uint64_t *count);")
api.set_source("collatz_cabi._api", '#include "collatz.h"\n' + HOLDING_GIL, include_dirs=[str(INCLUDE)])

abi = _ffi()
abi.set_source("collatz_cabi._abi", None)
