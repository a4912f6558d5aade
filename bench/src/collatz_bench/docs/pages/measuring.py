"""The "How it measures" page's figures: the harness checked against pyperf (rendered whether
or not the run has the ``pyperf`` section), instruction counts and the budgets of
``bench/budgets.json``, what is noisy, and the speed targets' computed verdicts."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from ... import targets
from ...render import markdown
from ...table import Table, ns
from ...timing import BOOTSTRAP_RESAMPLES
from ..figures import Results, n, pct, x

FLOOR = "floor"
"""The floor's key in the pyperf section (``collatz_bench.context.FLOOR``)."""


def has(results: Results, section: str) -> bool:
    """Whether the run has ``section`` (and did not skip it)."""
    own = results.bench.get(section)
    return bool(own) and not (isinstance(own, dict) and "skipped" in own)


def not_in_run(results: Results, section: str) -> str:
    """The sentence a part of the page shows when the run lacks the section it renders."""
    return (
        f"*Not in this run: the committed results have no `{section}` section (the section is "
        f"newer than the run, or the run left it out). The next full `make bench` fills this in.*"
    )


def loop_of_run(results: Results) -> str:
    """Which loop the committed run's timings used: names as locals (with the pyperf section,
    which came in with that change) or as globals (before it)."""
    if has(results, "pyperf"):
        return "The committed run timed every call with the callee and its argument as locals."
    return (
        "The committed run is older than that change: its `timeit` loops read the callee and the "
        "argument as globals, the loop the comparison below found to read high on the cheapest calls."
    )


def _pyperf_rows(results: Results, timing: str = "pyperf") -> dict[str, tuple[float, float]]:
    """Front end → (this harness's ratio to the floor, pyperf's), from the pyperf section;
    ``timing``: ``pyperf`` (only the front end imported) or ``pyperf_with_numpy``."""
    rows = results.r("pyperf/backends")
    return {
        name: (
            float(results.r(f"pyperf/backends/{name}/harness/ratio_to_floor/median")),
            float(results.r(f"pyperf/backends/{name}/{timing}/ratio_to_floor")),
        )
        for name in rows
        if name != FLOOR
    }


def _differences(results: Results, timing: str) -> dict[str, float]:
    return {name: ours / theirs - 1 for name, (ours, theirs) in _pyperf_rows(results, timing).items()}


def pyperf_gap(results: Results, timing: str = "pyperf") -> float:
    """The largest difference, as a fraction, between this harness's ratio and pyperf's."""
    return max(abs(d) for d in _differences(results, timing).values())


def pyperf_outlier(results: Results, timing: str = "pyperf") -> str:
    """The front end whose ratio differs most from pyperf's."""
    differences = _differences(results, timing)
    return max(differences, key=lambda name: abs(differences[name]))


def pyperf_findings(results: Results) -> str:
    """The agreement of the two, in figures: how many front ends read higher here, the median
    and the range of the differences, the pure-Python reference's (a difference no binding can
    cause), and the outlier with and without numpy in pyperf's processes."""
    if not has(results, "pyperf"):
        return ""  # the table's place says it is not in this run
    plain = _differences(results, "pyperf")
    numpy = _differences(results, "pyperf_with_numpy")
    higher = sum(d > 0 for d in plain.values())
    worst = pyperf_outlier(results)
    others = [abs(d) for name, d in numpy.items() if name != worst]
    in_line = abs(numpy[worst]) <= max(others)
    ns_plain = results.r(f"pyperf/backends/{worst}/pyperf/ns_per_call/median")
    ns_numpy = results.r(f"pyperf/backends/{worst}/pyperf_with_numpy/ns_per_call/median")
    processes = results.r(f"pyperf/backends/{FLOOR}/pyperf/processes")
    text = (
        f"In this run, this harness's ratios to the floor read higher than pyperf's for {higher} of "
        f"the {len(plain)} front ends: by {pct(statistics.median(plain.values()), 1)} at the median, "
        f"from {pct(min(plain.values()), 1)} to {pct(max(plain.values()), 1)}."
    )
    if "reference" in plain:
        text += (
            f" The pure-Python reference, which no binding and no numpy touches, differs by "
            f"{pct(plain['reference'], 1)}: a difference of the process (one process here, "
            f"{processes} fresh ones per benchmark there) or of the moment, not of a binding; "
            "[what is noisy](#what-is-noisy-and-what-is-not) shows the same size of movement "
            "between two runs."
        )
    text += (
        f"\n\n**numpy in the process.** {worst} differs most ({pct(plain[worst], 1)}). With "
        f"`{results.r('pyperf/setup_with_numpy')}` in pyperf's setup, so that its workers hold what "
        f"this harness's process holds, pyperf times it at {ns(ns_numpy)} instead of "
        f"{ns(ns_plain)}, and its difference from this harness is {pct(numpy[worst], 1)}"
    )
    text += (
        f", in line with the other front ends' ({pct(statistics.median(others), 1)} at the median)."
        if in_line
        else "."
    )
    return text + " Every row is on the [harness against pyperf](results/pyperf.md) results page."


def resamples(results: Results) -> str:
    """How many times the bootstrap resamples the rounds."""
    return n(BOOTSTRAP_RESAMPLES)


def _scalar_ratios(results: Results) -> dict[str, dict[str, float]]:
    return {name: e["ratio_to_floor"] for name, e in results.r("scalar/backends").items()}


def widest_interval(results: Results) -> str:
    """The scalar section's widest and narrowest 95 % intervals, relative to their medians."""
    ratios = _scalar_ratios(results)

    def width(name: str) -> float:
        r = ratios[name]
        return (r["ci_high"] - r["ci_low"]) / r["median"]

    wide, narrow = max(ratios, key=width), min(ratios, key=width)

    def show(name: str) -> str:
        r = ratios[name]
        return f"{name}'s {x(r['median'])} ({r['ci_low']:.2f}–{r['ci_high']:.2f}, {pct(width(name), 1)} wide)"

    return f"from {show(narrow)} to {show(wide)}"


def floor_spread(results: Results) -> str:
    """The floor's own time per call across the scalar section's rounds: median, fastest, slowest."""
    floor = results.r("scalar/floor/operator.index")
    return (
        f"{ns(floor['median'])} at the median of {floor['samples']} rounds, {ns(floor['min'])} in "
        f"the fastest and {ns(floor['max'])} in the slowest"
    )


# --- Instructions ---------------------------------------------------------------------------


def _instructions(results: Results) -> dict[str, Any]:
    own: dict[str, Any] = results.r("instructions")
    return own


def instruction_table(results: Results) -> str:
    """Per front end: instructions per call of the scalar call, the failing call, a callback
    walk, a record and a string in; the scalar call's ratios to the floor by instructions and
    by time; the failing call's time ÷ instructions."""
    own = _instructions(results)
    table = Table(
        f"Instructions per call (callgrind; the floor, operator.index, is {n(own['floor_per_call'])})",
        [
            "front end",
            "step(27)",
            "step(27) × floor: instructions / time",
            "step(0), failing",
            "failing: time ÷ instructions",
            f"walk(27): {_callbacks(own)} callbacks",
            "stats(27): a record",
            "residue('01101101'): string in",
        ],
        note='Instructions per call with the empty loop\'s subtracted; "× floor" per loop iteration, '
        'loop included, as every timing ratio is; "time ÷ instructions" divides the time ratio by '
        "the instruction ratio. Every call shape is on the [instructions results page](results/instructions.md).",
    )
    for name, e in own["backends"].items():
        table.rows.append(
            [
                name,
                n(e["step"]["per_call"]),
                f"{e['step']['ratio_to_floor']:.2f} / {e['step']['time_ratio_to_floor']['median']:.2f}",
                n(e["step_fails"]["per_call"]),
                f"{_per_instruction(e['step_fails']):.2f}",
                n(e["walk"]["per_call"]),
                n(e["stats"]["per_call"]),
                n(e["residue"]["per_call"]),
            ]
        )
    return markdown.draw(table)


def _callbacks(own: dict[str, Any]) -> str:
    """How many callbacks ``walk(27, ...)`` makes, as the case's description says."""
    what = str(own["cases"]["walk"])
    return what.split(": ", 1)[1].split(" ", 1)[0] if ": " in what else "its"


def _per_instruction(figure: dict[str, Any]) -> float:
    return float(figure["time_ratio_to_floor"]["median"] / figure["ratio_to_floor"])


def time_per_instruction(results: Results, backend: str) -> tuple[float, float]:
    """A front end's time ÷ instructions (each × floor), lowest and highest over its call shapes."""
    values = [_per_instruction(f) for f in _instructions(results)["backends"][backend].values()]
    return min(values), max(values)


def failing_range(results: Results) -> tuple[float, float]:
    """The failing call's time ÷ instructions, lowest and highest over the front ends."""
    values = [_per_instruction(e["step_fails"]) for e in _instructions(results)["backends"].values()]
    return min(values), max(values)


def share(results: Results, backend: str, *prefixes: str) -> float:
    """The share of ``step(27)``'s loop instructions in the functions of the breakdown whose
    name starts with any of ``prefixes`` (a lower bound: the breakdown keeps the top functions
    only)."""
    rows = _instructions(results)["breakdown"][backend]
    return float(sum(r["share"] for r in rows if str(r["function"]).startswith(prefixes)))


def top_function(results: Results, backend: str, rank: int = 0) -> tuple[str, float]:
    """The function at ``rank`` in ``step(27)``'s breakdown (0: the most instructions), and its share."""
    row = _instructions(results)["breakdown"][backend][rank]
    return str(row["function"]), float(row["share"])


def _short(row: dict[str, Any]) -> str:
    """A function's name as the table shows it: Rust paths cut to their last part, an address
    (a library without symbols) with its library."""
    function = str(row["function"]).split("@@")[0]
    if function.startswith("0x"):
        return f"{row['object'].split('.so')[0]} at 0x{function[2:].lstrip('0') or '0'}"
    return function.rsplit("::", 1)[-1]


def ranked(results: Results, backend: str) -> list[tuple[str, float]]:
    """``step(27)``'s breakdown for one front end: (function, share), most first, one function
    counted under two objects added up."""
    shares: dict[str, float] = {}
    for row in _instructions(results)["breakdown"][backend]:
        shares[_short(row)] = shares.get(_short(row), 0.0) + row["share"]
    return sorted(shares.items(), key=lambda item: -item[1])


def leads(results: Results, backend: str, *functions: str, within: int = 4) -> bool:
    """Whether every one of ``functions`` is among the ``within`` first of the breakdown."""
    first = [function for function, _ in ranked(results, backend)[:within]]
    return all(f in first for f in functions)


def where_table(results: Results, top: int = 4) -> str:
    """Per front end: time ÷ instructions over its call shapes, and where ``step(27)``'s
    instructions go (the functions that executed most of them, self cost; one function counted
    under two objects is added up)."""
    own = _instructions(results)
    table = Table(
        "Time against instructions, and where step(27)'s instructions go (self cost)",
        [
            "front end",
            "time ÷ instructions, over the call shapes",
            "step(27): the functions that executed most",
        ],
        align="lrl",
    )
    for name in own["breakdown"]:
        low, high = time_per_instruction(results, name)
        functions = "; ".join(f"`{function}` {pct(value)}" for function, value in ranked(results, name)[:top])
        table.rows.append([name, f"{low:.2f}–{high:.2f}", functions])
    return markdown.draw(table)


def _other_run(results: Results) -> dict[str, Any] | None:
    """The cross-interpreter run (``pythons.json``) of this run's interpreter, if any."""
    interpreter = f"CPython {results.bench['provenance']['python']}"
    found: dict[str, Any] | None = results.files.get("pythons", {}).get("interpreters", {}).get(interpreter)
    return found


def _two_runs(results: Results, case: str) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    other = _other_run(results)
    if other is None:
        return {}
    here = _instructions(results)["backends"]
    return {
        name: (here[name][case], other["backends"][name][case]) for name in here if name in other["backends"]
    }


def two_runs_table(results: Results, case: str = "step") -> str:
    """One call shape counted and timed in two runs of the same interpreter (this run's
    instructions section and the cross-interpreter run): per front end, the two counts and the
    two time ratios, each with how far apart they are."""
    rows = _two_runs(results, case)
    if not rows:
        return "*Not in these results: no cross-interpreter run of this run's interpreter (`pythons.json`).*"
    other = _other_run(results)
    assert other is not None
    commits = (results.bench["provenance"]["git_commit"][:7], other["provenance"]["git_commit"][:7])
    table = Table(
        f"{_instructions(results)['cases'][case]} in two runs: this one (commit {commits[0]}) and the "
        f"cross-interpreter run of {other['interpreter']} (commit {commits[1]})",
        ["front end", "instructions per call", "apart", "× floor by time (95 % interval)", "apart"],
    )
    for name, (a, b) in rows.items():
        ta, tb = a["time_ratio_to_floor"], b["time_ratio_to_floor"]
        table.rows.append(
            [
                name,
                f"{n(a['per_call'])} / {n(b['per_call'])}",
                f"{abs(b['per_call'] / a['per_call'] - 1) * 100:.1f} %",
                f"{ta['median']:.2f} ({ta['ci_low']:.2f}–{ta['ci_high']:.2f}) / "
                f"{tb['median']:.2f} ({tb['ci_low']:.2f}–{tb['ci_high']:.2f})",
                f"{abs(tb['median'] / ta['median'] - 1) * 100:.1f} %",
            ]
        )
    return markdown.draw(table)


def two_runs_apart(results: Results, case: str = "step") -> tuple[float, float]:
    """How far apart the two runs are at most, over the front ends: (instructions, time ratio),
    as fractions; (0, 0) without a second run."""
    rows = _two_runs(results, case).values()
    counts = [abs(b["per_call"] / a["per_call"] - 1) for a, b in rows] or [0.0]
    times = [
        abs(b["time_ratio_to_floor"]["median"] / a["time_ratio_to_floor"]["median"] - 1) for a, b in rows
    ] or [0.0]
    return max(counts), max(times)


def intervals_missed_text(results: Results, case: str = "step") -> str:
    """``6 of the 8``: :func:`intervals_missed` out of the front ends in both runs."""
    return f"{intervals_missed(results, case)} of the {len(_two_runs(results, case))}"


def intervals_missed(results: Results, case: str = "step") -> int:
    """For how many front ends the second run's time ratio is outside this run's 95 % interval."""
    return sum(
        not (
            a["time_ratio_to_floor"]["ci_low"]
            <= b["time_ratio_to_floor"]["median"]
            <= a["time_ratio_to_floor"]["ci_high"]
        )
        for a, b in _two_runs(results, case).values()
    )


def floor_counts(results: Results) -> str:
    """The floor's instructions per call in the benchmark run and in the cross-interpreter run
    of the same interpreter (``pythons.json``), when both have it: two runs, days apart."""
    other = _other_run(results)
    here = float(_instructions(results)["floor_per_call"])
    if other is None:
        return f"The floor is {here:.2f} instructions per call in this run."
    there = float(other["floor_per_call"])
    date = other["provenance"]["date"][:10]
    same = (
        "the same count" if round(here, 6) == round(there, 6) else f"a difference of {abs(here - there):.2f}"
    )
    return (
        f"The floor counted in this run ({results.bench['provenance']['date'][:10]}) and again in the "
        f"cross-interpreter run of {other['interpreter']} ({date}): {here:.2f} and {there:.2f} instructions per "
        f"call, {same}."
    )


# --- Budgets (bench/budgets.json) -----------------------------------------------------------


def _budgets(results: Results) -> dict[str, Any]:
    """``bench/budgets.json``, found from the results directory (``docs/results``)."""
    path = Path(results.directory).resolve().parent.parent / "bench" / "budgets.json"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def budget_count(results: Results) -> int:
    """How many figures each interpreter's budgets hold (the same for every interpreter, or the
    render fails: a page saying one number must not hide two)."""
    counts = {sum(len(c) for c in b.values()) for b in _budgets(results)["interpreters"].values()}
    (count,) = counts
    return count


def budget_cases(results: Results, awaited: bool = False) -> int:
    """How many cases every front end is held to (the floor left out), or, with ``awaited``,
    how many front ends also have the trivial await budgeted (the same on every interpreter)."""
    from ...instructions import AWAIT

    entries = [
        cases
        for b in _budgets(results)["interpreters"].values()
        for name, cases in b.items()
        if name != "floor"
    ]
    if awaited:
        (count,) = {
            sum(AWAIT in cases for cases in b.values()) for b in _budgets(results)["interpreters"].values()
        }
        return count
    (count,) = {len(set(cases) - {AWAIT}) for cases in entries}
    return count


def budget_interpreters(results: Results) -> str:
    """The interpreters the budgets file has budgets for: ``CPython 3.10.13, 3.11.7, …``."""
    names = list(_budgets(results)["interpreters"])
    versions = [name.split(" ")[1] for name in names]
    return f"{len(names)} interpreters (CPython {', '.join(versions)})"


def tolerance(results: Results) -> float:
    """perf-check's tolerance, as a fraction."""
    return float(_budgets(results)["tolerance"])


# --- cargo bench, speed targets -------------------------------------------------------------


def fit_per_step(results: Results) -> str:
    """The per-step cost the amortisation fit finds through the front ends: lowest–highest."""
    native = [
        e["fit"]["per_step_ns"] for k, e in results.r("amortisation/backends").items() if k != "reference"
    ]
    return f"{min(native):.2f}–{max(native):.2f} ns"


def targets_table(results: Results) -> str:
    """Every speed target: its threshold, this run's figure, and the computed verdict."""
    table = Table(
        "Speed targets against this run",
        ["target", "threshold", "this run", "verdict"],
        align="lrll",
    )
    for v in targets.verdicts(results.bench):
        table.rows.append([v.target.name, v.target.threshold_text(), v.figure_text(), v.text()])
    return markdown.draw(table)


def targets_summary(results: Results) -> str:
    """How many targets the run holds figures for, and how many of those it meets and misses."""
    found = targets.verdicts(results.bench)
    measured = [v for v in found if v.measured]
    missed = [v for v in measured if not v.met]
    out = f"This run has figures for {len(measured)} of the {len(found)} targets and meets {len(measured) - len(missed)}"
    if missed:
        out += f"; it misses {len(missed)}: " + ", ".join(v.target.name.split(",")[0] for v in missed)
    return out + "."
