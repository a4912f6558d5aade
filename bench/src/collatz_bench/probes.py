"""What the benchmark knows about a front end beyond the contract: the binding's own call under
the public wrapper (timed beside it), other raw calls of the same package, a part-by-part
breakdown of one call, and which files are its glue. The contract's registry
(:mod:`collatz_contract.backends`) says what a front end *is*; this module says how to look
inside it.

Every entry is optional. A front end with none is measured on every section all the same: its
glue is then everything in its package's ``src/`` and ``python/`` (see :func:`of`), and it has
no raw row. Entries name callables as ``"module:attribute.attribute"`` strings, imported only
when measured.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collatz_contract.backends import Backend

__all__ = ["Breakdown", "Probe", "Probes", "of"]


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
class Probes:
    """Everything the benchmark looks at inside one front end."""

    raw_step: Probe | None = None
    """The binding's own ``step`` call under the public wrapper, where the two differ."""
    variants: tuple[Probe, ...] = ()
    """Other raw ``step`` calls of the same package worth timing beside it."""
    breakdown: Breakdown | None = None
    """Where one raw call's time goes, part by part."""
    glue: tuple[str, ...] = ()
    """Repository paths (globs) of the code written to bind the core: what it costs to keep.
    Empty: everything its package has in ``src/`` and ``python/``."""
    glue_listed: bool = True
    """Whether ``glue`` was listed here (then every pattern must match a file) or derived."""


# The C ABI and the Python helpers every C front end shares.
_CABI_GLUE = (
    "bind-cabi/src/lib.rs",
    "bind-cabi/setup.py",
    "bind-cabi/python/collatz_cabi/__init__.py",
    "bind-cabi/python/collatz_cabi/_status.py",
    "bind-cabi/python/collatz_cabi/_library.py",
    "glue/_glue.py",
)

_UNIFFI_STEP = "_UniffiLib.uniffi_collatz_uniffi_fn_func_step"

_PROBES: dict[str, Probes] = {
    "cffi": Probes(
        raw_step=Probe("collatz_cabi.via_cffi:lib.collatz_step", "lib.collatz_step (compiled API mode)"),
        variants=(Probe("collatz_cabi._abi_mode:lib.collatz_step", "lib.collatz_step (ABI mode, dlopen)"),),
        glue=(
            *_CABI_GLUE,
            "bind-cabi/build_cffi.py",
            "bind-cabi/python/collatz_cabi/via_cffi.py",
            "bind-cabi/python/collatz_cabi/_abi_mode.py",
        ),
    ),
    "ctypes": Probes(
        raw_step=Probe("collatz_cabi.via_ctypes:_c_step", "collatz_step with argtypes"),
        glue=(*_CABI_GLUE, "bind-cabi/python/collatz_cabi/via_ctypes.py"),
    ),
    "cython": Probes(glue=(*_CABI_GLUE, "bind-cabi/python/collatz_cabi/via_cython.pyx")),
    "uniffi": Probes(
        raw_step=Probe("collatz_uniffi._native.collatz_uniffi:step", "generated collatz_uniffi.step"),
        glue=("bind-uniffi/src/**/*.rs", "bind-uniffi/python/collatz_uniffi/*.py"),
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
    "boltffi": Probes(
        raw_step=Probe(
            "collatz_boltffi._native._native:step", "_native.step, BoltFFI's C entry (METH_FASTCALL)"
        ),
        variants=(
            Probe("collatz_boltffi._native:step", "generated step, the def around it (BoltFFI's API)"),
        ),
        glue=(
            "bind-boltffi/src/**/*.rs",
            "bind-boltffi/python/collatz_boltffi/*.py",
            "bind-boltffi/build_support/*.py",
            "bind-boltffi/boltffi.toml",
        ),
        breakdown=Breakdown(
            module="collatz_boltffi._native",
            setup="pass",
            whole="step(27)",
            parts=(
                ("the C entry point (_native.step)", "_native.step(27)"),
                ("_boltffi_call around a lambda (how a fallible call is made)", "_boltffi_call(None, int)"),
            ),
        ),
    ),
}


def of(backend: Backend) -> Probes:
    """The probes of ``backend``, its glue filled in from its package when not listed."""
    probes = _PROBES.get(backend.name, Probes())
    if probes.glue or backend.package is None:
        return probes
    directory, source = backend.package.directory, backend.package.source
    default = (f"{source}/src/**/*.rs", f"{directory}/python/**/*.py", f"{directory}/python/**/*.pyx")
    return Probes(probes.raw_step, probes.variants, probes.breakdown, default, glue_listed=False)
