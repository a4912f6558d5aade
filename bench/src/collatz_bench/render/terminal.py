"""Tables in the terminal, drawn by rich."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from ..table import Table
from . import where as render_where


def heading(results: dict[str, Any]) -> str:
    p = results["provenance"]
    where = render_where(results)
    return (
        f"[bold]collatz-bench[/] ({results['config']['name']}) on {p['cpu']}, {p['cores']} cores, "
        f"Python {p['python']}, {p['rustc']}, {where}"
    )


def draw(table: Table) -> RichTable:
    out = RichTable(title=table.title, caption=table.note)
    for column, align in zip(table.columns, table.alignment(), strict=True):
        out.add_column(column, justify="left" if align == "l" else "right")
    for row in table.rows:
        out.add_row(*row)
    return out


def print_all(results: dict[str, Any], tables: list[Table], console: Console) -> None:
    console.print(heading(results))
    for table in tables:
        console.print(draw(table))
