//! The awaitable forms (`docs/contract.md`, "Awaitable forms") with PyO3's own `async fn`
//! (the `experimental-async` feature): a `#[pyfunction]` that is an `async fn` returns a PyO3
//! coroutine, which asyncio drives; no Rust executor runs anywhere.
//!
//! - `total_stopping_time_async` computes in its first poll, on the loop's thread: the call
//!   takes at most microseconds, so the figure is what an `await` of a PyO3 coroutine costs.
//! - `max_total_stopping_time_async` starts the search on a thread of its own (named
//!   `collatz-search`, as every front end's) and awaits [`Events`]: the search thread records
//!   its latest progress report and, at the end, its outcome, and wakes the coroutine (PyO3's
//!   waker posts to the loop with `call_soon_threadsafe`). The coroutine calls `progress` when it
//!   is polled, so on the loop's thread. When the task is cancelled, PyO3 drops the Rust future
//!   (no `CancelHandle` here): [`StopOnDrop`] raises the stop flag, and the search ends at its next
//!   report. A search whose loop was closed under it (its task abandoned, the future never
//!   dropped) sees the loop closed at its next report and ends too.

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::error::{CoreError, Param, not_callable, to_u64};
use crate::out::{int, pair};

/// The name of the thread every awaited search runs on (the tests look for it).
const SEARCH_THREAD: &str = "collatz-search";

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

/// What the search thread hands the coroutine.
#[derive(Default)]
struct State {
    /// The latest report not yet given to `progress` (reports that arrive meanwhile merge).
    report: Option<(u64, u64)>,
    /// The search's outcome, once it has ended.
    outcome: Option<Result<Option<(u64, u64)>, collatz_core::Error>>,
    /// A panic caught on the search thread.
    panic: Option<String>,
    waker: Option<Waker>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
}

impl Shared {
    fn update(&self, change: impl FnOnce(&mut State)) {
        let waker = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            change(&mut state);
            state.waker.take()
        };
        if let Some(waker) = waker {
            // PyO3's waker takes the GIL (to post to the loop): as every re-attach from a
            // detached thread, it parks instead if the interpreter is exiting.
            crate::gil::attach(|_| waker.wake());
        }
    }
}

/// Raises the stop flag when the coroutine's future is dropped (finished, cancelled, closed).
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::Relaxed);
    }
}

enum Event {
    Report(u64, u64),
    Ended(Result<Option<(u64, u64)>, collatz_core::Error>),
    Panicked(String),
}

/// The next thing the search thread has to say.
struct Events<'a>(&'a Shared);

impl Future for Events<'_> {
    type Output = Event;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Event> {
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((done, total)) = state.report.take() {
            return Poll::Ready(Event::Report(done, total));
        }
        if let Some(panic) = state.panic.take() {
            return Poll::Ready(Event::Panicked(panic));
        }
        if let Some(outcome) = state.outcome.take() {
            return Poll::Ready(Event::Ended(outcome));
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
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
    let shared = Arc::new(Shared::default());
    let _stop = StopOnDrop(Arc::clone(&shared));
    let reporting = progress.is_some();
    let search = Arc::clone(&shared);
    std::thread::Builder::new()
        .name(SEARCH_THREAD.into())
        .spawn(move || {
            run_search(&search, limit, reporting, &event_loop);
            crate::gil::attach(|_| drop(event_loop));
        })
        .map_err(|e| {
            PyRuntimeError::new_err(format!("could not start the search's thread: {e}"))
        })?;
    loop {
        match Events(&shared).await {
            Event::Report(done, total) => {
                if let Some(progress) = &progress {
                    // On the loop's thread (the coroutine is being polled): an exception ends
                    // the coroutine, and dropping its future stops the search.
                    Python::attach(|py| progress.call1(py, (done, total)))?;
                }
            }
            Event::Ended(outcome) => {
                let (n, steps) = crate::finish(outcome, None)?;
                return Python::attach(|py| Ok(pair(py, n, steps)?.unbind()));
            }
            Event::Panicked(message) => return Err(PyRuntimeError::new_err(message)),
        }
    }
}

/// The search thread: the core's search, stopped when nobody waits for it any more.
fn run_search(shared: &Shared, limit: u64, reporting: bool, event_loop: &Py<PyAny>) {
    let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        collatz_core::max_total_stopping_time_with(limit, |done, total| {
            if shared.stop.load(Ordering::Relaxed) || closed(event_loop) {
                return ControlFlow::Break(());
            }
            if reporting {
                shared.update(|state| state.report = Some((done, total)));
            }
            ControlFlow::Continue(())
        })
    }));
    match searched {
        // Stopped: nobody awaits the outcome.
        Ok(Ok(None)) => {}
        Ok(outcome) => shared.update(|state| state.outcome = Some(outcome)),
        Err(payload) => {
            let message = collatz_core::panic_report(payload.as_ref());
            shared.update(|state| state.panic = Some(message));
        }
    }
}

/// Whether the loop the search reports to has been closed (its task abandoned).
fn closed(event_loop: &Py<PyAny>) -> bool {
    crate::gil::attach(|py| {
        event_loop
            .call_method0(py, "is_closed")
            .and_then(|closed| closed.extract::<bool>(py))
            .unwrap_or(true)
    })
}
