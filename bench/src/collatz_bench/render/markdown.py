"""The results as Markdown: `summary.md` beside `bench.json`, and the tables of the guide's results
pages (`collatz_bench.docs`)."""

from __future__ import annotations

from typing import Any

from ..table import Table
from . import where as render_where


def heading(results: dict[str, Any]) -> str:
    p = results["provenance"]
    where = render_where(results, "`{}`")
    return (
        f"Machine: {p['cpu']}, {p['cores']} cores, {p['os']}; Python {p['python']}; "
        f"{p['rustc']}; {where}; {p['date']}; "
        f"{results['config']['name']} run, {results['config']['rounds']} rounds."
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def draw(table: Table) -> str:
    lines = [
        f"**{table.title}**",
        "",
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" if a == "l" else "---:" for a in table.alignment()) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines)


def document(results: dict[str, Any], tables: list[Table]) -> str:
    return "\n\n".join([heading(results), *(draw(t) for t in tables)]) + "\n"
