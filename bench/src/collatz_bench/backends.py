"""The registry of backends: one place that names every implementation of the contract.

The test suite and the benchmark both iterate over :data:`BACKENDS`; a backend is a module
that exposes ``step``, ``iterate``, ``stopping_time``, ``stopping_times`` and
``max_stopping_time``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

__all__ = ["BACKENDS", "NATIVE", "REFERENCE", "Backend", "by_name"]

FUNCTIONS = ("step", "iterate", "stopping_time", "stopping_times", "max_stopping_time")


@dataclass(frozen=True)
class Backend:
    """One implementation of the contract."""

    name: str
    """Short name used in test ids, tables and JSON (``pyo3``, ``cffi``, …)."""
    module: str
    """Import path of the module that exposes the functions."""
    description: str
    native: bool = True

    def load(self) -> ModuleType:
        """Import the module (raises ``ImportError`` if the backend is not installed)."""
        return importlib.import_module(self.module)


REFERENCE = Backend("reference", "collatz_bench.reference", "pure Python (the blog's loop)", native=False)
NATIVE: tuple[Backend, ...] = (
    Backend("pyo3", "collatz_pyo3", "PyO3 extension module (abi3)"),
    Backend("cffi", "collatz_cabi.via_cffi", "C ABI through cffi"),
    Backend("ctypes", "collatz_cabi.via_ctypes", "C ABI through ctypes"),
    Backend("uniffi", "collatz_uniffi", "UniFFI-generated bindings"),
)
BACKENDS: tuple[Backend, ...] = (REFERENCE, *NATIVE)


def by_name(name: str) -> Backend:
    """The backend called ``name``."""
    for backend in BACKENDS:
        if backend.name == name:
            return backend
    raise KeyError(f"no backend named {name!r}; known: {', '.join(b.name for b in BACKENDS)}")
