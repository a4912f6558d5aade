"""collatz-core for Python through UniFFI.

UniFFI generates a low-level module (``collatz_uniffi._native``): plain ``int`` arguments, a
``CollatzFfiError`` exception class, bulk data as packed bytes, a ``TrajectoryIterator``
object, and a ``Callbacks`` callback interface through which Rust calls Python. This facade
presents the project's contract over it: the same functions, built-in exceptions and numpy
arrays as every other backend. Its one ``Callbacks`` implementation,
:class:`~collatz_uniffi._glue.NativeCall`, keeps any exception a callback raises and
asks Rust to stop; the facade re-raises it when the call returns.
"""

from __future__ import annotations

from ._glue import (
    KIND_EXCEPTIONS,
    GeneratedTrajectory,
    LoopWatch,
    NativeCall,
    Stats,
    as_parity_count,
    as_u64,
    as_u64_array,
    as_u128,
    awaited_search,
    check_callable,
    checked_n,
    checked_vector,
    error_for,
    halves,
    module_attribute,
    module_names,
    panic_error,
    refuse_subinterpreters,
    register_unsafe,
    rescue_interrupts_in,
    running_loop,
    wide,
)

# UniFFI's generated module registers its callbacks with the Rust library once per process (one
# vtable, whichever interpreter imported it last): a second interpreter would send the first
# one's callbacks to itself, or to an interpreter already destroyed (docs/interpreters.md).
refuse_subinterpreters(
    "collatz_uniffi",
    "UniFFI registers its callbacks with the Rust library once per process, so interpreters "
    "would call each other's",
)
import ctypes  # the generated module imports it anyway

from ._native import collatz_uniffi as _generated

TYPE_CHECKING = False  # not typing's: importing typing takes milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, SupportsIndex

    import numpy as np
    import numpy.typing as npt

__all__ = [
    "Trajectory",
    "iterate",
    "max_total_stopping_time",
    "max_total_stopping_time_async",
    "parity_vector",
    "residue",
    "stats",
    "step",
    "total_stopping_time",
    "total_stopping_time_async",
    "total_stopping_times",
    "trajectory",
    "walk",
]

_ffi: Any = _generated  # generated code, typed loosely
_FfiFailure: tuple[type[Exception], ...] = (
    _ffi.CollatzFfiError,
    _ffi.InternalError,
    ctypes.ArgumentError,
)
_ffi_step: Callable[[SupportsIndex], int] = _ffi.step
_ffi_iterate: Callable[[SupportsIndex, SupportsIndex], int] = _ffi.iterate
_ffi_total_stopping_time: Callable[[SupportsIndex], int] = _ffi.total_stopping_time
_FfiTrajectory: Any = _ffi.TrajectoryIterator
# Rust calls NativeCall's methods through the generated module's trampolines, where an
# exception would become UniFFI's own error: a signal arriving there is delivered later,
# inside NativeCall's `try` (_glue._Sigint). The generated classes free their Rust objects in a
# Python __del__, where a Ctrl-C would be dropped: it is delivered again.
register_unsafe(files=(_generated.__file__,))
rescue_interrupts_in(_FfiTrajectory.__del__)


def _keep_the_gil(symbol: str) -> None:
    """Have the generated module call its C function ``symbol`` with the GIL held.

    UniFFI's generated code calls Rust through ``ctypes.CDLL``, which releases the GIL for the
    call. For ``walk``, whose every value calls back into Python, that is a release and a
    re-acquire per value, microseconds apart, and CPython then never hands the GIL to a
    waiting thread (it asks for a switch only after 5 ms without one): other threads starve.
    The same symbol through ``ctypes.PyDLL`` keeps the GIL for the whole call, as a Python loop
    would; the generated code looks the function up on its library object at each call.
    The buffer ``walk`` returns its count in is freed by another C call right after: a GIL
    release there, once per walk, starves a waiting thread the same way when walks are short,
    so that instant call keeps the GIL too.
    """
    library = _ffi._UniffiLib
    declared = getattr(library, symbol)
    kept = getattr(ctypes.PyDLL(library._name), symbol)
    kept.argtypes, kept.restype = declared.argtypes, declared.restype
    setattr(library, symbol, kept)


_keep_the_gil("uniffi_collatz_uniffi_fn_func_walk")
_keep_the_gil("ffi_collatz_uniffi_rustbuffer_free")
# iterate calls with at least this many steps poll for Ctrl-C (iterate_polled).
_LONG_K = 1 << 24


# Each variant class of the Rust ``CollatzFfiError`` (one per core error kind), to its kind:
# matched by identity when an error arrives, looked up here once, so a variant the generated
# module lacks fails the import, not the first call that reports it.
_KINDS: dict[type, str] = {
    getattr(_ffi.CollatzFfiError, kind): kind for kind in KIND_EXCEPTIONS if kind != "Panic"
}


def _translate(error: Exception) -> Exception:
    """The built-in exception for an error raised by the generated module: a variant of the
    Rust ``CollatzFfiError`` by its class (:data:`_KINDS`); UniFFI's own ``InternalError`` is a
    caught panic."""
    if isinstance(error, _ffi.InternalError):
        return panic_error(error)
    kind = _KINDS.get(type(error))
    if kind is not None:
        return error_for(kind, str(error))
    if isinstance(error, ctypes.ArgumentError):
        # ctypes could not convert an argument; it keeps only the reason's name and text.
        return MemoryError(str(error)) if ": MemoryError:" in str(error) else error
    return RuntimeError(f"unexpected error from the generated bindings: {error!r}")  # pragma: no cover


# The generated functions check their arguments themselves (the u64 range), raising
# ``ValueError`` for every value out of it. The facade passes them exact ``int``s only and, on
# that exception, looks at the arguments again (``as_u64``) to raise the contract's exception
# instead: ``OverflowError`` above ``2**64 - 1``, and messages that name the argument. Anything
# else goes through ``as_u64`` first, which calls ``__index__`` once (what it raises propagates
# unchanged) and returns an exact ``int``.


def step(n: SupportsIndex, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    if n.__class__ is int:
        try:
            return _ffi_step(n)
        except _FfiFailure as e:
            raise _translate(e) from None
        except ValueError:
            pass
    return step(as_u64(n, "n", 1))


def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int and k < _LONG_K:
        try:
            return _ffi_iterate(n, k)
        except _FfiFailure as e:
            raise _translate(e) from None
        except ValueError:
            pass
    n, k = as_u64(n, "n", 1), as_u64(k, "k", 0)
    if k < _LONG_K:
        return iterate(n, k)
    result: int = _call(_ffi.iterate_polled, n, k, call=NativeCall())
    return result


def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int:
        try:
            return _ffi_total_stopping_time(n)
        except _FfiFailure as e:
            raise _translate(e) from None
        except ValueError:
            pass
    return total_stopping_time(as_u64(n, "n", 1))


def total_stopping_times(values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]:
    """The total stopping time of every element of a 1-D array or sequence of integers.

    The values cross as one ``bytes`` object each way (borrowed by Rust without a copy on
    the way in), never element by element.
    """
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    array = as_u64_array(values)
    try:
        packed = _ffi.total_stopping_times_bytes(array.tobytes())
    except _FfiFailure as e:
        raise _translate(e) from None
    return np.frombuffer(packed, dtype=np.uint64).copy()


def _callback_failure(error: Exception) -> Exception:
    """What UniFFI reports when its generated code around a callback raised: ``NativeCall``
    keeps every exception of the callback itself, so this is the generated trampoline failing
    (lifting the argument, writing the answer), with the ``repr`` of what it raised as the
    reason — empty when even that could not be made. Out of memory is a ``MemoryError``."""
    reason = str(error)
    if 'reason: ""' in reason or "MemoryError" in reason:
        return MemoryError(f"UniFFI's generated callback code ran out of memory: {reason}")
    return panic_error(reason)


def _call(function: Callable[..., Any], *args: Any, call: NativeCall) -> Any:
    """A generated function that takes ``call`` as its ``Callbacks``: its result, or what made
    it fail, or the exception a callback raised (when it returns ``None``: stopped)."""
    with call:
        try:
            result = function(*args, call)
        except _FfiFailure as e:
            if isinstance(e, _ffi.InternalError) and "UnexpectedUniFFICallbackError" in str(e):
                raise _callback_failure(e) from None
            raise _translate(e) from None
    if result is None:
        call.raise_stopped()
    return result


def max_total_stopping_time(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``(n, total_stopping_time(n))`` for the ``n < limit`` with the longest total stopping time.

    ``progress(done, total)``, if given, is called from Rust as the search goes.
    """
    limit = as_u64(limit, "limit", 2)
    check_callable(progress, "progress", optional=True)
    best = _call(_ffi.max_total_stopping_time, limit, call=NativeCall(progress=progress))
    return best.n, best.steps


def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory ``n, step(n), …, 1`` as a new array (one ``bytes`` from Rust)."""
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    n = checked_n(n)
    try:
        packed = _ffi.trajectory_bytes(n)
    except _FfiFailure as e:
        raise _translate(e) from None
    return np.frombuffer(packed, dtype=np.uint64).copy()


def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call ``visit(x)`` for each value of the trajectory of ``n``, from Rust; return the
    number of values visited."""
    n = checked_n(n)
    check_callable(visit, "visit")
    call = NativeCall(visit=visit)
    count: int = _call(_ffi.walk, n, call=call)
    call.check_visits(count)
    return count


def _wide(value: int) -> Any:
    hi, lo = halves(value)
    return _ffi.Wide(hi=hi, lo=lo)


def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of ``n`` (``1 <= n <= 2**128 - 1``): UniFFI's record (a
    dataclass, its 128-bit integers in ``Wide`` halves: UniFFI has no ``u128``), turned into
    the contract's record."""
    try:
        record = _ffi.stats(_wide(as_u128(n, "n")))
    except _FfiFailure as e:
        raise _translate(e) from None
    return Stats(
        wide(record.n.hi, record.n.lo),
        record.total_stopping_time,
        record.stopping_time,
        wide(record.peak.hi, record.peak.lo),
        record.odd_steps,
    )


def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of ``n`` up to the first 1, or the first ``k`` (a ``String`` from
    Rust, through a ``RustBuffer``)."""
    start = _wide(as_u128(n, "n"))
    count = None if k is None else as_parity_count(k)
    try:
        text: str = _ffi.parity_vector(start, count)
    except _FfiFailure as e:
        raise _translate(e) from None
    return text


def residue(vector: str, /) -> int:
    """The ``r`` with ``1 <= r <= 2**len(vector)`` whose first Terras parities are ``vector``."""
    checked_vector(vector)
    # The characters (an exact str): a subclass's methods are never called (the contract).
    text = vector if vector.__class__ is str else str.__str__(vector)
    try:
        r = _ffi.residue(text)
    except _FfiFailure as e:
        raise _translate(e) from None
    return wide(r.hi, r.lo)


class Trajectory(GeneratedTrajectory):
    """The trajectory ``n, step(n), …, 1`` as an iterator over a UniFFI object (its state in
    Rust, freed with this object): the glue's :class:`GeneratedTrajectory` over the generated
    class."""

    __slots__ = ()
    _native = _FfiTrajectory
    _failure = _FfiFailure

    @staticmethod
    def _translate(error: Exception) -> Exception:
        return _translate(error)


__version__: str
"""The installed distribution's version (read from its metadata on first use, by
``__getattr__`` below: importing importlib.metadata takes milliseconds). Declared here so that
type checkers see a ``str``."""


def __getattr__(name: str) -> object:
    return module_attribute(__name__, "collatz-uniffi", name)


# --- the awaitable forms (docs/contract.md, "Awaitable forms, per front end"): UniFFI's own
# `async fn`, which the generated module makes an `async def` that asyncio drives.

_ffi_total_stopping_time_async: Callable[[int], Any] = _ffi.total_stopping_time_async
_FfiSearch: Any = _ffi.Search
_FfiDone: Any = _ffi.SearchEvent.DONE


async def total_stopping_time_async(n: SupportsIndex, /) -> int:
    """``total_stopping_time(n)``, awaited: a Rust ``async fn``, computed when UniFFI first
    polls it, on the loop's thread."""
    running_loop("total_stopping_time_async")
    if n.__class__ is not int or not 1 <= n <= 0xFFFF_FFFF_FFFF_FFFF:
        n = as_u64(n, "n", 1)
    try:
        result: int = await _ffi_total_stopping_time_async(n)
    except _FfiFailure as e:
        raise _translate(e) from None
    return result


async def max_total_stopping_time_async(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``max_total_stopping_time(limit, progress=progress)``, awaited: a Rust ``Search`` on a
    thread of its own, whose ``next_event`` (a Rust ``async fn``) is awaited until the answer;
    ``progress`` is called here, on the loop's thread. Cancelling the task frees the awaited
    Rust future and stops the search: it ends at its next report (milliseconds)."""
    loop = running_loop("max_total_stopping_time_async")
    limit = as_u64(limit, "limit", 2)
    check_callable(progress, "progress", optional=True)
    search = _FfiSearch(limit, progress is not None, LoopWatch(loop))
    return await awaited_search(search, progress, answer=_answer, failures=_FfiFailure, translate=_translate)


def _answer(event: Any) -> tuple[int, int] | None:
    """A ``SearchEvent``'s answer; ``None`` for a progress report."""
    if event.__class__ is _FfiDone:
        return event.best.n, event.best.steps
    return None


def _continuation(handle: int, poll_code: int) -> None:
    """UniFFI's continuation callback, which the Rust waker calls (from the search's thread), with
    a closed loop left alone: the generated one calls ``call_soon_threadsafe`` unguarded, which
    raises inside a ctypes callback (printed, "Exception ignored") when the loop was closed
    under an abandoned task. The same as PyO3's waker does (it checks ``is_closed`` too)."""
    eventloop, future = _generated._UniffiContinuationHandleMap.remove(handle)
    try:
        eventloop.call_soon_threadsafe(_generated._uniffi_set_future_result, future, poll_code)
    except RuntimeError:
        if not eventloop.is_closed():
            raise


# The generated `_uniffi_rust_call_async` looks the callback up in its module at each call.
_generated._uniffi_continuation_callback = _generated._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK(_continuation)


def __dir__() -> list[str]:
    return module_names(__all__)
