"""Every front end on every CPython: the cross-interpreter figures (``make bench-pythons``).

``python -m collatz_bench.pythons collect --out FILE`` runs in one interpreter's environment:
for every front end and every case of :mod:`collatz_bench.instructions` (the scalar call, the
error path, an array out, ``next()``, a callback, a record, a string out and in), the
instructions per call under callgrind and the time of the same loop as a ratio to that
interpreter's own floor (``operator.index``), rounds interleaved. With ``--wheels DIR`` (the
directory of the wheels that serve every interpreter, ``target/wheels/any``) on CPython 3.12+,
the further abi3 wheels of a package that has them (``extra_wheels`` in the registry:
collatz-pyo3's cp310-abi3 wheel beside the cp312-abi3 one the environment installs) are counted
too: what the second abi3 wheel changes, measured.

``python -m collatz_bench.pythons render FILE... --out DIR`` merges the files (one per
interpreter) into ``pythons.json`` and draws ``pythons.md``: per case, one row per front end, one
column per interpreter. Every figure on the page comes from those files.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from collatz_contract.backends import NATIVE
from collatz_contract.packages import PACKAGES

from . import instructions, provenance
from .render.markdown import draw
from .table import Table
from .timing import Case, calibrate, ratio_summary, run_rounds

ABI3_VARIANT = "pyo3 (cp310-abi3 wheel)"
"""The name the cp310-abi3 wheel of collatz-pyo3 is counted under, on 3.12+ (as every further
wheel: ``"<front end> (<tag> wheel)"``)."""
ROUNDS, TARGET = 7, 0.02


def _interpreter() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def _time_ratios(cases: list[str]) -> dict[str, dict[str, Any]]:
    """The loops of the instructions cases, timed natively, as ratios to the floor's loop."""
    scope: dict[str, Any] = {"operator": operator, "LONG_START": instructions.LONG_START}
    exec(instructions.LOOPS, scope)
    n = instructions.LONG
    timed = [Case("floor", lambda: scope["call1"](operator.index, 27, n))]
    for backend in NATIVE:
        module = backend.load()
        for case in cases:
            code = compile(instructions.CASES[case][0], case, "eval")
            local = {"m": module, "n": n}
            timed.append(Case(f"{backend.name}/{case}", _evaluator(code, scope, local)))
    for case_ in timed:
        calibrate(case_, TARGET)
    run_rounds(timed, ROUNDS)
    floor = timed[0].samples
    out: dict[str, dict[str, Any]] = {}
    for case_ in timed[1:]:
        name, case = case_.key.split("/")
        out.setdefault(name, {})[case] = ratio_summary(case_.samples, floor).as_dict()
    return out


def _evaluator(code: Any, scope: dict[str, Any], local: dict[str, Any]) -> Callable[[], object]:
    """One run of a case's loop, as a callable (what :class:`Case` times)."""

    def once() -> object:
        return eval(code, scope, local)

    return once


def _wheel_tag(wheel: Path) -> str:
    """``cp310-abi3`` of ``collatz_pyo3-0.1.0-cp310-abi3-linux_x86_64.whl``."""
    return "-".join(wheel.stem.split("-")[-3:-1])


def _further_wheels(wheels: Path) -> list[tuple[Path, str, str]]:
    """(wheel, front end, name counted under) for every wheel in ``wheels`` of a package with
    further wheels (``extra_wheels``) whose tag is not that of the installed one."""
    from importlib import metadata

    found = []
    for package in PACKAGES:
        if not package.extra_wheels:
            continue
        files = metadata.files(package.distribution) or []
        installed = next(f.read_text().split("Tag: ")[-1].strip() for f in files if f.name == "WHEEL")
        installed_tag = "-".join(installed.split("-")[:2])
        for wheel in sorted((wheels / package.directory).glob("*.whl")):
            tag = _wheel_tag(wheel)
            if tag != installed_tag:
                for backend in NATIVE:
                    if backend.package == package:
                        found.append((wheel, backend.module, f"{backend.name} ({tag} wheel)"))
    return found


def _further_wheel(wheel: Path, module: str, name: str, cases: list[str], out: Path) -> dict[str, Any]:
    """Instructions of a further wheel of a front end's package, installed into a temporary
    directory that comes first on the path of the counting interpreter."""
    with tempfile.TemporaryDirectory() as target:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, str(wheel)],
            check=True,
        )
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = target
        try:
            counts = instructions.count({name: module}, dict(_loops(cases)), out)
        finally:
            if before is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = before
    return instructions.summarise(counts, [name], cases)["backends"][name]  # type: ignore[no-any-return]


def _loops(cases: list[str]) -> list[tuple[str, str]]:
    return [(case, instructions.CASES[case][0]) for case in cases]


def collect(out: Path, wheels: Path | None) -> None:
    cases = list(instructions.CASES)
    with tempfile.TemporaryDirectory() as scratch:
        figures = instructions.measure({b.name: b.module for b in NATIVE}, Path(scratch), cases)
        if wheels is not None and sys.version_info >= (3, 12):
            for wheel, module, name in _further_wheels(wheels):
                figures["backends"][name] = _further_wheel(wheel, module, name, cases, Path(scratch))
    ratios = _time_ratios(cases)
    for name, entry in figures["backends"].items():
        for case, figure in entry.items():
            figure["time_ratio_to_floor"] = ratios.get(name, {}).get(case)
    figures.pop("breakdown", None)
    wheel = None
    try:
        from importlib import metadata

        files = metadata.files("collatz-pyo3") or []
        wheel = next(f.read_text().split("Tag: ")[-1].strip() for f in files if f.name == "WHEEL")
    except (StopIteration, metadata.PackageNotFoundError):
        pass
    result = {
        "interpreter": _interpreter(),
        "provenance": provenance.collect(provenance.find_repo()),
        "collatz_pyo3_wheel": wheel,
        "cases": {case: what for case, (_, what) in instructions.CASES.items()},
        "rounds": ROUNDS,
        **figures,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"pythons: wrote {out}")


def _version_key(interpreter: str) -> tuple[int, ...]:
    return tuple(int(p) for p in interpreter.split()[-1].split("."))


def tables(merged: dict[str, Any]) -> list[Table]:
    """Per case: front ends × interpreters, each cell ``time ratio × floor / instructions``."""
    runs = merged["interpreters"]
    names = list(runs)
    out = []
    first = runs[names[0]]
    backends: list[str] = []
    for run in runs.values():
        backends += [b for b in run["backends"] if b not in backends]
    for case, what in first["cases"].items():
        t = Table(
            f"{what}: time × that interpreter's floor / instructions per call",
            ["front end", *(f"{n.split()[-1]}" for n in names)],
            note="Time ratios: median of interleaved rounds against the floor (operator.index) "
            "of the same interpreter; instructions: callgrind, per call, the loop's own subtracted.",
        )
        for backend in backends:
            row = [backend]
            for name in names:
                figure = runs[name]["backends"].get(backend, {}).get(case)
                if figure is None:
                    row.append("")
                    continue
                ratio = figure.get("time_ratio_to_floor")
                time = f"{ratio['median']:.2f}×" if ratio else "–"
                row.append(f"{time} / {figure['per_call']:,.0f}")
            t.rows.append(row)
        out.append(t)
    floors = Table(
        "Each interpreter's floor (operator.index) and the collatz-pyo3 wheel it installs",
        ["interpreter", "floor: instructions per call", "collatz-pyo3 wheel", "commit", "date"],
        align="lrlll",
    )
    for name in names:
        run = runs[name]
        floors.rows.append(
            [
                name,
                f"{run['floor_per_call']:,.0f}",
                run.get("collatz_pyo3_wheel") or "",
                str(run["provenance"].get("git_commit") or "")[:12]
                + (" (dirty)" if run["provenance"].get("git_dirty") else ""),
                str(run["provenance"].get("date", "")),
            ]
        )
    return [floors, abi3_table(merged), *out]


def abi3_table(merged: dict[str, Any]) -> Table:
    """What the stable ABI costs PyO3 per shape on each interpreter: the abi3 wheel the
    interpreter installs (and, on 3.12+, the cp310-abi3 one) against the per-interpreter build,
    in instructions per call."""
    t = Table(
        "What abi3 costs PyO3: instructions per call of each abi3 wheel ÷ the per-interpreter "
        "build's (pyo3-versioned), same interpreter",
        ["interpreter", "wheel", *merged["interpreters"][next(iter(merged["interpreters"]))]["cases"]],
        note="Above 1: the stable ABI costs that much more. On 3.12+ the environment installs the "
        "cp312-abi3 wheel (vectorcall in the limited API); the cp310-abi3 wheel is counted beside it.",
    )
    for name, run in merged["interpreters"].items():
        versioned = run["backends"].get("pyo3-versioned")
        if versioned is None:
            continue
        wheels = [(run.get("collatz_pyo3_wheel") or "installed", run["backends"].get("pyo3"))]
        if ABI3_VARIANT in run["backends"]:
            wheels.append(("cp310-abi3 (beside it)", run["backends"][ABI3_VARIANT]))
        for label, figures in wheels:
            if figures is None:
                continue
            t.rows.append(
                [
                    name.split()[-1],
                    label.split("-linux")[0].split("-manylinux")[0],
                    *(
                        f"{figures[case]['per_call'] / versioned[case]['per_call']:.2f}"
                        for case in run["cases"]
                    ),
                ]
            )
    return t


def render(files: list[Path], out: Path) -> None:
    runs = {}
    for path in files:
        run = json.loads(path.read_text())
        runs[run["interpreter"]] = run
    merged = {"schema": 1, "interpreters": dict(sorted(runs.items(), key=lambda kv: _version_key(kv[0])))}
    out.mkdir(parents=True, exist_ok=True)
    (out / "pythons.json").write_text(json.dumps(merged, indent=2) + "\n")
    text = [
        "# Every front end on every CPython",
        "",
        "Generated by `make bench-pythons` (`python -m collatz_bench.pythons`) from "
        "`pythons.json`: do not edit. Each interpreter's figures are its own run's, in its own "
        "environment; ratios are to that interpreter's own floor.",
        "",
        *(draw(t) + "\n" for t in tables(merged)),
    ]
    (out / "pythons.md").write_text("\n".join(text))
    print(f"pythons: wrote {out / 'pythons.json'}, {out / 'pythons.md'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collatz_bench.pythons", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("collect", help="measure in this interpreter")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument(
        "--wheels",
        type=Path,
        help="the directory of the shared wheels: further abi3 wheels counted too on 3.12+",
    )
    r = commands.add_parser("render", help="merge the interpreters' files, draw the page")
    r.add_argument("files", type=Path, nargs="+")
    r.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if instructions.valgrind() is None and args.command == "collect":
        print("pythons: valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    if args.command == "collect":
        collect(args.out, args.wheels)
    else:
        render(args.files, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
