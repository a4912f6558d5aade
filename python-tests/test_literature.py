"""``stats``, ``parity_vector`` and ``residue`` (docs/contract.md): the reference against plain
Python arithmetic over the whole 128-bit domain, every front end against the reference, the
record's behaviour as a tuple, and Terras's round trip for every length 1..127."""

from __future__ import annotations

import copy
import pickle
from types import ModuleType

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import outcome

U128_MAX = 2**128 - 1

wide_n = st.one_of(
    st.integers(1, 10**6),
    st.integers(1, 2**64 - 1),
    st.integers(2**64, 2**100),
    st.integers(1, U128_MAX),
    st.sampled_from([1, 2, 27, 2**64 - 1, 2**64, 2**127, U128_MAX - 1, U128_MAX, 0, -1, 2**128]),
)
vectors = st.text(alphabet="01", min_size=1, max_size=127)


def plain_stats(n: int) -> tuple[int, int, int, int, int] | None:
    """The record by the definitions, in unbounded Python integers (``None``: it passes 2**128)."""
    values = [n]
    while values[-1] != 1:
        x = values[-1]
        values.append(x // 2 if x % 2 == 0 else 3 * x + 1)
    if max(values) > U128_MAX:
        return None
    below = next((i for i, x in enumerate(values) if x < n), 0)
    odd = sum(1 for x in values[:-1] if x % 2)
    return (n, len(values) - 1, below, max(values), odd)


@given(n=st.one_of(st.integers(1, 10**5), st.integers(1, 2**80)))
def test_the_reference_agrees_with_the_definitions(ref: ModuleType, n: int) -> None:
    expected = plain_stats(n)
    if expected is None:
        with pytest.raises(OverflowError):
            ref.stats(n)
    else:
        assert ref.stats(n) == expected


def test_the_reference_agrees_at_the_top_of_the_domain(ref: ModuleType) -> None:
    for n in (U128_MAX, U128_MAX - 1, 2**127, 2**127 + 1, 2**126 + 3):
        expected = plain_stats(n)
        if expected is None:
            with pytest.raises(OverflowError, match="exceeds 2\\*\\*128 - 1"):
                ref.stats(n)
        else:
            assert ref.stats(n) == expected


@given(n=wide_n)
def test_stats(backend: ModuleType, ref: ModuleType, n: int) -> None:
    got, expected = outcome(backend.stats, n), outcome(ref.stats, n)
    assert got == expected
    if got[0] == "ok":
        assert all(type(field) is int for field in got[1])


@given(n=wide_n, k=st.one_of(st.none(), st.integers(-3, 400), st.sampled_from([2**20 + 1, 2**70])))
def test_parity_vector(backend: ModuleType, ref: ModuleType, n: int, k: int | None) -> None:
    assert outcome(backend.parity_vector, n, k) == outcome(ref.parity_vector, n, k)


def test_parity_vector_at_the_largest_k(backend: ModuleType) -> None:
    """``k = 2**20`` is allowed (a million parities, through the cycle 1 → 2 → 1); the
    reference would take a second, so the pattern is checked instead."""
    parities = backend.parity_vector(27, 2**20)
    head = backend.parity_vector(27)
    assert len(parities) == 2**20 and parities.startswith(head)
    assert parities[len(head) :] == "10" * ((2**20 - len(head)) // 2)


@given(vector=st.one_of(vectors, st.text(max_size=130), st.binary(max_size=5)))
def test_residue(backend: ModuleType, ref: ModuleType, vector: str) -> None:
    assert outcome(backend.residue, vector) == outcome(ref.residue, vector)


@pytest.mark.parametrize("length", range(1, 128))
def test_every_length_round_trips(impl: ModuleType, length: int) -> None:
    """Terras: ``parity_vector(residue(v), len(v)) == v`` unless a value passes 2**128 - 1."""
    rng = np.random.default_rng(length)
    for ones in (0.0, 0.3, 0.5, 1.0):
        vector = "".join("1" if x < ones else "0" for x in rng.random(length))
        r = impl.residue(vector)
        assert 1 <= r <= 2**length
        try:
            assert impl.parity_vector(r, length) == vector
        except OverflowError:
            assert length > 64 and "1" in vector, "up to 64 parities nothing overflows"


def test_the_examples_of_the_contract(impl: ModuleType) -> None:
    record = impl.stats(27)
    assert record == (27, 111, 96, 9232, 41) and (27, 111, 96, 9232, 41) == record  # noqa: SIM300 - both sides
    n, total, stopping, peak, odd = record
    assert (n, total, stopping, peak, odd) == (27, 111, 96, 9232, 41)
    assert (record.n, record.total_stopping_time, record.stopping_time, record.peak, record.odd_steps) == (
        27,
        111,
        96,
        9232,
        41,
    )
    assert len(record) == 5 and record[1] == 111 and record[-1] == 41
    assert repr(record) == "Stats(n=27, total_stopping_time=111, stopping_time=96, peak=9232, odd_steps=41)"
    assert hash(record) == hash((27, 111, 96, 9232, 41))
    assert type(impl.stats(5)) is type(record)
    assert record != (27, 111, 96, 9232, 40) and record != impl.stats(28)
    assert copy.copy(record) == record and pickle.loads(pickle.dumps(record)) == record
    assert impl.stats(1) == (1, 0, 0, 1, 0)
    assert impl.stats(2**100).peak > 2**64
    vector = impl.parity_vector(27)
    assert type(vector) is str and len(vector) == 70 and vector.count("1") == 41
    assert impl.parity_vector(1) == "" and impl.parity_vector(1, 4) == "1010"
    assert impl.parity_vector(27, 0) == ""
    assert impl.residue("0000") == 16
    assert impl.residue("1" * 127) == 2**127 - 1


class Str(str):
    pass


@pytest.mark.parametrize(
    ("vector", "exception", "message"),
    [
        (b"01", TypeError, "vector must be a str, got bytes b'01'"),
        (None, TypeError, "vector must be a str, got NoneType None"),
        (1, TypeError, "vector must be a str, got int 1"),
        ("", ValueError, "vector must have 1 to 127 parities, got 0"),
        ("0" * 128, ValueError, "vector must have 1 to 127 parities, got 128"),
        ("012", ValueError, "vector must hold only '0' and '1', got '2' at index 2"),
        ("0\ud800", ValueError, "vector must hold only '0' and '1', got '\\\\ud800' at index 1"),
        ("ü", ValueError, "vector must hold only '0' and '1', got 'ü' at index 0"),
        ("0 1", ValueError, "vector must hold only '0' and '1', got ' ' at index 1"),
        ("0\x00", ValueError, "vector must hold only '0' and '1', got '\\\\x00' at index 1"),
    ],
)
def test_residue_refuses_what_is_not_a_parity_string(
    impl: ModuleType, vector: object, exception: type[Exception], message: str
) -> None:
    with pytest.raises(exception) as raised:
        impl.residue(vector)
    assert type(raised.value) is exception
    assert str(raised.value) == message.replace("\\\\", "\\")


def test_str_subclasses_are_strings(impl: ModuleType) -> None:
    assert impl.residue(Str("0000")) == 16


@pytest.mark.parametrize(
    ("args", "exception", "message"),
    [
        ((0,), ValueError, "n must be >= 1, got 0"),
        ((2**128,), OverflowError, "n must be <= 2**128 - 1, got 340282366920938463463374607431768211456"),
        ((1.5,), TypeError, "n must be an integer, got float 1.5"),
        ((27, -1), ValueError, "k must be >= 0, got -1"),
        ((27, 2**20 + 1), ValueError, "k must be <= 2**20, got 1048577"),
        ((27, 2**70), ValueError, "k must be <= 2**20, got 1180591620717411303424"),
        ((27, "3"), TypeError, "k must be an integer, got str '3'"),
    ],
)
def test_parity_vector_errors(
    impl: ModuleType, args: tuple[object, ...], exception: type[Exception], message: str
) -> None:
    with pytest.raises(exception) as raised:
        impl.parity_vector(*args)
    assert type(raised.value) is exception and str(raised.value) == message


def test_a_value_past_2_128_is_an_overflow(impl: ModuleType) -> None:
    with pytest.raises(OverflowError) as raised:
        impl.stats(U128_MAX)
    assert str(raised.value) == (
        f"the trajectory of {U128_MAX} overflows: it reaches {U128_MAX}, and 3 * {U128_MAX} + 1 exceeds 2**128 - 1"
    )
