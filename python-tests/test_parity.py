"""Every native backend against the pure-Python reference on generated inputs: each call
returns exactly what the reference returns or raises exactly the exception type it raises."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from conftest import outcome

U64_MAX = 2**64 - 1
EDGES = [
    0,
    1,
    2,
    3,
    4,
    27,
    2**32 + 1,
    2**63,
    (U64_MAX - 1) // 3 - 1,
    (U64_MAX - 1) // 3 + 1,
    U64_MAX - 1,
    U64_MAX,
    2**64,
    -1,
    -(2**64),
]

# Integers across the whole u64 range and beyond it on both sides, with the edges common.
integers = st.one_of(
    st.integers(1, 10**6),
    st.integers(1, U64_MAX),
    st.integers(-(2**70), 2**70),
    st.sampled_from(EDGES),
)
# Anything a caller might pass where an integer is expected.
scalars = st.one_of(
    integers,
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.none(),
    hnp.from_dtype(np.dtype(np.uint64)),
    hnp.from_dtype(np.dtype(np.int32)),
)
steps = st.one_of(st.integers(-3, 3000), st.sampled_from([2**64, 2**64 + 5, -(2**64)]))


@given(n=scalars)
def test_step(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    assert outcome(backend.step, n) == outcome(ref.step, n)


@given(n=scalars, k=steps)
def test_iterate(backend: ModuleType, ref: ModuleType, n: Any, k: Any) -> None:
    assert outcome(backend.iterate, n, k) == outcome(ref.iterate, n, k)


@given(n=scalars)
def test_total_stopping_time(backend: ModuleType, ref: ModuleType, n: Any) -> None:
    assert outcome(backend.total_stopping_time, n) == outcome(ref.total_stopping_time, n)


@given(limit=st.one_of(st.integers(-3, 400), st.sampled_from([2**64, 2.0, None])))
def test_max_total_stopping_time(backend: ModuleType, ref: ModuleType, limit: Any) -> None:
    assert outcome(backend.max_total_stopping_time, limit) == outcome(ref.max_total_stopping_time, limit)


def _integer_arrays() -> st.SearchStrategy[np.ndarray]:
    """1-D arrays of every integer dtype and byte order, edges included."""
    dtypes = hnp.integer_dtypes(endianness="?") | hnp.unsigned_integer_dtypes(endianness="?")
    return dtypes.flatmap(
        lambda dt: hnp.arrays(
            dt,
            st.integers(0, 24),
            elements=st.one_of(
                hnp.from_dtype(dt),
                st.sampled_from([1, 27]),
            ),
        )
    )


@st.composite
def array_likes(draw: st.DrawFn) -> Any:
    """Integer arrays as they come: contiguous or strided, read-only, lists, object arrays."""
    base = draw(_integer_arrays())
    kind = draw(st.sampled_from(["array", "strided", "readonly", "list", "object"]))
    if kind == "strided":
        return base[::2]
    if kind == "readonly":
        base.flags.writeable = False
        return base
    if kind == "list":
        return [int(v) for v in base]
    if kind == "object":
        return np.array([int(v) for v in base] + [draw(integers)], dtype=object)
    return base


@given(values=array_likes())
def test_total_stopping_times_arrays(backend: ModuleType, ref: ModuleType, values: Any) -> None:
    assert outcome(backend.total_stopping_times, values) == outcome(ref.total_stopping_times, values)


@given(values=st.lists(st.one_of(integers, st.floats(), st.none()), max_size=12))
def test_total_stopping_times_lists(backend: ModuleType, ref: ModuleType, values: list[Any]) -> None:
    assert outcome(backend.total_stopping_times, values) == outcome(ref.total_stopping_times, values)


@given(
    values=hnp.arrays(
        hnp.scalar_dtypes() | hnp.integer_dtypes(),
        hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
    )
)
def test_total_stopping_times_any_array(backend: ModuleType, ref: ModuleType, values: np.ndarray) -> None:
    assert outcome(backend.total_stopping_times, values) == outcome(ref.total_stopping_times, values)
