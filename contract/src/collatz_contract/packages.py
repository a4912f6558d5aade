"""The one list of the repository's binding packages: each distribution, its directory, its
import name and how it is built.

Everything that needs the list reads it from here: the Makefile (it runs this file, which
imports nothing outside the standard library, before anything is installed), the tests, the
type checks, the benchmark's provenance and cost sections. The front ends inside each package
are listed by :mod:`collatz_contract.backends`. ``docs/adding-a-front-end.md`` says how to add
one.

``python contract/src/collatz_contract/packages.py [FIELD]`` prints one field of every package,
space-separated (default: ``directory``), for the Makefile.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PACKAGES", "Package", "package"]


@dataclass(frozen=True)
class Package:
    """A binding package: one wheel, built from one directory of the repository."""

    directory: str
    """Its directory in the repository, beside ``core/`` (``bind-pyo3``)."""
    distribution: str
    """Its name on an index and in ``importlib.metadata`` (``collatz-pyo3``)."""
    import_name: str
    """The top-level Python package it installs (``collatz_pyo3``)."""
    build: str
    """Its PEP 517 build: ``maturin``, ``setuptools`` (``setuptools-rust`` with cffi and Cython),
    or ``boltffi`` (an in-tree backend around BoltFFI's CLI, ``boltffi pack python``, which
    ``make`` installs first)."""
    crate: str
    """The workspace crate the build compiles (its ``[package] name``)."""
    panic_hooks: bool = True
    """Whether the crate has a ``test-hooks`` feature that exports functions which panic on
    purpose (never in a wheel): ``cargo test`` runs with it, and for a maturin package a
    separate test-only build of it is unpacked under ``target/hooks`` for the package's
    ``tests/python/test_*_panics.py``."""
    shared_wheel: bool = False
    """Whether one wheel serves every CPython (abi3, or ``py3-none`` for a library loaded with
    ctypes): ``make`` builds it once for all interpreters, the others once per interpreter."""
    extra_wheels: tuple[str, ...] = ()
    """maturin arguments of further abi3 wheels of the same package (same distribution,
    another tag), built beside the first: pip installs the one that suits the interpreter
    best, as it would from an index. collatz-pyo3 has a cp312-abi3 wheel beside its
    cp310-abi3 one (vectorcall is in the limited API from 3.12)."""
    crate_directory: str = ""
    """The directory of the crate it compiles, when that is not its own: a second build of
    another package's crate (``bind-pyo3-versioned`` builds ``bind-pyo3`` without abi3)."""
    cargo_features: str = ""
    """The cargo feature arguments its build passes, when not the defaults (what its
    ``pyproject.toml`` says; ``make lint`` runs clippy over the crate with them too)."""
    cargo_alone: bool = False
    """Whether its crate must be built in a cargo invocation of its own: ``make lint`` checks
    it apart from the workspace (collatz-pyo3-ffi uses CPython's full C API; in one build with
    a crate that turns on pyo3's ``abi3`` feature, cargo would unify pyo3-ffi's features and
    give it the limited API, which the crate refuses)."""
    generated_imports: tuple[str, ...] = ()
    """Standard-library modules that code a generator wrote for it imports on import, of those
    the tests keep out of a front end's import (``typing``, ``pathlib``: milliseconds each)."""

    @property
    def source(self) -> str:
        """The directory of the crate it compiles (its own, or ``crate_directory``)."""
        return self.crate_directory or self.directory


PACKAGES: tuple[Package, ...] = (
    Package(
        "bind-pyo3",
        "collatz-pyo3",
        "collatz_pyo3",
        "maturin",
        "bind-pyo3",
        shared_wheel=True,
        extra_wheels=("--no-default-features --features abi3-py312",),
    ),
    Package(
        "bind-pyo3-versioned",
        "collatz-pyo3-versioned",
        "collatz_pyo3_versioned",
        "maturin",
        "bind-pyo3",
        panic_hooks=False,  # the same crate as bind-pyo3, whose hooks test it
        crate_directory="bind-pyo3",
        cargo_features="--no-default-features",
    ),
    Package(
        "bind-pyo3-ffi", "collatz-pyo3-ffi", "collatz_pyo3_ffi", "maturin", "bind-pyo3-ffi", cargo_alone=True
    ),
    Package("bind-cabi", "collatz-cabi", "collatz_cabi", "setuptools", "bind-cabi"),
    Package(
        "bind-uniffi",
        "collatz-uniffi",
        "collatz_uniffi",
        "maturin",
        "bind-uniffi",
        shared_wheel=True,
        generated_imports=("typing",),
    ),
    Package(
        "bind-boltffi",
        "collatz-boltffi",
        "collatz_boltffi",
        "boltffi",
        "bind-boltffi",
        # pathlib; and typing through asyncio, which the generated module imports once any
        # function is async (the awaitable forms).
        generated_imports=("pathlib", "typing"),
    ),
)


def package(directory: str) -> Package:
    """The package in ``directory``."""
    for p in PACKAGES:
        if p.directory == directory:
            return p
    raise KeyError(f"no package in {directory!r}; known: {', '.join(p.directory for p in PACKAGES)}")


SELECTIONS: dict[str, Callable[[Package], bool]] = {
    "panic_hooks": lambda p: p.panic_hooks,
    "hook_wheels": lambda p: p.panic_hooks and p.build == "maturin",
    "boltffi": lambda p: p.build == "boltffi",
    "crates": lambda p: not p.crate_directory,
    "shared_wheel": lambda p: p.shared_wheel,
}
"""Directories of the packages that have panic hooks, of those built into a hooks wheel, of
those that BoltFFI's CLI builds, of those with a crate of their own (the workspace's
binding crates), and of those whose one wheel serves every interpreter."""

CRATES: dict[str, Callable[[Package], bool]] = {
    "crates_together": lambda p: not p.crate_directory and not p.cargo_alone,
    "crates_alone": lambda p: not p.crate_directory and p.cargo_alone,
}
"""Crate names (``[package] name``) of the workspace's binding crates that cargo may build in
one invocation, and of those it must build alone."""


def _main(argv: list[str]) -> int:
    """Print one field of every package, or the directories of a selection."""
    field = argv[0] if argv else "directory"
    if field in SELECTIONS:
        print(" ".join(p.directory for p in PACKAGES if SELECTIONS[field](p)))
    elif field in CRATES:
        print(" ".join(p.crate for p in PACKAGES if CRATES[field](p)))
    elif field == "cargo_features":  # crate:argument,argument (spaces as commas)
        print(
            " ".join(f"{p.crate}:{p.cargo_features.replace(' ', ',')}" for p in PACKAGES if p.cargo_features)
        )
    elif field == "sources":  # directory:crate-directory pairs
        print(" ".join(f"{p.directory}:{p.source}" for p in PACKAGES))
    elif field == "distributions":  # directory:distribution pairs
        print(" ".join(f"{p.directory}:{p.distribution}" for p in PACKAGES))
    elif field == "extra_wheels":  # directory:argument,argument;... (spaces as commas)
        print(
            " ".join(
                f"{p.directory}:" + ";".join(a.replace(" ", ",") for a in p.extra_wheels)
                for p in PACKAGES
                if p.extra_wheels
            )
        )
    elif field in Package.__dataclass_fields__:
        print(" ".join(str(getattr(p, field)) for p in PACKAGES))
    else:
        print(f"packages.py: unknown field {field!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
