"""The comparison's quick mode runs end to end and writes what it promises; its arithmetic
is checked on synthetic data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collatz_bench import suite, timing
from collatz_bench.backends import BACKENDS


def test_fit_recovers_overhead_and_per_step_cost() -> None:
    ks = [1, 10, 100, 1000, 10_000, 100_000]
    seconds = [(250 + 0.5 * k) / 1e9 for k in ks]
    overhead, per_step = suite.fit_overhead(ks, seconds)
    assert overhead == pytest.approx(250, rel=1e-6)
    assert per_step == pytest.approx(0.5, rel=1e-6)


def test_summary_and_round_by_round_ratios() -> None:
    s = timing.Summary.of([3e-9, 1e-9, 2e-9, 100e-9])
    assert (s.low, s.median, s.high) == pytest.approx((1, 2.5, 100))
    # Round-by-round ratios cancel drift that hits both series alike.
    r = timing.ratio_summary([2e-9, 4e-9, 8e-9], [1e-9, 2e-9, 4e-9])
    assert (r.low, r.median, r.high) == pytest.approx((2, 2, 2))


def test_quick_run_writes_json_and_plots(tmp_path: Path) -> None:
    exe = shutil.which("collatz-bench", path=str(Path(sys.executable).parent))
    assert exe is not None, "the console script is installed into the environment"
    run = subprocess.run(
        [exe, "--quick", "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Scalar call" in run.stdout

    data = json.loads((tmp_path / "bench.json").read_text())
    names = [b.name for b in BACKENDS]
    assert data["schema"] == 1
    for key in ("date", "git_commit", "git_dirty", "cpu", "cores", "os", "python", "rustc"):
        assert key in data["provenance"]
    for key in ("cffi", "maturin", "numpy"):
        assert data["provenance"]["packages"][key]
    assert {"pyo3", "uniffi"} <= set(data["provenance"]["crates"])

    scalar = data["scalar"]
    assert scalar["floor"]["operator.index"]["median"] > 0
    assert set(scalar["backends"]) == set(names)
    for name in ("cffi", "ctypes", "uniffi"):
        assert scalar["backends"][name]["raw"]["ns_per_call"]["median"] > 0
    for entry in scalar["backends"].values():
        assert entry["ratio_to_floor"]["median"] > 0

    amort = data["amortisation"]
    assert set(amort) == set(names)
    for name in ("pyo3", "cffi", "ctypes", "uniffi"):
        assert [p["k"] for p in amort[name]["points"]] == list(suite.QUICK.ks)
        assert amort[name]["k_at_90pct_native"] is not None
        assert amort[name]["fit"]["per_step_ns"] > 0
    assert data["native"]["per_step_ns"] > 0
    parts = data["uniffi_breakdown"]
    assert parts["whole generated step(27)"] > parts["the foreign call (ctypes CDLL)"] > 0

    headline = data["headline"]
    assert headline["steps"] == 10**9
    assert headline["pure_python"]["seconds"] > 0
    assert set(headline["per_step_calls"]) == {"pyo3", "cffi", "ctypes", "uniffi"}
    assert {"pyo3", "cffi", "ctypes", "uniffi"} <= set(headline["one_call"])

    bulk = data["bulk"]
    for name in ("pyo3", "cffi", "ctypes", "uniffi"):
        assert [r["n"] for r in bulk[name]] == list(suite.QUICK.bulk_sizes)
        assert all(r["convert_ns_per_element"]["median"] > 0 for r in bulk[name])
    assert set(data["threads"]) == set(names)
    assert all(isinstance(t["releases_gil"], bool) for t in data["threads"].values())

    assert "| pyo3 |" in (tmp_path / "summary.md").read_text()
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["amortisation.png", "bulk.png", "scalar_overhead.png", "threads.png"]
    assert all((tmp_path / p).stat().st_size > 10_000 for p in pngs)


def test_help_explains_every_option() -> None:
    exe = shutil.which("collatz-bench", path=str(Path(sys.executable).parent))
    assert exe is not None
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--quick", "--out", "--backends", "--rounds", "--no-plots"):
        assert option in out
