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

The crate belongs to the repository's Cargo workspace (it depends on ``../core``), which a
setuptools sdist cannot reach: :class:`sdist` puts a copy of the workspace's Rust sources
(manifests, lock file, every member's crate files) under ``rust/`` in the sdist, and a build
from the sdist uses that copy.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext as _build_ext
from setuptools.command.sdist import sdist as _sdist
from setuptools_rust import Binding, RustExtension

LIBRARY = "collatz_cabi._lib"
HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(HERE, "include")
# In an sdist: the copy of the workspace; in the repository: its root, one level up.
SHIPPED = os.path.join(HERE, "rust")
WORKSPACE = SHIPPED if os.path.isdir(SHIPPED) else os.path.dirname(HERE)
# What a workspace member needs to be built (cargo loads every member's manifest and targets).
CRATE_FILES = ("Cargo.toml", "build.rs", "cbindgen.toml", "src", "tests", "benches", "include")

rust_library = RustExtension(
    LIBRARY,
    path=os.path.relpath(
        os.path.join(SHIPPED, "bind-cabi", "Cargo.toml") if os.path.isdir(SHIPPED) else "Cargo.toml",
        HERE,
    ),
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


class sdist(_sdist):
    """An sdist that carries the Rust workspace the crate is built in (see the module docs)."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        target = os.path.join(base_dir, "rust")
        with open(os.path.join(WORKSPACE, "Cargo.toml")) as f:
            manifest = f.read()
        block = re.search(r"members\s*=\s*\[(.*?)\]", manifest, re.S)
        if block is None:
            raise RuntimeError("no [workspace] members in the workspace's Cargo.toml")
        os.makedirs(target, exist_ok=True)
        for name in ("Cargo.toml", "Cargo.lock"):
            shutil.copy2(os.path.join(WORKSPACE, name), os.path.join(target, name))
        for member in re.findall(r'"([^"]+)"', block.group(1)):
            for name in CRATE_FILES:
                source = os.path.join(WORKSPACE, member, name)
                destination = os.path.join(target, member, name)
                if os.path.isdir(source):
                    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
                elif os.path.isfile(source):
                    os.makedirs(os.path.dirname(destination), exist_ok=True)
                    shutil.copy2(source, destination)


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
    cmdclass={"build_ext": build_ext, "sdist": sdist},
)
