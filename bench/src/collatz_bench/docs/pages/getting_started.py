"""Getting started: the table of front ends and packages, from the registries (so that a new
front end appears without editing the page), the pinned BoltFFI CLI version, from the Makefile,
and how long its one-time build took in the committed run."""

from __future__ import annotations

import re

from collatz_contract.backends import NATIVE
from collatz_contract.packages import PACKAGES, Package

from ...table import seconds
from ..figures import Results

__all__ = ["boltffi_cli_build", "boltffi_install", "front_ends"]

BUILDS = {
    "maturin": "maturin",
    "setuptools": "setuptools (setuptools-rust, cffi, Cython)",
    "boltffi": "BoltFFI's CLI (`boltffi pack python`), in an in-tree PEP 517 backend",
}
"""How each kind of build in the registry (``Package.build``) is described."""


def _import(module: str) -> str:
    package, _, name = module.rpartition(".")
    return f"`from {package} import {name}`" if package else f"`import {module}`"


def front_ends(results: Results) -> str:
    """Every front end (``collatz_contract.backends.NATIVE``): how to import it, what it is, and
    the package it ships in, with the directory ``pip install`` takes and its build."""
    lines = [
        "| front end | what it is | distribution | `pip install` | built by |",
        "|---|---|---|---|---|",
    ]
    for backend in NATIVE:
        package = backend.package
        assert package is not None
        lines.append(
            f"| {_import(backend.module)} | {backend.description} | `{package.distribution}` "
            f"| `./{package.directory}` | {BUILDS.get(package.build, package.build)} |"
        )
    return "\n".join(lines)


def _boltffi_packages() -> list[Package]:
    return [p for p in PACKAGES if p.build == "boltffi"]


def boltffi_install(results: Results) -> str:
    """The command that installs the BoltFFI CLI version the Makefile pins (``BOLTFFI_VERSION``),
    as inline code."""
    makefile = (results.directory.parent.parent / "Makefile").read_text()
    found = re.search(r"^BOLTFFI_VERSION\s*:=\s*(\S+)", makefile, re.M)
    if found is None:
        raise ValueError("no BOLTFFI_VERSION in the Makefile")
    return f"`cargo install boltffi_cli --version {found.group(1)} --locked`"


def boltffi_cli_build(results: Results) -> str:
    """How long ``make`` took to build BoltFFI's CLI, as the committed run recorded it
    (``costs/builds/<package>/tool_build_seconds``): ", 2.0 min in the committed run", or
    nothing when the run did not record it."""
    builds = results.r("costs/builds")
    timed = [
        float(builds[p.directory]["tool_build_seconds"])
        for p in _boltffi_packages()
        if builds.get(p.directory, {}).get("tool_build_seconds") is not None
    ]
    return f", {seconds(max(timed))} in the committed run" if timed else ""
