"""collatz-core for Python through BoltFFI.

``boltffi pack python`` generates a low-level package (``collatz_boltffi._native``): a CPython
extension of ``METH_FASTCALL`` functions and a Python module of ``def``s around it, taking and
returning plain ``int``, raising ``CollatzErrorException`` (a ``RuntimeError``) with the Rust
error as a dataclass, moving bulk data as packed bytes, with a ``TrajectoryIterator`` class, a
``Job`` class and a ``Callbacks`` trait that Python objects implement. This facade presents the
project's contract over it, as every other front end does. What it adds to BoltFFI:

- **Arguments**: BoltFFI converts with ``PyLong_AsUnsignedLongLong`` (``int`` only: no
  ``__index__``, so numpy integers are refused; ``OverflowError`` for negatives). Exact ``int``
  arguments go straight through; anything else is checked by ``as_u64`` first.
- **Errors**: ``CollatzErrorException`` becomes the built-in exception of the error's kind.
- **Callbacks**: BoltFFI prints and drops an exception raised in a callback;
  :class:`~collatz_boltffi._glue.NativeCall` keeps it and asks Rust to stop.
- **The GIL**: BoltFFI's functions hold it for the whole call. Long work (``iterate`` with a
  large ``k``, large ``total_stopping_times``, ``max_total_stopping_time``) runs as a Rust
  ``Job`` on a thread of its own; the caller waits on a lock, the GIL released and Ctrl-C
  delivered, and runs ``progress`` itself, on the calling thread. ``walk`` keeps the GIL
  between visits, as a Python loop does.
"""

from __future__ import annotations

import _thread

from ._glue import refuse_subinterpreters

# The generated C extension takes the GIL for a callback from a Rust thread with
# PyGILState_Ensure, which knows only the main interpreter: in a subinterpreter, a job's
# callback would run under the wrong interpreter (docs/interpreters.md: seen to hang on 3.13).
refuse_subinterpreters(
    "collatz_boltffi",
    "BoltFFI's generated module takes the GIL for callbacks from Rust threads with "
    "PyGILState_Ensure, which attaches to the main interpreter",
)

from . import _native as _generated
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
    register_unsafe,
    rescue_interrupts_in,
    running_loop,
    wide,
)
from ._native import (
    CollatzErrorException as _FfiFailure,
)
from ._native import (
    Job as _Job,
)
from ._native import (
    Search as _FfiSearch,
)
from ._native import (
    SearchEventDone as _FfiDone,
)
from ._native import (
    TrajectoryIterator as _FfiTrajectory,
)
from ._native import __file__ as _generated_file
from ._native import (
    iterate as _ffi_iterate,
)
from ._native import (
    parity_vector as _ffi_parity_vector,
)
from ._native import (
    residue as _ffi_residue,
)
from ._native import (
    stats as _ffi_stats,
)
from ._native import (
    step as _ffi_step,
)
from ._native import (
    total_stopping_time as _ffi_total_stopping_time,
)
from ._native import (
    total_stopping_time_async as _ffi_total_stopping_time_async,
)
from ._native import (
    total_stopping_times_bytes as _ffi_bulk,
)
from ._native import (
    trajectory_bytes as _ffi_trajectory_bytes,
)
from ._native import (
    walk as _ffi_walk,
)

TYPE_CHECKING = False  # not typing's: importing typing takes milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, SupportsIndex

    import numpy as np
    import numpy.typing as npt

# Typed `bytes` by BoltFFI's stub; it reads any C-contiguous buffer (PyObject_GetBuffer).
_ffi_total_stopping_times_bytes: Callable[[memoryview], bytes] = _ffi_bulk  # type: ignore[assignment]
# BoltFFI's C extension, the generated module's `_native` (it has no stub).
_c_step: Callable[[int], int]
_c_iterate: Callable[[int, int], int]
_c_total_stopping_time: Callable[[int], int]
_c_step, _c_iterate, _c_total_stopping_time = (
    vars(_generated)["_native"].step,
    vars(_generated)["_native"].iterate,
    vars(_generated)["_native"].total_stopping_time,
)

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

# Rust calls NativeCall's methods directly from C; the generated module's frames (the lambdas
# its functions call through) are where an exception would become BoltFFI's own: a signal
# arriving there is delivered later, inside NativeCall's `try` (_glue._Sigint). The generated
# classes free their Rust objects in a Python __del__, where a Ctrl-C would be dropped: it is
# delivered again.
register_unsafe(files=(_generated_file,))
rescue_interrupts_in(_FfiTrajectory.__del__, _Job.__del__)

# iterate calls with at least this many steps, and total_stopping_times of at least this many
# values, run as a Job (the GIL released); shorter ones on the calling thread, which is cheaper
# than starting a thread.
_LONG_K = 1 << 24
_LONG_BULK = 1 << 12


# Each generated variant class (``CollatzErrorInvalid``, …: one per core error kind and the
# caught panic) to its kind: matched by identity when an error arrives, looked up here once, so
# a variant the generated module lacks fails the import, not the first call that reports it.
_KINDS: dict[type, str] = {getattr(_generated, f"CollatzError{kind}"): kind for kind in KIND_EXCEPTIONS}


def _translate(error: _FfiFailure) -> Exception:
    """The built-in exception for BoltFFI's ``CollatzErrorException``: its ``error`` is one of
    the generated dataclasses ``CollatzErrorInvalid``, ``…Overflow``, ``…Argument``, ``…Panic``
    (a panic caught by the crate: BoltFFI itself would abort the process)."""
    detail: Any = error.error  # a variant: each has a `message`
    kind = _KINDS.get(type(detail))
    if kind is None:  # pragma: no cover - every variant is in _KINDS (checked at import)
        return RuntimeError(f"unexpected error from the generated bindings: {detail!r}")
    if kind == "Panic":
        return panic_error(detail.message)
    return error_for(kind, detail.message)


# The scalar calls go to BoltFFI's C entry points (``_native._native``) directly: the generated
# ``def`` around a fallible call (``_boltffi_call`` running a lambda) costs several times the
# call itself. A Rust error comes out of the C entry as a ``RuntimeError`` carrying BoltFFI's
# encoded error; the facade then calls the generated ``def`` again (the functions are pure) to
# have BoltFFI decode it (``_decoded``). The C entries raise ``OverflowError`` for every ``int``
# outside the u64 range (negative ones too) and ``TypeError`` for anything but an ``int``: the
# facade passes exact ``int``s only and, on that ``OverflowError``, looks at the arguments
# again (``as_u64``) to raise the contract's exception instead, with messages that name the
# argument. Anything else goes through ``as_u64`` first, which calls ``__index__`` once.


def _decoded(function: Callable[..., int], *args: int) -> int:
    """Call the generated ``function`` whose C entry failed: raise its error, translated."""
    try:
        result = function(*args)
    except _FfiFailure as e:
        raise _translate(e) from None
    return result  # pragma: no cover - the C entry failed, so this call fails the same way


def step(n: SupportsIndex, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    if n.__class__ is int:
        try:
            return _c_step(n)
        except RuntimeError:
            return _decoded(_ffi_step, n)
        except OverflowError:
            pass
    return step(as_u64(n, "n", 1))


def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """``step`` applied ``k`` times (a real loop of ``k`` steps); ``k = 0`` returns ``n``."""
    if n.__class__ is int and k.__class__ is int and k < _LONG_K:
        try:
            return _c_iterate(n, k)
        except RuntimeError:
            return _decoded(_ffi_iterate, n, k)
        except OverflowError:
            pass
    n, k = as_u64(n, "n", 1), as_u64(k, "k", 0)
    if k < _LONG_K:
        return iterate(n, k)
    value: int = _run(_Job.iterate, (n, k), "value")
    return value


def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    if n.__class__ is int:
        try:
            return _c_total_stopping_time(n)
        except RuntimeError:
            return _decoded(_ffi_total_stopping_time, n)
        except OverflowError:
            pass
    return total_stopping_time(as_u64(n, "n", 1))


def total_stopping_times(values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]:
    """The total stopping time of every element of a 1-D array or sequence of integers.

    The values cross as one ``bytes``-like buffer each way (read by Rust in place on the way
    in), never element by element; large inputs run as a ``Job``, the GIL released.
    """
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    array = as_u64_array(values)
    buffer = array.data.cast("B")
    if array.shape[0] >= _LONG_BULK:
        packed = _run(_Job.total_stopping_times, (buffer,), "bytes")
    else:
        try:
            packed = _ffi_total_stopping_times_bytes(buffer)
        except _FfiFailure as e:
            raise _translate(e) from None
    return np.frombuffer(packed, dtype=np.uint64).copy()


class _Waiter:
    """What the caller of a ``Job`` waits on (:func:`_run`): the latest progress, whether the
    job's thread is finished with Python, and ``wake``, a lock released to wake the caller."""

    __slots__ = ("finished", "latest", "stop", "wake")

    def __init__(self) -> None:
        self.wake = _thread.allocate_lock()
        self.wake.acquire()
        self.finished = False
        self.stop = False
        self.latest: tuple[int, int] | None = None

    def wake_up(self) -> None:
        try:
            self.wake.release()
        except RuntimeError:
            pass  # already released: the caller has a wake-up coming


class _JobCallbacks:
    """The ``Callbacks`` a ``Job``'s thread holds (BoltFFI takes the GIL for each call, and to
    let go of it). Only the Rust side holds it, so it is freed — ``__del__``, on the job's
    thread — when the thread lets go of it, the last thing the thread does with Python: then
    the caller may return (see ``Job`` in ``src/lib.rs``)."""

    __slots__ = ("waiter",)

    def __init__(self, waiter: _Waiter) -> None:
        self.waiter = waiter

    def on_visit(self, value: int) -> bool:  # pragma: no cover - a Job never visits
        return True

    def on_progress(self, done: int, total: int) -> bool:
        waiter = self.waiter
        waiter.latest = (done, total)
        waiter.wake_up()
        return waiter.stop

    def __del__(self) -> None:
        self.waiter.finished = True
        self.waiter.wake_up()


def _run(
    start: Callable[..., Any],
    args: tuple[Any, ...],
    result: str,
    progress: Callable[[int, int], object] | None = None,
) -> Any:
    """Start a ``Job`` (``start(*args, callbacks)``), wait for it with the GIL released, calling
    ``progress`` here as it reports, and return its ``result`` (the method's name) — or raise
    what stopped it: a Rust error, or what ``progress`` or a signal handler raised."""
    waiter = _Waiter()
    try:
        job = start(*args, _JobCallbacks(waiter))
    except _FfiFailure as e:
        raise _translate(e) from None
    error: BaseException | None = None
    delivered = None
    while not waiter.finished:
        try:
            waiter.wake.acquire()  # the GIL is released; a signal handler runs here
            latest = waiter.latest
            if progress is not None and error is None and latest is not delivered and not waiter.finished:
                delivered = latest
                progress(*latest)  # type: ignore[misc]
        except BaseException as e:  # progress raised, or Ctrl-C: stop the work, then raise it
            if error is None:
                error = e
                waiter.stop = True
    try:
        if progress is not None and error is None and waiter.latest is not delivered:
            progress(*waiter.latest)  # type: ignore[misc]  # the last report: done == total
        value = getattr(job, result)()
    except _FfiFailure as e:
        if error is None:
            raise _translate(e) from None
    except BaseException as e:
        if error is None:
            error = e
    if error is not None:
        raise error
    return value


def max_total_stopping_time(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``(n, total_stopping_time(n))`` for the ``n < limit`` with the longest total stopping time.

    The search runs as a ``Job`` (all cores, the GIL released); ``progress(done, total)``, if
    given, is called on the calling thread as it reports.
    """
    limit = as_u64(limit, "limit", 2)
    check_callable(progress, "progress", optional=True)
    best = _run(_Job.max_total_stopping_time, (limit,), "record", progress)
    return best.n, best.steps


def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory ``n, step(n), …, 1`` as a new array (one ``bytes`` from Rust)."""
    import numpy as np  # on first use, not with the module: importing numpy takes tens of ms

    n = checked_n(n)
    try:
        packed = _ffi_trajectory_bytes(n)
    except _FfiFailure as e:
        raise _translate(e) from None
    return np.frombuffer(packed, dtype=np.uint64).copy()


def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call ``visit(x)`` for each value of the trajectory of ``n``, from Rust; return the
    number of values visited. The GIL is held between visits, as in a Python loop."""
    n = checked_n(n)
    check_callable(visit, "visit")
    with NativeCall(visit=visit) as call:
        try:
            count: int | None = _ffi_walk(n, call)
        except _FfiFailure as e:
            raise _translate(e) from None
    if count is None:
        call.raise_stopped()
    call.check_visits(count)  # type: ignore[arg-type]
    return count  # type: ignore[return-value]


def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of ``n`` (``1 <= n <= 2**128 - 1``): BoltFFI's record (a
    frozen dataclass, its 128-bit integers in ``_hi``/``_lo`` halves: BoltFFI's Python target has
    no ``u128``), turned into the contract's record."""
    hi, lo = halves(as_u128(n, "n"))
    try:
        record = _ffi_stats(hi, lo)
    except _FfiFailure as e:
        raise _translate(e) from None
    return Stats.from_halves(record)


def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The Terras parities of ``n`` up to the first 1, or the first ``k`` (a ``String`` from
    Rust)."""
    hi, lo = halves(as_u128(n, "n"))
    count = None if k is None else as_parity_count(k)
    try:
        text: str = _ffi_parity_vector(hi, lo, count)
    except _FfiFailure as e:
        raise _translate(e) from None
    return text


def residue(vector: str, /) -> int:
    """The ``r`` with ``1 <= r <= 2**len(vector)`` whose first Terras parities are ``vector``."""
    checked_vector(vector)
    # The characters (an exact str): a subclass's methods are never called (the contract).
    text = vector if vector.__class__ is str else str.__str__(vector)
    try:
        r = _ffi_residue(text)
    except _FfiFailure as e:
        raise _translate(e) from None
    return wide(r.hi, r.lo)


class Trajectory(GeneratedTrajectory):
    """The trajectory ``n, step(n), …, 1`` as an iterator over a BoltFFI object (its state in
    Rust, freed with this object): the glue's :class:`GeneratedTrajectory` over the generated
    class."""

    __slots__ = ()
    _native = _FfiTrajectory
    _failure = _FfiFailure

    @staticmethod
    def _translate(error: _FfiFailure) -> Exception:
        return _translate(error)

    @classmethod
    def _open(cls, start: int) -> Any:
        try:
            return _FfiTrajectory(start)
        except RuntimeError as e:
            raise _constructor_failure(e) from None


def _constructor_failure(error: RuntimeError) -> Exception:
    """The generated failure a BoltFFI constructor reported: its C entry lets the error out
    undecoded (a ``RuntimeError`` whose argument is the encoded ``CollatzError``), decoded
    here with the generated reader. Not by calling again (``resume`` decodes its own errors):
    after an out-of-memory refusal the first call used up the core's reserve, and a second
    call's error path found no memory and aborted (about 2 runs in 100 of the out-of-memory
    test)."""
    data = error.args[0] if error.args else None
    if not isinstance(data, bytes):
        return error
    generated: Any = _generated  # its stubs leave out the private wire reader
    return _FfiFailure(generated.CollatzError._boltffi_from_wire(data))


__version__: str
"""The installed distribution's version (read from its metadata on first use, by
``__getattr__`` below: importing importlib.metadata takes milliseconds). Declared here so that
type checkers see a ``str``."""


def __getattr__(name: str) -> object:
    return module_attribute(__name__, "collatz-boltffi", name)


# The awaitable forms (docs/contract.md): the shared glue's thread and call_soon_threadsafe,
# over this module's synchronous calls.
# --- the awaitable forms (docs/contract.md, "Awaitable forms, per front end"): BoltFFI's own
# async functions, `async def`s whose Rust future asyncio polls.


async def total_stopping_time_async(n: SupportsIndex, /) -> int:
    """``total_stopping_time(n)``, awaited: a Rust ``async fn``, computed when BoltFFI first
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
    ``progress`` is called here, on the loop's thread. Cancelling the task stops the search: it
    ends at its next report (milliseconds)."""
    loop = running_loop("max_total_stopping_time_async")
    limit = as_u64(limit, "limit", 2)
    check_callable(progress, "progress", optional=True)
    try:
        search = _FfiSearch(limit, progress is not None, LoopWatch(loop))
    except _FfiFailure as e:
        raise _translate(e) from None
    return await awaited_search(
        search,
        progress,
        answer=_answer,
        failures=(_FfiFailure,),
        translate=_translate,
        finished=search.finished,
    )


def _answer(event: Any) -> tuple[int, int] | None:
    """A ``SearchEvent``'s answer; ``None`` for a progress report."""
    if event.__class__ is _FfiDone:
        return event.best.n, event.best.steps
    return None


class _Loop:
    """What BoltFFI's poll is given for the loop: its wake callback, on whichever thread wakes
    the Rust future, calls ``loop.call_soon_threadsafe(future.set_result, code)``, unguarded. On
    a loop closed under an abandoned task that raises inside the callback, which prints it
    ("Exception ignored"); this leaves a closed loop alone, as PyO3's waker does."""

    __slots__ = ("_loop",)

    def __init__(self, loop: Any) -> None:
        self._loop = loop

    def call_soon_threadsafe(self, set_result: Any, code: int) -> None:
        try:
            self._loop.call_soon_threadsafe(set_result, code)
        except RuntimeError:
            if not self._loop.is_closed():
                raise


class _Future:
    """What BoltFFI's poll is given for the asyncio future its wake resolves: a task
    cancelled while it awaits one has it cancelled, and BoltFFI's cancel then wakes it anyway,
    so an unguarded ``set_result`` would log ``InvalidStateError`` ("Exception in callback
    Future.set_result(0)") on every cancellation."""

    __slots__ = ("_future",)

    def __init__(self, future: Any) -> None:
        self._future = future

    def set_result(self, code: int) -> None:
        if not self._future.done():
            self._future.set_result(code)


def _guard_poll(name: str) -> None:
    """Have the generated package call BoltFFI's poll ``name`` (a function of its C extension,
    looked up at each call) with :class:`_Loop` and :class:`_Future` standing in."""
    c_module = vars(_generated)["_native"]
    poll = getattr(c_module, name)

    def guarded_poll(handle: int, loop: Any, future: Any) -> None:
        poll(handle, _Loop(loop), _Future(future))

    setattr(c_module, name, guarded_poll)


_guard_poll("total_stopping_time_async__poll")
_guard_poll("_boltffi_search_next_event__poll")


def __dir__() -> list[str]:
    return module_names(__all__)
