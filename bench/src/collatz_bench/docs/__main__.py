"""``python -m collatz_bench.docs``: render the figures of the README and the guide from the
committed results (``render``), or check that the committed text is what they give
(``render --check``); check a built site's links (``links``), run the Python examples of
Markdown files (``examples``) and open a built site's pages in headless Chromium
(``browser``)."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from . import markers
from .figures import Results, namespace
from .pages import functions
from .pages import results as results_pages


def sources(root: Path) -> list[Path]:
    """Every Markdown file that may hold figures: the README and the guide's pages."""
    return [root / "README.md", *sorted((root / "docs").rglob("*.md"))]


def rendered(root: Path, only: list[Path] | None = None) -> dict[Path, str]:
    """What every generated or figure-bearing file should hold, from the committed results
    (``only``: just these files)."""
    docs = root / "docs"
    results = Results(docs / "results")
    out = results_pages.write(docs, results)
    if only is not None:
        out = {p: t for p, t in out.items() if p in only}
    for path in only if only is not None else sources(root):
        if path in out:
            continue
        page = "readme" if path.name == "README.md" else path.stem
        names = namespace(
            results, functions(page, results) | {"results_index": lambda: results_pages.index(results)}
        )
        text = path.read_text()
        out[path] = markers.render(text, names, str(path.relative_to(root)))
    for stale in sorted((docs / results_pages.FOLDER).glob("*.md")) if only is None else ():
        if stale not in out and "Written by `make docs`" in stale.read_text():
            out[stale] = ""  # a page of a section the results no longer have
    return out


def render(root: Path, check: bool, only: list[Path] | None = None) -> int:
    try:
        wanted = rendered(root, only)
    except markers.RenderError as e:
        print(f"docs: {e}", file=sys.stderr)
        return 1
    differ = []
    for path, text in wanted.items():
        current = path.read_text() if path.exists() else None
        if current == text or (text == "" and current is None):
            continue
        differ.append(path)
        if check:
            name = str(path.relative_to(root))
            sys.stdout.writelines(
                difflib.unified_diff(
                    (current or "").splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{name} (committed)",
                    f"{name} (from the results)",
                )
            )
        elif text == "":
            path.unlink()
        else:
            path.write_text(text)
    figures = sum(markers.count(t) for t in wanted.values())
    if check and differ:
        print(
            f"docs: {len(differ)} file(s) differ from what the committed results give "
            f"({', '.join(str(p.relative_to(root)) for p in differ)}): run `make docs` and commit",
            file=sys.stderr,
        )
        return 1
    verb = "up to date" if check else f"{len(differ)} file(s) rewritten"
    print(f"docs: {figures} figures in {len(wanted)} files, {verb}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m collatz_bench.docs", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: .)")
    commands = parser.add_subparsers(dest="command", required=True)
    render_parser = commands.add_parser("render", help="render every figure from docs/results/")
    render_parser.add_argument("--check", action="store_true", help="change nothing; fail on a difference")
    render_parser.add_argument("files", nargs="*", type=Path, help="only these files (default: all)")
    links = commands.add_parser("links", help="check a built site's internal links, anchors and images")
    links.add_argument("site", type=Path)
    examples = commands.add_parser("examples", help="run the Python examples (doctests) of Markdown files")
    examples.add_argument("paths", nargs="+", type=Path, help="Markdown files or folders")
    browser = commands.add_parser("browser", help="open every page of a built site in headless Chromium")
    browser.add_argument("site", type=Path)
    browser.add_argument("--screenshots", type=Path, help="save a screenshot of each page here")
    args = parser.parse_args(argv)
    if args.command == "render":
        only = [f.resolve() for f in args.files] or None
        return render(args.root.resolve(), args.check, only)
    if args.command == "links":
        from .links import check

        return check(args.site, args.root / "README.md")
    if args.command == "examples":
        from .examples import run

        return run(args.paths)
    from .browser import check as check_pages

    return check_pages(args.site, args.screenshots)


if __name__ == "__main__":
    raise SystemExit(main())
