"""A small, careful timing harness: calibrated loop counts, warm-up, interleaved rounds.

Why not pyperf: pyperf runs each benchmark in its own worker processes, one benchmark after
another. This comparison needs the opposite: every backend measured in the same process,
interleaved round by round so that machine drift (other tenants, frequency changes) hits all
of them alike, and ratios taken *within* a round. ``timeit`` gives the tight call loop; this
module adds calibration, warm-up, rotation of the order and the statistics.
"""

from __future__ import annotations

import gc
import statistics
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """One thing to time: a statement run in a ``timeit`` loop, or a callable run once."""

    key: str
    """Unique id, e.g. ``scalar/pyo3``."""
    stmt: str | Callable[[], object]
    """``timeit`` statement (fast calls), or a callable for slow, self-contained work."""
    env: dict[str, Any] = field(default_factory=dict)
    """Globals for the statement."""
    units: int = 1
    """Units of work per call (steps, elements), to report time per unit."""
    number: int = 0
    """Calls per measurement, set by calibration."""
    samples: list[float] = field(default_factory=list)
    """Seconds per call, one value per round."""

    def timer(self) -> timeit.Timer:
        """The loop that times the statement, with ``env``'s names bound as *locals* of
        timeit's loop function (``f = env["f"]`` in its setup): the loop a user's hot code
        runs, and the loop ``pyperf timeit -s "f = m.step" "f(27)"`` times. With the names as
        globals instead, the cheapest calls' ratios to the floor came out up to 16 % higher on
        CPython 3.11 (pyo3-ffi: 1.47 against 1.27 with locals and 1.25 by pyperf), although
        the floor's loop loads the same globals: why is not established, so the harness times
        the loop users write (the "How it measures" page sets the two side by side)."""
        if callable(self.stmt):
            return timeit.Timer(self.stmt)
        setup = "; ".join(f"{name} = _env[{name!r}]" for name in self.env) or "pass"
        return timeit.Timer(self.stmt, setup=setup, globals={"_env": self.env})


def calibrate(case: Case, target: float, max_number: int = 10**7) -> None:
    """Warm up, then pick the number of calls that takes at least ``target`` seconds."""
    timer = case.timer()
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= target or number >= max_number:
            break
        # Jump close to the target, at most 10x at a time (timeit.autorange-like).
        number = min(max_number, number * min(10, max(2, int(target / max(elapsed, 1e-9)) + 1)))
    case.number = number


def run_rounds(
    cases: Sequence[Case],
    rounds: int,
    on_step: Callable[[], None] | None = None,
) -> None:
    """Measure every case once per round, rotating the order each round."""
    timers = {c.key: c.timer() for c in cases}
    for r in range(rounds):
        shift = r % len(cases)
        for case in [*cases[shift:], *cases[:shift]]:
            gc.collect()
            case.samples.append(timers[case.key].timeit(case.number) / case.number)
            if on_step is not None:
                on_step()


def time_once(function: Callable[[], object]) -> float:
    """Wall time of one call, in seconds (for work far longer than timer resolution)."""
    gc.collect()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Summary:
    """Median and spread of per-unit times, in nanoseconds."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    n: int

    @classmethod
    def of(cls, seconds: Sequence[float], units: int = 1) -> Summary:
        ns = sorted(s * 1e9 / units for s in seconds)
        if len(ns) >= 2:
            q1, _, q3 = statistics.quantiles(ns, n=4, method="inclusive")
        else:
            q1 = q3 = ns[0]
        return cls(statistics.median(ns), ns[0], ns[-1], q1, q3, len(ns))

    def as_dict(self) -> dict[str, float | int]:
        return {
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "q1": self.q1,
            "q3": self.q3,
            "samples": self.n,
        }


@dataclass(frozen=True)
class RatioSummary(Summary):
    """A :class:`Summary` of round-by-round ratios, with a bootstrap confidence interval for
    their median: how far "within noise" reaches."""

    ci_low: float = 0.0
    ci_high: float = 0.0
    confidence: float = 0.95

    def as_dict(self) -> dict[str, float | int]:
        return super().as_dict() | {
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": self.confidence,
        }


BOOTSTRAP_RESAMPLES = 2000


def bootstrap_median_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """A percentile-bootstrap interval for the median of ``values``: the rounds resampled with
    replacement, ``BOOTSTRAP_RESAMPLES`` times, with a fixed seed (the same samples give the
    same interval)."""
    import random

    if len(values) < 2:
        return values[0], values[0]
    rng = random.Random(20261130)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(BOOTSTRAP_RESAMPLES)
    )
    tail = (1 - confidence) / 2
    return medians[int(tail * (len(medians) - 1))], medians[int((1 - tail) * (len(medians) - 1))]


def ratio_summary(numerator: Sequence[float], denominator: Sequence[float]) -> RatioSummary:
    """Ratios taken round by round (same round, same machine state), then summarised, with a
    bootstrap 95 % interval for their median."""
    ratios = [a / b for a, b in zip(numerator, denominator, strict=True)]
    plain = Summary.of([r / 1e9 for r in ratios])
    low, high = bootstrap_median_ci(ratios)
    return RatioSummary(plain.median, plain.low, plain.high, plain.q1, plain.q3, plain.n, low, high)
