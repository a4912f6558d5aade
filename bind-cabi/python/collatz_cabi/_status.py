"""The C ABI's status codes (``include/collatz.h``), what each failure code means, and the one
helper every C front end uses to turn a call's status into its result or exception.

bind-cabi/tests/python/test_cabi.py checks the codes against the header.
"""

from __future__ import annotations

from ._glue import error_for

TYPE_CHECKING = False  # not typing's: see _glue.py
if TYPE_CHECKING:
    from collections.abc import Callable

    from ._glue import NativeCall

OK = 0
ERR_INVALID = 1
ERR_OVERFLOW = 2
ERR_ARGUMENT = 3
ERR_PANIC = 4
STOPPED = 5
"""Not a failure: a callback asked the library to stop."""
ERR_MEMORY = 6

MESSAGE_CAPACITY = 256
"""Bytes of the buffer a front end hands ``collatz_last_failure``: every message but one
quoting a huge value fits."""

KINDS: dict[int, str] = {
    ERR_INVALID: "Invalid",
    ERR_OVERFLOW: "Overflow",
    ERR_ARGUMENT: "Argument",
    ERR_PANIC: "Panic",
    ERR_MEMORY: "Memory",
}
"""One entry per failure code of the header: the error kind it reports (``_glue.KIND_EXCEPTIONS``
says which exception that is)."""


def exception_for(code: int, message: str) -> Exception:
    """The Python exception for a failure code of the C ABI."""
    try:
        kind = KINDS[code]
    except KeyError:
        return RuntimeError(f"collatz C ABI returned an unknown status code {code}: {message!r}")
    return error_for(kind, message or f"collatz C ABI error code {code}")


def finish(status: int, call: NativeCall | None, last_error: Callable[[], Exception]) -> None:
    """Return if the call succeeded; raise what a callback raised if it stopped the call, or
    the library's error (``last_error()``) if it failed."""
    if status == OK:
        return
    if status == STOPPED and call is not None:
        call.raise_stopped()
    raise last_error()
