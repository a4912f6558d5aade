"""What only the BoltFFI front end has: its generated error classes, each turned into the
contract's exception by the facade (a panic included: the crate catches it, since BoltFFI's
boundary would abort the interpreter; `tests/panics.rs` holds the crate to that), and its
`Job` thread, which never needs the GIL after the call returns."""

from __future__ import annotations

import subprocess
import sys

import pytest

import collatz_boltffi


@pytest.mark.parametrize(
    ("variant", "exception"),
    [
        ("CollatzErrorInvalid", ValueError),
        ("CollatzErrorOverflow", OverflowError),
        ("CollatzErrorArgument", ValueError),
        ("CollatzErrorPanic", RuntimeError),
        ("CollatzErrorMemory", MemoryError),
    ],
)
def test_each_generated_error_becomes_the_contracts_exception(variant: str, exception: type) -> None:
    # The facade's own generated module (a test elsewhere may have imported the package afresh).
    generated = collatz_boltffi._generated
    error = generated.CollatzErrorException(getattr(generated, variant)(message="the message"))
    translated = collatz_boltffi._translate(error)
    assert type(translated) is exception
    assert "the message" in str(translated)


def test_a_constructors_encoded_error_is_decoded_not_called_again() -> None:
    """BoltFFI's generated constructor lets its C entry's error out as a ``RuntimeError`` of
    the encoded bytes (only running out of memory gets there: the facade checks ``n`` first);
    the facade decodes those bytes into the contract's exception."""
    generated = collatz_boltffi._generated
    message = "out of memory: 96 bytes could not be allocated"
    encoded = RuntimeError(generated.CollatzErrorMemory(message=message)._boltffi_wire())
    failure = collatz_boltffi._constructor_failure(encoded)
    translated = collatz_boltffi._translate(failure)
    assert type(translated) is MemoryError
    assert str(translated) == message
    other = RuntimeError("not encoded")
    assert collatz_boltffi._constructor_failure(other) is other


def test_every_variant_is_mapped_by_its_class() -> None:
    """The facade matches a variant by identity (no class names at run time): every generated
    variant has its kind, and every kind its variant."""
    generated = collatz_boltffi._generated
    # The module's variant classes (not `__subclasses__()`: a dataclass with slots is created
    # twice, and the first class can outlive its replacement until a garbage collection).
    variants = {
        value
        for value in vars(generated).values()
        if isinstance(value, type)
        and issubclass(value, generated.CollatzError)
        and value is not generated.CollatzError
    }
    assert variants == set(collatz_boltffi._KINDS)
    assert set(collatz_boltffi._KINDS.values()) == set(collatz_boltffi.KIND_EXCEPTIONS)


def test_the_interpreter_exits_cleanly_right_after_jobs() -> None:
    """A job's thread lets go of its Python callbacks object (which takes the GIL) before the
    call returns: were it later, a thread asking for the GIL while the interpreter shuts down
    is ended by CPython with a forced unwind, which Rust turns into an abort."""
    script = (
        "import collatz_boltffi as m\n"
        "for _ in range(50):\n"
        "    m.max_total_stopping_time(10); m.iterate(27, 2**25); m.total_stopping_times(range(1, 5000))\n"
        "print('ok')\n"
    )
    for _ in range(5):
        run = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
        )
        assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr
