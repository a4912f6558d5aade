"""The Python examples of the README and the guide, run: every fenced ```` ```python ```` block
with ``>>>`` prompts is a doctest, run against the installed front ends. A file's blocks share
one namespace, top to bottom, as a reader types them. Only fenced blocks are read (a doctest of
the whole file would take a closing fence for expected output)."""

from __future__ import annotations

import doctest
import re
import sys
import textwrap
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)


def blocks(text: str) -> list[tuple[int, str]]:
    """The fenced Python blocks with prompts: (line of the fence, the block's text)."""
    found = []
    for match in FENCE.finditer(text):
        body = textwrap.dedent(match["body"])
        if ">>>" in body:
            found.append((text.count("\n", 0, match.start()) + 1, body))
    return found


def run(paths: list[Path]) -> int:
    """Run every example of ``paths`` (Markdown files, or folders of them); 1 if one failed."""
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.md"))})
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    examples = 0
    for path in files:
        namespace: dict[str, object] = {"__name__": "__main__"}
        for line, body in blocks(path.read_text()):
            test = parser.get_doctest(body, namespace, f"{path}:{line}", str(path), line)
            examples += len(test.examples)
            runner.run(test, clear_globs=False)
            namespace = test.globs  # DocTest copies its globals: carry them to the next block
    result = runner.summarize(verbose=False)
    print(
        f"examples: {examples} in {len(files)} files, {result.failed} failed",
        file=sys.stderr if result.failed else sys.stdout,
    )
    return 1 if result.failed else 0
