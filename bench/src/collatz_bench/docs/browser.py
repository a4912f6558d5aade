"""Every page of a built guide opened in headless Chromium (Debian's ``chromium``, driven by
Playwright), served over HTTP from localhost as a reader's browser would get it: a page fails
on a console error, an uncaught exception, a request that failed, or an image that did not load.
``--screenshots DIR`` saves each page as a PNG (to look at, not to compare)."""

from __future__ import annotations

import functools
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Without the background-networking flags Chromium tries Google's hosts, which a closed
network refuses, many times over."""

BROKEN_IMAGES = "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _watch(page: Any) -> list[str]:
    """The problems a page reports while it loads: console errors, uncaught exceptions, failed
    requests and HTTP errors."""
    problems: list[str] = []

    def console(message: Any) -> None:
        # A resource that failed is reported with its address by `response` below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console {message.type}: {message.text}")

    def response(answer: Any) -> None:
        # The browser asks for /favicon.ico on its own for a page that names no icon (mdBook's
        # toc.html, the no-JavaScript table of contents): not a link of the site.
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {answer.status}: {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", response)
    return problems


def check(site: Path, screenshots: Path | None = None) -> int:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        print("browser: no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    failures: list[str] = []
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for name in pages:
                page = context.new_page()
                problems = _watch(page)
                response = page.goto(base + name, wait_until="networkidle")
                if response is None or not response.ok:
                    problems.append(f"HTTP {response.status if response else 'no response'}")
                problems += [f"image did not load: {src}" for src in page.evaluate(BROKEN_IMAGES)]
                if screenshots is not None:
                    page.screenshot(path=str(screenshots / (name.replace("/", "_") + ".png")), full_page=True)
                failures += [f"{name}: {p}" for p in problems]
                page.close()
            browser.close()
    finally:
        server.shutdown()
    for line in failures:
        print(f"browser: {line}", file=sys.stderr)
    print(f"browser: {len(pages)} pages opened in {Path(executable).name}, {len(failures)} problem(s)")
    return 1 if failures else 0
