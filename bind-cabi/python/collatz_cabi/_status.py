"""The C ABI's status codes (``include/collatz.h``) and the Python exception for each.

python-tests/test_cabi.py checks the codes against the header.
"""

from __future__ import annotations

OK = 0
ERR_INVALID = 1
ERR_OVERFLOW = 2
ERR_ARGUMENT = 3
ERR_PANIC = 4
STOPPED = 5
"""Not a failure: a callback asked the library to stop."""

EXCEPTIONS: dict[int, type[Exception]] = {
    ERR_INVALID: ValueError,
    ERR_OVERFLOW: OverflowError,
    ERR_ARGUMENT: ValueError,
    ERR_PANIC: RuntimeError,
}
"""One entry per failure code of the header; a code missing here is a bug, reported as such."""


def error_for(code: int, message: str) -> Exception:
    """The Python exception for a failure code of the C ABI."""
    try:
        exception = EXCEPTIONS[code]
    except KeyError:
        return RuntimeError(f"collatz C ABI returned an unknown status code {code}: {message!r}")
    return exception(message or f"collatz C ABI error code {code}")
