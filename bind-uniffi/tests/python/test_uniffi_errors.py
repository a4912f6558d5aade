"""What only the UniFFI front end has: the generated `CollatzFfiError`'s variants, each turned
into the contract's exception by the facade, matched by class (never by name)."""

from __future__ import annotations

import pytest

import collatz_uniffi


@pytest.mark.parametrize(
    ("variant", "exception"),
    [("Invalid", ValueError), ("Overflow", OverflowError), ("Argument", ValueError), ("Memory", MemoryError)],
)
def test_each_generated_error_becomes_the_contracts_exception(variant: str, exception: type) -> None:
    # The facade's own generated module (a test elsewhere may have imported the package afresh).
    translated = collatz_uniffi._translate(
        getattr(collatz_uniffi._ffi.CollatzFfiError, variant)("the message")
    )
    assert type(translated) is exception
    assert "the message" in str(translated)


def test_every_variant_is_mapped_by_its_class() -> None:
    """Every variant of the generated error has its kind, and every core kind its variant (a
    caught panic arrives as UniFFI's own `InternalError` instead)."""
    assert set(collatz_uniffi._ffi.CollatzFfiError.__subclasses__()) == set(collatz_uniffi._KINDS)
    kinds = set(collatz_uniffi._KINDS.values())
    assert kinds == set(collatz_uniffi.KIND_EXCEPTIONS) - {"Panic"}
