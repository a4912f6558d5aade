//! The C ABI of collatz-ffi: `extern "C"` functions named `collatz_*` over [`collatz_core`].
//!
//! Conventions (the generated `include/collatz.h` repeats them for C readers):
//!
//! - Scalar functions return their result directly. On failure they return a sentinel that no
//!   successful call can return — `0` for [`collatz_step`] and [`collatz_iterate`],
//!   [`COLLATZ_STOPPING_TIME_ERROR`] for [`collatz_stopping_time`] — so the success path costs
//!   nothing extra. Other functions return a status code (`COLLATZ_OK` or `COLLATZ_ERR_*`).
//! - After a failure, [`collatz_last_error`] gives its status code and
//!   [`collatz_last_error_message`] a message naming the offending value (and index). Both are
//!   per thread and are only meaningful right after a call reported failure.
//! - Null pointers, impossible lengths, misaligned or partly overlapping buffers are rejected
//!   with `COLLATZ_ERR_ARGUMENT`, never dereferenced.
//! - A panic never crosses the boundary: it is caught and reported as `COLLATZ_ERR_PANIC`.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use collatz_core::Kind;

/// Success.
pub const COLLATZ_OK: i32 = 0;
/// An input is outside the domain: `n` or an element is 0, or `limit < 2`.
pub const COLLATZ_ERR_INVALID: i32 = 1;
/// A step would exceed `UINT64_MAX`.
pub const COLLATZ_ERR_OVERFLOW: i32 = 2;
/// A pointer is null, a length is impossible, or buffers are misaligned or partly overlap.
pub const COLLATZ_ERR_ARGUMENT: i32 = 3;
/// The library panicked; the panic was caught at the boundary. Please report it.
pub const COLLATZ_ERR_PANIC: i32 = 4;
/// What [`collatz_stopping_time`] returns on failure: `UINT64_MAX`, which no stopping time is
/// (written as a literal so that cffi can parse the header).
pub const COLLATZ_STOPPING_TIME_ERROR: u64 = 0xFFFF_FFFF_FFFF_FFFF;

/// Why the last failing call on this thread failed.
enum Failure {
    Core(collatz_core::Error),
    Argument(&'static str),
    Panic(String),
}

impl Failure {
    const fn code(&self) -> i32 {
        match self {
            Self::Core(e) => match e.kind() {
                Kind::Invalid => COLLATZ_ERR_INVALID,
                Kind::Overflow => COLLATZ_ERR_OVERFLOW,
                Kind::Argument => COLLATZ_ERR_ARGUMENT,
            },
            Self::Argument(_) => COLLATZ_ERR_ARGUMENT,
            Self::Panic(_) => COLLATZ_ERR_PANIC,
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Core(e) => e.to_string(),
            Self::Argument(what) => (*what).to_owned(),
            Self::Panic(what) => format!("internal error (panic): {what}"),
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
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown payload".to_owned());
        Err(Failure::Panic(what))
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

/// Remember `failure` as this thread's last one and return its code.
#[cold]
#[inline(never)]
fn record(failure: Failure) -> i32 {
    let code = failure.code();
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

/// `collatz_step` applied `k` times, one step at a time; `k == 0` returns `n`.
///
/// Returns 0 on failure (`n == 0`: `COLLATZ_ERR_INVALID`; a step overflows:
/// `COLLATZ_ERR_OVERFLOW`); 0 is never a result.
#[unsafe(no_mangle)]
pub extern "C" fn collatz_iterate(n: u64, k: u64) -> u64 {
    value_or(0, || Ok(collatz_core::iterate(n, k)?))
}

/// The number of steps until `n` first reaches 1 (0 for `n == 1`).
///
/// Returns `COLLATZ_STOPPING_TIME_ERROR` on failure (`n == 0`: `COLLATZ_ERR_INVALID`; the
/// trajectory exceeds `UINT64_MAX`: `COLLATZ_ERR_OVERFLOW`).
#[unsafe(no_mangle)]
pub extern "C" fn collatz_stopping_time(n: u64) -> u64 {
    value_or(COLLATZ_STOPPING_TIME_ERROR, || {
        Ok(collatz_core::stopping_time(n)?)
    })
}

/// Write the stopping time of `values[i]` to `out[i]` for `i < len`; large inputs use all
/// cores. `out` may be `values` itself (computed in place) but must not partly overlap it.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` for the first element that is 0, else
/// `COLLATZ_ERR_OVERFLOW` for the first whose trajectory overflows (the message names its
/// index; `out` is then unspecified); `COLLATZ_ERR_ARGUMENT` for a null or misaligned pointer
/// with `len > 0`, a `len` too large for memory, or partly overlapping buffers.
///
/// # Safety
/// For `len > 0`, `values` must point to `len` readable `uint64_t` and `out` to `len` writable
/// ones, not modified by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_stopping_times(
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
            let input = buffer.to_vec();
            return Ok(collatz_core::stopping_times(&input, buffer)?);
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
        Ok(collatz_core::stopping_times(input, output)?)
    })
}

/// The `n` in `1 <= n < limit` with the longest stopping time (ties: the smallest `n`),
/// written to `*n_out`, and its stopping time, written to `*steps_out`. Uses all cores.
///
/// Returns `COLLATZ_OK`; `COLLATZ_ERR_INVALID` if `limit < 2`; `COLLATZ_ERR_OVERFLOW` if a
/// trajectory in range overflows; `COLLATZ_ERR_ARGUMENT` if an out pointer is null or
/// misaligned. Nothing is written on failure.
///
/// # Safety
/// `n_out` and `steps_out` must each be null or point to a writable `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn collatz_max_stopping_time(
    limit: u64,
    n_out: *mut u64,
    steps_out: *mut u64,
) -> i32 {
    status(|| {
        if n_out.is_null() || steps_out.is_null() {
            return Err(Failure::Argument("n_out and steps_out must not be null"));
        }
        if !n_out.is_aligned() || !steps_out.is_aligned() {
            return Err(Failure::Argument(
                "n_out and steps_out must be aligned for uint64_t",
            ));
        }
        let (n, steps) = collatz_core::max_stopping_time(limit)?;
        // SAFETY: non-null and aligned (checked above), writable as the caller promises.
        unsafe {
            n_out.write(n);
            steps_out.write(steps);
        }
        Ok(())
    })
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
    if !buf.is_null() && cap > 0 {
        let mut n = message.len().min(cap - 1);
        while !message.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: `buf` has `cap > n` writable bytes as the caller promises; the source is a
        // live `String` that cannot overlap memory the caller owns.
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
