"""Python callbacks called from native code, for front ends whose binding calls them through
a generic foreign-function layer (cffi, ctypes, UniFFI's generated code).

Two things go wrong there unless a front end takes care:

- An exception raised in a callback does not cross the foreign call: cffi and ctypes print it
  and return a default value, UniFFI turns it into its own error. :class:`NativeCall` catches
  every exception inside the callback, tells the native side to stop (the callback returns
  ``True``), and re-raises that same exception object when the foreign call has returned.
- Ctrl-C: Python runs signal handlers at the next bytecode of the main thread, which during a
  long foreign call is the *first* bytecode of the next callback — before any ``try`` in it,
  so ``KeyboardInterrupt`` would be raised where nothing can catch it. While a
  :class:`NativeCall` is active on the main thread, SIGINT only sets a flag; the next callback
  sees it and stops the native side, and the interrupt is delivered (to the handler that was
  in place, normally raising ``KeyboardInterrupt``) as soon as the foreign call returns.

This file ships in two packages, ``collatz_cabi`` and ``collatz_uniffi``, byte for byte (each
wheel stands alone); python-tests/test_packaging.py fails when the copies differ. Edit the one
in bind-cabi and copy it (``make sync-args``).
"""

from __future__ import annotations

from ._args import describe

# Annotations only (see _args.py); signal and threading are imported on first use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType
    from typing import Any


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

    __slots__ = ("error", "_interrupted", "_previous", "_progress", "_visit")

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
        except BaseException as e:  # noqa: BLE001 - every exception is handed back to the caller
            self.error = e
            return True
        return False

    def on_progress(self, done: int, total: int) -> bool:
        if self._interrupted:
            return True
        if self._progress is not None:
            try:
                self._progress(done, total)
            except BaseException as e:  # noqa: BLE001
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
