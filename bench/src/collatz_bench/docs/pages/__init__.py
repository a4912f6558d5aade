"""Per-page figure functions: ``docs/NAME.md``'s markers (and the README's, ``readme``) also
see the public functions of the module ``collatz_bench.docs.pages.NAME``, when it exists."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..figures import Results


def functions(page: str, results: Results) -> dict[str, Callable[..., Any]]:
    """The functions the module of ``page`` (a file stem: ``choosing``, ``readme``) gives its
    markers, each bound to the results (its first parameter)."""
    try:
        module = importlib.import_module(f"{__name__}.{page.replace('-', '_')}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{page.replace('-', '_')}":
            raise
        return {}
    names = getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")])
    out: dict[str, Callable[..., Any]] = {}
    for name in names:
        function = getattr(module, name)
        if callable(function) and getattr(function, "__module__", None) == module.__name__:
            out[name] = _bind(function, results)
    return out


def _bind(function: Callable[..., Any], results: Results) -> Callable[..., Any]:
    def bound(*args: Any, **kwargs: Any) -> Any:
        return function(results, *args, **kwargs)

    bound.__doc__ = function.__doc__
    return bound
