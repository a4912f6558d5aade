//! collatz-core for Python through UniFFI (proc-macros, no UDL).
//!
//! The generated module is low-level: it takes and returns `int`, raises [`CollatzFfiError`],
//! and moves bulk data as native-endian `uint64` bytes, because a `Vec<u64>` crosses UniFFI
//! element by element (one Python-level conversion per element). The `collatz_uniffi` Python package
//! wraps it in the project's contract: built-in exceptions, numpy arrays in and out.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use collatz_core::Kind;

uniffi::setup_scaffolding!();

/// A core error, one variant per [`Kind`]; the facade maps each to a Python exception.
/// The message names the offending value and, for arrays, its index.
#[derive(Debug, uniffi::Error)]
#[uniffi(flat_error)]
pub enum CollatzFfiError {
    /// Input outside the domain (a zero, a limit below 2).
    Invalid(String),
    /// A step would exceed `2**64 - 1`.
    Overflow(String),
    /// An API rule was broken (malformed packed bytes).
    Argument(String),
    /// Memory ran out for an allocation whose size follows from the input.
    Memory(String),
}

impl fmt::Display for CollatzFfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(message)
            | Self::Overflow(message)
            | Self::Argument(message)
            | Self::Memory(message) => f.write_str(message),
        }
    }
}

impl From<collatz_core::Error> for CollatzFfiError {
    fn from(e: collatz_core::Error) -> Self {
        let message = e.to_string();
        match e.kind() {
            Kind::Invalid => Self::Invalid(message),
            Kind::Overflow => Self::Overflow(message),
            Kind::Argument => Self::Argument(message),
            Kind::Memory => Self::Memory(message),
        }
    }
}

/// The result of [`max_total_stopping_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct MaxTotalStoppingTime {
    /// The starting value with the longest total stopping time (the smallest, on ties).
    pub n: u64,
    /// Its total stopping time.
    pub steps: u64,
}

/// A 128-bit integer as two 64-bit halves (`hi * 2^64 + lo`): UniFFI has no `u128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Wide {
    /// The high 64 bits.
    pub hi: u64,
    /// The low 64 bits.
    pub lo: u64,
}

impl From<u128> for Wide {
    #[allow(clippy::cast_possible_truncation)] // the two halves, by construction
    fn from(value: u128) -> Self {
        Self {
            hi: (value >> 64) as u64,
            lo: value as u64,
        }
    }
}

impl From<Wide> for u128 {
    fn from(w: Wide) -> Self {
        Self::from(w.hi) << 64 | Self::from(w.lo)
    }
}

/// The record of one trajectory (a UniFFI record: a dataclass in Python).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Stats {
    /// The starting value.
    pub n: Wide,
    /// Steps until the value reaches 1 (OEIS A006577).
    pub total_stopping_time: u64,
    /// Steps until the value is first below `n` (OEIS A102419; 0 for `n = 1`).
    pub stopping_time: u64,
    /// The largest value on the trajectory, `n` included.
    pub peak: Wide,
    /// The number of `3x + 1` steps (OEIS A006667).
    pub odd_steps: u64,
}

/// The record of the trajectory of `n`.
#[uniffi::export]
pub fn stats(n: Wide) -> Result<Stats, CollatzFfiError> {
    let s = collatz_core::stats(n.into())?;
    Ok(Stats {
        n: s.n.into(),
        total_stopping_time: s.total_stopping_time,
        stopping_time: s.stopping_time,
        peak: s.peak.into(),
        odd_steps: s.odd_steps,
    })
}

/// The Terras parities of `n` up to the first 1 (`k` absent), or exactly the first `k`.
#[uniffi::export]
pub fn parity_vector(n: Wide, k: Option<u64>) -> Result<String, CollatzFfiError> {
    Ok(collatz_core::parity_vector(n.into(), k)?)
}

/// The residue modulo `2^len` whose first Terras parities are `vector`.
#[uniffi::export]
pub fn residue(vector: String) -> Result<Wide, CollatzFfiError> {
    Ok(collatz_core::residue(&vector)?.into())
}

/// One Collatz step: `n / 2` if `n` is even, else `3 * n + 1`.
#[uniffi::export]
pub fn step(n: u64) -> Result<u64, CollatzFfiError> {
    Ok(collatz_core::step(n)?)
}

/// `step` applied `k` times, one step at a time; `k == 0` returns `n`.
#[uniffi::export]
pub fn iterate(n: u64, k: u64) -> Result<u64, CollatzFfiError> {
    Ok(collatz_core::iterate(n, k)?)
}

/// The number of steps until `n` first reaches 1.
#[uniffi::export]
pub fn total_stopping_time(n: u64) -> Result<u64, CollatzFfiError> {
    Ok(collatz_core::total_stopping_time(n)?)
}

/// Bytes that cross UniFFI as its `bytes` type, built in UniFFI's wire format from the start.
///
/// UniFFI 0.32 lowers every `Vec<T>`, `Vec<u8>` included, one element at a time (its source
/// calls a direct `Vec<u8>` path "future work"), into a buffer it allocates infallibly. This
/// newtype declares the type metadata of `Vec<u8>` — so the generated Python lifts it exactly
/// as `bytes` — and holds the serialised form itself (a big-endian `i32` length, then the
/// bytes) in one buffer allocated fallibly, which `lower` hands over as it is: no copy, and no
/// allocation the binding cannot refuse with `MemoryError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBytes(Vec<u8>);

/// The bytes of UniFFI's length prefix.
const PREFIX: usize = 4;

impl PackedBytes {
    /// `count` native-endian `u64`s written by `fill`, which gets them as an aligned slice.
    ///
    /// The buffer is allocated once, zeroed by the allocator, with the values computed at
    /// offset 8 (aligned) and moved down to offset 4 behind the length prefix (one `memmove`,
    /// in place).
    fn of_u64s(
        count: usize,
        fill: impl FnOnce(&mut [u64]) -> Result<(), collatz_core::Error>,
    ) -> Result<Self, CollatzFfiError> {
        let bytes = count.checked_mul(8).filter(|&b| i32::try_from(b).is_ok());
        let Some(bytes) = bytes else {
            return Err(CollatzFfiError::Argument(format!(
                "{count} values do not fit in UniFFI's bytes (at most 2**31 - 1 bytes)"
            )));
        };
        let mut wire = bytemuck::allocation::try_zeroed_slice_box::<u8>(bytes + 8)
            .map_err(|()| collatz_core::memory::out_of_memory_for(bytes + 8))?
            .into_vec();
        if let Ok(values) = bytemuck::try_cast_slice_mut::<u8, u64>(&mut wire[8..]) {
            fill(values)?;
        } else {
            // Not 8-aligned (no allocator here gives such a block): compute, then copy.
            let mut values = collatz_core::memory::filled(count, 0_u64)?;
            fill(&mut values)?;
            wire[8..].copy_from_slice(bytemuck::cast_slice(&values));
        }
        wire.copy_within(8.., PREFIX);
        wire.truncate(PREFIX + bytes);
        let len = i32::try_from(bytes).unwrap_or(i32::MAX); // checked above
        wire[..PREFIX].copy_from_slice(&len.to_be_bytes());
        Ok(Self(wire))
    }

    /// The bytes, without the length prefix.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.0[PREFIX..]
    }
}

// SAFETY: `lower`/`write` produce exactly the serialisation UniFFI uses for `Vec<u8>` (i32
// length, then the bytes), which is what TYPE_ID_META announces: `PackedBytes` holds it
// already. `try_lift`/`try_read` read that format back with bounds checks.
unsafe impl uniffi::FfiConverter<crate::UniFfiTag> for PackedBytes {
    type FfiType = uniffi::RustBuffer;

    fn lower(obj: Self) -> uniffi::RustBuffer {
        uniffi::RustBuffer::from_vec(obj.0)
    }

    fn try_lift(v: uniffi::RustBuffer) -> uniffi::Result<Self> {
        let vec = v.destroy_into_vec();
        let mut slice = vec.as_slice();
        let value = <Self as uniffi::FfiConverter<crate::UniFfiTag>>::try_read(&mut slice)?;
        uniffi::check_remaining(slice, 0)?;
        Ok(value)
    }

    fn write(obj: Self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&obj.0);
    }

    fn try_read(buf: &mut &[u8]) -> uniffi::Result<Self> {
        uniffi::check_remaining(buf, PREFIX)?;
        let len = usize::try_from(i32::from_be_bytes(buf[..PREFIX].try_into()?))?;
        uniffi::check_remaining(buf, PREFIX + len)?;
        let (wire, rest) = buf.split_at(PREFIX + len);
        *buf = rest;
        Ok(Self(wire.to_vec()))
    }

    const TYPE_ID_META: uniffi::MetadataBuffer =
        <Vec<u8> as uniffi::TypeId<crate::UniFfiTag>>::TYPE_ID_META;
}

uniffi::derive_ffi_traits!(local PackedBytes);

/// Total stopping times of native-endian `u64` values packed in `values` (8 bytes each), returned
/// packed the same way. Large inputs use all cores. `values` is borrowed from the caller's
/// `bytes` object without copying (UniFFI's by-reference bytes); the result is computed in
/// place in the buffer UniFFI hands to Python (see [`PackedBytes`]).
#[uniffi::export]
pub fn total_stopping_times_bytes(values: &[u8]) -> Result<PackedBytes, CollatzFfiError> {
    if values.len() % 8 != 0 {
        return Err(CollatzFfiError::Argument(format!(
            "packed uint64 values must be a multiple of 8 bytes long, got {}",
            values.len()
        )));
    }
    let count = values.len() / 8;
    PackedBytes::of_u64s(count, |out| {
        // Python's bytes are 8-aligned in practice; the copying fallback keeps this correct
        // wherever they are not.
        if let Ok(input) = bytemuck::try_cast_slice::<u8, u64>(values) {
            return collatz_core::total_stopping_times(input, out);
        }
        let mut input = collatz_core::memory::filled(count, 0_u64)?;
        bytemuck::cast_slice_mut::<u64, u8>(&mut input).copy_from_slice(values);
        collatz_core::total_stopping_times(&input, out)
    })
}

/// The Python interpreter this library is loaded into: found at run time, as the generated
/// Python loads the library with ctypes (it does not link to Python).
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

/// What Rust calls back in Python: the facade's one implementation holds the user's callable,
/// keeps any exception it raises, and answers `true` to ask Rust to stop.
#[uniffi::export(callback_interface)]
pub trait Callbacks: Send + Sync {
    /// Called with each value of a walked trajectory; `true` stops the walk.
    fn on_visit(&self, value: u64) -> bool;
    /// Called as long work goes (`done` of `total`); `true` stops it.
    fn on_progress(&self, done: u64, total: u64) -> bool;
}

/// The `n` in `1 <= n < limit` with the longest total stopping time (ties: the smallest), and that
/// time. Uses all cores; `callbacks.on_progress(done, limit - 1)` is called as the search
/// goes. `None` if it asked to stop.
#[uniffi::export]
pub fn max_total_stopping_time(
    limit: u64,
    callbacks: Box<dyn Callbacks>,
) -> Result<Option<MaxTotalStoppingTime>, CollatzFfiError> {
    let best = collatz_core::max_total_stopping_time_with(limit, |done, total| {
        host::park_if_exiting();
        if callbacks.on_progress(done, total) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    Ok(best.map(|(n, steps)| MaxTotalStoppingTime { n, steps }))
}

/// `total_stopping_time`, as a Rust `async fn`: UniFFI makes it a Python `async def` that
/// asyncio drives (no Rust executor). It computes in its first poll, on the loop's thread: the
/// figure is what one `await` of a UniFFI future costs.
#[uniffi::export]
pub async fn total_stopping_time_async(n: u64) -> Result<u64, CollatzFfiError> {
    total_stopping_time(n)
}

/// What an awaited search has to say next ([`Search::next_event`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
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

/// The facade's callbacks, called (and possibly let go of) on the search's thread: each call
/// into Python, which takes the GIL, is made as `collatz_core::exit` says a detached thread
/// must (park if the interpreter is exiting; a forced unwind out of it parks too).
struct FromThread(Option<Box<dyn Callbacks>>);

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

/// `max_total_stopping_time` on a thread of its own (`collatz_core::background`), awaited one
/// event at a time: the facade's `max_total_stopping_time_async` awaits
/// [`next_event`](Self::next_event) (a Rust `async fn`) until the answer, calling `progress`
/// itself, on the loop's thread. Freeing the object, or an awaited `next_event` whose task was
/// cancelled (UniFFI frees the Rust future), stops the search at its next report.
#[derive(Debug, uniffi::Object)]
pub struct Search(collatz_core::background::Search);

#[uniffi::export]
impl Search {
    /// Start the search. `callbacks.on_progress(done, total)` is called on the search's thread
    /// at each report (every `collatz_core::PROGRESS_NUMBERS` numbers), before anything else:
    /// `true` stops the search for good (the facade's "has my loop been closed?"). `reporting`:
    /// whether [`next_event`](Self::next_event) hands out progress reports.
    #[uniffi::constructor]
    pub fn new(limit: u64, reporting: bool, callbacks: Box<dyn Callbacks>) -> Arc<Self> {
        let callbacks = FromThread(Some(callbacks));
        let search = collatz_core::background::Search::start(
            limit,
            reporting,
            move |done, total| callbacks.on_progress(done, total),
            // UniFFI's waker calls the Python continuation callback, which takes the GIL and
            // lets it go (to write to the loop's self-pipe): the interpreter may start exiting
            // meanwhile, once the awaiting task has its answer (`collatz_core::exit`).
            |waker: std::task::Waker| {
                host::park_if_exiting();
                collatz_core::exit::parking_on_unwind(|| waker.wake());
            },
        );
        // A thread that cannot start is a panic: UniFFI hands it over as its `InternalError`,
        // which the facade raises as the contract's `RuntimeError`.
        Arc::new(Self(search.expect("could not start the search's thread")))
    }

    /// The next event: a progress report, or the answer (or the search's error). Awaited from
    /// Python as an `async def`.
    pub async fn next_event(&self) -> Result<SearchEvent, CollatzFfiError> {
        use collatz_core::background::Event;
        match self.0.next_event().await {
            Event::Report { done, total } => Ok(SearchEvent::Progress { done, total }),
            Event::Ended(outcome) => {
                // The search thread may still be returning from its last wake, in Python (the
                // loop's `call_soon_threadsafe` lets the GIL go and takes it back); once the
                // answer is out, the interpreter may exit. The thread ends first: UniFFI polls
                // through ctypes, the GIL released.
                self.0.join();
                match outcome {
                    Ok(Some((n, steps))) => Ok(SearchEvent::Done {
                        best: MaxTotalStoppingTime { n, steps },
                    }),
                    Ok(None) => unreachable!("a stopped search says nothing more"),
                    Err(e) => Err(e.into()),
                }
            }
            // Raised again here, where UniFFI catches it: its `InternalError`, the message kept.
            Event::Panicked(message) => std::panic::resume_unwind(Box::new(message)),
        }
    }

    /// Stop the search at its next report.
    pub fn stop(&self) {
        self.0.stop();
    }
}

/// `iterate` for long calls: `callbacks.on_progress(steps_done, k)` is called every few tens
/// of milliseconds of work; `None` if it asked to stop.
#[uniffi::export]
pub fn iterate_polled(
    n: u64,
    k: u64,
    callbacks: Box<dyn Callbacks>,
) -> Result<Option<u64>, CollatzFfiError> {
    Ok(collatz_core::iterate_polling(n, k, |done| {
        host::park_if_exiting();
        callbacks.on_progress(done, k)
    })?)
}

/// The whole trajectory of `n`, packed as native-endian `u64` bytes (see [`PackedBytes`]).
#[uniffi::export]
pub fn trajectory_bytes(n: u64) -> Result<PackedBytes, CollatzFfiError> {
    let values = collatz_core::trajectory(n)?;
    PackedBytes::of_u64s(values.len(), |out| {
        out.copy_from_slice(&values);
        Ok(())
    })
}

/// Call `callbacks.on_visit(x)` for each value of the trajectory of `n`; the number of values
/// visited, or `None` if a visit asked to stop.
#[uniffi::export]
pub fn walk(n: u64, callbacks: Box<dyn Callbacks>) -> Result<Option<u64>, CollatzFfiError> {
    let mut count = 0;
    for value in collatz_core::Trajectory::new(n)? {
        count += 1;
        host::park_if_exiting();
        if callbacks.on_visit(value?) {
            return Ok(None);
        }
    }
    Ok(Some(count))
}

/// The trajectory of `n` as an object with its state in Rust, one value per call.
#[derive(Debug, uniffi::Object)]
pub struct TrajectoryIterator {
    values: Mutex<collatz_core::Trajectory>,
}

#[uniffi::export]
impl TrajectoryIterator {
    /// The trajectory of `n`.
    #[uniffi::constructor]
    pub fn new(n: u64) -> Result<Arc<Self>, CollatzFfiError> {
        Self::resume(n, 0)
    }

    /// The trajectory of `n` with its first `position` items already taken: an independent
    /// copy of an iterator whose `position()` was `position`.
    #[uniffi::constructor]
    pub fn resume(n: u64, position: u64) -> Result<Arc<Self>, CollatzFfiError> {
        let values = Mutex::new(collatz_core::Trajectory::resume(n, position)?);
        // `Arc::new` aborts if the allocation fails; the probe (of the `Arc`'s block: two
        // counts and the value) makes that a `MemoryError` instead.
        collatz_core::memory::probe(size_of::<Self>() + 2 * size_of::<usize>())?;
        Ok(Arc::new(Self { values }))
    }

    /// How many items (values, and an overflow once reported) have been handed out.
    pub fn position(&self) -> u64 {
        self.values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .position()
    }

    /// The next value, `None` once the trajectory has reached 1; an overflow error where a
    /// value does not fit (after the values before it).
    pub fn next_value(&self) -> Result<Option<u64>, CollatzFfiError> {
        let mut values = self.values.lock().unwrap_or_else(|e| e.into_inner());
        Ok(values.next().transpose()?)
    }
}

/// Test hook (feature `test-hooks` only, never in wheels): panics, which UniFFI must turn
/// into its `InternalError` exception with the message kept.
#[cfg(feature = "test-hooks")]
#[uniffi::export]
pub fn test_panic() -> Result<u64, CollatzFfiError> {
    panic!("forced panic from test_panic")
}

#[cfg(test)]
mod tests {
    use uniffi::{FfiConverter, Lower, TypeId};

    use super::*;

    #[test]
    fn packed_bytes_use_the_wire_format_of_vec_u8() {
        let values: Vec<u64> = (0..=255).map(|i| i * 0x0101_0101_0101).collect();
        let data: Vec<u8> = bytemuck::cast_slice(&values).to_vec();
        let packed = || {
            PackedBytes::of_u64s(values.len(), |out| {
                out.copy_from_slice(&values);
                Ok(())
            })
            .unwrap()
        };
        assert_eq!(packed().bytes(), data);
        let mut ours = Vec::new();
        <PackedBytes as FfiConverter<crate::UniFfiTag>>::write(packed(), &mut ours);
        let mut theirs = Vec::new();
        <Vec<u8> as Lower<crate::UniFfiTag>>::write(data.clone(), &mut theirs);
        assert_eq!(ours, theirs);
        assert_eq!(
            <PackedBytes as TypeId<crate::UniFfiTag>>::TYPE_ID_META.as_ref(),
            <Vec<u8> as TypeId<crate::UniFfiTag>>::TYPE_ID_META.as_ref()
        );
        let lowered = <PackedBytes as FfiConverter<crate::UniFfiTag>>::lower(packed());
        let back = <PackedBytes as FfiConverter<crate::UniFfiTag>>::try_lift(lowered).unwrap();
        assert_eq!(back.bytes(), data);
    }

    #[test]
    fn more_than_uniffi_s_bytes_hold_is_refused_before_allocating() {
        assert!(matches!(
            PackedBytes::of_u64s(usize::MAX / 4, |_| Ok(())),
            Err(CollatzFfiError::Argument(_))
        ));
    }

    #[test]
    fn bulk_results_and_errors() {
        let values: Vec<u8> = [1_u64, 27, 97]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        let packed = total_stopping_times_bytes(&values).unwrap();
        let out = packed.bytes();
        let times: Vec<u64> = out
            .chunks_exact(8)
            .map(|c| u64::from_ne_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(times, [0, 111, 118]);
        assert!(matches!(
            total_stopping_times_bytes(&[1, 2, 3]),
            Err(CollatzFfiError::Argument(_))
        ));
        let zero = 0_u64.to_ne_bytes();
        assert!(matches!(
            total_stopping_times_bytes(&zero),
            Err(CollatzFfiError::Invalid(_))
        ));
        assert!(matches!(step(u64::MAX), Err(CollatzFfiError::Overflow(_))));
    }
}
