"""Fuzzing the Python surface: every public function of every backend, on hostile input.

Each call must return exactly what the pure-Python reference returns, or raise exactly the
exception type it raises. A bounded profile runs in the normal suite; `make fuzz` runs the
long one (HYPOTHESIS_PROFILE=long) and writes how many inputs each backend saw to
results/fuzz.json (FUZZ_REPORT).
"""

from __future__ import annotations

import atexit
import json
import operator
import os
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conftest import outcome

U64_MAX = 2**64 - 1
INPUTS: Counter[str] = Counter()


def _report() -> None:
    """Write the inputs counted to ``$FUZZ_REPORT``. Under pytest-xdist every worker process
    adds its own counts to the file, under a lock, when the file is from the same run
    (xdist's run id); the controller, which ran no test, writes nothing. So the report is
    the whole run's, whichever way it ran."""
    path = os.environ.get("FUZZ_REPORT")
    if not path or not INPUTS:
        return
    import fcntl

    report = Path(path)
    report.parent.mkdir(parents=True, exist_ok=True)
    with open(report.with_suffix(report.suffix + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        counts: Counter[str] = Counter()
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")  # the same in every worker of a run
        if run and report.exists():
            previous = json.loads(report.read_text())
            if previous.get("run") == run:
                counts.update(previous["inputs_per_backend"])
        counts.update(INPUTS)
        report.write_text(json.dumps({"inputs_per_backend": dict(counts), "run": run}, indent=2) + "\n")


atexit.register(_report)


class Index:
    """An integer only through ``__index__``."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


class RaisingIndex:
    """``__index__`` raises something other than TypeError."""

    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    def __index__(self) -> int:
        raise self.error("raised by __index__")

    def __repr__(self) -> str:
        return f"RaisingIndex({self.error.__name__})"


class LyingIndex:
    """``__index__`` returns a non-int."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __index__(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"LyingIndex({self.value!r})"


class IntSubclass(int):
    pass


INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def integers(limit: int | None = None) -> st.SearchStrategy[int]:
    """Integers across ±2^70 with the u64 edges common; valid ones at most ``limit``."""
    edges = [0, 1, 2, 27, -1, U64_MAX - 1, U64_MAX, 2**64, -(2**64), 2**63, (U64_MAX - 1) // 3 + 1]
    if limit is None:
        return st.one_of(st.integers(-(2**70), 2**70), st.integers(0, U64_MAX), st.sampled_from(edges))
    # Valid values small enough to compute in the reference, invalid ones of any size.
    return st.one_of(
        st.integers(-5, limit),
        st.integers(-(2**70), -1),
        st.integers(2**64, 2**70),
        st.sampled_from([e for e in edges if e <= limit or e < 0 or e > U64_MAX]),
    )


def anything(ints: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    """Whatever a caller might pass where an integer is expected."""
    return st.one_of(
        ints,
        ints.map(Index),
        ints.filter(lambda v: -(2**63) <= v < 2**64).map(IntSubclass),
        st.sampled_from([ZeroDivisionError, ValueError, OverflowError, RuntimeError]).map(RaisingIndex),
        st.sampled_from([1.5, "3", None, 2**70]).map(LyingIndex),
        st.tuples(st.sampled_from(INT_DTYPES), ints)
        .filter(lambda t: np.iinfo(t[0]).min <= t[1] <= np.iinfo(t[0]).max)
        .map(lambda t: t[0](t[1])),
        st.sampled_from([np.float64(3.0), np.float32(1.5), np.bool_(True), np.complex64(1)]),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(max_magnitude=1e6),
        st.decimals(allow_nan=False, places=0, min_value=-10, max_value=100),
        st.fractions(max_denominator=3),
        st.text(max_size=3),
        st.binary(max_size=3),
        st.none(),
        st.lists(ints, max_size=2),
        st.dictionaries(ints, ints, max_size=1),
    )


def check(backend: ModuleType, ref: ModuleType, name: str, *args: Any) -> None:
    INPUTS[backend.__name__] += 1
    assert outcome(getattr(backend, name), *args) == outcome(getattr(ref, name), *args), (name, args)


@given(n=anything(integers()))
def test_step(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    check(backend, ref, "step", n)


@given(n=anything(integers()))
def test_total_stopping_time(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    check(backend, ref, "total_stopping_time", n)


@given(n=anything(integers()), k=anything(integers(limit=3000)))
def test_iterate(backend: ModuleType, ref: ModuleType, n: Any, k: Any) -> None:
    check(backend, ref, "iterate", n, k)


@given(limit=anything(integers(limit=600)))
def test_max_total_stopping_time(backend: ModuleType, ref: ModuleType, limit: Any) -> None:
    check(backend, ref, "max_total_stopping_time", limit)


@st.composite
def arrays(draw: st.DrawFn) -> Any:
    """Arrays of every dtype and byte order, 0-3 dimensions, in every memory layout."""
    dtype = draw(
        st.one_of(
            hnp.integer_dtypes(endianness="?"),
            hnp.unsigned_integer_dtypes(endianness="?"),
            hnp.scalar_dtypes(),
            hnp.byte_string_dtypes(max_len=2),
            hnp.unicode_string_dtypes(max_len=2),
            st.just(np.dtype(object)),
        )
    )
    shape = draw(
        st.one_of(st.just((draw(st.integers(0, 12)),)), hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    )
    if dtype == np.dtype(object):
        flat = draw(
            st.lists(
                anything(integers(limit=10**6)), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
            )
        )
        array = np.empty(shape, dtype=object)
        array.ravel()[:] = flat if flat else []
    else:
        array = draw(hnp.arrays(dtype, shape))
    layout = draw(st.sampled_from(["plain", "strided", "readonly", "unaligned", "fortran"]))
    if layout == "strided" and array.ndim >= 1:
        array = np.repeat(array, 2, axis=0)[::2]
    elif layout == "readonly":
        array.flags.writeable = False
    elif layout == "unaligned" and array.dtype.itemsize > 1 and array.dtype != np.dtype(object):
        raw = np.zeros(array.nbytes + 1, dtype=np.uint8)
        unaligned = raw[1:].view(array.dtype).reshape(array.shape)
        unaligned[...] = array
        array = unaligned
    elif layout == "fortran":
        array = np.asfortranarray(array)
    return array


@given(values=arrays())
def test_total_stopping_times_arrays(backend: ModuleType, ref: ModuleType, values: Any) -> None:
    check(backend, ref, "total_stopping_times", values)


@given(values=st.one_of(st.lists(anything(integers()), max_size=6), anything(integers())))
def test_total_stopping_times_anything(backend: ModuleType, ref: ModuleType, values: Any) -> None:
    check(backend, ref, "total_stopping_times", values)


# --- the call shapes: trajectory, Trajectory, walk, progress ------------------------------------


def trajectory_outcome(module: ModuleType, n: Any) -> tuple[str, Any]:
    """Everything an iterator did: the values it yielded, then how it ended."""
    try:
        iterator = module.Trajectory(n)
    except Exception as e:
        return ("raises at creation", type(e))
    values = []
    try:
        for value in iterator:
            assert type(value) is int
            values.append(value)
    except Exception as e:
        return ("raises after", (values, type(e), list(iterator)))
    return ("ok", values)


@given(n=anything(integers()))
def test_trajectory(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    check(backend, ref, "trajectory", n)
    assert trajectory_outcome(backend, n) == trajectory_outcome(ref, n), n


class Visitor:
    """A visit callback that records, raises after a while, returns odd values, or calls back
    into the library."""

    def __init__(self, raise_after: int | None, returns: Any, reenter: ModuleType | None) -> None:
        self.raise_after = raise_after
        self.returns = returns
        self.reenter = reenter
        self.seen: list[int] = []
        self.error = LookupError("raised by visit")

    def __call__(self, value: int) -> Any:
        self.seen.append(value)
        if self.reenter is not None:
            self.reenter.total_stopping_time(value)
        if self.raise_after is not None and len(self.seen) > self.raise_after:
            raise self.error
        return self.returns


visitors = st.tuples(
    st.one_of(st.none(), st.integers(0, 200)),
    st.sampled_from([None, 0, 1, True, "stop", 2**70, float("nan")]),
    st.booleans(),
)
not_callables = st.sampled_from([None, 5, "visit", [print], b"x", 1.5])


@given(n=anything(integers()), visitor=visitors)
def test_walk(backend: ModuleType, ref: ModuleType, n: Any, visitor: tuple[Any, ...]) -> None:
    raise_after, returns, reenter = visitor
    ours = Visitor(raise_after, returns, backend if reenter else None)
    theirs = Visitor(raise_after, returns, ref if reenter else None)
    INPUTS[backend.__name__] += 1
    got, expected = outcome(backend.walk, n, ours), outcome(ref.walk, n, theirs)
    assert got == expected, (n, visitor)
    assert ours.seen == theirs.seen, "the same values, in order, and no call after a raise"


@given(n=anything(integers(limit=10**6)), visit=not_callables)
def test_walk_refuses_what_is_not_callable(backend: ModuleType, ref: ModuleType, n: Any, visit: Any) -> None:
    check(backend, ref, "walk", n, visit)


@given(
    limit=anything(integers(limit=3000)),
    raise_at=st.one_of(st.none(), st.integers(0, 2)),
    progress_kind=st.sampled_from(["function", "none", "not callable"]),
)
def test_max_total_stopping_time_progress(
    backend: ModuleType, ref: ModuleType, limit: Any, raise_at: int | None, progress_kind: str
) -> None:
    INPUTS[backend.__name__] += 1
    if progress_kind != "function":
        hook = None if progress_kind == "none" else "progress"
        got = outcome(lambda: backend.max_total_stopping_time(limit, progress=hook))
        expected = outcome(lambda: ref.max_total_stopping_time(limit, progress=hook))
        assert got == expected, (limit, progress_kind)
        return

    # How many calls come before the search ends is the backend's business (the contract
    # bounds the time between them, not their number; the native search also reports while it
    # prepares its bounds, the first time only), so a progress that raises at its k-th call is
    # judged by what the backend did with it, not against the reference's call count.
    calls: list[tuple[int, int]] = []
    raised: list[LookupError] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if raise_at is not None and len(calls) > raise_at:
            raised.append(LookupError("raised by progress"))
            raise raised[-1]

    got = outcome(lambda: backend.max_total_stopping_time(limit, progress=progress))
    expected = outcome(lambda: ref.max_total_stopping_time(limit))
    if raised:
        assert got == ("raises", LookupError), (limit, raise_at)
        assert raise_at is not None and len(calls) == raise_at + 1, "called again after raising"
        caught: BaseException | None = None
        try:
            backend.max_total_stopping_time(limit, progress=progress)
        except LookupError as e:
            caught = e
        # Called again, the hook raises at once: the very same object comes out.
        assert len(raised) == 2 and caught is raised[1]
        return
    if expected[0] == "raises":
        assert got == expected, limit
        assert calls == [], "bad arguments are refused before any progress"
        return
    assert got == expected, (limit, raise_at)
    total = operator.index(limit) - 1
    assert calls and calls[-1] == (total, total), calls
    assert all(t == total for _, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)


# --- records, strings, 128-bit integers ------------------------------------------------------

U128_MAX = 2**128 - 1


def wide_integers() -> st.SearchStrategy[int]:
    """Integers across ±2^130 with the u64 and u128 edges common."""
    edges = [0, 1, 2, 27, -1, 2**64 - 1, 2**64, 2**127, U128_MAX - 1, U128_MAX, 2**128, -(2**128)]
    return st.one_of(st.integers(-(2**130), 2**130), st.integers(1, U128_MAX), st.sampled_from(edges))


class StrSubclass(str):
    pass


HOSTILE_STRINGS = [
    "0\ud800",  # a lone surrogate: not encodable as UTF-8
    "\udfff1",
    "０１",  # fullwidth digits
    "0\x001",
    "01\n",
    "1" * 128,
    "0" * 10**6,  # far too long
    "٠١",  # Arabic-Indic digits
]

strings = st.one_of(
    st.text(alphabet="01", max_size=130),
    st.text(max_size=8),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=4),  # surrogates too
    st.sampled_from(HOSTILE_STRINGS),
    st.text(alphabet="01", min_size=1, max_size=127).map(StrSubclass),
    st.binary(max_size=5),
    st.binary(max_size=5).map(bytearray),
    anything(integers()),
)


@given(n=anything(wide_integers()))
def test_stats(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    check(backend, ref, "stats", n)


@given(n=anything(wide_integers()), k=st.one_of(st.none(), anything(integers(limit=300))))
def test_parity_vector(backend: ModuleType, ref: ModuleType, n: Any, k: Any) -> None:
    check(backend, ref, "parity_vector", n, k)


@given(vector=strings)
def test_residue(backend: ModuleType, ref: ModuleType, vector: Any) -> None:
    check(backend, ref, "residue", vector)
