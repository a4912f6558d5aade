"""The build of ``collatz_cabi``: one wheel with the Rust library and three ways to call it.

Everything here is declared with the standard tools; the only hand-written step is the order:

1. setuptools-rust builds the C ABI (this crate, a cdylib) into the package as ``_lib``;
2. cffi (``cffi_modules``) generates its compiled module ``_api`` and its ABI-mode module
   ``_abi``, and Cython (``cythonize``) compiles ``via_cython``; both C extensions include the
   committed ``include/collatz.h`` (Cython through the generated ``include/collatz.pxd``) and
   link to ``_lib`` next to them (rpath ``$ORIGIN``).

setuptools-rust runs ``build_rust`` after the C extensions by default; :class:`build_ext`
runs it first, because the C extensions link against its output. A compiler error fails the
build: nothing is left out silently.
"""

from __future__ import annotations

import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext
from setuptools_rust import Binding, RustExtension

LIBRARY = "collatz_cabi._lib"
HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(HERE, "include")

rust_library = RustExtension(
    LIBRARY,
    path="Cargo.toml",
    binding=Binding.NoBinding,
    # Named `_lib.abi3.so` whatever the interpreter: it is a plain C library, not a module.
    py_limited_api=True,
    cargo_manifest_args=["--locked"],
    # Wheels carry no debug info (the release profile keeps line tables for profiling).
    rustc_flags=["-C", "strip=debuginfo"],
)


class build_ext(_build_ext):
    """Build the Rust library first, then link the C extensions to it."""

    def run(self) -> None:
        build_rust = self.get_finalized_command("build_rust")
        build_rust.inplace = self.inplace
        build_rust.run()
        library = build_rust.get_dylib_ext_path(rust_library, LIBRARY)
        directory, name = os.path.split(os.path.abspath(library))
        for ext in self.extensions:
            ext.library_dirs.append(directory)
            if sys.platform == "darwin":
                ext.extra_link_args += [library, "-Wl,-rpath,@loader_path"]
            else:
                ext.libraries.append(":" + name)  # the file by its exact name (GNU ld)
                ext.extra_link_args += ["-Wl,-rpath,$ORIGIN", *STRIP_DEBUG]
        super().run()


# No debug info in the C extensions either (Python's own CFLAGS add -g).
STRIP_DEBUG = [] if sys.platform == "darwin" else ["-Wl,--strip-debug"]

cython_extension = Extension(
    "collatz_cabi.via_cython",
    ["python/collatz_cabi/via_cython.pyx"],
    include_dirs=[INCLUDE],
    extra_link_args=STRIP_DEBUG,
)

setup(
    rust_extensions=[rust_library],
    cffi_modules=["build_cffi.py:api", "build_cffi.py:abi"],
    ext_modules=cythonize(
        [cython_extension],
        include_path=[INCLUDE],
        build_dir="build/cython",
        compiler_directives={"language_level": 3, "embedsignature": True},
        quiet=True,
    ),
    cmdclass={"build_ext": build_ext},
)
