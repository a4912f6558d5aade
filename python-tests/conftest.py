"""Fixtures shared by the suite: the backends (from the one registry, collatz_contract) and
hypothesis profiles (`HYPOTHESIS_PROFILE=long` for a long run)."""

from __future__ import annotations

import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from collatz_contract.backends import BACKENDS, NATIVE, REFERENCE, Backend

settings.register_profile(
    "default",
    max_examples=120,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def ref() -> ModuleType:
    """The pure-Python reference implementation: the specification."""
    return REFERENCE.load()


@pytest.fixture(scope="session", params=NATIVE, ids=lambda b: b.name)
def backend(request: pytest.FixtureRequest) -> ModuleType:
    """Each native backend in turn."""
    b: Backend = request.param
    return b.load()


@pytest.fixture(scope="session")
def backends() -> list[ModuleType]:
    """Every native backend at once."""
    return [b.load() for b in NATIVE]


@pytest.fixture(scope="session", params=BACKENDS, ids=lambda b: b.name)
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Each backend, the reference included (for rules the reference must obey too)."""
    b: Backend = request.param
    return b.load()


def outcome(function: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """What a call did: ``("ok", result)`` or ``("raises", exception type)``.

    Arrays are turned into ``(dtype, list)`` so that outcomes compare with ``==``.
    """
    try:
        result = function(*args)
    except Exception as e:
        return ("raises", type(e))
    if isinstance(result, np.ndarray):
        return ("ok", (str(result.dtype), result.ndim, result.tolist()))
    return ("ok", result)
