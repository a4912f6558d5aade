//! The awaitable forms (`docs/contract.md`, "Awaitable forms") with PyO3's own `async fn`
//! (the `experimental-async` feature): a `#[pyfunction]` that is an `async fn` returns a PyO3
//! coroutine, which asyncio drives; no Rust executor runs anywhere.
//!
//! - `total_stopping_time_async` computes in its first poll, on the loop's thread: the call
//!   takes at most microseconds, so the figure is what an `await` of a PyO3 coroutine costs.
//! - `max_total_stopping_time_async` starts the search on a thread of its own
//!   (`collatz_core::background`, shared with UniFFI's and BoltFFI's front ends) and awaits its
//!   events: the search thread records its latest progress report and, at the end, its outcome,
//!   and wakes the coroutine (PyO3's waker posts to the loop with `call_soon_threadsafe`). The
//!   coroutine calls `progress` when it is polled, so on the loop's thread. When the task is
//!   cancelled, PyO3 drops the Rust future (no `CancelHandle` here), and with it the
//!   [`Search`], which stops the search at its next report. A search whose loop was closed under it (its task abandoned, the future never
//!   dropped) sees the loop closed at its next report and ends too.

use std::task::Waker;

use collatz_core::background::{Event, Search};
use collatz_core::exit::parking_on_unwind;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::error::{CoreError, Param, not_callable, to_u64};
use crate::out::{int, pair};

/// The running asyncio loop, or the contract's `RuntimeError` naming the function.
fn running_loop(py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
    let asyncio = py.import("asyncio")?;
    match asyncio.call_method0("get_running_loop") {
        Ok(event_loop) => Ok(event_loop.unbind()),
        Err(e) if e.is_instance_of::<PyRuntimeError>(py) => Err(PyRuntimeError::new_err(format!(
            "{name} must be awaited in a running asyncio event loop"
        ))),
        Err(e) => Err(e),
    }
}

/// total_stopping_time_async(n, /) -> int, awaited
///
/// total_stopping_time(n), as a PyO3 coroutine (computed when first awaited).
#[pyfunction]
#[pyo3(signature = (n, /))]
pub(crate) async fn total_stopping_time_async(n: Py<PyAny>) -> PyResult<Py<PyAny>> {
    Python::attach(|py| {
        crate::guard(|| {
            running_loop(py, "total_stopping_time_async")?;
            let n = to_u64(n.bind(py), Param::N)?;
            Ok(int(py, collatz_core::total_stopping_time(n).map_err(CoreError)?)?.unbind())
        })
    })
}

/// The loop a search reports to, released with the GIL when the search thread is done.
struct EventLoop(Option<Py<PyAny>>);

impl EventLoop {
    /// Whether the loop has been closed (its task abandoned).
    fn closed(&self) -> bool {
        self.0.as_ref().is_none_or(|event_loop| {
            crate::gil::attach(|py| {
                parking_on_unwind(|| {
                    event_loop
                        .call_method0(py, "is_closed")
                        .and_then(|closed| closed.extract::<bool>(py))
                        .unwrap_or(true)
                })
            })
        })
    }
}

impl Drop for EventLoop {
    fn drop(&mut self) {
        if let Some(event_loop) = self.0.take() {
            crate::gil::attach(|_| parking_on_unwind(|| drop(event_loop)));
        }
    }
}

/// max_total_stopping_time_async(limit, /, *, progress=None) -> tuple[int, int], awaited
///
/// max_total_stopping_time(limit, progress=progress), as a PyO3 coroutine: the search runs on
/// a thread of its own, progress is called on the loop's thread, and cancelling the task stops
/// the search at its next progress report (milliseconds).
#[pyfunction]
#[pyo3(signature = (limit, /, *, progress = None))]
pub(crate) async fn max_total_stopping_time_async(
    limit: Py<PyAny>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (limit, progress, event_loop) = Python::attach(|py| {
        crate::guard(|| {
            let event_loop = running_loop(py, "max_total_stopping_time_async")?;
            let limit = to_u64(limit.bind(py), Param::Limit)?;
            let progress = match progress {
                Some(p) if p.is_none(py) => None,
                Some(p) if p.bind(py).is_callable() => Some(p),
                Some(p) => return Err(not_callable("progress", "callable or None", p.bind(py))),
                None => None,
            };
            Ok((limit, progress, event_loop))
        })
    })?;
    let event_loop = EventLoop(Some(event_loop));
    // Dropped with this future (the task finished, cancelled or closed): the search stops.
    let search = Search::start(
        limit,
        progress.is_some(),
        move |_, _| !event_loop.closed(),
        // PyO3's waker takes the GIL to post to the loop, and `call_soon_threadsafe` lets it go
        // (to write to the loop's self-pipe): by the time it wants it back, the awaiting task
        // may have its answer and the interpreter be exiting. As every call into Python from a
        // detached thread (`crate::gil`): it parks instead of taking the GIL if the interpreter
        // is exiting, and a forced unwind out of the call parks it too.
        |waker: Waker| crate::gil::attach(|_| parking_on_unwind(|| waker.wake())),
    )
    .map_err(|e| PyRuntimeError::new_err(format!("could not start the search's thread: {e}")))?;
    loop {
        match search.next_event().await {
            Event::Report { done, total } => {
                if let Some(progress) = &progress {
                    // On the loop's thread (the coroutine is being polled): an exception ends
                    // the coroutine, and dropping its future stops the search.
                    Python::attach(|py| progress.call1(py, (done, total)))?;
                }
            }
            Event::Ended(outcome) => {
                // The search thread may still be returning from its last wake, in the loop's
                // code (`call_soon_threadsafe` lets the GIL go and takes it back): once the
                // answer is out the interpreter may exit, and CPython ends a thread that wants
                // the GIL then with a forced unwind, which PyO3's waker cannot pass: an abort.
                // So the answer waits for the thread to end, the GIL let go meanwhile.
                Python::attach(|py| py.detach(|| search.join()));
                let (n, steps) = crate::finish(outcome, None)?;
                return Python::attach(|py| Ok(pair(py, n, steps)?.unbind()));
            }
            Event::Panicked(message) => return Err(PyRuntimeError::new_err(message)),
        }
    }
}
