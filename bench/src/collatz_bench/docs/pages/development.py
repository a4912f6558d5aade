"""The development page's lists, read from the files they describe so that they cannot drift:
the commands (the Makefile's ``help``), what CI runs (``.ci/run``), the sdists ``make
dist-check`` builds (the registry), the packages that ship the shared glue, the instruction
budgets' tolerance (``bench/budgets.json``), and the wheels of the committed run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from collatz_contract.packages import PACKAGES

from ..figures import Results, mb

__all__ = [
    "binding_packages",
    "budget_tolerance",
    "budgeted_cases",
    "ci",
    "commands",
    "glue_users",
    "sdists",
    "wheel_sizes",
    "wheels",
]

PURE_PYTHON = ("contract", "bench")
"""The pure-Python packages ``make dist-check`` builds sdists of besides the binding packages
(the Makefile's ``for package in $(PACKAGES) contract bench``)."""


def _root(results: Results) -> Path:
    return results.directory.parent.parent


def commands(results: Results) -> str:
    """The Makefile's ``help`` as a table: every command people type, with what it does."""
    makefile = (_root(results) / "Makefile").read_text()
    help_block = re.search(r"^help:\n((?:\t.*\n)+)", makefile, re.M)
    if help_block is None:
        raise ValueError("the Makefile has no help target")
    rows: list[list[str]] = []
    for line in help_block.group(1).splitlines():
        echoed = re.fullmatch(r'\t@echo "(.*)"', line)
        if echoed is None:
            continue
        text = echoed.group(1)
        command = re.match(r"(make [\w-]+(?: [A-Z_]+=\S+)?)\s+(.*)", text)
        if command is not None:
            rows.append([command.group(1), command.group(2)])
        elif rows and text.strip():
            rows[-1][1] += " " + text.strip()
    lines = ["| command | what it does |", "|---|---|"]
    lines += [f"| `{command}` | {_cell(what)} |" for command, what in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a ``|`` escaped, command-line options (``--check``,
    ``-D``) as code, so that no typography turns ``--`` into a dash."""
    return re.sub(r"(?<!\S)(--?[A-Za-z][\w-]*)", r"`\1`", text.replace("|", "\\|"))


def ci(results: Results) -> str:
    """The ``make`` commands ``.ci/run`` runs, in order: "`make test`, …, and `make docs-check`"."""
    script = (_root(results) / ".ci" / "run").read_text()
    runs = [f"`{line.strip()}`" for line in script.splitlines() if line.startswith("make ")]
    if len(runs) < 2:
        raise ValueError(".ci/run runs fewer than two make commands")
    return ", ".join(runs[:-1]) + " and " + runs[-1]


def binding_packages(results: Results) -> str:
    """How many binding packages the registry lists."""
    return str(len(PACKAGES))


def sdists(results: Results) -> str:
    """How many sdists ``make dist-check`` builds: every binding package's, and the contract's
    and the benchmark's."""
    return str(len(PACKAGES) + len(PURE_PYTHON))


def glue_users(results: Results) -> str:
    """The packages that ship ``glue/_glue.py`` (a symbolic link in their sources)."""
    root = _root(results)
    users = [
        f"`{p.import_name}`"
        for p in PACKAGES
        if (root / p.directory / "python" / p.import_name / "_glue.py").is_symlink()
    ]
    return ", ".join(users[:-1]) + " and " + users[-1] if len(users) > 1 else "".join(users)


def budget_tolerance(results: Results) -> str:
    """The tolerance above a budget at which ``make perf-check`` fails."""
    budgets = json.loads((_root(results) / "bench" / "budgets.json").read_text())
    return f"{float(budgets['tolerance']) * 100:g} %"


def budgeted_cases(results: Results) -> str:
    """The cases ``make perf-check`` holds to a budget (``collatz_bench.perfcheck.BUDGETED``)."""
    from ...instructions import AWAIT, AWAIT_CASE, CASES
    from ...perfcheck import BUDGETED

    # Each as its call in code, then what it is: "`step(0)`, failing".
    known = CASES | {AWAIT: (AWAIT_CASE[0], f"{AWAIT_CASE[1]} (where it stays on the loop's thread)")}
    return "; ".join(re.sub(r"^([^()]*\([^()]*\))", r"`\1`", known[case][1]) for case in BUDGETED)


def wheel_sizes(results: Results) -> str:
    """The smallest and the largest wheel of the committed run: "0.29–0.41 MB"."""
    sizes = [float(b["wheel_bytes"]) for b in results.r("costs/builds").values() if b.get("wheel_bytes")]
    return f"{mb(min(sizes))}".removesuffix(" MB") + f"–{mb(max(sizes))}"


def wheels(results: Results) -> str:
    """The wheel the committed run built of each binding package, with its size (its file name
    carries its tag: abi3, one interpreter, or py3-none)."""
    builds = results.r("costs/builds")
    lines = ["| package | wheel (the committed run's) | size |", "|---|---|---:|"]
    for package in PACKAGES:
        build = builds.get(package.directory)
        if build and build.get("wheel"):
            lines.append(
                f"| `{package.distribution}` | `{build['wheel']}` | {mb(float(build['wheel_bytes']))} |"
            )
    return "\n".join(lines)
