//! The C ABI of collatz-ffi: `extern "C"` functions named `collatz_*` over [`collatz_core`].
//!
//! Conventions (the generated `include/collatz.h` repeats them for C readers):
//!
//! - Scalar functions return their result directly. On failure they return a sentinel that no
//!   successful call can return — `0` for [`collatz_step`] and [`collatz_iterate`],
//!   [`COLLATZ_TOTAL_STOPPING_TIME_ERROR`] for [`collatz_total_stopping_time`] — so the success path costs
//!   nothing extra. Other functions return a status code (`COLLATZ_OK` or `COLLATZ_ERR_*`).
//! - After a failure, [`collatz_last_error`] gives its status code and
//!   [`collatz_last_error_message`] a message naming the offending value (and index), and
//!   [`collatz_last_failure`] both in one call. They are per thread and are only meaningful
//!   right after a call reported failure.
//! - Null pointers, impossible lengths, misaligned or partly overlapping buffers are rejected
//!   with `COLLATZ_ERR_ARGUMENT`, never dereferenced.
//! - A panic never crosses the boundary: it is caught and reported as `COLLATZ_ERR_PANIC`.
//! - Functions that take a callback call it on the calling thread, one call at a time; a
//!   callback that returns non-zero stops the work, and the function returns
//!   [`COLLATZ_STOPPED`].
//! - Memory the library allocates for a result ([`collatz_trajectory`]) is freed with
//!   [`collatz_free_values`]; a trajectory handle with [`collatz_trajectory_free`].

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_void};
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, PoisonError};

use collatz_core::Kind;

/// A message buffer of this many bytes holds every message of the library whole, except one
/// quoting a huge value: the size the Python front ends pass to [`collatz_last_failure`].
pub const COLLATZ_MESSAGE_CAPACITY: usize = 256;

/// Success.
pub const COLLATZ_OK: i32 = 0;
/// An input is outside the domain: `n` or an element is 0, or `limit < 2`.
pub const COLLATZ_ERR_INVALID: i32 = 1;
/// A value would not fit: a result above `UINT64_MAX` (a step, an iterate, a value of a
/// trajectory), or a value on the way of a count above `2^128 - 1` (no known trajectory).
pub const COLLATZ_ERR_OVERFLOW: i32 = 2;
/// A pointer is null, a length is impossible, or buffers are misaligned or partly overlap.
pub const COLLATZ_ERR_ARGUMENT: i32 = 3;
/// The library panicked; the panic was caught at the boundary. Please report it.
pub const COLLATZ_ERR_PANIC: i32 = 4;
/// Not a failure: a callback returned non-zero, and the work stopped there as it asked.
pub const COLLATZ_STOPPED: i32 = 5;
/// Memory ran out: an allocation whose size follows from the input (a trajectory, a parity
/// vector, a handle) was refused. Nothing is allocated or written.
pub const COLLATZ_ERR_MEMORY: i32 = 6;
/// What [`collatz_total_stopping_time`] returns on failure: `UINT64_MAX`, which no total stopping time is
/// (written as a literal so that cffi can parse the header).
pub const COLLATZ_TOTAL_STOPPING_TIME_ERROR: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// Why the last failing call on this thread failed.
enum Failure {
    Core(collatz_core::Error),
    Argument(&'static str),
    Panic(String),
    /// A callback asked to stop: not a failure of the library, and not recorded as one.
    Stopped,
}

impl Failure {
    const fn code(&self) -> i32 {
        match self {
            Self::Core(e) => match e.kind() {
                Kind::Invalid => COLLATZ_ERR_INVALID,
                Kind::Overflow => COLLATZ_ERR_OVERFLOW,
                Kind::Argument => COLLATZ_ERR_ARGUMENT,
                Kind::Memory => COLLATZ_ERR_MEMORY,
            },
            Self::Argument(_) => COLLATZ_ERR_ARGUMENT,
            Self::Panic(_) => COLLATZ_ERR_PANIC,
            Self::Stopped => COLLATZ_STOPPED,
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Core(e) => e.to_string(),
            Self::Argument(what) => (*what).to_owned(),
            Self::Panic(what) => format!("{}{what}", collatz_core::PANIC_PREFIX),
            Self::Stopped => "stopped by a callback".to_owned(),
        }
    }
}

impl From<collatz_core::Error> for Failure {
    fn from(e: collatz_core::Error) -> Self {
        Self::Core(e)
    }
}

thread_local! {
    static LAST_FAILURE: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Run `body` with panics caught and turned into [`Failure::Panic`].
#[inline(always)]
fn run<T>(body: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        Err(Failure::Panic(collatz_core::panic_message(
            payload.as_ref(),
        )))
    })
}

/// For scalar functions: the value, or `sentinel` with the failure recorded.
#[inline(always)]
fn value_or(sentinel: u64, body: impl FnOnce() -> Result<u64, Failure>) -> u64 {
    match run(body) {
        Ok(value) => value,
        Err(failure) => {
            record(failure);
            sentinel
        }
    }
}

/// For status-code functions: `COLLATZ_OK`, or the failure's code with the failure recorded.
#[inline(always)]
fn status(body: impl FnOnce() -> Result<(), Failure>) -> i32 {
    match run(body) {
        Ok(()) => COLLATZ_OK,
        Err(failure) => record(failure),
    }
}

/// Remember `failure` as this thread's last one and return its code. A stop asked for by a
/// callback is not a failure: it is reported by its code alone.
#[cold]
#[inline(never)]
fn record(failure: Failure) -> i32 {
    let code = failure.code();
    if matches!(failure, Failure::Stopped) {
        return code;
    }
    // `try_with` fails only while the thread is being torn down; the code still reports.
    let _ = LAST_FAILURE.try_with(|last| *last.borrow_mut() = Some(failure));
    code
}

/// One Collatz step: `n / 2` if `n` is even, else `3 * n + 1`.
///
/// Returns 0 on failure (`n == 0`: `COLLATZ_ERR_INVALID`; `3 * n + 1 > UINT64_MAX`:
/// `COLLATZ_ERR_OVERFLOW`); 0 is never a result.
#[unsafe(no_mangle)]
pub extern "C" fn collatz_step(n: u64) -> u64 {
    value_or(0, || Ok(collatz_core::step(n)?))
}

/// `collatz_step` applied `k` times, one step at a time; `k == 0` returns `n`. The values on
/// the way may exceed `UINT64_MAX` (they are followed in 128-bit arithmetic); the result may
/// not.
///
/// Returns 0 on failure (`n == 0`: `COLLATZ_ERR_INVALID`; the result exceeds `UINT64_MAX`:
/// `COLLATZ_ERR_OVERFLOW`); 0 is never a result.
#[unsafe(no_mangle)]
pub extern "C" fn collatz_iterate(n: u64, k: u64) -> u64 {
    value_or(0, || Ok(collatz_core::iterate(n, k)?))
}

/// The number of steps until `n` first reaches 1 (0 for `n == 1`), exact for every `n`: a
/// trajectory that climbs past `UINT64_MAX` is followed in 128-bit arithmetic.
///
/// Returns `COLLATZ_TOTAL_STOPPING_TIME_ERROR` on failure (`n == 0`: `COLLATZ_ERR_INVALID`; the
/// trajectory exceeds `2^128 - 1`, which no known trajectory does: `COLLATZ_ERR_OVERFLOW`).
#[unsafe(no_mangle)]
pub extern "C" fn collatz_total_stopping_time(n: u64) -> u64 {
    value_or(COLLATZ_TOTAL_STOPPING_TIME_ERROR, || {
        Ok(collatz_core::total_stopping_time(n)?)
    })
}

/// Write the total stopping time of `values[i]` to `out[i]` for `i < len`; large inputs use all
/// cores. `out` may be `values` itself (computed in place) but must not partly overlap it.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` for the first element that is 0, else
/// `COLLATZ_ERR_OVERFLOW` for the first whose trajectory exceeds `2^128 - 1` (the message names
/// its index; `out` is then unspecified); `COLLATZ_ERR_ARGUMENT` for a null or misaligned pointer
/// with `len > 0`, a `len` too large for memory, or partly overlapping buffers.
///
/// # Safety
/// For `len > 0`, `values` must point to `len` readable `uint64_t` and `out` to `len` writable
/// ones, not modified by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_total_stopping_times(
    values: *const u64,
    out: *mut u64,
    len: usize,
) -> i32 {
    status(|| {
        if len == 0 {
            return Ok(());
        }
        if values.is_null() || out.is_null() {
            return Err(Failure::Argument(
                "values and out must not be null when len > 0",
            ));
        }
        if len > isize::MAX as usize / size_of::<u64>() {
            return Err(Failure::Argument("len is larger than any buffer can be"));
        }
        if !values.is_aligned() || !out.is_aligned() {
            return Err(Failure::Argument(
                "values and out must be aligned for uint64_t",
            ));
        }
        let (start_in, start_out) = (values as usize, out as usize);
        let bytes = len * size_of::<u64>();
        if start_in == start_out {
            // SAFETY: the caller promises `len` readable and writable elements at `out`, and no
            // other access during the call; this is the only reference to them.
            let buffer = unsafe { std::slice::from_raw_parts_mut(out, len) };
            let mut input = collatz_core::memory::filled(len, 0)?;
            input.copy_from_slice(buffer);
            return Ok(collatz_core::total_stopping_times(&input, buffer)?);
        }
        if start_in < start_out + bytes && start_out < start_in + bytes {
            return Err(Failure::Argument("values and out partly overlap"));
        }
        // SAFETY: non-null, aligned, `len` elements each as the caller promises, disjoint (checked
        // above), and not accessed by anyone else during the call.
        let (input, output) = unsafe {
            (
                std::slice::from_raw_parts(values, len),
                std::slice::from_raw_parts_mut(out, len),
            )
        };
        Ok(collatz_core::total_stopping_times(input, output)?)
    })
}

/// A progress (or poll) callback: `done` of `total` units of work are finished. Return 0 to go
/// on, anything else to stop the work (the function then returns `COLLATZ_STOPPED`).
///
/// A callback may end its thread (as CPython's `pthread_exit` does to a thread that calls back
/// into an exiting interpreter): the library then parks that thread for good.
pub type CollatzProgressFn =
    Option<unsafe extern "C-unwind" fn(ctx: *mut c_void, done: u64, total: u64) -> i32>;

/// A visitor callback: called with each value of a trajectory. Return 0 to go on, anything
/// else to stop (the function then returns `COLLATZ_STOPPED`). It may end its thread, as a
/// progress callback may.
pub type CollatzVisitFn = Option<unsafe extern "C-unwind" fn(ctx: *mut c_void, value: u64) -> i32>;

/// Call `callback(ctx, …)`, a foreign function the caller vouched for; `true` to stop.
///
/// The library runs inside Python (its three front ends) or any other host. Inside Python,
/// a callback takes the GIL; at interpreter exit that either crashes (python/cpython#124619)
/// or ends the thread with `pthread_exit` (before 3.14), whose forced unwind would reach
/// [`run`]'s `catch_unwind` and abort the process. So the thread parks for good instead of
/// calling back into an exiting interpreter, and a forced unwind out of the callback parks
/// it too (`collatz_core::exit`).
macro_rules! asks_to_stop {
    ($callback:expr, $ctx:expr $(, $arg:expr)*) => {{
        if host::python_exiting() {
            collatz_core::exit::park_forever();
        }
        // SAFETY: the caller of the entry point promises that the callback is safe to call
        // with `ctx` for the duration of the call.
        collatz_core::exit::parking_on_unwind(|| unsafe { $callback($ctx $(, $arg)*) != 0 })
    }};
}

/// The Python interpreter this library is loaded into, if any: found at run time (the
/// library does not link to Python, and serves any host).
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

    /// Whether the process hosts a Python interpreter that is exiting: `Py_IsInitialized()`
    /// is 0 from the moment finalisation starts (it reads one field: safe without the GIL).
    pub(crate) fn python_exiting() -> bool {
        static PROBE: OnceLock<Option<IsInitialized>> = OnceLock::new();
        let probe = PROBE.get_or_init(|| {
            // SAFETY: dlsym with a NUL-terminated name; a null result is "no Python here".
            let found = unsafe { dlsym(RTLD_DEFAULT, c"Py_IsInitialized".as_ptr()) };
            // SAFETY: CPython's `int Py_IsInitialized(void)`, when the symbol is there.
            (!found.is_null())
                .then(|| unsafe { std::mem::transmute::<*mut c_void, IsInitialized>(found) })
        });
        // SAFETY: no precondition (callable without the GIL, before and after finalisation).
        probe.is_some_and(|is_initialized| unsafe { is_initialized() } == 0)
    }
}

/// Write `value` through `out`, which the caller promised writable; checked for null and
/// alignment by the callers of this helper.
fn write_out(out: *mut u64, value: u64) {
    // SAFETY: every caller checked `out` with `check_out` first; the caller of the entry point
    // promises it is writable.
    unsafe { out.write(value) }
}

fn check_out(out: *mut u64, what: &'static str) -> Result<(), Failure> {
    if out.is_null() || !out.is_aligned() {
        return Err(Failure::Argument(what));
    }
    Ok(())
}

/// `collatz_iterate` for long calls: calls `poll(ctx, steps_done, k)` every few tens of
/// milliseconds of work on the calling thread (`poll` may be `NULL`), and writes the result
/// to `*out`.
///
/// Returns `COLLATZ_OK`; `COLLATZ_STOPPED` if `poll` returned non-zero (nothing is written);
/// `COLLATZ_ERR_INVALID` if `n == 0`; `COLLATZ_ERR_OVERFLOW` if the result does not fit;
/// `COLLATZ_ERR_ARGUMENT` if `out` is null or misaligned.
///
/// # Safety
/// `out` must point to a writable `uint64_t`; `poll`, if not null, must be safe to call with
/// `ctx` until this function returns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_iterate_polled(
    n: u64,
    k: u64,
    poll: CollatzProgressFn,
    ctx: *mut c_void,
    out: *mut u64,
) -> i32 {
    status(|| {
        check_out(out, "out must be a non-null, aligned pointer to uint64_t")?;
        let result = collatz_core::iterate_polling(n, k, |done| match poll {
            Some(poll) => asks_to_stop!(poll, ctx, done, k),
            None => false,
        })?;
        match result {
            Some(value) => {
                write_out(out, value);
                Ok(())
            }
            None => Err(Failure::Stopped),
        }
    })
}

/// The `n` in `1 <= n < limit` with the longest total stopping time (ties: the smallest `n`),
/// written to `*n_out`, and its total stopping time, written to `*steps_out`. Uses all cores.
///
/// `progress`, if not null, is called as the search goes, on the calling thread:
/// `progress(ctx, done, limit - 1)` with `done` the numbers of `1 .. limit - 1` covered so far,
/// non-decreasing, at least every few tens of milliseconds of work, and a last time with
/// `done == limit - 1` once the answer is known. Only the `n` that can be the answer are
/// examined (the proofs are in `collatz-core`).
///
/// Returns `COLLATZ_OK`; `COLLATZ_STOPPED` if `progress` returned non-zero;
/// `COLLATZ_ERR_INVALID` if `limit < 2`; `COLLATZ_ERR_OVERFLOW` if a trajectory in range
/// exceeds `2^128 - 1`; `COLLATZ_ERR_ARGUMENT` if an out pointer is null or misaligned. Nothing is
/// written unless the result is `COLLATZ_OK`.
///
/// # Safety
/// `n_out` and `steps_out` must each be null or point to a writable `uint64_t`; `progress`, if
/// not null, must be safe to call with `ctx` until this function returns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_max_total_stopping_time(
    limit: u64,
    progress: CollatzProgressFn,
    ctx: *mut c_void,
    n_out: *mut u64,
    steps_out: *mut u64,
) -> i32 {
    status(|| {
        check_out(
            n_out,
            "n_out and steps_out must be non-null, aligned pointers",
        )?;
        check_out(
            steps_out,
            "n_out and steps_out must be non-null, aligned pointers",
        )?;
        let best =
            collatz_core::max_total_stopping_time_with(limit, |done, total| match progress {
                Some(progress) if asks_to_stop!(progress, ctx, done, total) => {
                    ControlFlow::Break(())
                }
                _ => ControlFlow::Continue(()),
            })?;
        let (n, steps) = best.ok_or(Failure::Stopped)?;
        write_out(n_out, n);
        write_out(steps_out, steps);
        Ok(())
    })
}

/// The whole trajectory of `n` (`n`, `collatz_step(n)`, …, 1), in memory the library
/// allocates: `*values` points to `*len` values (at least one). Free it with
/// `collatz_free_values(*values, *len)`.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` if `n == 0`; `COLLATZ_ERR_OVERFLOW` if a value
/// would exceed `UINT64_MAX` (nothing is allocated); `COLLATZ_ERR_MEMORY` if the values do not
/// fit in memory; `COLLATZ_ERR_ARGUMENT` if an out pointer
/// is null or misaligned. `*values` and `*len` are written only on success.
///
/// # Safety
/// `values` must point to a writable `uint64_t *`, `len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_trajectory(n: u64, values: *mut *mut u64, len: *mut usize) -> i32 {
    status(|| {
        if values.is_null() || len.is_null() || !values.is_aligned() || !len.is_aligned() {
            return Err(Failure::Argument(
                "values and len must be non-null, aligned pointers",
            ));
        }
        let trajectory = collatz_core::trajectory(n)?.into_boxed_slice();
        let count = trajectory.len();
        let pointer = Box::into_raw(trajectory).cast::<u64>();
        // SAFETY: both checked non-null and aligned above, writable as the caller promises.
        unsafe {
            values.write(pointer);
            len.write(count);
        }
        Ok(())
    })
}

/// Free values allocated by the library (`collatz_trajectory`). `values` may be null; `len`
/// must be the length the library reported with it.
///
/// # Safety
/// `values` must be null or a pointer returned by `collatz_trajectory` with this `len`, not
/// freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_free_values(values: *mut u64, len: usize) {
    if values.is_null() {
        return;
    }
    // SAFETY: `values` and `len` describe a boxed slice leaked by `collatz_trajectory`, as the
    // caller promises; it is freed once.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(values, len)) });
}

/// The record of one trajectory, returned by value by `collatz_stats`. 128-bit integers are
/// two `uint64_t` halves (`hi * 2^64 + lo`): C has no portable 128-bit type, nor do cffi and
/// ctypes.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct CollatzStats {
    /// `COLLATZ_OK`, or the failure's code (then the other fields are 0 and
    /// `collatz_last_error_message` says why).
    pub status: i32,
    /// The starting value, high half.
    pub n_hi: u64,
    /// The starting value, low half.
    pub n_lo: u64,
    /// Steps until the value reaches 1 (OEIS A006577).
    pub total_stopping_time: u64,
    /// Steps until the value is first below `n` (OEIS A102419; 0 for `n = 1`).
    pub stopping_time: u64,
    /// The largest value on the trajectory, high half.
    pub peak_hi: u64,
    /// The largest value on the trajectory, low half.
    pub peak_lo: u64,
    /// The number of `3x + 1` steps (OEIS A006667).
    pub odd_steps: u64,
}

const fn wide(hi: u64, lo: u64) -> u128 {
    (hi as u128) << 64 | lo as u128
}

#[allow(clippy::cast_possible_truncation)] // the halves of a u128, by construction
const fn halves(value: u128) -> (u64, u64) {
    ((value >> 64) as u64, value as u64)
}

/// The record of the trajectory of `n = n_hi * 2^64 + n_lo`, by value: its `status` is
/// `COLLATZ_OK`, `COLLATZ_ERR_INVALID` if `n == 0`, or `COLLATZ_ERR_OVERFLOW` if a value on the
/// way would exceed `2^128 - 1`.
#[unsafe(no_mangle)]
pub extern "C" fn collatz_stats(n_hi: u64, n_lo: u64) -> CollatzStats {
    match run(|| Ok(collatz_core::stats(wide(n_hi, n_lo))?)) {
        Ok(s) => {
            let (n_hi, n_lo) = halves(s.n);
            let (peak_hi, peak_lo) = halves(s.peak);
            CollatzStats {
                status: COLLATZ_OK,
                n_hi,
                n_lo,
                total_stopping_time: s.total_stopping_time,
                stopping_time: s.stopping_time,
                peak_hi,
                peak_lo,
                odd_steps: s.odd_steps,
            }
        }
        Err(failure) => CollatzStats {
            status: record(failure),
            ..CollatzStats::default()
        },
    }
}

/// `k` for `collatz_parity_vector`: the parities up to (not including) the first 1
/// (`UINT64_MAX`, written as a literal so that cffi can parse the header).
pub const COLLATZ_UNTIL_ONE: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// The Terras parities of `n = n_hi * 2^64 + n_lo` as a string of `'0'` and `'1'`: up to the
/// first 1 when `k == COLLATZ_UNTIL_ONE`, else exactly the first `k` (`k <= 2^20`). The library
/// allocates the string: `*parities` points to `*len` characters and a terminating NUL (so
/// `*len` may be 0). Free it with `collatz_free_string(*parities, *len)`.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` if `n == 0` or `k` is above `2^20` (and not
/// `COLLATZ_UNTIL_ONE`); `COLLATZ_ERR_OVERFLOW` if a value would exceed `2^128 - 1` (nothing is
/// allocated); `COLLATZ_ERR_MEMORY` if the string does not fit in memory; `COLLATZ_ERR_ARGUMENT` for a null or misaligned out pointer. The out pointers
/// are written only on success.
///
/// # Safety
/// `parities` must point to a writable `char *`, `len` to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_parity_vector(
    n_hi: u64,
    n_lo: u64,
    k: u64,
    parities: *mut *mut c_char,
    len: *mut usize,
) -> i32 {
    status(|| {
        if parities.is_null() || len.is_null() || !parities.is_aligned() || !len.is_aligned() {
            return Err(Failure::Argument(
                "parities and len must be non-null, aligned pointers",
            ));
        }
        let k = (k != COLLATZ_UNTIL_ONE).then_some(k);
        let mut text = collatz_core::parity_vector(wide(n_hi, n_lo), k)?;
        let count = text.len();
        // Room for the NUL, so that `CString::new` does not grow the buffer infallibly.
        text.try_reserve_exact(1)
            .map_err(|_| collatz_core::memory::out_of_memory_for(count + 1))?;
        // Only '0' and '1': no interior NUL.
        let owned = std::ffi::CString::new(text).map_err(|_| Failure::Argument("interior NUL"))?;
        // SAFETY: both checked non-null and aligned above, writable as the caller promises.
        unsafe {
            parities.write(owned.into_raw());
            len.write(count);
        }
        Ok(())
    })
}

/// Free a string allocated by the library (`collatz_parity_vector`); null is ignored. `len`
/// is the length the library reported with it (unused: the string is NUL-terminated).
///
/// # Safety
/// `parities` must be null or a pointer returned by `collatz_parity_vector`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_free_string(parities: *mut c_char, len: usize) {
    let _ = len;
    if !parities.is_null() {
        // SAFETY: a pointer from `CString::into_raw`, freed once, as the caller promises.
        drop(unsafe { std::ffi::CString::from_raw(parities) });
    }
}

/// The `r` with `1 <= r <= 2^len` whose first `len` Terras parities are `vector` (`len`
/// bytes, each `'0'` or `'1'`; not NUL-terminated), written as two halves
/// `*r_hi * 2^64 + *r_lo`. The caller keeps ownership of `vector`.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` unless `1 <= len <= 127` and every byte is
/// `'0'` or `'1'` (the message names the first bad byte's index); `COLLATZ_ERR_ARGUMENT` for a
/// null `vector` or a null or misaligned out pointer.
///
/// # Safety
/// `vector` must point to `len` readable bytes; `r_hi` and `r_lo` to writable `uint64_t`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_residue(
    vector: *const c_char,
    len: usize,
    r_hi: *mut u64,
    r_lo: *mut u64,
) -> i32 {
    status(|| {
        check_out(r_hi, "r_hi and r_lo must be non-null, aligned pointers")?;
        check_out(r_lo, "r_hi and r_lo must be non-null, aligned pointers")?;
        if vector.is_null() {
            return Err(Failure::Argument("vector must not be null"));
        }
        if len > collatz_core::MAX_RESIDUE_PARITIES {
            return Err(collatz_core::Error::ParityLength { length: len }.into());
        }
        // SAFETY: `len` readable bytes, as the caller promises (at most 127: checked above).
        let bytes = unsafe { std::slice::from_raw_parts(vector.cast::<u8>(), len) };
        let text = std::str::from_utf8(bytes).map_err(|e| collatz_core::Error::ParityChar {
            index: e.valid_up_to(),
            found: char::REPLACEMENT_CHARACTER,
        })?;
        let (hi, lo) = halves(collatz_core::residue(text)?);
        write_out(r_hi, hi);
        write_out(r_lo, lo);
        Ok(())
    })
}

/// Call `visit(ctx, x)` for each value `x` of the trajectory of `n`, in order, on the calling
/// thread, and write the number of values visited to `*count` (if `count` is not null; also
/// when the walk stops early or fails).
///
/// Returns `COLLATZ_OK`; `COLLATZ_STOPPED` if `visit` returned non-zero (it is not called
/// again); `COLLATZ_ERR_INVALID` if `n == 0`; `COLLATZ_ERR_OVERFLOW` when a value would exceed
/// `UINT64_MAX`, after visiting the values before it; `COLLATZ_ERR_ARGUMENT` if `visit` is null
/// or `count` misaligned.
///
/// # Safety
/// `visit` must be safe to call with `ctx` until this function returns; `count` must be null or
/// point to a writable `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_walk(
    n: u64,
    visit: CollatzVisitFn,
    ctx: *mut c_void,
    count: *mut u64,
) -> i32 {
    status(|| {
        let Some(visit) = visit else {
            return Err(Failure::Argument("visit must not be null"));
        };
        if !count.is_null() && !count.is_aligned() {
            return Err(Failure::Argument("count must be aligned for uint64_t"));
        }
        let mut visited = 0;
        let mut outcome = Ok(());
        for value in collatz_core::Trajectory::new(n)? {
            match value {
                Ok(x) => {
                    visited += 1;
                    if asks_to_stop!(visit, ctx, x) {
                        outcome = Err(Failure::Stopped);
                        break;
                    }
                }
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            }
        }
        if !count.is_null() {
            write_out(count, visited);
        }
        outcome
    })
}

/// A trajectory being walked one value at a time: an opaque handle from
/// `collatz_trajectory_new` (or `collatz_trajectory_resume`), freed with
/// `collatz_trajectory_free`. Safe to use from several threads (calls on one handle are
/// serialised).
#[derive(Debug)]
pub struct CollatzTrajectory {
    values: Mutex<collatz_core::Trajectory>,
}

thread_local! {
    /// Why the last `collatz_trajectory_next` on this thread that returned 0 did. Per thread,
    /// like the last error: threads sharing one handle each learn about their own call.
    static NEXT_STATUS: Cell<i32> = const { Cell::new(COLLATZ_OK) };
}

/// A new handle on the trajectory of `n`, or null on failure (`n == 0`:
/// `COLLATZ_ERR_INVALID`; no memory for the handle: `COLLATZ_ERR_MEMORY`; see
/// `collatz_last_error`).
#[unsafe(no_mangle)]
pub extern "C" fn collatz_trajectory_new(n: u64) -> *mut CollatzTrajectory {
    collatz_trajectory_resume(n, 0)
}

/// A new handle on the trajectory of `n` with its first `position` items already taken: an
/// independent copy of a handle whose `collatz_trajectory_position` was `position` (the
/// values, and an overflow once reported, count as items; past the end, an exhausted handle).
/// Null on failure (`n == 0`: `COLLATZ_ERR_INVALID`; no memory: `COLLATZ_ERR_MEMORY`).
#[unsafe(no_mangle)]
pub extern "C" fn collatz_trajectory_resume(n: u64, position: u64) -> *mut CollatzTrajectory {
    let values = run(|| {
        let values = collatz_core::Trajectory::resume(n, position)?;
        // `Box::new` aborts if the allocation fails; the probe makes that a failure instead.
        collatz_core::memory::probe(size_of::<CollatzTrajectory>())?;
        Ok(values)
    });
    match values {
        Ok(values) => Box::into_raw(Box::new(CollatzTrajectory {
            values: Mutex::new(values),
        })),
        Err(failure) => {
            record(failure);
            std::ptr::null_mut()
        }
    }
}

/// The next value of the trajectory, or 0 when there is none: the trajectory is over, or the
/// next value would exceed `UINT64_MAX` (reported once; the trajectory is over after it);
/// `collatz_trajectory_status`, on the same thread, tells which. 0 is never a value.
///
/// # Safety
/// `trajectory` must be null or a live handle from `collatz_trajectory_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_trajectory_next(trajectory: *mut CollatzTrajectory) -> u64 {
    let next = run(|| {
        // SAFETY: null or a live handle, as the caller promises; only shared access.
        let handle = unsafe { trajectory.as_ref() }
            .ok_or(Failure::Argument("trajectory must not be null"))?;
        let next = handle
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next();
        next.transpose().map_err(Failure::from)
    });
    let (value, status) = match next {
        Ok(Some(x)) => return x,
        Ok(None) => (0, COLLATZ_OK),
        Err(failure) => (0, record(failure)),
    };
    let _ = NEXT_STATUS.try_with(|cell| cell.set(status));
    value
}

/// Why the last `collatz_trajectory_next` *on the calling thread* that returned 0 did:
/// `COLLATZ_OK` if the trajectory is over (it reached 1, or a previous call already reported
/// its overflow), `COLLATZ_ERR_OVERFLOW` if that call stopped at a value that does not fit
/// (the message is this thread's last error), `COLLATZ_ERR_ARGUMENT` for a null handle. Per
/// thread: threads that share a handle each learn why their own call returned 0.
///
/// # Safety
/// `trajectory` must be null or a live handle from `collatz_trajectory_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_trajectory_status(trajectory: *const CollatzTrajectory) -> i32 {
    if trajectory.is_null() {
        return COLLATZ_ERR_ARGUMENT;
    }
    NEXT_STATUS.try_with(Cell::get).unwrap_or(COLLATZ_OK)
}

/// How many items the handle has handed out (values, and an overflow once reported): with
/// its start, what `collatz_trajectory_resume` needs to make an independent copy. 0 for a null
/// handle.
///
/// # Safety
/// `trajectory` must be null or a live handle from `collatz_trajectory_new`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_trajectory_position(trajectory: *const CollatzTrajectory) -> u64 {
    // SAFETY: null or a live handle, as the caller promises; only shared access.
    unsafe { trajectory.as_ref() }.map_or(0, |handle| {
        handle
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .position()
    })
}

/// Free a handle from `collatz_trajectory_new`; null is ignored.
///
/// # Safety
/// `trajectory` must be null or a live handle, not used again afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_trajectory_free(trajectory: *mut CollatzTrajectory) {
    if !trajectory.is_null() {
        // SAFETY: a live handle from `Box::into_raw`, freed once, as the caller promises.
        drop(unsafe { Box::from_raw(trajectory) });
    }
}

/// The status code of the last failed call on this thread (`COLLATZ_OK` if none failed).
#[unsafe(no_mangle)]
pub extern "C" fn collatz_last_error() -> i32 {
    LAST_FAILURE
        .try_with(|last| last.borrow().as_ref().map_or(COLLATZ_OK, Failure::code))
        .unwrap_or(COLLATZ_OK)
}

/// Copy the message of the last failed call on this thread into `buf` (at most `cap - 1`
/// bytes of UTF-8, then a NUL) and return the message's full length in bytes, like
/// `snprintf`. With `buf == NULL` or `cap == 0` only the length is returned. The message is
/// empty if no call failed.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_last_error_message(buf: *mut c_char, cap: usize) -> usize {
    let message = LAST_FAILURE
        .try_with(|last| {
            last.borrow()
                .as_ref()
                .map(Failure::message)
                .unwrap_or_default()
        })
        .unwrap_or_default();
    // SAFETY: as this function's caller promises.
    unsafe { copy_message(&message, buf, cap) }
}

/// The last failed call on this thread in one call: its status code (`COLLATZ_OK` if none
/// failed) is returned, its message copied into `buf` as [`collatz_last_error_message`] does,
/// and the message's full length stored in `*length` (unless `length` is null). A buffer of
/// 256 bytes holds every message whole except those quoting a huge value; when `*length >=
/// cap`, [`collatz_last_error_message`] with a buffer of `*length + 1` bytes gives the rest.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes; `length` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_last_failure(
    buf: *mut c_char,
    cap: usize,
    length: *mut usize,
) -> i32 {
    let (code, message) = LAST_FAILURE
        .try_with(|last| {
            last.borrow()
                .as_ref()
                .map_or((COLLATZ_OK, String::new()), |f| (f.code(), f.message()))
        })
        .unwrap_or((COLLATZ_OK, String::new()));
    // SAFETY: as this function's caller promises.
    let full = unsafe { copy_message(&message, buf, cap) };
    if !length.is_null() {
        // SAFETY: `length` is writable, as the caller promises.
        unsafe { length.write(full) };
    }
    code
}

/// Copy `message` into `buf` as [`collatz_last_error_message`] documents; its length.
///
/// # Safety
/// `buf` must be null or point to `cap` writable bytes.
unsafe fn copy_message(message: &str, buf: *mut c_char, cap: usize) -> usize {
    if !buf.is_null() && cap > 0 {
        let mut n = message.len().min(cap - 1);
        while !message.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: `buf` has `cap > n` writable bytes as the caller promises; the source is a
        // live `str` that cannot overlap memory the caller owns.
        unsafe {
            std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
            buf.add(n).write(0);
        }
    }
    message.len()
}

/// Test hook (feature `test-hooks` only, never in wheels or the header): panics inside the
/// boundary; must return `COLLATZ_ERR_PANIC` with the panic message recorded.
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn collatz_test_panic() -> i32 {
    status(|| panic!("forced panic from collatz_test_panic"))
}

/// Test hook (feature `test-hooks` only): a scalar function that panics; must return its
/// sentinel, 0.
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn collatz_test_panic_scalar() -> u64 {
    value_or(0, || panic!("forced panic from collatz_test_panic_scalar"))
}
