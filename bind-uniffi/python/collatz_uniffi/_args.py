"""The contract's argument rules, for front ends whose binding cannot apply them natively.

Python integers are unbounded and C's are not: cffi raises ``OverflowError`` for negative
numbers, ctypes silently wraps them, UniFFI's generated code raises ``ValueError`` for every
out-of-range value, and they accept objects that ``operator.index`` would refuse (or refuse
ones it accepts). These helpers raise exactly the exceptions of ``docs/contract.md`` instead.

This file ships in two packages, ``collatz_cabi`` and ``collatz_uniffi``, byte for byte (each
wheel stands alone); python-tests/test_packaging.py fails when the copies differ. Edit the one
in bind-cabi and copy it (``make sync-args``).
"""

from __future__ import annotations

import operator
import sys

# Not `from typing import TYPE_CHECKING`: importing typing alone takes milliseconds, and these
# names serve the type checker only (mypy treats any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import numpy as np
    import numpy.typing as npt

U64_MAX = 2**64 - 1


def describe(value: object) -> str:
    """A value's type and a bounded repr, for ``TypeError`` messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def as_u64(value: object, name: str, minimum: int) -> int:
    """``value`` as an ``int`` in ``minimum..=2**64 - 1``, with ``operator.index`` semantics."""
    try:
        v = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {describe(value)}") from None
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    if v > U64_MAX:
        raise OverflowError(f"{name} must be <= 2**64 - 1, got {v}")
    return v


def as_u64_array(values: object) -> npt.NDArray[np.uint64]:
    """A native-order, aligned, C-contiguous ``uint64`` array of ``values``.

    ``values`` itself is returned, without copying, when it already is one. Other integer
    arrays are converted; lists, tuples, object arrays and other iterables are checked element
    by element like scalar arguments. numpy is imported only when an array must be built (an
    array cannot have been passed before numpy was imported).
    """
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(values, numpy.ndarray):
        if values.ndim != 1:
            raise ValueError(
                f"values must be a 1-D array, got {values.ndim} dimensions (shape {values.shape})"
            )
        kind = values.dtype.kind
        if kind == "u":
            required: npt.NDArray[np.uint64] = numpy.require(values, numpy.uint64, ["C", "A"])
            return required
        if kind == "i":
            if values.size:
                bad = values < 1
                if bad.any():
                    i = int(bad.argmax())
                    raise ValueError(f"element {i} must be >= 1, got {values[i]}")
            converted: npt.NDArray[np.uint64] = values.astype(numpy.uint64)
            return converted
        if kind == "O":
            return _from_iterable(values)
        raise TypeError(f"values must have an integer dtype, got {values.dtype}")
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError(f"values must be a 1-D array or sequence of integers, got {describe(values)}")
    return _from_iterable(values)


def _from_iterable(values: Any) -> npt.NDArray[np.uint64]:
    try:
        items = iter(values)
    except TypeError:
        raise TypeError(
            f"values must be a 1-D array or sequence of integers, got {describe(values)}"
        ) from None
    checked = [as_u64(v, f"element {i}", 1) for i, v in enumerate(items)]
    import numpy as np

    return np.array(checked, dtype=np.uint64)
