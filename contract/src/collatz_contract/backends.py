"""The registry of backends: the one place that names every implementation of the contract.

The test suite and the benchmark both iterate over :data:`BACKENDS`. A backend is a module
that exposes the functions of ``docs/contract.md``, shipped in one of the binding packages of
:mod:`collatz_contract.packages` (several front ends may share a package: cffi, ctypes and
Cython call the same C ABI). Entries name modules as strings: nothing here imports a backend
until it is asked to. How the benchmark measures a backend is the benchmark's business
(``collatz_bench.probes``), not the contract's.

Adding a front end is one package and one entry in :data:`NATIVE` (docs/adding-a-front-end.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from .packages import Package, package

__all__ = ["BACKENDS", "FUNCTIONS", "NATIVE", "REFERENCE", "Backend", "by_name"]

FUNCTIONS = (
    "step",
    "iterate",
    "total_stopping_time",
    "total_stopping_times",
    "max_total_stopping_time",
    "trajectory",
    "Trajectory",
    "walk",
    "stats",
    "parity_vector",
    "residue",
    "total_stopping_time_async",
    "max_total_stopping_time_async",
)
"""The public names of the contract, in the order the contract lists them."""


@dataclass(frozen=True)
class Backend:
    """One implementation of the contract."""

    name: str
    """Short name used in test ids, tables and JSON (``pyo3``, ``cffi``, …)."""
    module: str
    """Import path of the module that exposes the functions."""
    description: str
    package: Package | None = None
    """The binding package it ships in (``None`` for the reference, which ships here)."""

    @property
    def native(self) -> bool:
        """Whether it calls the Rust core (everything but the reference)."""
        return self.package is not None

    @property
    def distribution(self) -> str:
        """The distribution it installs from (for its version, files and metadata)."""
        return self.package.distribution if self.package is not None else "collatz-contract"

    def load(self) -> ModuleType:
        """Import the module (raises ``ImportError`` if the backend is not installed)."""
        return importlib.import_module(self.module)


REFERENCE = Backend("reference", "collatz_contract.reference", "pure Python (the blog's loop)")

NATIVE: tuple[Backend, ...] = (
    Backend("pyo3", "collatz_pyo3", "PyO3 extension module (abi3)", package("bind-pyo3")),
    Backend(
        "pyo3-versioned",
        "collatz_pyo3_versioned",
        "the same PyO3 module built for this interpreter (not abi3)",
        package("bind-pyo3-versioned"),
    ),
    Backend(
        "pyo3-ffi",
        "collatz_pyo3_ffi",
        "a CPython extension written by hand against pyo3-ffi (no pyo3)",
        package("bind-pyo3-ffi"),
    ),
    Backend("cffi", "collatz_cabi.via_cffi", "C ABI through cffi", package("bind-cabi")),
    Backend("ctypes", "collatz_cabi.via_ctypes", "C ABI through ctypes", package("bind-cabi")),
    Backend("cython", "collatz_cabi.via_cython", "C ABI through a Cython module", package("bind-cabi")),
    Backend("uniffi", "collatz_uniffi", "UniFFI-generated bindings", package("bind-uniffi")),
    Backend("boltffi", "collatz_boltffi", "BoltFFI-generated bindings", package("bind-boltffi")),
)
BACKENDS: tuple[Backend, ...] = (REFERENCE, *NATIVE)


def by_name(name: str) -> Backend:
    """The backend called ``name``."""
    for backend in BACKENDS:
        if backend.name == name:
            return backend
    raise KeyError(f"no backend named {name!r}; known: {', '.join(b.name for b in BACKENDS)}")
