"""Every internal link of a built guide resolves: each ``href`` and ``src`` that stays inside the
site names a file that exists, and each ``#fragment`` an element id of that file. External
links (``https:``, ``mailto:``) are left alone: CI has no network. The README's own relative
links (it is read outside the guide, on GitHub or PyPI) are checked against the checkout."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED = {"404.html"}
"""Pages whose links are relative to the site's root, not to the page (mdBook's 404 page)."""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "link")) or (name == "src" and tag in ("img", "script")):
                self.links.append((tag, value))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(errors="replace"))
    return page


def problems(site: Path) -> list[str]:
    """What is broken in the built site at ``site``, one line each."""
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html")) if p.name not in SKIPPED}
    found = []
    for path, page in pages.items():
        for tag, link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("javascript:"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            where = f"{path.relative_to(site)}: <{tag}> {link}"
            if not target.exists():
                found.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    found.append(f"{where}: no anchor #{parts.fragment}")
    return found


MARKDOWN_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s]+)\)")


def readme_problems(readme: Path) -> list[str]:
    """The README's relative links that name no file of the checkout."""
    found = []
    for match in MARKDOWN_LINK.finditer(readme.read_text()):
        target = match[1].split("#")[0]
        if target and not (readme.parent / target).exists():
            found.append(f"{readme.name}: link {match[1]}: no such file")
    return found


def check(site: Path, readme: Path | None = None) -> int:
    if not (site / "index.html").exists():
        print(f"links: {site} is not a built site (no index.html): run `make docs` first", file=sys.stderr)
        return 1
    found = problems(site) + (readme_problems(readme) if readme else [])
    for line in found:
        print(f"links: {line}", file=sys.stderr)
    pages = len(list(site.rglob("*.html")))
    print(f"links: {pages} pages, {len(found)} broken link(s)")
    return 1 if found else 0
