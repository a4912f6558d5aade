"""The robustness page's figures: the long fuzz run's inputs per front end (``fuzz.json``) and
the Ctrl-C latencies the benchmark measured (``bench.json``, section ``interrupts``)."""

from __future__ import annotations

from collatz_contract.backends import NATIVE

from ..figures import Results, n

__all__ = ["ctrl_c", "ctrl_c_worst", "every_call_stopped", "fuzz_front_ends", "fuzz_table"]


def _fuzzed(results: Results) -> dict[str, int]:
    """Module → hostile inputs, for the front ends the fuzz report has, in registry order."""
    counts = results.r("inputs_per_backend", "fuzz")
    return {b.module: int(counts[b.module]) for b in NATIVE if b.module in counts}


def fuzz_table(results: Results) -> str:
    """Per front end, how many hostile inputs the committed ``make fuzz`` run gave it."""
    lines = ["| front end | hostile inputs (`make fuzz`) |", "|---|---:|"]
    lines += [f"| `{module}` | {n(count)} |" for module, count in _fuzzed(results).items()]
    return "\n".join(lines)


def fuzz_front_ends(results: Results) -> str:
    """How many front ends the fuzz report covers, and whether that is all of them."""
    fuzzed = _fuzzed(results)
    if len(fuzzed) == len(NATIVE):
        return f"all {len(NATIVE)} front ends"
    return f"{len(fuzzed)} of the {len(NATIVE)} front ends"


def _latencies(results: Results, call: str, key: str = "median_ms") -> dict[str, float]:
    backends = results.r("interrupts/backends")
    return {name: float(calls[call][key]) for name, calls in backends.items()}


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 1 else f"{value:.1f} ms"


def ctrl_c(results: Results, call: str) -> str:
    """The range of the front ends' median latencies from SIGINT to ``KeyboardInterrupt``
    during ``call`` (``iterate`` or ``max_total_stopping_time``): "13–19 ms"."""
    medians = _latencies(results, call).values()
    low, high = _ms(min(medians)), _ms(max(medians))
    return low if low == high else f"{low.removesuffix(' ms')}–{high}"


def ctrl_c_worst(results: Results) -> str:
    """The longest latency any front end took, any call, any repeat."""
    calls = results.r("interrupts/calls")
    return _ms(max(max(_latencies(results, call, "max_ms").values()) for call in calls))


def every_call_stopped(results: Results) -> bool:
    """Whether every long call of every front end stopped on SIGINT in the run."""
    backends = results.r("interrupts/backends")
    return all(int(c["not_stopped"]) == 0 for calls in backends.values() for c in calls.values())
