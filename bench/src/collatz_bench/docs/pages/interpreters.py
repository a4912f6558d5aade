"""The figures of ``docs/interpreters.md``, from ``pythons.json`` (``make bench-pythons``: one
run per CPython, merged; layout in :mod:`collatz_bench.pythons`)."""

from __future__ import annotations

from ...pythons import ABI3_VARIANT
from ..figures import Results

__all__ = ["abi3_cost", "cp310_beside", "version"]

WHEELS = {"installed": "pyo3", "cp310-abi3": ABI3_VARIANT}
"""How the page names collatz-pyo3's wheels → their names in ``pythons.json``: the abi3 wheel
the interpreter's environment installs (cp310-abi3 before 3.12, cp312-abi3 from 3.12), and the
cp310-abi3 wheel counted beside it on 3.12+."""


def version(results: Results, minor: str) -> str:
    """The full version of the CPython ``minor`` (``"3.12"``) the figures are from: ``3.12.1``."""
    return str(results.interpreter(minor)["interpreter"]).split()[-1]


def abi3_cost(results: Results, minor: str, wheel: str = "installed", case: str = "walk") -> float:
    """Instructions per call of one of collatz-pyo3's abi3 wheels (:data:`WHEELS`) ÷ those of
    the per-interpreter build (``pyo3-versioned``), on CPython ``minor``, for one case of
    :mod:`collatz_bench.instructions` (``walk``: ``walk(27, visit)``, 112 callbacks)."""
    backends = results.interpreter(minor)["backends"]
    return float(backends[WHEELS[wheel]][case]["per_call"]) / float(
        backends["pyo3-versioned"][case]["per_call"]
    )


def cp310_beside(results: Results) -> list[str]:
    """The minor versions on which the cp310-abi3 wheel was counted beside the installed one."""
    return [
        ".".join(name.split()[-1].split(".")[:2])
        for name, entry in results.r("interpreters", "pythons").items()
        if ABI3_VARIANT in entry["backends"]
    ]
