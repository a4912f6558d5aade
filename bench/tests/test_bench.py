"""The comparison's quick mode runs end to end and writes what it promises; its arithmetic
is checked on synthetic data; every section counts its progress steps exactly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collatz_bench import golang, probes, timing
from collatz_bench.config import QUICK
from collatz_bench.sections import SECTIONS, amortisation, costs
from collatz_contract.backends import BACKENDS, NATIVE


def test_fit_recovers_overhead_and_per_step_cost() -> None:
    ks = [1, 10, 100, 1000, 10_000, 100_000]
    seconds = [(250 + 0.5 * k) / 1e9 for k in ks]
    overhead, per_step = amortisation.fit_overhead(ks, seconds)
    assert overhead == pytest.approx(250, rel=1e-6)
    assert per_step == pytest.approx(0.5, rel=1e-6)


def test_every_glue_pattern_names_files_of_this_repository() -> None:
    repo = Path(__file__).resolve().parents[2]
    for backend in BACKENDS:
        entry = costs.glue(repo, backend)  # raises on a pattern that matches nothing
        assert all((repo / f).is_file() for f in entry["files"])
        if backend.native:
            assert backend.package is not None
            assert entry["rust_lines"] > 0 and entry["python_lines"] > 0, backend.name
            own = [f for f in entry["files"] if f.startswith(backend.package.source + "/")]
            assert any(f.endswith(".rs") for f in own), f"{backend.name}: its own Rust is glue"


def test_summary_and_round_by_round_ratios() -> None:
    s = timing.Summary.of([3e-9, 1e-9, 2e-9, 100e-9])
    assert (s.low, s.median, s.high) == pytest.approx((1, 2.5, 100))
    # Round-by-round ratios cancel drift that hits both series alike.
    r = timing.ratio_summary([2e-9, 4e-9, 8e-9], [1e-9, 2e-9, 4e-9])
    assert (r.low, r.median, r.high) == pytest.approx((2, 2, 2))


def test_sections_have_distinct_keys() -> None:
    keys = [s.key for s in SECTIONS]
    assert len(keys) == len(set(keys))


def test_every_section_runs_after_the_sections_it_needs() -> None:
    seen: set[str] = set()
    for section in SECTIONS:
        assert set(section.needs) <= seen, f"{section.key} needs {section.needs}, runs before them"
        seen.add(section.key)


def test_only_refuses_a_section_without_what_it_needs() -> None:
    from collatz_bench import cli

    with pytest.raises(SystemExit, match="needs headline"):
        cli.choose_sections("amortisation")
    assert [s.key for s in cli.choose_sections("headline,amortisation")] == ["headline", "amortisation"]


def _exe() -> str:
    exe = shutil.which("collatz-bench", path=str(Path(sys.executable).parent))
    assert exe is not None, "the console script is installed into the environment"
    return exe


@pytest.mark.long  # about a minute of one core: in `make test-long` (CI), not in every `make test`
def test_quick_run_writes_json_and_plots(tmp_path: Path) -> None:
    run = subprocess.run(
        [_exe(), "--quick", "--out", str(tmp_path)], capture_output=True, text=True, timeout=400
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Scalar call" in run.stdout

    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["progress_steps"]["done"] == data["progress_steps"]["planned"], "sections count their steps"
    names = [b.name for b in BACKENDS]
    native = [b.name for b in NATIVE]
    assert data["schema"] == 2
    for key in ("date", "git_commit", "git_dirty", "cpu", "cores", "os", "python", "rustc"):
        assert key in data["provenance"]
    for key in ("cffi", "maturin", "numpy"):
        assert data["provenance"]["packages"][key]
    assert {"pyo3", "uniffi"} <= set(data["provenance"]["crates"])

    scalar = data["scalar"]
    assert scalar["floor"]["operator.index"]["median"] > 0
    assert set(scalar["backends"]) == set(names)
    for backend in NATIVE:
        entry = scalar["backends"][backend.name]
        assert entry["ratio_to_floor"]["median"] > 0
        assert (entry["raw"] is not None) == (probes.of(backend).raw_step is not None)
        assert len(entry["variants"]) == len(probes.of(backend).variants)

    amort = data["amortisation"]
    assert set(amort["backends"]) == set(names)
    for name in native:
        assert [p["k"] for p in amort["backends"][name]["points"]] == list(QUICK.ks)
        # A measured figure: "never" (None) when noise keeps every k below 90 % (a test asserts
        # what the run writes, not how fast this machine is while other tests run).
        k90 = amort["backends"][name]["k_at_90pct_native"]
        assert k90 is None or k90 > 0
        assert amort["backends"][name]["fit"]["per_step_ns"] > 0
    assert amort["native_per_step_ns"] > 0

    breakdown = data["breakdown"]
    assert set(breakdown) == {b.name for b in NATIVE if probes.of(b).breakdown is not None}
    for name, entry in breakdown.items():
        described = probes.of(next(b for b in NATIVE if b.name == name)).breakdown
        assert described is not None
        parts = {part: entry["parts_ns"][part] for part, _ in described.parts}
        assert entry["whole_ns"] > max(parts.values()) > 0

    records = data["records_strings"]
    assert set(records["backends"]) == set(names)
    for entry in records["backends"].values():
        assert entry["stats"]["ns_per_call"]["median"] > 0 and entry["wide_over_narrow"]["median"] > 0
        assert entry["parity_long"]["ns_per_unit"]["median"] < entry["parity_long"]["ns_per_call"]["median"]

    headline = data["headline"]
    assert headline["steps"] == 10**9
    assert headline["pure_python"]["seconds"] > 0
    go = golang.find_go() is not None
    go_steps = {"Go, the blog's way", "Go, careful"} if go else set()
    assert set(headline["per_step_calls"]) == set(native) | go_steps
    assert set(native) <= set(headline["one_call"])
    if go:
        bug = data["provenance"]["go"]["c_int_bug"]
        assert bug["blog_returns"] != bug["correct"] == 3 * bug["input"] + 1
        assert set(data["scalar"]["go"]) == {"blog", "careful"}
        assert set(data["amortisation"]["go"]) == {"Go (blog's way)", "Go (careful)"}
        assert "Go via ctypes" in run.stdout
    else:
        assert "absent" in data["provenance"]["go"]

    bulk = data["bulk"]
    for name in native:
        assert [r["n"] for r in bulk[name]] == list(QUICK.bulk_sizes)
        assert all(r["convert_ns_per_element"]["median"] > 0 for r in bulk[name])
    assert set(data["threads"]) == set(names)
    assert all(isinstance(t["releases_gil"], bool) for t in data["threads"].values())
    assert all(data["threads"][name]["releases_gil"] for name in native)
    assert not data["threads"]["reference"]["releases_gil"]
    for entry in scalar["backends"].values():
        if entry["raw"] is not None:
            assert entry["raw"]["wrapper_ns"] >= 0
    assert {tuple(e["answer"]) for e in data["range"]["backends"].values()} == {(77_031, 350)}

    every = [b.name for b in BACKENDS]
    for key in ("trajectory", "callbacks", "errors"):
        assert set(data[key]["backends"]) >= set(every), key
    assert [r["values"] for r in data["trajectory"]["backends"]["pyo3"]] == [10, 112, 950]
    assert set(data["objects"]["backends"]) == {*every, "Python generator"}
    assert set(data["shapes"]["backends"]) == set(every)
    assert all(e["ns_per_next"]["median"] > 0 for e in data["objects"]["backends"].values())
    assert "Python loop" in data["callbacks"]["backends"]
    assert set(data["progress"]["backends"]) == set(native)
    assert all(e["progress_calls"] >= 1 for e in data["progress"]["backends"].values())
    for entry in data["interrupts"]["backends"].values():
        for call in entry.values():
            assert call["not_stopped"] == 0 and call["median_ms"] is not None
    awaited = data["async"]
    assert set(awaited["backends"]) == set(names)
    assert awaited["floor_ns"] > 0 and awaited["idle_lag"]["ticks"] > 0
    for entry in awaited["backends"].values():
        assert entry["await_ns"] > 0 and entry["to_thread_ns"] > 0 and entry["gather_ns"] > 0
        assert entry["lag"]["async"]["ticks"] > 0, "the ticker ran while the search did"
        assert entry["not_stopped"] == 0 and entry["cancel_median_ms"] is not None

    records = data["records"]["records"]
    assert [r["k"] for r in records] == list(range(1, QUICK.records_up_to + 1))
    assert (records[0]["n"], records[0]["total_stopping_time"]) == (9, 19)
    assert (records[6]["n"], records[6]["total_stopping_time"]) == (8_400_511, 685)
    assert all(e["numbers_per_second"] > 0 for e in data["range"]["backends"].values())

    summary = (tmp_path / "summary.md").read_text()
    assert "| pyo3 |" in summary
    assert "N=10^6" not in summary, "headers name the sizes actually run"
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(name for section in SECTIONS for name in section.plots)
    assert "records_strings.png" in pngs

    costs = data["costs"]
    assert set(costs["backends"]) == set(names)
    assert all(e["import_ms"] > 0 for e in costs["backends"].values())
    assert costs["backends"]["pyo3"]["glue"]["rust_lines"] > 100
    assert costs["backends"]["cython"]["glue"]["python_lines"] > 100
    assert "numpy>=1.24" in costs["backends"]["pyo3"]["distribution"]["requires"]
    assert costs["builds"] == {} and "skipped" in costs["note"], "quick runs build nothing"
    assert all((tmp_path / p).stat().st_size > 10_000 for p in pngs)


def test_help_explains_every_option() -> None:
    out = subprocess.run([_exe(), "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--quick", "--out", "--backends", "--rounds", "--no-plots", "--only", "--records-up-to"):
        assert option in out


def test_one_section_alone(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            _exe(),
            "--quick",
            "--only",
            "records",
            "--records-up-to",
            "3",
            "--backends",
            "cython",
            "--out",
            str(tmp_path),
            "--no-plots",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((tmp_path / "bench.json").read_text())
    assert [r["n"] for r in data["records"]["records"]] == [9, 97, 871]
    assert "scalar" not in data
    bad = subprocess.run([_exe(), "--only", "nothing"], capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown section" in bad.stderr


def test_without_go_the_go_rows_are_absent_with_a_note(tmp_path: Path) -> None:
    run = subprocess.run(
        [_exe(), "--quick", "--only", "scalar", "--backends", "pyo3", "--out", str(tmp_path), "--no-plots"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLLATZ_BENCH_GO": "off"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "the Go rows are left out" in run.stdout
    data = json.loads((tmp_path / "bench.json").read_text())
    assert "go" not in data["scalar"]
    assert "absent" in data["provenance"]["go"]


def test_outside_a_checkout_and_without_a_backend(tmp_path: Path) -> None:
    """Run from elsewhere, the provenance says so instead of printing None; a backend that is
    not installed is a one-line message, not a traceback."""
    run = subprocess.run(
        [_exe(), "--quick", "--only", "scalar", "--backends", "pyo3", "--out", str(tmp_path), "--no-plots"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "COLLATZ_BENCH_REPO": "none"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "None" not in run.stdout
    assert "not a git checkout" in " ".join(run.stdout.split())  # rich wraps long lines
    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['collatz_uniffi'] = None\n"
            "from collatz_bench.cli import main; main(['--quick', '--only', 'scalar'])",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert missing.returncode != 0
    assert "backend uniffi (collatz_uniffi) is not installed" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_instruction_counts_per_call_and_ratios_from_two_loop_lengths() -> None:
    from collatz_bench import instructions

    def totals(label: str, per_iteration: float, fixed: int) -> dict[str, int]:
        """What callgrind would report: a fixed cost plus the loop, at both lengths."""
        return {
            f"{label}|{n}": round(fixed + per_iteration * n) for n in (instructions.SHORT, instructions.LONG)
        }

    # Fixed costs that differ per measurement cancel; only the loop's count per iteration stays.
    measured = totals("empty|x", 200, 4321) | totals("floor|x", 350, 9876) | totals("x|step", 550, 123)
    counts = instructions.Counts(instructions.per_iteration(measured), {})
    assert counts.per_iteration == {"empty|x": 200, "floor|x": 350, "x|step": 550}
    summary = instructions.summarise(counts, ["x"], ["step"])
    assert summary["floor_per_call"] == 150
    assert summary["backends"]["x"]["step"] == {"per_call": 350, "ratio_to_floor": 550 / 350}

    # The trivial await: against `await asyncio.sleep(0)`, and absent where a thread ran it.
    awaited = measured | totals("await_floor|x", 20_200, 777) | totals("x|await", 8_200, 55)
    awaited |= totals("empty|y", 200, 1) | totals("floor|y", 350, 1) | totals("await_floor|y", 20_200, 1)
    counts = instructions.Counts(instructions.per_iteration(awaited), {})
    summary = instructions.summarise(counts, ["x", "y"], [instructions.AWAIT])
    assert summary["await_floor_per_call"] == 20_000
    assert summary["backends"]["x"]["await"] == {"per_call": 8_000, "ratio_to_floor": 8_200 / 20_200}
    assert summary["backends"]["y"] == {}


def test_perf_check_fails_over_budget_and_reports_what_to_tighten() -> None:
    from collatz_bench import perfcheck

    budgets = {"tolerance": 0.02, "budgets": {"x": {"step": 1000, "walk": 1000, "stats": 1000}}}
    over, under = perfcheck.compare({"x": {"step": 1019, "walk": 1021, "stats": 900, "new": 5}}, budgets)
    assert [line.split(":")[0] for line in over] == ["x walk", "x new"]
    assert [line.split(":")[0] for line in under] == ["x stats"]


def test_the_cross_interpreter_page_is_computed_from_its_files(tmp_path: Path) -> None:
    """collatz_bench.pythons: one file per interpreter in, one page out, every figure computed
    (the abi3 ratios from the instruction counts of the same interpreter)."""
    from collatz_bench import pythons

    def run(version: str, pyo3: float, versioned: float, variant: float | None) -> dict[str, Any]:
        figure = lambda per_call: {"per_call": per_call, "time_ratio_to_floor": {"median": 2.0}}  # noqa: E731
        backends = {"pyo3": {"walk": figure(pyo3)}, "pyo3-versioned": {"walk": figure(versioned)}}
        if variant is not None:
            backends[pythons.ABI3_VARIANT] = {"walk": figure(variant)}
        return {
            "interpreter": f"CPython {version}",
            "provenance": {"commit": "abc", "date": "today"},
            "collatz_pyo3_wheel": "cp312-abi3-linux_x86_64" if variant else "cp310-abi3-linux_x86_64",
            "cases": {"walk": "walk(27, visit)"},
            "floor_per_call": 100.0,
            "backends": backends,
        }

    files = []
    for version, figures in {"3.13.0": (80.0, 78.0, 110.0), "3.10.13": (120.0, 60.0, None)}.items():
        path = tmp_path / f"{version}.json"
        path.write_text(json.dumps(run(version, *figures)))
        files.append(path)
    pythons.render(files, tmp_path / "out")
    merged = json.loads((tmp_path / "out" / "pythons.json").read_text())
    assert list(merged["interpreters"]) == ["CPython 3.10.13", "CPython 3.13.0"]  # by version
    page = (tmp_path / "out" / "pythons.md").read_text()
    assert "| 3.10.13 | cp310-abi3 | 2.00 |" in page  # 120 / 60
    assert "| 3.13.0 | cp312-abi3 | 1.03 |" in page  # 80 / 78
    assert "| 3.13.0 | cp310-abi3 (beside it) | 1.41 |" in page  # 110 / 78
    assert "| pyo3 | 2.00× / 120 | 2.00× / 80 |" in page


def test_the_async_sections_helpers_measure_what_they_say() -> None:
    import asyncio

    from collatz_bench.sections import awaiting

    async def main() -> tuple[float, dict[str, float]]:
        per_await = await awaiting._per_await(lambda: asyncio.sleep(0), 50)
        lag = await awaiting._lag(lambda: asyncio.sleep(0.05), 0)
        return per_await, lag

    per_await, lag = asyncio.run(main())
    assert 0 < per_await < 0.01
    assert lag["seconds"] >= 0.05 and lag["ticks"] >= 5, "a 1 ms ticker ran beside the work"
    assert 0 <= lag["median"] <= lag["worst"]
