"""The registry of backends: the one place that names every implementation of the contract.

The test suite and the benchmark both iterate over :data:`BACKENDS`. A backend is a module
that exposes the functions of ``docs/contract.md``; its entry here also says what the
benchmark needs to know about it beyond the contract (the binding's own call under the public
wrapper, other raw calls worth timing, a breakdown of one call), so that no benchmark section
names a backend. Entries name modules and attributes as strings: nothing here imports a
backend until it is asked to.

Adding a front end is one package and one entry in :data:`NATIVE`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

__all__ = ["BACKENDS", "FUNCTIONS", "NATIVE", "REFERENCE", "Backend", "Breakdown", "Probe", "by_name"]

FUNCTIONS = (
    "step",
    "iterate",
    "stopping_time",
    "stopping_times",
    "max_stopping_time",
    "trajectory",
    "Trajectory",
    "walk",
)
"""The public names of the contract, in the order the contract lists them."""


def _resolve(path: str) -> Any:
    """``"package.module:attr.attr"`` → that object (imports the module)."""
    module_name, _, attributes = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attribute in filter(None, attributes.split(".")):
        obj = getattr(obj, attribute)
    return obj


@dataclass(frozen=True)
class Probe:
    """A callable inside a backend's package, timed next to its public ``step``."""

    path: str
    """Where it lives: ``"module:attribute.attribute"``."""
    what: str
    """What it is, for tables (e.g. ``"lib.collatz_step (compiled API mode)"``)."""

    def load(self) -> Callable[[int], int]:
        function: Callable[[int], int] = _resolve(self.path)
        return function


@dataclass(frozen=True)
class Breakdown:
    """The parts of one raw call, each timed alone: where a binding's call time goes.

    Statements run with the globals of ``module`` plus what ``setup`` defines; ``whole`` is the
    complete call the parts add up to.
    """

    module: str
    setup: str
    whole: str
    parts: tuple[tuple[str, str], ...]
    """``(description, statement)`` pairs."""


@dataclass(frozen=True)
class Backend:
    """One implementation of the contract."""

    name: str
    """Short name used in test ids, tables and JSON (``pyo3``, ``cffi``, …)."""
    module: str
    """Import path of the module that exposes the functions."""
    description: str
    native: bool = True
    raw_step: Probe | None = None
    """The binding's own ``step`` call under the public wrapper, where the two differ."""
    variants: tuple[Probe, ...] = field(default_factory=tuple)
    """Other raw ``step`` calls of the same package worth timing beside it."""
    breakdown: Breakdown | None = None
    """Where one raw call's time goes, part by part (optional)."""
    distribution: str | None = None
    """The package it installs from (for its wheel, version and dependencies)."""
    project: str | None = None
    """The directory of that package in the repository (for its build)."""
    crates: tuple[str, ...] = ()
    """The workspace crates its build compiles (cleaned before a timed build)."""
    glue: tuple[str, ...] = ()
    """Repository paths (globs) of the code written to bind the core: what it costs to keep."""

    def load(self) -> ModuleType:
        """Import the module (raises ``ImportError`` if the backend is not installed)."""
        return importlib.import_module(self.module)


REFERENCE = Backend(
    "reference",
    "collatz_contract.reference",
    "pure Python (the blog's loop)",
    native=False,
    distribution="collatz-contract",
)

# The C ABI and the Python helpers every C front end shares.
_CABI_GLUE = (
    "bind-cabi/src/lib.rs",
    "bind-cabi/setup.py",
    "bind-cabi/python/collatz_cabi/__init__.py",
    "bind-cabi/python/collatz_cabi/_args.py",
    "bind-cabi/python/collatz_cabi/_callbacks.py",
    "bind-cabi/python/collatz_cabi/_status.py",
    "bind-cabi/python/collatz_cabi/_library.py",
)

_UNIFFI_STEP = "_UniffiLib.uniffi_collatz_uniffi_fn_func_step"

NATIVE: tuple[Backend, ...] = (
    Backend(
        "pyo3",
        "collatz_pyo3",
        "PyO3 extension module (abi3)",
        distribution="collatz-pyo3",
        project="bind-pyo3",
        crates=("collatz-core", "bind-pyo3"),
        glue=("bind-pyo3/src/*.rs", "bind-pyo3/python/collatz_pyo3/*.py"),
    ),
    Backend(
        "cffi",
        "collatz_cabi.via_cffi",
        "C ABI through cffi",
        distribution="collatz-cabi",
        project="bind-cabi",
        crates=("collatz-core", "bind-cabi"),
        glue=(*_CABI_GLUE, "bind-cabi/build_cffi.py", "bind-cabi/python/collatz_cabi/via_cffi.py",
              "bind-cabi/python/collatz_cabi/_abi_mode.py"),
        raw_step=Probe("collatz_cabi.via_cffi:lib.collatz_step", "lib.collatz_step (compiled API mode)"),
        variants=(
            Probe("collatz_cabi._abi_mode:lib.collatz_step", "lib.collatz_step (ABI mode, dlopen)"),
        ),
    ),
    Backend(
        "ctypes",
        "collatz_cabi.via_ctypes",
        "C ABI through ctypes",
        raw_step=Probe("collatz_cabi.via_ctypes:_c_step", "collatz_step with argtypes"),
        distribution="collatz-cabi",
        project="bind-cabi",
        crates=("collatz-core", "bind-cabi"),
        glue=(*_CABI_GLUE, "bind-cabi/python/collatz_cabi/via_ctypes.py"),
    ),
    Backend(
        "cython",
        "collatz_cabi.via_cython",
        "C ABI through a Cython module",
        distribution="collatz-cabi",
        project="bind-cabi",
        crates=("collatz-core", "bind-cabi"),
        glue=(*_CABI_GLUE, "bind-cabi/python/collatz_cabi/via_cython.pyx"),
    ),
    Backend(
        "uniffi",
        "collatz_uniffi",
        "UniFFI-generated bindings",
        raw_step=Probe("collatz_uniffi._native.collatz_uniffi:step", "generated collatz_uniffi.step"),
        distribution="collatz-uniffi",
        project="bind-uniffi",
        crates=("collatz-core", "bind-uniffi"),
        glue=(
            "bind-uniffi/src/*.rs",
            "bind-uniffi/src/bin/*.rs",
            "bind-uniffi/python/collatz_uniffi/*.py",
        ),
        breakdown=Breakdown(
            module="collatz_uniffi._native.collatz_uniffi",
            setup=f"import ctypes; st = _UniffiRustCallStatus.default(); fn = {_UNIFFI_STEP}",
            whole="step(27)",
            parts=(
                ("argument check (check_lower)", "_UniffiFfiConverterUInt64.check_lower(27)"),
                (
                    "lower and lift (identity for u64)",
                    "_UniffiFfiConverterUInt64.lower(27); _UniffiFfiConverterUInt64.lift(27)",
                ),
                ("new call-status struct (ctypes)", "_UniffiRustCallStatus.default()"),
                ("ctypes.byref(status)", "ctypes.byref(st)"),
                ("the foreign call (ctypes CDLL)", "fn(27, ctypes.byref(st))"),
                ("status check", "_uniffi_check_call_status(None, st)"),
            ),
        ),
    ),
)
BACKENDS: tuple[Backend, ...] = (REFERENCE, *NATIVE)


def by_name(name: str) -> Backend:
    """The backend called ``name``."""
    for backend in BACKENDS:
        if backend.name == name:
            return backend
    raise KeyError(f"no backend named {name!r}; known: {', '.join(b.name for b in BACKENDS)}")
