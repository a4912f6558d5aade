"""The choosing page's figures (``docs/choosing.md``): the matrix of call shapes × front ends
that opens it, and the accessors its advice quotes, each reading the committed results."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from collatz_contract.backends import NATIVE

from ...table import ns, seconds
from ..figures import Results, mb, x

__all__ = [
    "abi3_but",
    "abi3_costly",
    "abi3_costly_text",
    "abi3_spread",
    "abi3_threshold",
    "abi3_walk",
    "allocs",
    "allocs_range",
    "aw",
    "aw_instructions",
    "aw_span",
    "beat_python",
    "best",
    "cell",
    "cheaper_everywhere",
    "coroutine_awaits",
    "figure",
    "front_ends",
    "fw",
    "fw_ratio",
    "fw_ratios",
    "gen_ns",
    "gen_ratio",
    "generators",
    "joined",
    "k90",
    "leaking",
    "loop_awaits",
    "matrix",
    "object_bytes",
    "peak",
    "per_step",
    "polled_awaits",
    "ranked",
    "ratio",
    "share",
    "slower_per_step",
    "slowest_cancel_ms",
    "thread_awaits",
    "times",
    "wins",
    "worst_lag",
    "zero_allocs",
]

TIMED = ("scalar", "element", "next", "callback", "record", "string_out", "string_in", "error")
"""The matrix's rows that are calls, timed against the floor (the others have no ratio)."""


def _times(value: float) -> str:
    """A ratio to the floor with the digits that matter: two decimals below 10, one below 100,
    none above.

    >>> _times(2.3414), _times(17.77), _times(1311.9), _times(0.052)
    ('2.34×', '17.8×', '1,312×', '0.05×')
    """
    if value >= 100:
        return f"{value:,.0f}×"
    return x(value, 1 if value >= 10 else 2)


def times(results: Results, value: float) -> str:
    """A ratio as the matrix writes it (:func:`_times`), for the page's prose."""
    return _times(value)


def _ms(value: float) -> str:
    """Milliseconds, two significant figures below 1 ms (so that the front ends under it tell
    apart), one decimal above: ``0.61 ms``, ``25.8 ms``.

    >>> _ms(0.6101), _ms(25.817)
    ('0.61 ms', '25.8 ms')
    """
    return f"{value:.2f} ms" if value < 1 else f"{value:.1f} ms"


def _s(value: float) -> str:
    """A build's seconds as the costs section prints them: ``9.4 s``."""
    return f"{value:.1f} s"


def _floor(results: Results) -> float:
    return float(results.r("scalar/floor/operator.index/median"))


def _scalar(results: Results, backend: str) -> float:
    return results.step_ns(backend)


def _element(results: Results, backend: str) -> float:
    return float(results.r(f"bulk/{backend}/-1/convert_ns_per_element/median"))


def _next(results: Results, backend: str) -> float:
    return float(results.r(f"objects/backends/{backend}/ns_per_next/median"))


def _visit(results: Results, backend: str) -> float:
    return float(results.r(f"callbacks/backends/{backend}/ns_per_visit/median"))


def _call(key: str) -> Callable[[Results, str], float]:
    def value(results: Results, backend: str) -> float:
        return float(results.r(f"records_strings/backends/{backend}/{key}/ns_per_call/median"))

    return value


def _call_ratio(key: str) -> Callable[[Results, str], float]:
    def value(results: Results, backend: str) -> float:
        return float(results.r(f"records_strings/backends/{backend}/{key}/ratio_to_floor/median"))

    return value


def _error(results: Results, backend: str) -> float:
    return float(results.r(f"errors/backends/{backend}/invalid/ns_per_call/median"))


def _import(results: Results, backend: str) -> float:
    return float(results.r(f"costs/backends/{backend}/import_ms"))


def _build(results: Results, backend: str, key: str) -> float:
    project = results.r(f"costs/backends/{backend}/project")
    return float(results.r(f"costs/builds/{project}/{key}"))


def _wheel(results: Results, backend: str) -> float:
    return _build(results, backend, "wheel_bytes")


def _seconds(results: Results, backend: str) -> float:
    return _build(results, backend, "seconds")


def _build_text(results: Results, backend: str, seconds: float) -> str:
    project = results.r(f"costs/backends/{backend}/project")
    tool = results.r(f"costs/builds/{project}").get("tool_build_seconds")
    return _s(seconds) + (f" (+ {tool:.0f} s for its CLI, once)" if tool else "")


@dataclass(frozen=True)
class Row:
    """One row of the matrix: a call shape (or a cost besides call time)."""

    label: str
    """The row's heading, in Markdown, linking to the results page that holds its figures."""
    value: Callable[[Results, str], float]
    """A front end's figure (ns for a call; ms, bytes or seconds for the costs)."""
    text: Callable[[Results, str, float], str]
    """The figure as the cell shows it."""
    ratio: Callable[[Results, str], float] | None = None
    """Its ratio to the floor, taken within each round, where the section stores one."""


def _ns_text(results: Results, backend: str, value: float) -> str:
    return ns(value)


ROWS: dict[str, Row] = {
    "scalar": Row(
        "[scalar call](results/scalar.md) `step(27)`",
        _scalar,
        _ns_text,
        lambda results, b: results.step(b),
    ),
    "element": Row(
        "[array element](results/bulk.md) `total_stopping_times`, conversion only",
        _element,
        _ns_text,
        lambda results, b: _element(results, b) / _floor(results),
    ),
    "next": Row(
        "[iterator step](results/objects.md) `next()` of a `Trajectory`",
        _next,
        _ns_text,
        lambda results, b: float(results.r(f"objects/backends/{b}/next_ratio_to_floor/median")),
    ),
    "callback": Row(
        "[callback](results/callbacks.md) `walk(n, visit)`, per visit",
        _visit,
        _ns_text,
        lambda results, b: float(results.r(f"callbacks/backends/{b}/visit_ratio_to_floor/median")),
    ),
    "record": Row(
        "[record](results/records_strings.md) `stats(27)`",
        _call("stats"),
        _ns_text,
        _call_ratio("stats"),
    ),
    "string_out": Row(
        "[string out](results/records_strings.md) `parity_vector(27)`",
        _call("parity_short"),
        _ns_text,
        _call_ratio("parity_short"),
    ),
    "string_in": Row(
        "[string in](results/records_strings.md) `residue('01101101')`",
        _call("residue_short"),
        _ns_text,
        _call_ratio("residue_short"),
    ),
    "error": Row(
        "[error path](results/errors.md) `step(0)` raising `ValueError`",
        _error,
        _ns_text,
        lambda results, b: float(results.r(f"errors/backends/{b}/invalid/ratio_to_floor/median")),
    ),
    "import": Row(
        "[import time](results/costs.md), a fresh interpreter",
        _import,
        lambda results, b, v: _ms(v),
    ),
    "wheel": Row("[wheel size](results/costs.md)", _wheel, lambda results, b, v: mb(v)),
    "build": Row("[build time](results/costs.md), release wheel", _seconds, _build_text),
}
"""The matrix's rows, in the page's order; the keys are what the page's markers name."""


def front_ends(results: Results) -> list[str]:
    """The native front ends the run measured, in the registry's order
    (``collatz_contract.backends.NATIVE``)."""
    return [b.name for b in NATIVE if b.name in results.bench["scalar"]["backends"]]


def _value(results: Results, row: str, backend: str) -> float | None:
    """A front end's figure in a row, or ``None`` where the run does not hold it (a quick run
    builds nothing, for instance)."""
    try:
        return ROWS[row].value(results, backend)
    except (KeyError, IndexError, TypeError):
        return None


def figure(results: Results, row: str, backend: str) -> float:
    """A front end's figure in one of the matrix's rows (a key of :data:`ROWS`): ns for a call,
    ms for import, bytes for the wheel, seconds for the build. ``KeyError`` if the run lacks it."""
    value = _value(results, row, backend)
    if value is None:
        raise KeyError(f"the run holds no {row!r} figure for {backend}")
    return value


def ratio(results: Results, row: str, backend: str) -> float:
    """A front end's figure in a timed row as a multiple of the floor, taken within each round
    where the section stores it (the array element: its median ÷ the scalar section's floor)."""
    how = ROWS[row].ratio
    if how is None:
        raise KeyError(f"{row!r} is not a call: it has no ratio to the floor")
    return how(results, backend)


def _rank(results: Results, row: str, backend: str) -> float:
    """What a row is ranked by: the ratio where there is one, else the figure."""
    return ratio(results, row, backend) if ROWS[row].ratio is not None else figure(results, row, backend)


def ranked(results: Results, row: str) -> list[str]:
    """The front ends that have a figure in ``row``, best (lowest) first."""
    have = [b for b in front_ends(results) if _value(results, row, b) is not None]
    return sorted(have, key=lambda b: _rank(results, row, b))


def best(results: Results, row: str) -> list[str]:
    """The front ends marked best in ``row``: the lowest, with any that equal it exactly (the
    front ends of one package share its wheel and its build)."""
    order = ranked(results, row)
    if not order:
        return []
    low = _rank(results, row, order[0])
    return [b for b in order if _rank(results, row, b) == low]


def cell(results: Results, row: str, backend: str) -> str:
    """One cell of the matrix as text, unmarked: ``34 ns · 2.34×`` for a call, the bare figure
    for a cost, ``—`` where the run holds none."""
    value = _value(results, row, backend)
    if value is None:
        return "—"
    text = ROWS[row].text(results, backend, value)
    return f"{text} · {_times(ratio(results, row, backend))}" if ROWS[row].ratio is not None else text


def matrix(results: Results) -> str:
    """The page's opening table: one row per call shape or cost (:data:`ROWS`), one column per
    front end in the registry's order, each cell :func:`cell`, the best of each row in bold
    (:func:`best`); then the note on how to read it."""
    names = front_ends(results)
    lines = [
        "| call shape | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for key, row in ROWS.items():
        marked = set(best(results, key))
        cells = [f"**{cell(results, key, b)}**" if b in marked else cell(results, key, b) for b in names]
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    element = results.r(f"bulk/{names[0]}/-1/n") if names else 0
    lines += [
        "",
        f"Each cell is the median of {results.bench['config']['rounds']} interleaved rounds, then, "
        "for a call, its ratio to the floor: a call of the C builtin `operator.index` (the "
        f"scalar section's: {ns(_floor(results))}), the cheapest call Python can make, timed in "
        "the same rounds, the ratio taken within each round. The best in each row is in bold "
        "(the lowest ratio; for the costs, the lowest figure). The array element is what the "
        f"binding adds per element of an array of {element:,} ones (no work), over the scalar "
        "section's floor. Import, wheel and build are not calls: no ratio. cffi, ctypes and "
        "cython share one package (`collatz-cabi`): one wheel, one build. A one-time build of a "
        "tool is shown, not ranked.",
    ]
    return "\n".join(lines)


def joined(results: Results, names: Iterable[str]) -> str:
    """Names in prose: ``a``, ``a and b``, ``a, b and c``."""
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fw(results: Results, shape: str, backend: str) -> float:
    """The framework section's median ns per unit (per value for ``next`` and ``callback``) of
    one of its shapes (``scalar``, ``big_int``, ``wide_record``, ``string_out``, ``string_in``,
    ``next``, ``callback``, ``error``) for ``pyo3``, ``pyo3-versioned``, ``pyo3-ffi`` or
    ``cython``."""
    return float(results.r(f"framework/backends/{backend}/{shape}/ns_per_unit/median"))


def fw_ratio(results: Results, pair: str, shape: str) -> float:
    """The framework section's ratio, taken within each round, for one shape: ``pair`` is
    ``pyo3_over_hand_written`` (PyO3 per interpreter ÷ pyo3-ffi) or ``abi3_over_versioned``
    (PyO3 abi3 ÷ PyO3 per interpreter)."""
    return float(results.r(f"framework/ratios/{pair}/{shape}/median"))


def fw_ratios(results: Results, pair: str, shapes: Iterable[str]) -> list[float]:
    """:func:`fw_ratio` for each of ``shapes``, in order."""
    return [fw_ratio(results, pair, s) for s in shapes]


ABI3_COSTLY = 1.2
"""abi3 ÷ per interpreter above this: a shape where the stable ABI visibly costs."""


def abi3_threshold(results: Results) -> float:
    """``ABI3_COSTLY``, for the page's sentence that defines it."""
    return ABI3_COSTLY


def abi3_costly(results: Results) -> list[str]:
    """The framework shapes on which the abi3 build costs more than ``ABI3_COSTLY`` times the
    per-interpreter build, the dearest first."""
    shapes = results.r("framework/shapes")
    costly = [s for s in shapes if fw_ratio(results, "abi3_over_versioned", s) > ABI3_COSTLY]
    return sorted(costly, key=lambda s: -fw_ratio(results, "abi3_over_versioned", s))


def abi3_costly_text(results: Results) -> str:
    """Those shapes, each with what it calls and its ratio: ``walk(27, visit), per value:
    1.41×``."""
    shapes = results.r("framework/shapes")
    return "; ".join(
        f"{shapes[s]}: {x(fw_ratio(results, 'abi3_over_versioned', s))}" for s in abi3_costly(results)
    )


def abi3_but(results: Results) -> str:
    """ "every shape but …" for the costly shapes, in words."""
    count = len(abi3_costly(results))
    return (
        "every shape"
        if count == 0
        else f"every shape but {['one', 'two', 'three'][count - 1] if count <= 3 else count}"
    )


def abi3_spread(results: Results) -> float:
    """The largest distance from 1 of abi3 ÷ per interpreter over every framework shape but the
    costly ones: ``0.10`` when every other shape is within 10 % of the per-interpreter build."""
    costly = abi3_costly(results)
    shapes = [s for s in results.r("framework/shapes") if s not in costly]
    return max(abs(r - 1) for r in fw_ratios(results, "abi3_over_versioned", shapes))


def share(results: Results, backend: str, function: str) -> float:
    """The share of ``step(27)``'s instructions (callgrind, the instructions section's
    breakdown) spent in the first function whose name contains ``function``."""
    for entry in results.r(f"instructions/breakdown/{backend}"):
        if function in entry["function"]:
            return float(entry["share"])
    raise KeyError(f"no function matching {function!r} in {backend}'s breakdown")


def beat_python(results: Results, margin: float = 0.8) -> list[str]:
    """The front ends whose one native call per step (the headline's 10^9 steps, extrapolated)
    takes at most ``margin`` times the pure-Python loop's time, fastest first."""
    python = float(results.r("headline/pure_python/seconds"))
    calls = results.r("headline/per_step_calls")
    fast = [b for b in front_ends(results) if b in calls and calls[b]["seconds"] <= margin * python]
    return sorted(fast, key=lambda b: float(calls[b]["seconds"]))


def k90(results: Results) -> str:
    """Each front end's k (steps per ``iterate`` call) at which it reaches 90 % of the native
    per-step speed, smallest first, in prose: ``pyo3-ffi 2,636, cython 2,990, …``."""
    ks = {b: results.r(f"amortisation/backends/{b}/k_at_90pct_native") for b in front_ends(results)}
    reached = sorted((k, b) for b, k in ks.items() if k is not None)
    return ", ".join(f"{b} {round(k):,}" for k, b in reached)


def cheaper_everywhere(results: Results, a: str, b: str, skip: Iterable[str] = ()) -> bool:
    """Whether front end ``a`` has a lower ratio to the floor than ``b`` on every timed row of
    the matrix (:data:`TIMED`) but those in ``skip``."""
    rows = [row for row in TIMED if row not in set(skip)]
    return all(ratio(results, row, a) < ratio(results, row, b) for row in rows)


def wins(results: Results, backend: str) -> int:
    """On how many of the matrix's timed rows ``backend`` is marked best."""
    return sum(backend in best(results, row) for row in TIMED)


def per_step(results: Results, backend: str) -> float:
    """The headline's 10^9 steps made by one native call per step, extrapolated: seconds."""
    return float(results.r(f"headline/per_step_calls/{backend}/seconds"))


def slower_per_step(results: Results, margin: float = 0.8) -> str:
    """The front ends :func:`beat_python` leaves out, fastest first, each with its time for the
    headline's 10^9 steps at one call per step: ``boltffi 61.33 s, cffi 106.48 s, …``."""
    fast = set(beat_python(results, margin))
    rest = [b for b in front_ends(results) if b not in fast]
    return ", ".join(
        f"{b} {seconds(per_step(results, b))}" for b in sorted(rest, key=lambda b: per_step(results, b))
    )


def abi3_walk(results: Results, minor: str) -> float:
    """From ``pythons.json``: instructions per ``walk(27, visit)`` of the abi3 wheel that CPython
    ``minor`` (``"3.11"``) installs, ÷ the per-interpreter build's, on that interpreter."""
    backends = results.interpreter(minor)["backends"]
    return float(backends["pyo3"]["walk"]["per_call"]) / float(backends["pyo3-versioned"]["walk"]["per_call"])


def gen_ns(results: Results, call: str) -> float:
    """The generators section's median ns per call of ``call``, a key such as
    ``boltffi/c_entry`` (the key holds a ``/``, so ``r()`` cannot reach it)."""
    return float(results.r("generators/calls")[call]["ns_per_call"]["median"])


def gen_ratio(results: Results, call: str) -> float:
    """The generators section's ratio to the floor of ``call`` (see :func:`gen_ns`)."""
    return float(results.r("generators/calls")[call]["ratio_to_floor"]["median"])


def generators(results: Results) -> tuple[float, float]:
    """UniFFI's generated call ÷ BoltFFI's, the lower and the higher of the infallible and the
    fallible call (the generators section's ratios, taken within each round)."""
    ratios = [float(v["median"]) for v in results.r("generators/uniffi_over_boltffi").values()]
    return min(ratios), max(ratios)


# --- memory (the memory section: collatz_bench.memory) -----------------------------------------


def allocs(results: Results, backend: str, shape: str = "step") -> float:
    """Heap allocations per call of one shape (a key of ``collatz_bench.memory.SHAPES``)."""
    return float(results.r(f"memory/backends/{backend}/{shape}/allocations"))


def zero_allocs(results: Results, shape: str = "step") -> list[str]:
    """The front ends whose call of ``shape`` allocates nothing, in the registry's order."""
    return [b.name for b in NATIVE if allocs(results, b.name, shape) == 0]


def allocs_range(results: Results, shape: str, backends: Iterable[str]) -> str:
    """The allocations per call of ``shape`` over ``backends``: ``3``, or ``3–5``."""
    values = sorted(allocs(results, b, shape) for b in backends)
    low, high = (f"{v:,.0f}" if v == int(v) else f"{v:,.2f}" for v in (values[0], values[-1]))
    return low if low == high else f"{low}–{high}"


def peak(results: Results, backend: str, case: str = "total_stopping_times") -> float:
    """A bulk call's peak heap above its input, × the data's size (the memory section)."""
    return float(results.r(f"memory/bulk/backends/{backend}/{case}/peak_per_data"))


def object_bytes(results: Results, backend: str, what: str = "Trajectory") -> float:
    """Bytes one live object holds (``Trajectory``, ``Trajectory_started``, ``Stats``)."""
    return float(results.r(f"memory/objects/{backend}/{what}"))


def leaking(results: Results) -> list[str]:
    """Front end / shape pairs that leave ``leak_bytes`` or more behind per call."""
    own = results.r("memory")
    return [
        f"{name} {shape}"
        for name, cases in own["backends"].items()
        for shape, entry in cases.items()
        if entry["growth"] >= own["leak_bytes"]
    ]


# --- await (the async section: collatz_bench.sections.awaiting) --------------------------------


def aw(results: Results, backend: str, key: str) -> float:
    """One figure of a front end in the async section (``await_ns``, ``x_to_thread``, …)."""
    return float(results.r(f"async/backends/{backend}/{key}"))


def loop_awaits(results: Results) -> list[str]:
    """The front ends whose trivial await stays on the loop's thread (their binding's own async
    support: callgrind counted them), in the registry's order."""
    return [b for b in front_ends(results) if results.r(f"async/backends/{b}/await_instructions")]


def coroutine_awaits(results: Results) -> list[str]:
    """Those of :func:`loop_awaits` whose await takes no trip through the loop: fewer
    instructions than an ``await asyncio.sleep(0)`` (PyO3's coroutine, ready at its first
    poll), in the registry's order."""
    return [b for b in loop_awaits(results) if aw_instructions(results, b, "x_floor") < 1]


def polled_awaits(results: Results) -> list[str]:
    """Those of :func:`loop_awaits` whose await is a trip through the loop: at least an
    ``await asyncio.sleep(0)``'s instructions (a Rust future whose waker resolves an asyncio
    future, even when it is ready at once), in the registry's order."""
    return [b for b in loop_awaits(results) if aw_instructions(results, b, "x_floor") >= 1]


def thread_awaits(results: Results) -> list[str]:
    """The other front ends: those whose await goes through a thread as ``to_thread`` does
    (the glue's)."""
    on_loop = set(loop_awaits(results))
    return [b for b in front_ends(results) if b not in on_loop]


def aw_instructions(results: Results, backend: str, key: str = "per_await") -> float:
    """A front end's instructions per trivial await (``per_await``), or their ratio to
    ``await asyncio.sleep(0)``'s (``x_floor``)."""
    return float(results.r(f"async/backends/{backend}/await_instructions/{key}"))


def aw_span(results: Results, key: str, backends: Iterable[str], show: Callable[[float], str]) -> str:
    """The lowest and highest of one figure over ``backends``: ``a`` or ``a–b``."""
    values = sorted(aw(results, b, key) for b in backends)
    low, high = show(values[0]), show(values[-1])
    return low if low == high else f"{low}–{high}"


def worst_lag(results: Results, how: str = "async") -> float:
    """The ticker's worst lateness (seconds) during a search, over the native front ends."""
    return max(float(results.r(f"async/backends/{b}/lag/{how}/worst")) for b in front_ends(results))


def slowest_cancel_ms(results: Results) -> float:
    """The longest measured cancel-to-stopped time (ms) over the native front ends."""
    return max(aw(results, b, "cancel_max_ms") for b in front_ends(results))
