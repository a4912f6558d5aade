//! [`max_total_stopping_time_with`](crate::max_total_stopping_time_with) on a thread of its
//! own, awaited as a [`Future`]: what every binding's awaitable search is built on
//! (`docs/contract.md`, "Awaitable forms"). Nothing here knows an executor: the future is
//! std's, and whichever runtime polls it (PyO3's coroutine, UniFFI's or BoltFFI's Python
//! polling) gives the waker the search thread wakes.
//!
//! - [`Search::start`] starts the search on a thread named [`SEARCH_THREAD`].
//! - [`Search::next_event`] is a future of the next thing the search has to say: its latest
//!   progress report (reports that arrive while nobody polls merge into the latest), then its
//!   outcome, or the message of a panic caught on its thread.
//! - The search stops at its next progress report (every
//!   [`PROGRESS_NUMBERS`](crate::PROGRESS_NUMBERS) numbers: milliseconds) once [`Search::stop`]
//!   is called, the [`Search`] is dropped (the awaiting task was cancelled, its future freed),
//!   or the host's `keep_going` check says nobody waits any more (its event loop was closed).
//!   A stopped search says nothing more: nobody reads it, and its waker is not woken.
//!
//! ```
//! use collatz_core::background::{Event, Search};
//!
//! let search = Search::start(1000, true, |_, _| true, std::task::Waker::wake)?;
//! let mut last = None;
//! loop {
//!     // A real host awaits this; a thread may block on it as here.
//!     match block_on(search.next_event()) {
//!         Event::Report { done, total } => last = Some((done, total)),
//!         Event::Ended(outcome) => {
//!             assert_eq!(outcome, Ok(Some((871, 178))));
//!             break;
//!         }
//!         Event::Panicked(message) => panic!("{message}"),
//!     }
//! }
//! assert_eq!(last, Some((999, 999)));
//! # fn block_on<F: std::future::Future>(future: F) -> F::Output {
//! #     struct Unpark(std::thread::Thread);
//! #     impl std::task::Wake for Unpark {
//! #         fn wake(self: std::sync::Arc<Self>) { self.0.unpark() }
//! #     }
//! #     let waker = std::sync::Arc::new(Unpark(std::thread::current())).into();
//! #     let mut cx = std::task::Context::from_waker(&waker);
//! #     let mut future = std::pin::pin!(future);
//! #     loop {
//! #         match future.as_mut().poll(&mut cx) {
//! #             std::task::Poll::Ready(out) => return out,
//! #             std::task::Poll::Pending => std::thread::park(),
//! #         }
//! #     }
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::Error;

/// The name of the thread every awaited search runs on: the tests (and a reader of `top -H`)
/// find it by this name.
pub const SEARCH_THREAD: &str = "collatz-search";

/// What a search has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Progress: `done` of `total` numbers covered (the latest report; earlier ones merged).
    Report {
        /// Numbers covered so far.
        done: u64,
        /// `limit - 1`.
        total: u64,
    },
    /// The search's outcome: `(n, steps)` of the record, or its error.
    Ended(Result<Option<(u64, u64)>, Error>),
    /// The message of a panic caught on the search's thread (a bug), as
    /// [`panic_report`](crate::panic_report) gives it.
    Panicked(String),
}

type Wake = dyn Fn(Waker) + Send + Sync;
type KeepGoing = Box<dyn FnMut(u64, u64) -> bool + Send>;

struct Shared {
    state: Mutex<State>,
    stop: AtomicBool,
    /// The host's `keep_going`, dropped by whichever gets there first: [`Search::stop`] (on the
    /// host's thread: a host object, such as a foreign callback, is best let go of there), or
    /// the search thread when it ends, before its last wake (while somebody still awaits it).
    keep_going: Mutex<Option<KeepGoing>>,
    /// How the search thread wakes the awaiting task (a host may need to wrap it: to park the
    /// thread, say, if its interpreter is exiting).
    wake: Box<Wake>,
}

#[derive(Default)]
struct State {
    report: Option<(u64, u64)>,
    outcome: Option<Result<Option<(u64, u64)>, Error>>,
    panic: Option<String>,
    waker: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Change the state and wake whoever waits for it (outside the lock).
    fn update(&self, change: impl FnOnce(&mut State)) {
        let waker = {
            let mut state = self.lock();
            change(&mut state);
            state.waker.take()
        };
        if let Some(waker) = waker {
            (self.wake)(waker);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Whether the search goes on after this report: not once stopped, nor once the host's
    /// `keep_going` says so (or is gone).
    fn keep_going(&self, done: u64, total: u64) -> bool {
        if self.stopped() {
            return false;
        }
        let mut keep_going = self
            .keep_going
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let going = keep_going
            .as_mut()
            .is_some_and(|keep_going| keep_going(done, total));
        if !going {
            self.stop.store(true, Ordering::Relaxed);
        }
        going
    }

    /// Let go of the host's `keep_going`, if still held.
    fn release(&self) {
        let released = self
            .keep_going
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(released);
    }
}

/// A search running on its own thread; dropping it stops the search.
pub struct Search {
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Search {
    /// Start `max_total_stopping_time_with(limit, …)` on a new thread named [`SEARCH_THREAD`].
    ///
    /// - `reporting`: whether progress reports are kept for [`next_event`](Self::next_event)
    ///   (without, the awaiting task is woken once, at the end);
    /// - `keep_going`: called on the search thread with each report (`done`, `total`), before
    ///   anything else; `false` stops the search for good (the host's "does anybody still
    ///   wait?": "is my event loop still open?"). Dropped by [`stop`](Self::stop) on the
    ///   caller's thread or, if the search ends first, by the search thread before its last
    ///   wake, while the awaiting task still waits: never after the outcome is handed over;
    /// - `wake`: how the search thread wakes a waiting task, given the waker it left
    ///   ([`Waker::wake`] unless the host must wrap it).
    ///
    /// A bad `limit` is the outcome the thread reports ([`Event::Ended`] with the error).
    ///
    /// # Errors
    /// The thread could not be started (the operating system's error).
    pub fn start(
        limit: u64,
        reporting: bool,
        keep_going: impl FnMut(u64, u64) -> bool + Send + 'static,
        wake: impl Fn(Waker) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            stop: AtomicBool::new(false),
            keep_going: Mutex::new(Some(Box::new(keep_going))),
            wake: Box::new(wake),
        });
        let search = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(SEARCH_THREAD.into())
            .spawn(move || {
                let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::max_total_stopping_time_with(limit, |done, total| {
                        if !search.keep_going(done, total) {
                            return ControlFlow::Break(());
                        }
                        if reporting {
                            search.update(|state| state.report = Some((done, total)));
                        }
                        ControlFlow::Continue(())
                    })
                }));
                // Before the last wake: the awaiting task, if any, is still waiting, so the host
                // (its interpreter, say) is still there to let go of what `keep_going` holds.
                search.release();
                if search.stopped() {
                    return; // nobody reads the outcome
                }
                match searched {
                    Ok(outcome) => search.update(|state| state.outcome = Some(outcome)),
                    Err(payload) => {
                        let message = crate::panic_report(payload.as_ref());
                        search.update(|state| state.panic = Some(message));
                    }
                }
            })?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The next thing the search has to say. An owned future (`Send + 'static`): a host that
    /// needs one, as UniFFI's and BoltFFI's async methods do, can return it as it is.
    #[must_use]
    pub fn next_event(&self) -> NextEvent {
        NextEvent(Arc::clone(&self.shared))
    }

    /// Stop the search at its next report; it says nothing more. The host's `keep_going` is
    /// dropped here, on the caller's thread, unless the search thread is calling it at this
    /// instant (it then drops it itself, right after).
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // `try_lock`: the search thread may hold the lock inside `keep_going`, waiting for
        // something the caller holds (a GIL).
        if let Ok(mut keep_going) = self.shared.keep_going.try_lock() {
            let released = keep_going.take();
            drop(keep_going);
            drop(released);
        }
    }

    /// Wait until the search's thread has ended. After [`Event::Ended`] it has nothing left to
    /// do but return from its last wake, which may be waiting for something the caller holds
    /// (a GIL: let go of it while waiting). A host whose waker runs code of an interpreter joins
    /// before it hands the answer over: the interpreter may start exiting as soon as it has
    /// it, and a native thread still inside its code then is ended by it
    /// (`crate::exit`).
    pub fn join(&self) {
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // The thread catches its panics: joining cannot fail.
            drop(thread.join());
        }
    }

    /// Whether the search's thread has ended (for a host that cannot block to
    /// [`join`](Self::join) it).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(std::thread::JoinHandle::is_finished)
    }

    /// Whether the search was stopped (by [`stop`](Self::stop) or its host's `keep_going`).
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.shared.stopped()
    }
}

impl Drop for Search {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("stopped", &self.is_stopped())
            .finish_non_exhaustive()
    }
}

/// The future [`Search::next_event`] returns.
pub struct NextEvent(Arc<Shared>);

impl Future for NextEvent {
    type Output = Event;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Event> {
        let mut state = self.0.lock();
        if let Some((done, total)) = state.report.take() {
            return Poll::Ready(Event::Report { done, total });
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

impl std::fmt::Debug for NextEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NextEvent").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::{Duration, Instant};

    struct Unpark(std::thread::Thread);

    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let waker = Arc::new(Unpark(std::thread::current())).into();
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Ready(out) => return out,
                Poll::Pending => std::thread::park_timeout(Duration::from_millis(50)),
            }
        }
    }

    fn ended(search: &Search) -> Event {
        loop {
            match block_on(search.next_event()) {
                Event::Report { .. } => {}
                other => return other,
            }
        }
    }

    fn search_threads() -> usize {
        // Linux names threads in /proc; elsewhere the test below checks the counter only.
        std::fs::read_dir("/proc/self/task").map_or(0, |tasks| {
            tasks
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .filter(|comm| comm.trim() == SEARCH_THREAD)
                .count()
        })
    }

    #[test]
    fn the_same_answer_and_errors_as_the_synchronous_search() {
        let search = Search::start(10_000, false, |_, _| true, Waker::wake).unwrap();
        assert_eq!(
            ended(&search),
            Event::Ended(crate::max_total_stopping_time(10_000).map(Some))
        );
        let search = Search::start(1, true, |_, _| true, Waker::wake).unwrap();
        assert_eq!(
            ended(&search),
            Event::Ended(Err(Error::LimitTooSmall { limit: 1 }))
        );
    }

    #[test]
    fn reports_merge_and_the_last_says_done() {
        let search = Search::start(3_000_000, true, |_, _| true, Waker::wake).unwrap();
        let mut reports = Vec::new();
        loop {
            match block_on(search.next_event()) {
                Event::Report { done, total } => reports.push((done, total)),
                Event::Ended(outcome) => {
                    assert_eq!(outcome, crate::max_total_stopping_time(3_000_000).map(Some));
                    break;
                }
                Event::Panicked(message) => panic!("{message}"),
            }
        }
        assert_eq!(reports.last(), Some(&(2_999_999, 2_999_999)));
        assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    /// Sets its flag when dropped.
    struct Tell(Arc<AtomicBool>);

    impl Drop for Tell {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    #[test]
    fn keep_going_is_let_go_of_before_the_outcome_or_by_stop() {
        let dropped = Arc::new(AtomicBool::new(false));
        let tell = Tell(Arc::clone(&dropped));
        let search = Search::start(
            100_000,
            false,
            move |_, _| !tell.0.load(Ordering::SeqCst),
            Waker::wake,
        );
        assert!(matches!(ended(&search.unwrap()), Event::Ended(Ok(Some(_)))));
        assert!(
            dropped.load(Ordering::SeqCst),
            "dropped before the last wake"
        );

        let dropped = Arc::new(AtomicBool::new(false));
        let tell = Tell(Arc::clone(&dropped));
        let search = Search::start(
            1 << 40,
            false,
            move |_, _| !tell.0.load(Ordering::SeqCst),
            Waker::wake,
        )
        .unwrap();
        search.stop();
        let began = Instant::now();
        while !dropped.load(Ordering::SeqCst) {
            assert!(began.elapsed() < Duration::from_secs(5), "kept after stop");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn dropping_or_keep_going_stops_the_thread_without_waking() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&wakes);
        let search = Search::start(
            1 << 40,
            false,
            |_, _| true,
            move |w: Waker| {
                counted.fetch_add(1, Ordering::Relaxed);
                w.wake();
            },
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(50));
        drop(search);
        let refused = Search::start(1 << 40, true, |_, _| false, Waker::wake).unwrap();
        let began = Instant::now();
        while search_threads() > 0 {
            assert!(
                began.elapsed() < Duration::from_secs(5),
                "a stopped search still runs"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(refused.is_stopped());
        assert_eq!(
            wakes.load(Ordering::Relaxed),
            0,
            "a stopped search wakes nobody"
        );
    }
}
