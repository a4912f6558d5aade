"""Run by `make dist-check` (with warnings as errors) in a fresh virtual environment where every
package was installed from its sdist, with isolated builds: each front end imports without a
warning and does one of everything, and the packages say what they are."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module, metadata

from collatz_contract.backends import BACKENDS
from collatz_contract.packages import PACKAGES

FRONT_ENDS = [b.module for b in BACKENDS]

for name in FRONT_ENDS:
    m = import_module(name)
    assert m.step(27) == 82, name
    assert m.iterate(27, 111) == 1, name
    assert m.total_stopping_time(7_887_663_552_367) == 1563, name
    assert m.total_stopping_times([1, 27, 97]).tolist() == [0, 111, 118], name
    assert m.max_total_stopping_time(1000, progress=lambda done, total: None) == (871, 178), name
    assert m.trajectory(6).tolist() == list(m.Trajectory(6)) == [6, 3, 10, 5, 16, 8, 4, 2, 1], name
    assert m.walk(6, print) == 9, name
    try:
        m.step(2**64 - 1)
    except OverflowError:
        pass
    else:
        raise AssertionError(f"{name}: no OverflowError")

for name in FRONT_ENDS:  # a front end with modes (cffi: compiled or ABI) runs its compiled one
    assert getattr(import_module(name), "MODE", "api") == "api", name
for package, distribution in [
    *((p.import_name, p.distribution) for p in PACKAGES),
    ("collatz_contract", "collatz-contract"),
    ("collatz_bench", "collatz-bench"),
]:
    assert import_module(package).__version__ == metadata.version(distribution), package
    files = [str(f) for f in metadata.files(distribution) or []]
    assert any(f.endswith("licenses/LICENSE-APACHE") for f in files), distribution
subprocess.run([sys.executable, "-m", "collatz_bench.cli", "--help"], check=True, capture_output=True)
print(f"dist-check: {len(FRONT_ENDS)} front ends from sdists: ok")
