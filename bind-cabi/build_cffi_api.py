"""Build ``collatz_cabi._api``: cffi's compiled (API, out-of-line) module over the C ABI.

maturin's cffi mode generates cffi's ABI mode only: ``ffi.dlopen`` at import, and every call
goes through libffi's generic call machinery (~12x the cost of a C builtin call here). The API
mode compiles a small CPython extension that calls the functions directly (~4x). ``make``
runs this script after maturin has built the cdylib and before it packs the wheel, so the
compiled module ships inside the wheel next to ``_native/``, whose ``lib_native.so`` it links
to through an ``$ORIGIN`` rpath.

Without a working C compiler the script says so and exits 0: the wheel then has no ``_api``
and ``collatz_cabi.via_cffi`` falls back to ABI mode with a warning.

    python bind-cabi/build_cffi_api.py --cdylib target/release/libcollatz_cabi.so
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = HERE / "include" / "collatz.h"
PACKAGE = HERE / "python" / "collatz_cabi"


def cdef_source(header: str) -> str:
    """The header as cffi's ``cdef`` accepts it: no preprocessor lines, no C++ guards (what
    maturin does to the same header for the ABI module)."""
    text = re.sub(r"^\s*#\s*(include|ifndef|ifdef|endif|if|else|pragma)\b.*$", "", header, flags=re.M)
    text = re.sub(r"^\s*#\s*define\s+COLLATZ_H\s*$", "", text, flags=re.M)
    return re.sub(r'extern "C" \{|\}\s*// extern "C"', "", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cdylib", type=Path, required=True, help="the built libcollatz_cabi")
    parser.add_argument("--out", type=Path, default=PACKAGE, help="where the module goes")
    args = parser.parse_args()

    for stale in args.out.glob("_api.*"):
        stale.unlink()
    try:
        import cffi
    except ImportError:
        print("build_cffi_api: cffi is not installed; via_cffi will use ABI mode", file=sys.stderr)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        libdir = Path(tmp) / "lib"
        libdir.mkdir()
        # Link by the name the wheel ships the library under (maturin: _native/lib_native.so).
        shutil.copy(args.cdylib, libdir / "lib_native.so")
        ffi = cffi.FFI()
        ffi.cdef(cdef_source(HEADER.read_text()))
        ffi.set_source(
            "collatz_cabi._api",
            '#include "collatz.h"',
            include_dirs=[str(HEADER.parent)],
            library_dirs=[str(libdir)],
            libraries=["_native"],
            extra_link_args=["-Wl,-rpath,$ORIGIN/_native"],
            py_limited_api=True,
        )
        try:
            built = Path(ffi.compile(tmpdir=tmp))
        except Exception as e:  # noqa: BLE001 - any compiler failure means "no compiler here"
            print(f"build_cffi_api: cannot compile ({e}); via_cffi will use ABI mode", file=sys.stderr)
            return 0
        target = args.out / built.name
        shutil.copy(built, target)
    print(f"build_cffi_api: wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
