//! collatz-core for Python through BoltFFI.
//!
//! `boltffi pack python` reads the `#[export]`, `#[data]` and `#[error]` items below and
//! generates a CPython extension (`METH_FASTCALL` functions calling this library through
//! function pointers loaded at import) and a Python module of `def`s around it. That module is
//! low-level: `int` arguments, a `CollatzErrorException` (a `RuntimeError`), bulk data as
//! native-endian `uint64` bytes, a `TrajectoryIterator` class and a `Callbacks` trait that
//! Python implements. The `collatz_boltffi` package wraps it in the project's contract.
//!
//! What BoltFFI does not do at its boundary, this crate does:
//! - **Panics**: BoltFFI's Python target has no `catch_unwind`, so a panic would unwind into
//!   C and abort the interpreter. Every export runs its body in [`guarded`], which turns a
//!   panic into [`CollatzError::Panic`].
//! - **The GIL**: the generated functions hold it for the whole call. Long work ([`Job`]) runs
//!   on a thread of its own instead, which calls back (`on_progress`) through BoltFFI's
//!   callbacks, which take the GIL themselves; the caller waits in Python, where the GIL is
//!   released and Ctrl-C is delivered.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

use boltffi::{data, error, export};
use collatz_core::Kind;

boltffi::scaffolding!();

/// A core error, one variant per [`Kind`], and a caught panic; the facade maps each to a
/// Python exception. The message names the offending value and, for arrays, its index.
#[error]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollatzError {
    /// Input outside the domain (a zero, a limit below 2).
    Invalid { message: String },
    /// A value would exceed what its type holds.
    Overflow { message: String },
    /// An API rule was broken (malformed packed bytes, a bad parity string).
    Argument { message: String },
    /// A panic caught at the boundary (never a core error).
    Panic { message: String },
    /// Memory ran out for an allocation whose size follows from the input.
    Memory { message: String },
}

impl From<collatz_core::Error> for CollatzError {
    fn from(e: collatz_core::Error) -> Self {
        let message = e.to_string();
        match e.kind() {
            Kind::Invalid => Self::Invalid { message },
            Kind::Overflow => Self::Overflow { message },
            Kind::Argument => Self::Argument { message },
            Kind::Memory => Self::Memory { message },
        }
    }
}

/// `body`'s result, or [`CollatzError::Panic`] if it panicked: no panic unwinds into
/// BoltFFI's generated C (which would abort the process).
fn guarded<T>(body: impl FnOnce() -> Result<T, CollatzError>) -> Result<T, CollatzError> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        Err(CollatzError::Panic {
            message: collatz_core::panic_message(payload.as_ref()),
        })
    })
}

/// One Collatz step: `n / 2` if `n` is even, else `3 * n + 1`.
#[export]
pub fn step(n: u64) -> Result<u64, CollatzError> {
    guarded(|| Ok(collatz_core::step(n)?))
}

/// `step` applied `k` times, one step at a time; `k == 0` returns `n`.
#[export]
pub fn iterate(n: u64, k: u64) -> Result<u64, CollatzError> {
    guarded(|| Ok(collatz_core::iterate(n, k)?))
}

/// The number of steps until `n` first reaches 1.
#[export]
pub fn total_stopping_time(n: u64) -> Result<u64, CollatzError> {
    guarded(|| Ok(collatz_core::total_stopping_time(n)?))
}

/// Total stopping times of native-endian `u64` values packed in `values` (8 bytes each,
/// borrowed from the caller's buffer), returned packed the same way. For short inputs, on the
/// calling thread; long ones go through [`Job::total_stopping_times`].
#[export]
pub fn total_stopping_times_bytes(values: &[u8]) -> Result<Vec<u8>, CollatzError> {
    guarded(|| packed_total_stopping_times(values))
}

fn packed_total_stopping_times(values: &[u8]) -> Result<Vec<u8>, CollatzError> {
    total_stopping_times_of(&unpacked(values)?)
}

/// `values` (native-endian `u64`s, 8 bytes each) as `u64`s: one copy, which also aligns them
/// (BoltFFI passes a `&[u8]` inside its wire buffer, after a 4-byte length: never aligned).
fn unpacked(values: &[u8]) -> Result<Vec<u64>, CollatzError> {
    if values.len() % 8 != 0 {
        return Err(CollatzError::Argument {
            message: format!(
                "packed uint64 values must be a multiple of 8 bytes long, got {}",
                values.len()
            ),
        });
    }
    let mut input = collatz_core::memory::filled(values.len() / 8, 0_u64)?;
    bytemuck::cast_slice_mut::<u64, u8>(&mut input).copy_from_slice(values);
    Ok(input)
}

/// `bytes` zeroed bytes for BoltFFI to hand to Python, allocated fallibly, with room for the
/// 4-byte length BoltFFI puts in front (`FfiBuf::wire_encode_owned_bytes` reserves it, then
/// moves the bytes up in place): with the room already there, BoltFFI allocates nothing.
fn outgoing(bytes: usize) -> Result<Vec<u8>, collatz_core::Error> {
    let mut out = bytemuck::allocation::try_zeroed_slice_box::<u8>(bytes + 4)
        .map_err(|()| collatz_core::memory::out_of_memory_for(bytes + 4))?
        .into_vec();
    out.truncate(bytes);
    Ok(out)
}

/// The total stopping times of `input`, computed straight into the bytes returned (no copy
/// between the two; BoltFFI moves them 4 bytes up in place, behind its length).
fn total_stopping_times_of(input: &[u64]) -> Result<Vec<u8>, CollatzError> {
    let mut out = outgoing(input.len() * 8)?;
    if let Ok(times) = bytemuck::try_cast_slice_mut::<u8, u64>(&mut out) {
        collatz_core::total_stopping_times(input, times)?;
        return Ok(out);
    }
    // A byte vector not 8-aligned (no allocator here gives one): compute, then copy.
    let mut times = collatz_core::memory::filled(input.len(), 0_u64)?;
    collatz_core::total_stopping_times(input, &mut times)?;
    out.copy_from_slice(bytemuck::cast_slice(&times));
    Ok(out)
}

/// The whole trajectory of `n`, packed as native-endian `u64` bytes.
#[export]
pub fn trajectory_bytes(n: u64) -> Result<Vec<u8>, CollatzError> {
    guarded(|| {
        let values = collatz_core::trajectory(n)?;
        let mut out = outgoing(values.len() * 8)?;
        out.copy_from_slice(bytemuck::cast_slice(&values));
        Ok(out)
    })
}

/// What Rust calls back in Python: the facade's one implementation holds the user's callable,
/// keeps any exception it raises (BoltFFI would print and drop it), and answers `true` to ask
/// Rust to stop.
#[export]
pub trait Callbacks: Send + Sync {
    /// Called with each value of a walked trajectory; `true` stops the walk.
    fn on_visit(&self, value: u64) -> bool;
    /// Called as long work goes (`done` of `total`); `true` stops it.
    fn on_progress(&self, done: u64, total: u64) -> bool;
}

/// The Python interpreter this library is loaded into: found at run time (the library does
/// not link to Python: BoltFFI's generated extension module loads it).
mod host {
    use std::ffi::{c_char, c_int, c_void};
    use std::sync::OnceLock;

    unsafe extern "C" {
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }

    /// `RTLD_DEFAULT`: every symbol of the process.
    #[cfg(not(target_os = "macos"))]
    const RTLD_DEFAULT: *mut c_void = std::ptr::null_mut();
    #[cfg(target_os = "macos")]
    const RTLD_DEFAULT: *mut c_void = -2_isize as *mut c_void;

    type IsInitialized = unsafe extern "C" fn() -> c_int;

    /// Park this thread for good if the hosting interpreter is exiting (`Py_IsInitialized()`
    /// is 0 from the moment finalisation starts; it reads one field, safe without the GIL):
    /// called before a callback, which takes the GIL. Calling back into an exiting
    /// interpreter either crashes (python/cpython#124619) or ends the thread with
    /// `pthread_exit`, whose forced unwind aborts the process (`collatz_core::exit`).
    pub(crate) fn park_if_exiting() {
        static PROBE: OnceLock<Option<IsInitialized>> = OnceLock::new();
        let probe = PROBE.get_or_init(|| {
            // SAFETY: dlsym with a NUL-terminated name; a null result is "no Python here".
            let found = unsafe { dlsym(RTLD_DEFAULT, c"Py_IsInitialized".as_ptr()) };
            // SAFETY: CPython's `int Py_IsInitialized(void)`, when the symbol is there.
            (!found.is_null())
                .then(|| unsafe { std::mem::transmute::<*mut c_void, IsInitialized>(found) })
        });
        // SAFETY: no precondition (callable without the GIL, before and after finalisation).
        if probe.is_some_and(|is_initialized| unsafe { is_initialized() } == 0) {
            collatz_core::exit::park_forever();
        }
    }
}

/// Call `callbacks.on_visit(x)` for each value of the trajectory of `n`; the number of values
/// visited, or `None` if a visit asked to stop. On the calling thread, the GIL held between
/// visits (as a Python loop holds it).
#[export]
pub fn walk(n: u64, callbacks: Box<dyn Callbacks>) -> Result<Option<u64>, CollatzError> {
    guarded(|| {
        let mut count = 0;
        for value in collatz_core::Trajectory::new(n)? {
            count += 1;
            host::park_if_exiting();
            let value = value?;
            // A visit whose Python code loses the GIL at exit ends in `pthread_exit`: its
            // forced unwind stops here (the thread parks), before `guarded`'s catch_unwind.
            if collatz_core::exit::parking_on_unwind(|| callbacks.on_visit(value)) {
                return Ok(None);
            }
        }
        Ok(Some(count))
    })
}

/// The record of one trajectory, its 128-bit integers in `_hi`/`_lo` halves (BoltFFI's Python
/// target has no 128-bit integers): a frozen dataclass in Python.
#[data]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollatzStats {
    /// The starting value, high 64 bits.
    pub n_hi: u64,
    /// The starting value, low 64 bits.
    pub n_lo: u64,
    /// Steps until the value reaches 1 (OEIS A006577).
    pub total_stopping_time: u64,
    /// Steps until the value is first below `n` (OEIS A102419; 0 for `n = 1`).
    pub stopping_time: u64,
    /// The largest value on the trajectory, `n` included, high 64 bits.
    pub peak_hi: u64,
    /// The largest value on the trajectory, low 64 bits.
    pub peak_lo: u64,
    /// The number of `3x + 1` steps (OEIS A006667).
    pub odd_steps: u64,
}

fn wide(hi: u64, lo: u64) -> u128 {
    u128::from(hi) << 64 | u128::from(lo)
}

#[allow(clippy::cast_possible_truncation)] // the two halves, by construction
fn halves(value: u128) -> (u64, u64) {
    ((value >> 64) as u64, value as u64)
}

/// The record of the trajectory of `n_hi * 2^64 + n_lo`.
#[export]
pub fn stats(n_hi: u64, n_lo: u64) -> Result<CollatzStats, CollatzError> {
    guarded(|| {
        let s = collatz_core::stats(wide(n_hi, n_lo))?;
        let (n_hi, n_lo) = halves(s.n);
        let (peak_hi, peak_lo) = halves(s.peak);
        Ok(CollatzStats {
            n_hi,
            n_lo,
            total_stopping_time: s.total_stopping_time,
            stopping_time: s.stopping_time,
            peak_hi,
            peak_lo,
            odd_steps: s.odd_steps,
        })
    })
}

/// The Terras parities of `n_hi * 2^64 + n_lo` up to the first 1 (`k` absent), or exactly the
/// first `k`.
#[export]
pub fn parity_vector(n_hi: u64, n_lo: u64, k: Option<u64>) -> Result<String, CollatzError> {
    guarded(|| Ok(collatz_core::parity_vector(wide(n_hi, n_lo), k)?))
}

/// A 128-bit integer as two 64-bit halves (`hi * 2^64 + lo`).
#[data]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide {
    /// The high 64 bits.
    pub hi: u64,
    /// The low 64 bits.
    pub lo: u64,
}

/// The residue modulo `2^len` whose first Terras parities are `vector`.
#[export]
pub fn residue(vector: &str) -> Result<Wide, CollatzError> {
    guarded(|| {
        let (hi, lo) = halves(collatz_core::residue(vector)?);
        Ok(Wide { hi, lo })
    })
}

/// The trajectory of `n` as an object with its state in Rust, one value per call.
#[export]
#[derive(Debug)]
pub struct TrajectoryIterator {
    values: Mutex<collatz_core::Trajectory>,
}

#[export]
impl TrajectoryIterator {
    /// The trajectory of `n`.
    pub fn new(n: u64) -> Result<Self, CollatzError> {
        Self::resume(n, 0)
    }

    /// The trajectory of `n` with its first `position` items already taken: an independent
    /// copy of an iterator whose `position()` was `position`.
    pub fn resume(n: u64, position: u64) -> Result<Self, CollatzError> {
        guarded(|| {
            let values = Mutex::new(collatz_core::Trajectory::resume(n, position)?);
            // BoltFFI boxes the object with `Box::new`, which aborts if the allocation fails;
            // the probe (of its block: the value, a reference count and a flag) makes that a
            // `MemoryError` instead.
            collatz_core::memory::probe(size_of::<Self>() + 2 * size_of::<usize>())?;
            Ok(Self { values })
        })
    }

    /// How many items (values, and an overflow once reported) have been handed out.
    pub fn position(&self) -> u64 {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .position()
    }

    /// The next value, `0` once the trajectory has reached 1 (no value of a trajectory is 0);
    /// an overflow error where a value does not fit (after the values before it).
    ///
    /// A sentinel rather than `Option<u64>`: BoltFFI passes an `Option` as encoded bytes that
    /// its generated Python decodes with a reader object, several times the cost of the call.
    pub fn next_value(&self) -> Result<u64, CollatzError> {
        guarded(|| {
            let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
            Ok(values.next().transpose()?.unwrap_or(0))
        })
    }
}

/// The result of [`Job::max_total_stopping_time`].
#[data]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxTotalStoppingTime {
    /// The starting value with the longest total stopping time (the smallest, on ties).
    pub n: u64,
    /// Its total stopping time.
    pub steps: u64,
}

/// What a [`Job`]'s thread computed.
#[derive(Debug)]
enum Output {
    /// `iterate`'s value, `None` if a callback asked to stop.
    Value(Option<u64>),
    /// `max_total_stopping_time`'s answer, `None` if a callback asked to stop.
    Record(Option<MaxTotalStoppingTime>),
    /// Packed total stopping times.
    Bytes(Vec<u8>),
}

/// Long work on a thread of its own, so that the GIL is free while it runs.
///
/// BoltFFI's generated functions keep the GIL for the whole call. A `Job` starts the work on a
/// new thread and returns at once; the work calls `callbacks.on_progress` as it goes (BoltFFI's
/// callback takes the GIL for it), stores its result, and lets go of `callbacks` — the last
/// thing the thread does with Python (BoltFFI's release takes the GIL too). The facade's
/// callbacks object tells the waiting caller when it is released (its `__del__`): the caller
/// waits for that in Python — the GIL released, Ctrl-C delivered — and then takes the result.
/// So the thread never needs the GIL after the caller returns: a thread that asked for it
/// during interpreter shutdown would be ended by CPython with a forced unwind, which Rust
/// turns into an abort. A `true` from `on_progress` stops the work.
#[export]
#[derive(Debug)]
pub struct Job {
    result: Arc<Mutex<Option<Result<Output, CollatzError>>>>,
}

impl Job {
    fn spawn(
        callbacks: Arc<dyn Callbacks>,
        work: impl FnOnce(&dyn Callbacks) -> Result<Output, CollatzError> + Send + 'static,
    ) -> Result<Self, CollatzError> {
        let result = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&result);
        std::thread::Builder::new()
            .name("collatz-boltffi-job".into())
            .spawn(move || {
                let outcome = guarded(|| work(callbacks.as_ref()));
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
                // Last: the waiter wakes when Python frees its callbacks object (which takes
                // the GIL: not once the interpreter is exiting). Should finalisation start
                // between the check and the drop, CPython ends this thread with a forced
                // unwind: it stops at the guard (the thread parks) instead of reaching std's
                // catch_unwind around the thread, which would abort the process.
                host::park_if_exiting();
                collatz_core::exit::parking_on_unwind(|| drop(callbacks));
            })
            .map_err(|e| CollatzError::Panic {
                message: format!("could not start a thread: {e}"),
            })?;
        Ok(Self { result })
    }

    fn output(&self) -> Result<Output, CollatzError> {
        self.result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| {
                Err(CollatzError::Argument {
                    message: "the job has not finished, or its result was already taken".into(),
                })
            })
    }

    fn mismatch(output: &Output) -> CollatzError {
        CollatzError::Argument {
            message: format!("the job computed something else: {output:?}"),
        }
    }
}

#[export]
impl Job {
    /// `iterate(n, k)` on a thread, polling `callbacks.on_progress(done, k)` every
    /// [`collatz_core::POLL_STEPS`] steps.
    pub fn iterate(n: u64, k: u64, callbacks: Arc<dyn Callbacks>) -> Result<Self, CollatzError> {
        guarded(|| {
            Self::spawn(callbacks, move |callbacks| {
                Ok(Output::Value(collatz_core::iterate_polling(
                    n,
                    k,
                    |done| {
                        host::park_if_exiting();
                        // As in `spawn`: a forced unwind parks here, before `guarded`.
                        collatz_core::exit::parking_on_unwind(|| callbacks.on_progress(done, k))
                    },
                )?))
            })
        })
    }

    /// `max_total_stopping_time(limit)` on a thread (which uses all cores), with
    /// `callbacks.on_progress(done, limit - 1)` as the search goes.
    pub fn max_total_stopping_time(
        limit: u64,
        callbacks: Arc<dyn Callbacks>,
    ) -> Result<Self, CollatzError> {
        guarded(|| {
            Self::spawn(callbacks, move |callbacks| {
                let best = collatz_core::max_total_stopping_time_with(limit, |done, total| {
                    host::park_if_exiting();
                    // As in `spawn`: a forced unwind parks here, before `guarded`.
                    if collatz_core::exit::parking_on_unwind(|| callbacks.on_progress(done, total))
                    {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })?;
                Ok(Output::Record(
                    best.map(|(n, steps)| MaxTotalStoppingTime { n, steps }),
                ))
            })
        })
    }

    /// [`total_stopping_times_bytes`] on a thread (which uses all cores); `values` is copied
    /// first (aligned), since the caller's buffer is borrowed only for this call.
    pub fn total_stopping_times(
        values: &[u8],
        callbacks: Arc<dyn Callbacks>,
    ) -> Result<Self, CollatzError> {
        guarded(|| {
            let values = unpacked(values)?; // the one copy the job needs, aligned
            Self::spawn(callbacks, move |_| {
                total_stopping_times_of(&values).map(Output::Bytes)
            })
        })
    }

    /// The value of an `iterate` job, once it has released its callbacks; `None` if it was
    /// stopped.
    pub fn value(&self) -> Result<Option<u64>, CollatzError> {
        guarded(|| match self.output()? {
            Output::Value(value) => Ok(value),
            other => Err(Self::mismatch(&other)),
        })
    }

    /// The answer of a `max_total_stopping_time` job; `None` if it was stopped.
    pub fn record(&self) -> Result<Option<MaxTotalStoppingTime>, CollatzError> {
        guarded(|| match self.output()? {
            Output::Record(record) => Ok(record),
            other => Err(Self::mismatch(&other)),
        })
    }

    /// The packed result of a `total_stopping_times` job.
    pub fn bytes(&self) -> Result<Vec<u8>, CollatzError> {
        guarded(|| match self.output()? {
            Output::Bytes(bytes) => Ok(bytes),
            other => Err(Self::mismatch(&other)),
        })
    }
}

/// `total_stopping_time`, as a Rust `async fn`: BoltFFI makes it a Python `async def` whose
/// future asyncio polls (no Rust executor). It computes in its first poll, on the loop's
/// thread: the figure is what one `await` of a BoltFFI future costs.
#[export]
pub async fn total_stopping_time_async(n: u64) -> Result<u64, CollatzError> {
    // BoltFFI's poll catches no panic (an abort): `guarded`.
    guarded(|| Ok(collatz_core::total_stopping_time(n)?))
}

/// What an awaited search has to say next ([`Search::next_event`]).
#[data]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchEvent {
    /// `done` of `total` numbers covered (the latest report; earlier unread ones merged).
    Progress {
        /// Numbers covered so far.
        done: u64,
        /// `limit - 1`.
        total: u64,
    },
    /// The search's answer.
    Done {
        /// The record.
        best: MaxTotalStoppingTime,
    },
}

/// `max_total_stopping_time` on a thread of its own (`collatz_core::background`), awaited one
/// event at a time: the facade's `max_total_stopping_time_async` awaits
/// [`next_event`](Self::next_event) (a Rust `async fn`) until the answer, calling `progress`
/// itself, on the loop's thread. Stopping or freeing the object (the facade does both when its
/// task is cancelled) stops the search at its next report.
#[export]
#[derive(Debug)]
pub struct Search(collatz_core::background::Search);

#[export]
impl Search {
    /// Start the search. `callbacks.on_progress(done, total)` is called on the search's thread
    /// at each report (every `collatz_core::PROGRESS_NUMBERS` numbers), before anything else:
    /// `true` stops the search for good (the facade's "has my loop been closed?"). `reporting`:
    /// whether [`next_event`](Self::next_event) hands out progress reports.
    pub fn new(
        limit: u64,
        reporting: bool,
        callbacks: Arc<dyn Callbacks>,
    ) -> Result<Self, CollatzError> {
        guarded(|| {
            // BoltFFI boxes the object with `Box::new` (see `TrajectoryIterator::resume`).
            collatz_core::memory::probe(size_of::<Self>() + 2 * size_of::<usize>())?;
            let callbacks = FromThread(Some(callbacks));
            let search = collatz_core::background::Search::start(
                limit,
                reporting,
                move |done, total| callbacks.on_progress(done, total),
                // BoltFFI's waker takes the GIL to post to the loop, and `call_soon_threadsafe`
                // lets it go meanwhile (to write to the loop's self-pipe): the interpreter may
                // start exiting before it has it back (`collatz_core::exit`).
                |waker: std::task::Waker| {
                    host::park_if_exiting();
                    collatz_core::exit::parking_on_unwind(|| waker.wake());
                },
            )
            .map_err(|e| CollatzError::Panic {
                message: format!("could not start the search's thread: {e}"),
            })?;
            Ok(Self(search))
        })
    }

    /// The next event: a progress report, or the answer (or the search's error). Awaited from
    /// Python as an `async def`; polled on the loop's thread with the GIL held, so it never
    /// blocks (the facade waits for [`finished`](Self::finished) after the answer).
    pub async fn next_event(&self) -> Result<SearchEvent, CollatzError> {
        use collatz_core::background::Event;
        match self.0.next_event().await {
            Event::Report { done, total } => Ok(SearchEvent::Progress { done, total }),
            Event::Ended(Ok(Some((n, steps)))) => Ok(SearchEvent::Done {
                best: MaxTotalStoppingTime { n, steps },
            }),
            Event::Ended(Ok(None)) => Err(CollatzError::Panic {
                message: "a stopped search said something".into(),
            }),
            Event::Ended(Err(e)) => Err(e.into()),
            Event::Panicked(message) => Err(CollatzError::Panic { message }),
        }
    }

    /// Whether the search's thread has ended: after the answer, it may still be returning from
    /// its last wake, in Python; the facade hands the answer over once it has (the interpreter
    /// may exit as soon as it has it, and would end the thread there).
    pub fn finished(&self) -> bool {
        self.0.is_finished()
    }

    /// Stop the search at its next report.
    pub fn stop(&self) {
        self.0.stop();
    }
}

/// The facade's callbacks, called (and let go of) on the search's thread: each call into
/// Python, which takes the GIL, is made as `collatz_core::exit` says a detached thread must
/// (park if the interpreter is exiting; a forced unwind out of it parks too).
struct FromThread(Option<Arc<dyn Callbacks>>);

impl FromThread {
    /// `true` to go on: the callbacks' `on_progress` answers `true` to stop.
    fn on_progress(&self, done: u64, total: u64) -> bool {
        self.0.as_ref().is_some_and(|callbacks| {
            host::park_if_exiting();
            !collatz_core::exit::parking_on_unwind(|| callbacks.on_progress(done, total))
        })
    }
}

impl Drop for FromThread {
    fn drop(&mut self) {
        if let Some(callbacks) = self.0.take() {
            host::park_if_exiting();
            collatz_core::exit::parking_on_unwind(|| drop(callbacks));
        }
    }
}

/// Test hook (feature `test-hooks` only, never in wheels): panics, which [`guarded`] must turn
/// into [`CollatzError::Panic`] with the message kept.
#[cfg(feature = "test-hooks")]
#[export]
pub fn test_panic() -> Result<u64, CollatzError> {
    guarded(|| panic!("forced panic from test_panic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_their_kind() {
        assert!(matches!(step(u64::MAX), Err(CollatzError::Overflow { .. })));
        assert!(matches!(step(0), Err(CollatzError::Invalid { .. })));
        assert!(matches!(
            total_stopping_times_bytes(&[1, 2, 3]),
            Err(CollatzError::Argument { .. })
        ));
        assert_eq!(step(27), Ok(82));
    }

    #[test]
    fn panics_become_errors() {
        let error = guarded::<u64>(|| panic!("boom")).unwrap_err();
        assert_eq!(
            error,
            CollatzError::Panic {
                message: "boom".into()
            }
        );
    }

    #[test]
    fn packed_bulk_round_trip() {
        let values: Vec<u8> = [1_u64, 27, 97]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        let out = total_stopping_times_bytes(&values).unwrap();
        let times: Vec<u64> = out
            .chunks_exact(8)
            .map(|c| u64::from_ne_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(times, [0, 111, 118]);
        // Unaligned input takes the copying path and gives the same answer.
        let mut shifted = vec![0_u8];
        shifted.extend_from_slice(&values);
        assert_eq!(total_stopping_times_bytes(&shifted[1..]).unwrap(), out);
    }

    #[derive(Debug, Default)]
    struct Recorder {
        done: std::sync::atomic::AtomicBool,
        stop: bool,
    }

    impl Callbacks for Recorder {
        fn on_visit(&self, _value: u64) -> bool {
            self.stop
        }
        fn on_progress(&self, _done: u64, _total: u64) -> bool {
            self.stop
        }
    }

    /// What the facade's callbacks object does in `__del__`.
    #[derive(Debug)]
    struct Released(Arc<Recorder>);

    impl Callbacks for Released {
        fn on_visit(&self, value: u64) -> bool {
            self.0.on_visit(value)
        }
        fn on_progress(&self, done: u64, total: u64) -> bool {
            self.0.on_progress(done, total)
        }
    }

    impl Drop for Released {
        fn drop(&mut self) {
            self.0.done.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn wait(recorder: &Recorder) {
        while !recorder.done.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::yield_now();
        }
    }

    #[test]
    fn jobs_compute_on_their_thread_and_signal_done() {
        let recorder = Arc::new(Recorder::default());
        let job = Job::max_total_stopping_time(10, Arc::new(Released(recorder.clone()))).unwrap();
        wait(&recorder);
        assert_eq!(
            job.record(),
            Ok(Some(MaxTotalStoppingTime { n: 9, steps: 19 }))
        );
        assert!(matches!(job.record(), Err(CollatzError::Argument { .. })));

        let stopper = Arc::new(Recorder {
            stop: true,
            ..Recorder::default()
        });
        let job = Job::iterate(27, 1 << 40, Arc::new(Released(stopper.clone()))).unwrap();
        wait(&stopper);
        assert_eq!(job.value(), Ok(None));

        let recorder = Arc::new(Recorder::default());
        let job = Job::iterate(0, 1, Arc::new(Released(recorder.clone()))).unwrap();
        wait(&recorder);
        assert!(matches!(job.value(), Err(CollatzError::Invalid { .. })));
        // Malformed bytes fail when the job is made, before any thread.
        let recorder = Arc::new(Recorder::default());
        assert!(matches!(
            Job::total_stopping_times(&[1, 2], Arc::new(Released(recorder.clone()))),
            Err(CollatzError::Argument { .. })
        ));
        let values: Vec<u8> = [27_u64, 97].iter().flat_map(|v| v.to_ne_bytes()).collect();
        let recorder = Arc::new(Recorder::default());
        let job =
            Job::total_stopping_times(&values[..], Arc::new(Released(recorder.clone()))).unwrap();
        wait(&recorder);
        let times = job.bytes().unwrap();
        assert_eq!(&times[..8], &111_u64.to_ne_bytes());
        assert_eq!(&times[8..], &118_u64.to_ne_bytes());
    }

    #[test]
    fn literature_functions_split_128_bit_integers() {
        let s = stats(1, 0).unwrap();
        assert_eq!((s.n_hi, s.n_lo), (1, 0));
        assert_eq!(residue("1").unwrap(), Wide { hi: 0, lo: 1 });
        assert_eq!(parity_vector(0, 3, None).unwrap(), "11000");
    }
}
