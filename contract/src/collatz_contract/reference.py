"""The pure-Python reference: the blog's Collatz functions, with the project's contract
(``docs/contract.md``).

This is the specification every backend is tested against (python-tests/) and the
"pure Python" line of the benchmark. It is deliberately plain: the blog's one-step function
and loops, plus the checks of the contract (``operator.index`` semantics, ``ValueError``
below the domain, ``OverflowError`` above ``2**64 - 1`` and for any step that would leave it).

It shares no code with what it checks, not even the argument checks that ``collatz_cabi`` and
``collatz_uniffi`` ship (``glue/_glue.py``), though they read alike: a reference that imported the
code under test would agree with that code's bugs, and the tests could not see them.

Validation order, which every backend follows: arguments left to right, each checked for
type, then range; array elements in index order, all of them before any is computed, so an
invalid element is reported before an element whose trajectory overflows.
"""

from __future__ import annotations

import operator
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, SupportsIndex

if TYPE_CHECKING:  # numpy on first use, as the front ends import it: tens of milliseconds
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

U64_MAX = 2**64 - 1
MAX_PARITIES = 2**20


def collatz(n: int) -> int:
    """The blog's step function, unchecked: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    return n // 2 if n % 2 == 0 else 3 * n + 1


def describe(value: object) -> str:
    """A value's type and a bounded repr, for ``TypeError`` messages (a ``repr`` that raises
    does not replace the ``TypeError``)."""
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


U128_MAX = 2**128 - 1


def _overflow(start: int, at: int, index: int | None = None) -> OverflowError:
    where = "" if index is None else f"element {index}: "
    bound = 64 if at <= U64_MAX else 128
    if start == at:
        return OverflowError(f"{where}step({at}) overflows: 3 * {at} + 1 exceeds 2**{bound} - 1")
    return OverflowError(
        f"{where}the trajectory of {start} overflows: it reaches {at}, "
        f"and 3 * {at} + 1 exceeds 2**{bound} - 1"
    )


def _next(start: int, n: int, index: int | None = None, bound: int = U64_MAX) -> int:
    """One step, which must not exceed ``bound``: ``2**64 - 1`` where the value is handed out
    (a step, a trajectory), ``2**128 - 1`` where only a count or a final value is."""
    nxt = collatz(n)
    if nxt > bound:
        raise _overflow(start, n, index)
    return nxt


def step(n: SupportsIndex, /) -> int:
    """One Collatz step: ``n // 2`` if ``n`` is even, else ``3 * n + 1``."""
    n = as_u64(n, "n", 1)
    return _next(n, n)


def iterate(n: SupportsIndex, k: SupportsIndex, /) -> int:
    """``step`` applied ``k`` times, one at a time (the blog's ``loopCollatz``). The values on
    the way may exceed ``2**64 - 1`` (up to ``2**128 - 1``); the result may not."""
    n = as_u64(n, "n", 1)
    k = as_u64(k, "k", 0)
    x = n
    for _ in range(k):
        x = _next(n, x, bound=U128_MAX)
    if x > U64_MAX:
        raise OverflowError(f"iterate({n}, {k}) is {x}, which exceeds 2**64 - 1")
    return x


def _total_stopping_time(n: int, index: int | None = None) -> int:
    """Steps from ``n`` to 1; the values on the way may exceed ``2**64 - 1`` (a count is
    handed out, not the values), up to ``2**128 - 1``."""
    x, steps = n, 0
    while x != 1:
        x = _next(n, x, index, bound=U128_MAX)
        steps += 1
    return steps


def total_stopping_time(n: SupportsIndex, /) -> int:
    """The number of steps until ``n`` first reaches 1."""
    return _total_stopping_time(as_u64(n, "n", 1))


def _elements(values: object) -> list[int]:
    """The validated elements of ``values`` (see the module docs for the rules)."""
    numpy: Any = sys.modules.get("numpy")  # no array can exist before numpy is imported
    if numpy is not None and isinstance(values, numpy.ndarray):
        if values.ndim != 1:
            raise ValueError(
                f"values must be a 1-D array, got {values.ndim} dimensions (shape {values.shape})"
            )
        ma: Any = numpy.ma  # typed in numpy >= 2.3 only (3.10 has numpy 2.2)
        if values.dtype.kind in "iuO" and isinstance(values, ma.MaskedArray):
            # The mask after the dimensions and the dtype, before the elements (the contract).
            mask = ma.getmaskarray(values)
            if mask.any():
                raise TypeError(f"values must have no masked elements, got one at index {int(mask.argmax())}")
            data: np.ndarray[Any, Any] = ma.getdata(values)
            values = data
        if values.dtype.kind in "iu":
            items: Iterable[Any] = values.tolist()
        elif values.dtype.kind == "O":
            items = values
        else:
            raise TypeError(f"values must have an integer dtype, got {values.dtype}")
    elif isinstance(values, (str, bytes, bytearray)):
        raise TypeError(f"values must be a 1-D array or sequence of integers, got {describe(values)}")
    else:
        try:
            items = iter(values)  # type: ignore[call-overload]
        except TypeError:
            raise TypeError(
                f"values must be a 1-D array or sequence of integers, got {describe(values)}"
            ) from None
    return [as_u64(v, f"element {i}", 1) for i, v in enumerate(items)]


def total_stopping_times(values: Iterable[SupportsIndex], /) -> npt.NDArray[np.uint64]:
    """The total stopping time of every element of a 1-D array or sequence of integers."""
    import numpy as np

    elements = _elements(values)
    return np.array([_total_stopping_time(v, i) for i, v in enumerate(elements)], dtype=np.uint64)


# The reference reports progress (and so polls for Ctrl-C) after this many numbers: well under
# a second of pure-Python work.
PROGRESS_NUMBERS = 4096


def _check_callable(value: Any, name: str, *, optional: bool = False) -> None:
    if callable(value) or (optional and value is None):
        return
    what = "callable or None" if optional else "callable"
    raise TypeError(f"{name} must be {what}, got {describe(value)}")


def max_total_stopping_time(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``(n, total_stopping_time(n))`` for the ``n`` in ``1 <= n < limit`` with the longest
    total stopping time; ties go to the smallest ``n``. ``progress(done, total)`` is called with
    ``total == limit - 1`` every :data:`PROGRESS_NUMBERS` numbers and once at the end."""
    limit = as_u64(limit, "limit", 2)
    _check_callable(progress, "progress", optional=True)
    total = limit - 1
    best = (1, 0)
    for n in range(2, limit):
        t = _total_stopping_time(n)
        if t > best[1]:
            best = (n, t)
        if progress is not None and n % PROGRESS_NUMBERS == 0:
            progress(n, total)
    if progress is not None:
        progress(total, total)
    return best


def _values(n: int) -> Iterator[int]:
    """The trajectory of a checked ``n``, one value at a time; ``OverflowError`` in place of
    a value that does not fit."""
    x = n
    yield x
    while x != 1:
        x = _next(n, x)
        yield x


def trajectory(n: SupportsIndex, /) -> npt.NDArray[np.uint64]:
    """The whole trajectory ``n, step(n), …, 1`` as a new ``uint64`` array."""
    import numpy as np

    return np.array(list(_values(as_u64(n, "n", 1))), dtype=np.uint64)


def walk(n: SupportsIndex, visit: Callable[[int], object], /) -> int:
    """Call ``visit(x)`` for each value of the trajectory of ``n``; return how many."""
    n = as_u64(n, "n", 1)
    _check_callable(visit, "visit")
    count = 0
    for x in _values(n):
        visit(x)
        count += 1
    return count


class Trajectory:
    """The trajectory ``n, step(n), …, 1`` as an iterator (fused: exhausted after an error).

    Copies and pickles are independent iterators at the same position: the pickled form is
    ``(Trajectory, (start,), position)``, ``position`` the number of items (values, and an
    overflow once raised) handed out so far.
    """

    def __init__(self, n: SupportsIndex, /) -> None:
        start = as_u64(n, "n", 1)
        # Threads may share an iterator (docs/contract.md): a generator run by two threads at
        # once raises "generator already executing", so each next() holds a lock, and so does
        # every change of the state. One lock for the object's life: `__init__` may be called
        # again while other threads are inside next().
        lock = self.__dict__.get("_lock") or threading.Lock()
        with lock:
            self._lock = lock
            self._start = start
            self._values: Iterator[int] = _values(start)
            self._position = 0

    def __iter__(self) -> Trajectory:
        return self

    def __next__(self) -> int:
        with self._lock:
            try:
                value = next(self._values)
            except OverflowError:
                self._values = iter(())
                self._position += 1
                raise
            self._position += 1
            return value

    def __reduce__(self) -> tuple[type[Trajectory], tuple[int], int]:
        return (type(self), (self._start,), self._position)

    def __setstate__(self, position: SupportsIndex, /) -> None:
        position = as_u64(position, "position", 0)
        with self._lock:
            values, done = _values(self._start), 0
            while done < position:
                try:
                    next(values)
                except StopIteration:
                    break
                except OverflowError:  # an item too; the iterator is exhausted after it
                    values = iter(())
                done += 1
            self._values, self._position = values, done

    def __repr__(self) -> str:
        return f"Trajectory({self._start})"


# --- the literature's quantities: a record, a string out, a string in ------------------------


class Stats(NamedTuple):
    """The record of one trajectory (docs/contract.md, ``stats``)."""

    n: int
    total_stopping_time: int
    stopping_time: int
    peak: int
    odd_steps: int


def _as_u128(value: object, name: str) -> int:
    v = _index(value, name)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {v}")
    if v > U128_MAX:
        raise OverflowError(f"{name} must be <= 2**128 - 1, got {v}")
    return v


def _index(value: object, name: str) -> int:
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {describe(value)}") from None


def _wide_overflow(start: int, at: int, step: str) -> OverflowError:
    return OverflowError(
        f"the trajectory of {start} overflows: it reaches {at}, and {step} exceeds 2**128 - 1"
    )


def stats(n: SupportsIndex, /) -> Stats:
    """The record of the trajectory of ``n``: total stopping time, stopping time, peak, odd
    steps."""
    start = _as_u128(n, "n")
    x, steps, stopping, peak, odd = start, 0, 0, start, 0
    dropped = start == 1
    while x != 1:
        if x % 2 == 0:
            x //= 2
        else:
            if 3 * x + 1 > U128_MAX:
                raise _wide_overflow(start, x, f"3 * {x} + 1")
            x = 3 * x + 1
            odd += 1
        steps += 1
        peak = max(peak, x)
        if not dropped and x < start:
            dropped, stopping = True, steps
    return Stats(start, steps, stopping, peak, odd)


def parity_vector(n: SupportsIndex, k: SupportsIndex | None = None, /) -> str:
    """The parities of the Terras map from ``n`` until the first 1, or the first ``k``."""
    start = _as_u128(n, "n")
    count: int | None = None
    if k is not None:
        count = _index(k, "k")
        if count < 0:
            raise ValueError(f"k must be >= 0, got {count}")
        if count > MAX_PARITIES:
            raise ValueError(f"k must be <= 2**20, got {count}")
    parities: list[str] = []
    x = start
    while (x != 1) if count is None else (len(parities) < count):
        parities.append("1" if x % 2 else "0")
        if x % 2 == 0:
            x //= 2
        else:
            if (3 * x + 1) // 2 > U128_MAX:
                raise _wide_overflow(start, x, f"(3 * {x} + 1) / 2")
            x = (3 * x + 1) // 2
    return "".join(parities)


def residue(vector: str, /) -> int:
    """The ``r`` with ``1 <= r <= 2**k`` whose first ``k = len(vector)`` Terras parities are
    ``vector`` (Terras's theorem)."""
    if not isinstance(vector, str):
        raise TypeError(f"vector must be a str, got {describe(vector)}")
    # A subclass's characters as the string holds them, without its methods (the contract):
    # str.__str__ copies them into an exact str.
    vector = str.__str__(vector)
    if not 1 <= len(vector) <= 127:
        raise ValueError(f"vector must have 1 to 127 parities, got {len(vector)}")
    for i, c in enumerate(vector):
        if c not in "01":
            raise ValueError(f"vector must hold only '0' and '1', got {c!r} at index {i}")
    # Plain search over the residues would take 2**k steps; instead, bit i of r is the one that
    # gives T^i its wanted parity (adding 2**i to n adds an odd 3**ones to T^i(n)).
    k = len(vector)
    r = 0
    for i in range(k):
        x = r
        for _ in range(i):
            x = x // 2 if x % 2 == 0 else (3 * x + 1) // 2
        if x % 2 != int(vector[i]):
            r += 2**i
    return r if r else 2**k


# --- awaitable forms -------------------------------------------------------------------------


def _loop_for(name: str) -> Any:
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(f"{name} must be awaited in a running asyncio event loop") from None


async def total_stopping_time_async(n: SupportsIndex, /) -> int:
    """``total_stopping_time(n)``, awaited: computed on the loop's default executor."""
    loop = _loop_for("total_stopping_time_async")
    result: int = await loop.run_in_executor(None, total_stopping_time, n)
    return result


class _Gone(BaseException):
    """Ends a search nobody awaits any more."""


async def max_total_stopping_time_async(
    limit: SupportsIndex, /, *, progress: Callable[[int, int], object] | None = None
) -> tuple[int, int]:
    """``max_total_stopping_time(limit, progress=progress)``, awaited: the search on a thread
    named ``collatz-search``, ``progress`` called on the loop's thread; cancelling ends the
    search within :data:`PROGRESS_NUMBERS` numbers."""
    loop = _loop_for("max_total_stopping_time_async")
    limit = as_u64(limit, "limit", 2)
    _check_callable(progress, "progress", optional=True)
    future = loop.create_future()
    gone = threading.Event()

    def on_loop(kind: str, value: Any) -> None:
        if future.done() or (kind == "progress" and gone.is_set()):
            return
        if kind == "progress":
            try:
                progress(*value)  # type: ignore[misc]
            except BaseException as e:
                gone.set()
                future.set_exception(e)
        elif kind == "result":
            future.set_result(value)
        else:
            future.set_exception(value)

    def post(kind: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(on_loop, kind, value)
        except RuntimeError:  # the loop is closed
            raise _Gone from None

    def report(done: int, total: int) -> None:
        if gone.is_set() or loop.is_closed():
            raise _Gone
        if progress is not None:
            post("progress", (done, total))

    def search() -> None:
        try:
            result = max_total_stopping_time(limit, progress=report)
        except _Gone:
            return
        except BaseException as e:
            outcome: tuple[str, Any] = ("error", e)
        else:
            outcome = ("result", result)
        try:
            post(*outcome)
        except _Gone:
            pass

    threading.Thread(target=search, name="collatz-search", daemon=True).start()
    try:
        return await future  # type: ignore[no-any-return]
    finally:
        gone.set()
