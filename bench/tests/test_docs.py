"""The README's and the guide's figures are rendered, never typed: the marker renderer on
small texts, and on a copy of the repository's docs, where one changed median changes exactly
the lines that quote it and makes the check fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from collatz_bench.docs import __main__ as cli
from collatz_bench.docs import links, markers
from collatz_bench.docs.figures import Results, namespace

REPO = Path(__file__).resolve().parents[2]


def test_inline_and_block_figures_are_rewritten_from_the_namespace() -> None:
    text = "a <!--= x(2) -->9.99×<!--/--> b\n  <!--= t() -->\n  stale\n  <!--/-->\n"
    names = {"x": lambda v: f"{v:.2f}×", "t": lambda: "| one |\n| two |"}
    assert markers.render(text, names) == (
        "a <!--= x(2) -->2.00×<!--/--> b\n  <!--= t() -->\n| one |\n| two |\n  <!--/-->\n"
    )


def test_a_false_guard_fails_the_render_with_its_place() -> None:
    with pytest.raises(markers.RenderError, match=r"page.md:3: the claim '1 > 2' is false"):
        markers.render("ok\n\n<!--! 1 > 2 -->\n", {}, "page.md")


def test_a_marker_that_would_end_its_paragraph_is_refused() -> None:
    with pytest.raises(markers.RenderError, match=r"page.md:2: a marker starts a line inside a paragraph"):
        markers.render("a sentence\n<!--= 1 -->1<!--/--> goes on\n", {}, "page.md")


def test_a_failing_expression_names_its_place() -> None:
    with pytest.raises(markers.RenderError, match=r"page.md:1: 'r\(\"nope\"\)' failed: KeyError"):
        markers.render('<!--= r("nope") -->1<!--/-->', {"r": lambda p: {}[p]}, "page.md")


def test_an_inline_figure_cannot_become_several_lines() -> None:
    with pytest.raises(markers.RenderError, match="several lines"):
        markers.render("<!--= t -->x<!--/-->", {"t": "a\nb"})


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """The checkout, with its README and docs/ copied (the results included) and everything else
    linked: pages also read the files they describe (the Makefile, .ci/run, the budgets)."""
    for entry in REPO.iterdir():
        if entry.name in ("README.md", "docs"):
            copy = shutil.copytree if entry.is_dir() else shutil.copy
            copy(entry, tmp_path / entry.name)
        elif entry.name not in (".git", "target", "results"):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def test_the_committed_docs_are_what_the_committed_results_give(docs_copy: Path) -> None:
    assert cli.render(docs_copy, check=True) == 0


def test_one_changed_median_changes_only_the_figures_that_depend_on_it(docs_copy: Path) -> None:
    bench = docs_copy / "docs" / "results" / "bench.json"
    data = json.loads(bench.read_text())
    data["scalar"]["backends"]["pyo3"]["ratio_to_floor"]["median"] = 2.987  # keeps its rank: no claim flips
    bench.write_text(json.dumps(data))
    before = {p: p.read_text() for p in cli.sources(docs_copy)}
    assert cli.render(docs_copy, check=True) == 1
    assert cli.render(docs_copy, check=False) == 0
    quoting = set()
    for path, old in before.items():
        new = path.read_text()
        if new == old:
            continue
        # Only what markers render changed: with each marker's text taken out, nothing differs
        # (the results pages are written whole from the results).
        generated = "Written by `make docs`" in old
        assert generated or markers.FIGURE.sub(r"\g<expr>", new) == markers.FIGURE.sub(r"\g<expr>", old), path
        changed = [b for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
        if any("2.99" in line for line in changed):
            quoting.add(path.relative_to(docs_copy).as_posix())
    assert {"README.md", "docs/choosing.md", "docs/results/scalar.md"} <= quoting


def test_every_results_file_loads_and_names_its_run() -> None:
    results = Results(REPO / "docs" / "results")
    assert {"bench", "fuzz"} <= set(results.files)
    assert results.run().startswith("commit `")
    assert namespace(results)["step"]("pyo3") == results.step("pyo3")


def test_the_link_checker_finds_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<a href="a.html#here">a</a><a href="gone.html">g</a>')
    (tmp_path / "a.html").write_text('<h1 id="there">A</h1><img src="a.png"><a href="#there">t</a>')
    found = links.problems(tmp_path)
    assert sorted(found) == [
        "a.html: <img> a.png: no such file",
        "index.html: <a> a.html#here: no anchor #here",
        "index.html: <a> gone.html: no such file",
    ]
