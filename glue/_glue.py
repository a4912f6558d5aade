"""What the contract asks of a front end whose binding cannot do it natively, written once.

The front ends that call the Rust core through a generic foreign-function layer — cffi,
ctypes, Cython over the C ABI, UniFFI's and BoltFFI's generated modules — share four things,
all here:

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
- **The awaitable forms.** For a front end whose binding has no async support (cffi, ctypes,
  Cython, the hand-written extension), :func:`awaitable_forms`: ``total_stopping_time_async``
  and ``max_total_stopping_time_async`` over its synchronous calls, a thread that completes an
  asyncio future through ``loop.call_soon_threadsafe`` and is stopped through ``progress``
  when the task is cancelled. For those whose binding's own ``async fn`` awaits a Rust
  ``Search`` (UniFFI, BoltFFI), :func:`awaited_search` and :class:`LoopWatch`: the loop over
  its events, and the check that stops it once its loop is closed.

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
    from collections.abc import Callable, Coroutine
    from types import FrameType, TracebackType
    from typing import Any, SupportsIndex

    import numpy as np
    import numpy.typing as npt

U64_MAX = 2**64 - 1

# --- arguments -------------------------------------------------------------------------------


def describe(value: object) -> str:
    """A value's type and a bounded repr, for ``TypeError`` messages (a ``repr`` that raises
    never replaces the ``TypeError`` being built)."""
    try:
        text = repr(value)
    except Exception:
        text = "<unrepresentable>"
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
        return _from_array(values, numpy)
    if isinstance(values, (str, bytes, bytearray)):
        raise TypeError(f"values must be a 1-D array or sequence of integers, got {describe(values)}")
    return _from_iterable(values)


def _from_array(values: Any, numpy: Any) -> npt.NDArray[np.uint64]:
    """A numpy array, checked in the contract's order: dimensions, dtype, mask, elements."""
    if values.ndim != 1:
        raise ValueError(f"values must be a 1-D array, got {values.ndim} dimensions (shape {values.shape})")
    kind = values.dtype.kind
    if kind not in "iuO":
        raise TypeError(f"values must have an integer dtype, got {values.dtype}")
    if values.__class__ is not numpy.ndarray:
        values = unmasked(values)
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
    return _from_iterable(values)


def unmasked(values: Any) -> Any:
    """A masked array's data when no element is masked (docs/contract.md: the mask is checked
    after the dimensions and the dtype, before the elements); ``TypeError`` naming the first
    masked element otherwise. Any other array is returned as it is. (``numpy.ma`` is looked up
    only where it was imported: a masked array cannot exist before that.)"""
    ma = sys.modules.get("numpy.ma")
    if ma is None or not isinstance(values, ma.MaskedArray):
        return values
    mask = ma.getmaskarray(values)
    if mask.any():
        raise TypeError(f"values must have no masked elements, got one at index {int(mask.argmax())}")
    return values.data


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


U128_MAX = 2**128 - 1
MAX_PARITIES = 2**20
UNTIL_ONE = U64_MAX
"""The ``k`` that asks the native side for the parities up to the first 1 (``k=None``)."""


def _index(value: object, name: str) -> int:
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {describe(value)}") from None


def as_u128(value: object, name: str) -> int:
    """``value`` as an ``int`` in ``1..=2**128 - 1`` (``stats``, ``parity_vector``)."""
    v = value if value.__class__ is int else _index(value, name)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {v}")
    if v > U128_MAX:
        raise OverflowError(f"{name} must be <= 2**128 - 1, got {v}")
    return v


def as_parity_count(k: object) -> int:
    """``parity_vector``'s ``k``: ``None`` (until the first 1, :data:`UNTIL_ONE`) or an
    integer in ``0..=2**20``."""
    if k is None:
        return UNTIL_ONE
    v = _index(k, "k")
    if v < 0:
        raise ValueError(f"k must be >= 0, got {v}")
    if v > MAX_PARITIES:
        raise ValueError(f"k must be <= 2**20, got {v}")
    return v


def checked_vector(vector: object) -> bytes:
    """``residue``'s argument, as the ASCII bytes the native side reads. A ``str`` subclass's
    characters are read as the string holds them, without calling any method it may override
    (``str.__str__`` of a subclass copies its characters into an exact ``str``; ``str(vector)``
    would call an overridden ``__str__``, as an ``enum`` mixin's does)."""
    if type(vector) is not str:
        if not isinstance(vector, str):
            raise TypeError(f"vector must be a str, got {describe(vector)}")
        vector = str.__str__(vector)
    if not 1 <= len(vector) <= 127:
        raise ValueError(f"vector must have 1 to 127 parities, got {len(vector)}")
    if vector.strip("01"):
        for i, c in enumerate(vector):
            if c not in "01":
                raise ValueError(f"vector must hold only '0' and '1', got {c!r} at index {i}")
    return vector.encode("ascii")


def wide(hi: int, lo: int) -> int:
    """A 128-bit integer from its two 64-bit halves."""
    return hi << 64 | lo


def halves(value: int) -> tuple[int, int]:
    """A 128-bit integer's two 64-bit halves (high, low)."""
    return value >> 64, value & U64_MAX


class Stats(tuple):  # type: ignore[type-arg]
    """``stats``' record: a tuple of five ``int`` with named fields (what
    ``collections.namedtuple`` would make, written out so that importing a front end does not
    import ``collections``)."""

    __slots__ = ()
    _fields = ("n", "total_stopping_time", "stopping_time", "peak", "odd_steps")

    def __new__(
        cls, n: int, total_stopping_time: int, stopping_time: int, peak: int, odd_steps: int
    ) -> Stats:
        return tuple.__new__(cls, (n, total_stopping_time, stopping_time, peak, odd_steps))

    # C-level getters (what namedtuple's fields are): a Python function per field would cost
    # three times as much per read. Type checkers see the same fields as typed properties.
    if TYPE_CHECKING:

        @property
        def n(self) -> int: ...
        @property
        def total_stopping_time(self) -> int: ...
        @property
        def stopping_time(self) -> int: ...
        @property
        def peak(self) -> int: ...
        @property
        def odd_steps(self) -> int: ...
    else:
        n = property(operator.itemgetter(0), doc="The starting value.")
        total_stopping_time = property(operator.itemgetter(1), doc="Steps until 1 (OEIS A006577).")
        stopping_time = property(
            operator.itemgetter(2), doc="Steps until the value is first below n (OEIS A102419; 0 for n = 1)."
        )
        peak = property(operator.itemgetter(3), doc="The largest value on the trajectory, n included.")
        odd_steps = property(operator.itemgetter(4), doc="The number of 3x + 1 steps (OEIS A006667).")

    @classmethod
    def from_halves(cls, record: Any) -> Stats:
        """The record from a C ``CollatzStats`` (a cffi or ctypes struct: fields by attribute,
        128-bit integers in ``_hi``/``_lo`` halves)."""
        # The tuple directly (no second frame through __new__, the halves joined inline): this
        # is on the record's hot path, held to its instruction budget by make perf-check.
        return tuple.__new__(
            cls,
            (
                record.n_hi << 64 | record.n_lo,
                record.total_stopping_time,
                record.stopping_time,
                record.peak_hi << 64 | record.peak_lo,
                record.odd_steps,
            ),
        )

    def __repr__(self) -> str:
        return "Stats(" + ", ".join(f"{k}={v}" for k, v in zip(self._fields, self, strict=True)) + ")"

    def __reduce__(self) -> tuple[type[Stats], tuple[int, ...]]:
        return (type(self), tuple(self))


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
    "Memory": MemoryError,
    "Panic": RuntimeError,
}
"""The core's error kinds (``collatz_core::Kind``, docs/contract.md section 4) and ``Panic``
(a caught panic, not a core error), each to the built-in exception the contract raises."""


PANIC_PREFIX = "internal error (panic): "
"""How every front end's message for a caught panic begins (the contract's wording; the Rust
front ends take it from ``collatz_core::PANIC_PREFIX``)."""


def panic_error(what: object) -> Exception:
    """The exception for a panic caught on the native side that said ``what``."""
    return error_for("Panic", f"{PANIC_PREFIX}{what}")


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


class _Sigint:
    """SIGINT while native code calls back into Python, on the main thread (process-wide).

    Python runs a signal handler at the next bytecode of the main thread. During a foreign
    call that is the first bytecode of the next callback's trampoline — before any ``try`` in
    it — where an exception (``KeyboardInterrupt``) would be printed and lost by cffi or ctypes,
    or turned into its own error by UniFFI. So while a :class:`NativeCall` is active on the
    main thread, :func:`_deferring_handler` stands in for the handler that was installed
    (``handler``): a signal that arrives in one of the frames registered as unsafe (the
    trampolines, the generated code around them, :class:`NativeCall`'s own methods) is kept
    (``pending``) and delivered by the next callback inside its ``try``, or when the call
    returns; anywhere else (in a callback's Python code, or around the call) the handler runs
    at once, as it would without the stand-in. A handler that raises ends the call with that
    exception; one that returns lets it go on.
    """

    __slots__ = ("depth", "handler", "pending", "unsafe_code", "unsafe_files")

    def __init__(self) -> None:
        self.depth = 0
        """Active calls that installed or share the stand-in (nested calls share it)."""
        self.handler: Any = None
        """The handler the stand-in defers to."""
        self.pending = 0
        """Signals received in an unsafe frame, not yet delivered."""
        self.unsafe_code: set[object] = set()
        self.unsafe_files: set[str] = set()


_sigint = _Sigint()


def register_unsafe(*functions: Any, files: tuple[str, ...] = ()) -> None:
    """Frames of these functions (or of any code in ``files``) are where an exception would be
    lost: a signal that arrives there is delivered later, inside a ``try``."""
    for function in functions:
        _sigint.unsafe_code.add(getattr(function, "__code__", function))
    _sigint.unsafe_files.update(files)


def _deferring_handler(signum: int, frame: FrameType | None) -> None:
    code = frame.f_code if frame is not None else None
    if code is None or code in _sigint.unsafe_code or code.co_filename in _sigint.unsafe_files:
        _sigint.pending += 1
        return
    _sigint.handler(signum, frame)


def _signals() -> Any:
    """CPython's ``_signal``: what ``signal`` wraps, without its conversion of every handler to
    an ``enum`` member (pure Python that allocates: under memory exhaustion CPython 3.11 was
    seen spinning forever in ``enum.__new__`` called from ``signal.getsignal``, and it costs a
    walk's every call time)."""
    import _signal  # type: ignore[import-not-found]  # not in typeshed; in every CPython

    return _signal


def _deliver_pending() -> None:
    """Run the installed handler for every signal kept so far (it may raise)."""
    while _sigint.pending:
        _sigint.pending -= 1
        _sigint.handler(_signals().SIGINT, None)


class NativeCall:
    """The state of one foreign call that calls back into Python; a context manager.

    ``on_visit`` and ``on_progress`` are what the native side calls; each returns ``True`` to
    ask it to stop, which it does only when the callback (or a signal handler run inside it)
    raised. After the call, :meth:`raise_stopped` raises that exception. While the call is
    active on the main thread, SIGINT goes through :class:`_Sigint`.

    A generated trampoline (ctypes', cffi's, UniFFI's and BoltFFI's) converts the native
    arguments to Python objects before it calls ``on_visit``; when that fails (out of memory)
    it reports the error to ``sys.unraisablehook`` and drops the call, returning a default or
    an undefined answer. ``visits`` counts the calls that arrived, so that :meth:`check_visits`
    can tell a dropped visit (a value the user's callback never saw) from a complete walk.
    """

    __slots__ = ("_installed", "_progress", "_visit", "error", "visits")

    def __init__(
        self,
        visit: Callable[[int], object] | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> None:
        self._visit = visit
        self._progress = progress
        self.error: BaseException | None = None
        self._installed = False
        self.visits = 0

    # --- what the native side calls ----------------------------------------------------------

    def on_visit(self, value: int) -> bool:
        self.visits += 1
        if self.error is not None:
            return True
        try:
            if _sigint.pending and self._installed:
                _deliver_pending()
            self._visit(value)  # type: ignore[misc]
        except BaseException as e:
            self.error = e
            return True
        return False

    def on_progress(self, done: int, total: int) -> bool:
        if self.error is not None:
            return True
        try:
            if _sigint.pending and self._installed:
                _deliver_pending()
            if self._progress is not None:
                self._progress(done, total)
        except BaseException as e:
            self.error = e
            return True
        return False

    # --- around the foreign call -------------------------------------------------------------

    def __enter__(self) -> NativeCall:
        import threading

        if threading.current_thread() is not threading.main_thread():
            return self  # signals are handled on the main thread only
        signal = _signals()
        current = signal.getsignal(signal.SIGINT)
        if current is _deferring_handler:
            _sigint.depth += 1  # a call inside a callback: the stand-in is already there
            self._installed = True
        elif callable(current):
            try:
                signal.signal(signal.SIGINT, _deferring_handler)
            except ValueError:
                # A subinterpreter: only the main interpreter runs signal handlers (and its
                # main thread may be this one), so there is nothing to defer here.
                return self
            _sigint.handler, _sigint.pending, _sigint.depth = current, 0, 1
            self._installed = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._installed:
            return
        self._installed = False
        _sigint.depth -= 1
        if _sigint.depth:
            return  # the outer call delivers what is pending
        signal = _signals()
        # A handler installed by a callback stays; otherwise the one the stand-in stood for.
        if signal.getsignal(signal.SIGINT) is _deferring_handler:
            signal.signal(signal.SIGINT, _sigint.handler)
        if _sigint.pending:
            _deliver_pending()  # e.g. KeyboardInterrupt, raised from the call

    def raise_stopped(self) -> None:
        """The native side stopped because a callback asked it to: raise the reason.

        With no exception kept, no callback of this call asked: the trampoline failed before
        it reached one (it could not convert an argument) and answered "stop" for it.
        """
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        raise MemoryError(
            "a callback of the native call was never called: its arguments could not be "
            "converted to Python objects (out of memory)"
        )

    def check_visits(self, count: int) -> None:
        """``MemoryError`` unless all ``count`` visits the native side made reached
        :meth:`on_visit` (a trampoline drops a call whose argument it cannot convert)."""
        if count != self.visits:
            raise MemoryError(
                f"{count - self.visits} of {count} visits never reached the callback: their "
                "values could not be converted to Python objects (out of memory)"
            )


register_unsafe(
    NativeCall.on_visit,
    NativeCall.on_progress,
    NativeCall.__enter__,
    NativeCall.__exit__,
    _deferring_handler,
    _signals,
)


# --- the facades over generated code (UniFFI, BoltFFI) ------------------------------------------


class GeneratedTrajectory:
    """The contract's ``Trajectory`` over a generated binding's iterator object (its state in
    Rust, freed with this object). A facade subclasses it and names, as class attributes:

    - ``_native``: the generated class, with ``_native(start)``, ``_native.resume(start,
      position)``, and methods ``next_value()`` (a falsy value once the trajectory has reached
      1: UniFFI's ``None``, BoltFFI's ``0``; a trajectory's values are all >= 1) and
      ``position()``;
    - ``_failure``: the exception class (or tuple) the generated code raises;

    and overrides the static method ``_translate``, from such an exception to the contract's.

    ``_open`` makes the native object for a start; a facade whose generated constructor reports
    errors differently overrides it.
    """

    __slots__ = ("_iterator", "_start")
    _native: Any
    _failure: Any

    @staticmethod
    def _translate(error: Any) -> Exception:
        """The contract's exception for ``error``, one of ``_failure``'s (a facade's own)."""
        raise NotImplementedError

    def __init__(self, n: SupportsIndex, /) -> None:
        self._start = checked_n(n)
        try:
            self._iterator = self._open(self._start)
        except self._failure as e:
            raise self._translate(e) from None

    @classmethod
    def _open(cls, start: int) -> Any:
        return cls._native(start)

    def __iter__(self) -> GeneratedTrajectory:
        return self

    def __next__(self) -> int:
        try:
            value: int | None = self._iterator.next_value()
        except self._failure as e:
            raise self._translate(e) from None
        if not value:  # the end: None or 0 (every value of a trajectory is >= 1)
            raise StopIteration
        return value

    def __repr__(self) -> str:
        return f"Trajectory({self._start})"

    def __reduce__(self) -> tuple[type[GeneratedTrajectory], tuple[int], int]:
        """Copies and pickles: a new Rust object on the same start, at the same position."""
        position: int = self._iterator.position()
        return (type(self), (self._start,), position)

    def __setstate__(self, position: SupportsIndex, /) -> None:
        try:
            self._iterator = self._native.resume(self._start, as_u64(position, "position", 0))
        except self._failure as e:
            raise self._translate(e) from None


def module_attribute(module: str, distribution: str, name: str) -> object:
    """A facade module's ``__getattr__``: ``__version__``, read from the installed
    distribution's metadata on first use (importing importlib.metadata takes milliseconds)."""
    if name == "__version__":
        from importlib.metadata import version

        return version(distribution)
    raise AttributeError(f"module {module!r} has no attribute {name!r}")


def module_names(public: list[str]) -> list[str]:
    """A facade module's ``__dir__``: its public names and ``__version__``."""
    return sorted([*public, "__version__"])


# --- awaitable forms (docs/contract.md, "Awaitable forms") --------------------------------------

SEARCH_THREAD = "collatz-search"
"""The name of every thread a ``max_total_stopping_time_async`` runs on (tests count them)."""


class _Abandoned(BaseException):
    """Raised from a search's progress hook to end it: its task was cancelled, its loop closed,
    or the user's ``progress`` raised (a ``BaseException``: no ``except Exception`` in
    between may swallow it)."""


def running_loop(name: str) -> Any:
    """The running asyncio loop, or the contract's ``RuntimeError`` naming ``name``."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(f"{name} must be awaited in a running asyncio event loop") from None


class LoopWatch:
    """The callbacks a native awaited search (UniFFI's and BoltFFI's ``Search``) calls on its
    own thread at each progress report, before anything else: ``on_progress`` answers ``True``
    (stop) once the loop the search reports to has been closed, its task abandoned (a cancelled
    task frees the native future, which stops the search without asking)."""

    __slots__ = ("_loop",)

    def __init__(self, loop: Any) -> None:
        self._loop = loop

    def on_visit(self, value: int) -> bool:  # pragma: no cover - a search visits nothing
        return True

    def on_progress(self, done: int, total: int) -> bool:
        return bool(self._loop.is_closed())


async def awaited_search(
    search: Any,
    progress: Callable[[int, int], object] | None,
    *,
    answer: Callable[[Any], tuple[int, int] | None],
    failures: tuple[type[BaseException], ...],
    translate: Callable[[Any], BaseException],
    finished: Callable[[], bool] | None = None,
) -> tuple[int, int]:
    """The answer of a native ``Search`` (UniFFI's, BoltFFI's: a search on a Rust thread whose
    ``next_event`` is a Rust ``async fn``), awaited one event at a time: ``answer(event)`` is
    the answer, or ``None`` for a progress report, which goes to ``progress`` here, on the
    loop's thread. However this ends (the answer, an error, a raising ``progress``, the task
    cancelled), the search is stopped. ``finished``, if given, is awaited before the answer is
    handed over: the search's thread, once it has posted the answer, may still be on its way
    out of Python, and the interpreter may exit as soon as the caller has the answer."""
    import asyncio

    try:
        while True:
            try:
                event = await search.next_event()
            except failures as e:
                raise translate(e) from None
            best = answer(event)
            if best is not None:
                while finished is not None and not finished():
                    await asyncio.sleep(0)  # a loop cycle lets the GIL go: microseconds
                return best
            progress(event.done, event.total)  # type: ignore[misc]
    finally:
        search.stop()


_workers: Any = None
"""The pool the trivial awaitable calls run on (made on first use, dropped in a forked
child, whose copy would have no threads)."""


def _pool() -> Any:
    global _workers
    if _workers is None:
        import os
        from concurrent.futures import ThreadPoolExecutor

        _workers = ThreadPoolExecutor(
            max_workers=min(32, (os.cpu_count() or 1) + 4), thread_name_prefix="collatz-await"
        )
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_forget_pool)
    return _workers


def _forget_pool() -> None:
    global _workers
    _workers = None


class _Search:
    """One awaited search: what its thread and its loop share."""

    __slots__ = ("future", "loop", "progress", "stopped")

    def __init__(self, loop: Any, progress: Callable[[int, int], object] | None) -> None:
        self.loop = loop
        self.future = loop.create_future()
        self.progress = progress
        self.stopped = False

    def run(self, search: Callable[..., tuple[int, int]], limit: object) -> None:
        """The search's thread: the synchronous call, its outcome posted to the loop."""
        try:
            result = search(limit, progress=self.report)
        except _Abandoned:
            return  # nobody awaits a result any more
        except BaseException as e:
            self.post(self.fail, e)
        else:
            self.post(self.succeed, result)

    def report(self, done: int, total: int) -> None:
        """The synchronous call's ``progress`` (on the search's thread): end the search once
        nobody waits for it; post the report to the loop for the user's ``progress``."""
        if self.stopped or self.loop.is_closed():
            raise _Abandoned
        if self.progress is not None:
            self.post(self.deliver, done, total)

    def post(self, callback: Callable[..., None], *args: object) -> None:
        try:
            self.loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop was closed meanwhile: nothing to tell
            self.stopped = True
            raise _Abandoned from None

    # --- on the loop's thread, in the order posted ---

    def deliver(self, done: int, total: int) -> None:
        if self.stopped or self.future.done():
            return
        try:
            self.progress(done, total)  # type: ignore[misc]
        except BaseException as e:
            self.stopped = True  # the search's next report ends it
            self.future.set_exception(e)

    def succeed(self, result: tuple[int, int]) -> None:
        if not self.future.done():
            self.future.set_result(result)

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


def awaitable_forms(
    module: str,
    total_stopping_time: Callable[[Any], int],
    max_total_stopping_time: Callable[..., tuple[int, int]],
) -> tuple[
    Callable[[SupportsIndex], Coroutine[Any, Any, int]],
    Callable[..., Coroutine[Any, Any, tuple[int, int]]],
]:
    """A front end's ``total_stopping_time_async`` and ``max_total_stopping_time_async``
    (docs/contract.md, "Awaitable forms"), over its synchronous calls, for module ``module``.

    The search runs on a thread of its own (named :data:`SEARCH_THREAD`), which posts
    ``progress`` reports and its outcome to the loop with ``loop.call_soon_threadsafe``; once
    the task is cancelled, the loop closed or ``progress`` has raised, its next progress
    report ends it (every ``PROGRESS_NUMBERS`` numbers: milliseconds). The trivial call runs
    on a pool of threads, as ``asyncio.to_thread`` does.
    """

    async def total_stopping_time_async(n: SupportsIndex, /) -> int:
        """``total_stopping_time(n)``, awaited: run on a worker thread, the loop left free."""
        loop = running_loop("total_stopping_time_async")
        result: int = await loop.run_in_executor(_pool(), total_stopping_time, n)
        return result

    async def max_total_stopping_time_async(
        limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
    ) -> tuple[int, int]:
        """``max_total_stopping_time(limit, progress=progress)``, awaited: the search runs on
        a thread of its own, ``progress`` on the loop's thread; cancelling the task stops the
        search within milliseconds."""
        import threading

        loop = running_loop("max_total_stopping_time_async")
        limit = as_u64(limit, "limit", 2)  # the arguments in order, before any thread starts
        check_callable(progress, "progress", optional=True)
        search = _Search(loop, progress)
        threading.Thread(
            target=search.run, args=(max_total_stopping_time, limit), name=SEARCH_THREAD, daemon=True
        ).start()
        try:
            return await search.future  # type: ignore[no-any-return]
        finally:
            search.stopped = True  # cancelled (or done): the next report ends the search

    for function in (total_stopping_time_async, max_total_stopping_time_async):
        function.__module__ = module
        function.__qualname__ = function.__name__
    return total_stopping_time_async, max_total_stopping_time_async


# --- interpreters ----------------------------------------------------------------------------


def in_main_interpreter() -> bool:
    """Whether this is the main interpreter (not a subinterpreter, CPython 3.12+)."""
    import _thread

    check = getattr(_thread, "_is_main_interpreter", None)  # CPython 3.12+
    return True if check is None else bool(check())


def refuse_subinterpreters(module: str, why: str) -> None:
    """``ImportError`` saying why, unless this is the main interpreter (docs/interpreters.md)."""
    if not in_main_interpreter():
        raise ImportError(f"{module} cannot be loaded in a subinterpreter: {why}")


# --- interrupts in finalizers ----------------------------------------------------------------

_rescued: set[object] = set()


def rescue_interrupts_in(*finalizers: Any) -> None:
    """Deliver again a ``KeyboardInterrupt`` that lands in one of these ``__del__`` methods.

    A finalizer written in Python runs Python's signal handlers at its first bytecode, and
    CPython prints and drops an exception raised there ("Exception ignored in ..."): a
    Ctrl-C that arrives while a front end's object is being freed would be lost. Front ends
    whose binding cannot free in C (ctypes, UniFFI's generated classes) register their
    finalizers here; a ``sys.unraisablehook`` (installed once, passing everything else to the
    hook before it) has SIGINT simulated again for the main thread once the hook has returned
    (from a short-lived thread: inside the hook, the handler would raise into the hook), so
    the interrupt reaches the code that was running. The object being freed keeps its native
    memory (a few hundred bytes, once per such interrupt).
    """
    import sys

    if not _rescued:
        previous = sys.unraisablehook

        def hook(unraisable: Any) -> None:
            if isinstance(unraisable.exc_value, KeyboardInterrupt) and unraisable.object in _rescued:
                import _thread

                try:
                    _thread.start_new_thread(_interrupt_main_soon, ())
                    return
                except RuntimeError:  # the interpreter is shutting down: report it as usual
                    pass
            previous(unraisable)

        sys.unraisablehook = hook
    _rescued.update(finalizers)


def _interrupt_main_soon() -> None:
    import _thread
    import time

    time.sleep(0.001)  # let the main thread leave the hook first
    _thread.interrupt_main()
