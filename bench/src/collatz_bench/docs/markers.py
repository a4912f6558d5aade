"""Figure markers in Markdown: find them, evaluate them, rewrite the text they mark (see
:mod:`collatz_bench.docs`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FIGURE = re.compile(r"<!--=(?P<expr>.*?)-->(?P<text>.*?)<!--/-->", re.DOTALL)
GUARD = re.compile(r"<!--!(?P<expr>.*?)-->", re.DOTALL)


class RenderError(Exception):
    """A marker that cannot be rendered, or a guard that does not hold, with its place."""


@dataclass(frozen=True)
class Place:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def _evaluate(expr: str, namespace: Mapping[str, Any], place: Place) -> Any:
    try:
        return eval(expr.strip(), dict(namespace))  # the repository's own docs, not input
    except Exception as e:
        raise RenderError(f"{place}: {expr.strip()!r} failed: {type(e).__name__}: {e}") from None


def render(text: str, namespace: Mapping[str, Any], path: str = "<text>") -> str:
    """``text`` with every figure marker re-rendered; every guard checked."""

    def place(offset: int) -> Place:
        return Place(path, text.count("\n", 0, offset) + 1)

    misplaced = [place(m.start()) for m in _paragraph_breakers(text)]
    if misplaced:
        raise RenderError(
            f"{', '.join(map(str, misplaced))}: a marker starts a line inside a paragraph "
            "(CommonMark makes that line an HTML block, which ends the paragraph: the figure lands "
            "outside its sentence): move it mid-line, or put a blank line above it"
        )
    for guard in GUARD.finditer(text):
        if not _evaluate(guard["expr"], namespace, place(guard.start())):
            raise RenderError(f"{place(guard.start())}: the claim {guard['expr'].strip()!r} is false")

    def figure(match: re.Match[str]) -> str:
        value = _evaluate(match["expr"], namespace, place(match.start()))
        rendered = str(value)
        if match["text"].startswith("\n"):
            # A block: its own lines, and the closing marker indented as the opening one.
            line_start = text.rfind("\n", 0, match.start()) + 1
            indent = text[line_start : match.start()]
            indent = indent if indent.isspace() else ""
            rendered = "\n" + rendered.strip("\n") + "\n" + indent
        elif "\n" in rendered:
            raise RenderError(f"{place(match.start())}: an inline figure rendered as several lines")
        return f"<!--={match['expr']}-->{rendered}<!--/-->"

    return FIGURE.sub(figure, text)


def _paragraph_breakers(text: str) -> list[re.Match[str]]:
    """Inline figures and guards that begin a line right under a line of text."""
    lines = text.splitlines()
    found = []
    for marker in (*GUARD.finditer(text), *FIGURE.finditer(text)):
        start = text.rfind("\n", 0, marker.start()) + 1
        if text[start : marker.start()].strip():
            continue  # mid-line
        if marker.re is FIGURE and marker["text"].startswith("\n"):
            continue  # a block of its own
        line = text.count("\n", 0, marker.start())
        above = lines[line - 1].strip() if line > 0 else ""
        if above and not GUARD.fullmatch(above):
            found.append(marker)
    return sorted(found, key=lambda m: m.start())


def count(text: str) -> int:
    """How many figures ``text`` marks."""
    return len(FIGURE.findall(text))
