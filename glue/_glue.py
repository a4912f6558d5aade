"""What the contract asks of a front end whose binding cannot do it natively, written once.

The front ends that call the Rust core through a generic foreign-function layer — cffi,
ctypes, Cython over the C ABI, UniFFI's generated module — share three things, all here:

- **The argument rules** (:func:`as_u64`, :func:`checked_n`, :func:`as_u64_array`). Python
  integers are unbounded and C's are not: cffi raises ``OverflowError`` for negative numbers,
  ctypes silently wraps them, UniFFI's generated code raises ``ValueError`` for every
  out-of-range value, and they accept objects that ``operator.index`` would refuse (or refuse
  ones it accepts). These helpers raise exactly the exceptions of ``docs/contract.md``.
- **The error kinds** (:data:`KIND_EXCEPTIONS`, :func:`error_for`): the core's error kinds
  (``collatz_core::Kind``) and a caught panic, each to its Python exception, whatever code or
  class the binding reports them with.
- **Callbacks from native code** (:class:`NativeCall`): an exception raised in a callback does
  not cross a generic foreign call (cffi and ctypes print it and return a default value,
  UniFFI turns it into its own error), and a signal handler that raises would raise where
  nothing can catch it. :class:`NativeCall` keeps every exception for the caller, tells the
  native side to stop, and re-raises it when the foreign call has returned.

The file lives once, in ``glue/_glue.py``; each package that needs it has a symbolic link to
it as ``<package>/_glue.py``, which the wheel and sdist builds (maturin, setuptools) turn into
a real file, so every wheel stands alone and no package imports another.
"""

from __future__ import annotations

import operator
import sys

# Not `from typing import TYPE_CHECKING`: importing typing alone takes milliseconds, and these
# names serve the type checker only (mypy treats any TYPE_CHECKING as true).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType
    from typing import Any

    import numpy as np
    import numpy.typing as npt

U64_MAX = 2**64 - 1

# --- arguments -------------------------------------------------------------------------------


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


def checked_n(n: object) -> int:
    """``n`` for the call shapes (``trajectory``, ``Trajectory``, ``walk``): checked first."""
    if n.__class__ is int and 1 <= n <= U64_MAX:
        return n
    return as_u64(n, "n", 1)


# --- errors ----------------------------------------------------------------------------------

KIND_EXCEPTIONS: dict[str, type[Exception]] = {
    "Invalid": ValueError,
    "Overflow": OverflowError,
    "Argument": ValueError,
    "Panic": RuntimeError,
}
"""The core's error kinds (``collatz_core::Kind``, docs/contract.md section 4) and ``Panic``
(a caught panic, not a core error), each to the built-in exception the contract raises."""


def error_for(kind: str, message: str) -> Exception:
    """The exception for an error of ``kind`` reported by the native side with ``message``."""
    try:
        exception = KIND_EXCEPTIONS[kind]
    except KeyError:
        return RuntimeError(f"collatz: unknown error kind {kind!r} from the native side: {message!r}")
    return exception(message or f"collatz: {kind} error")


# --- callbacks -------------------------------------------------------------------------------


def check_callable(value: Any, name: str, *, optional: bool = False) -> None:
    """``TypeError`` unless ``value`` is callable (or ``None``, when ``optional``)."""
    if callable(value) or (optional and value is None):
        return
    what = "callable or None" if optional else "callable"
    raise TypeError(f"{name} must be {what}, got {describe(value)}")


class NativeCall:
    """The state of one foreign call that calls back into Python; a context manager.

    ``on_visit`` and ``on_progress`` are what the native side calls; each returns ``True`` to
    ask it to stop. After the call, :meth:`raise_stopped` raises why it stopped.
    """

    __slots__ = ("_interrupted", "_previous", "_progress", "_visit", "error")

    def __init__(
        self,
        visit: Callable[[int], object] | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> None:
        self._visit = visit
        self._progress = progress
        self.error: BaseException | None = None
        self._interrupted = False
        self._previous: Any = None

    # --- what the native side calls ----------------------------------------------------------

    def on_visit(self, value: int) -> bool:
        if self._interrupted:
            return True
        try:
            self._visit(value)  # type: ignore[misc]
        except BaseException as e:
            self.error = e
            return True
        return False

    def on_progress(self, done: int, total: int) -> bool:
        if self._interrupted:
            return True
        if self._progress is not None:
            try:
                self._progress(done, total)
            except BaseException as e:
                self.error = e
                return True
        return self._interrupted

    # --- around the foreign call -------------------------------------------------------------

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._interrupted = True

    def __enter__(self) -> NativeCall:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if callable(previous):  # a Python-level handler: defer it
                self._previous = previous
                signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            import signal

            signal.signal(signal.SIGINT, previous)
            if self._interrupted:
                previous(signal.SIGINT, None)  # deliver it now: normally KeyboardInterrupt

    def raise_stopped(self) -> None:
        """The native side stopped because a callback asked it to: raise the reason."""
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        raise RuntimeError("the native call stopped without a reason")  # pragma: no cover
