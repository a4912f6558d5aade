"""The results, drawn: terminal tables (:mod:`.terminal`), Markdown (:mod:`.markdown`), PNG
plots (:mod:`.plots`), and every figure as JSON (:mod:`.jsonfile`)."""

from typing import Any

from collatz_contract.packages import PACKAGES


def where(results: dict[str, Any], code: str = "{}") -> str:
    """Which code the figures come from: the commit (``code`` formats it, e.g. as Markdown
    code), or the versions of the installed packages outside a checkout."""
    p = results["provenance"]
    commit = p["git_commit"]
    if commit:
        return f"commit {code.format(commit[:10])}{' (dirty)' if p['git_dirty'] else ''}"
    packages = p["packages"]
    return "not a git checkout: packages " + ", ".join(
        f"{pkg.distribution} {packages.get(pkg.distribution, 'not installed')}" for pkg in PACKAGES
    )
