//! The Collatz map on `u64`, with overflow checked at every step.
//!
//! The map sends an even `n` to `n / 2` and an odd `n` to `3 * n + 1`. This crate computes
//! single steps, `k`-fold iterates, trajectories, total stopping times (steps until the value first
//! reaches 1), total stopping times of whole slices, and the longest total stopping time below a limit,
//! using all cores for large inputs.
//!
//! The domain is `1..=u64::MAX`. Zero is rejected ([`Error::Zero`]), and a value that would
//! exceed `u64::MAX` where it is handed out (a step, a trajectory, the result of `iterate`) is
//! an error ([`Error::Overflow`], [`Error::ResultOverflow`]), never a silent wrap-around.
//! Counts are exact on the whole domain: a trajectory that climbs past `u64::MAX` on its way
//! down is followed in 128-bit arithmetic (an error only past `2^128 - 1`, which no known
//! trajectory of a `u64` reaches):
//!
//! ```
//! use collatz_core::{Error, step, total_stopping_time};
//!
//! assert_eq!(step(27), Ok(82));
//! assert_eq!(total_stopping_time(27), Ok(111));
//! assert_eq!(step(0), Err(Error::Zero { index: None }));
//! assert!(step(u64::MAX).unwrap_err().is_overflow());
//! // The record holder below 10^13 climbs past 2^64 on its way down:
//! assert_eq!(total_stopping_time(7_887_663_552_367), Ok(1563));
//! ```
//!
//! The crate has no FFI, no Python and no `unsafe`; the `bind-*` crates of the workspace wrap
//! it for Python.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod background;
mod bulk;
mod error;
pub mod exit;
mod fast;
mod literature;
pub mod memory;
mod param;
pub mod plain;
mod pool;
mod record;
mod trajectory;
mod wide;

pub use bulk::{
    PARALLEL_MIN_LEN, PROGRESS_NUMBERS, max_total_stopping_time, max_total_stopping_time_with,
    total_stopping_times,
};
pub use error::{Error, Kind, PANIC_PREFIX, panic_message, panic_report};
pub use literature::{MAX_PARITIES, MAX_RESIDUE_PARITIES, Stats, parity_vector, residue, stats};
pub use param::{MAX_PARITIES_TEXT, Param, U64_MAX, U128_MAX};
pub use trajectory::{Trajectory, trajectory};

/// The largest `n` for which `3 * n + 1` still fits in a `u64`: an odd `n` above it overflows.
pub const MAX_ODD_STEP: u64 = (u64::MAX - 1) / 3;

/// One Collatz step: `n / 2` if `n` is even, else `3 * n + 1`.
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::Overflow`] if `n` is odd and `3 * n + 1 > u64::MAX`.
///
/// ```
/// assert_eq!(collatz_core::step(6), Ok(3));
/// assert_eq!(collatz_core::step(3), Ok(10));
/// ```
#[inline]
pub fn step(n: u64) -> Result<u64, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    plain::next(n, n)
}

/// `step` applied `k` times; `iterate(n, 0) == Ok(n)`. The trajectory may leave `u64` on the
/// way (it is followed in 128-bit arithmetic); only the result has to fit.
///
/// This is a real loop over all `k` steps: it does not short-cut the 4 → 2 → 1 cycle, because
/// it is the workload that measures how native work amortises the cost of a call. Each
/// iteration of the loop covers up to 32 steps (a table of 16 steps of the shortcut map), and
/// the last few steps, and any step near the overflow boundary, are taken one at a time.
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::ResultOverflow`] if the result exceeds `u64::MAX`;
/// [`Error::Overflow`] if a value on the way exceeds `2^128 - 1`.
///
/// ```
/// assert_eq!(collatz_core::iterate(27, 0), Ok(27));
/// assert_eq!(collatz_core::iterate(27, 111), Ok(1));
/// assert_eq!(collatz_core::iterate(27, 112), Ok(4));
/// ```
#[inline]
pub fn iterate(n: u64, k: u64) -> Result<u64, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    narrow(n, k, fast::iterate_from(n, u128::from(n), k)?)
}

/// The result of `iterate(start, k)`, which must fit in a `u64`.
fn narrow(start: u64, k: u64, value: u128) -> Result<u64, Error> {
    u64::try_from(value).map_err(|_| Error::ResultOverflow { start, k, value })
}

/// Steps between two calls of the `stop` hook of [`iterate_polling`]: tens of milliseconds of
/// work, so a binding can react to Ctrl-C quickly without slowing the loop measurably.
pub const POLL_STEPS: u64 = 1 << 28;

/// [`iterate`], asking `stop(done)` every [`POLL_STEPS`] steps (on the calling thread, with
/// `done` the steps taken so far) whether to give up; `Ok(None)` if it did. Bindings use this
/// to check for interrupts during long calls.
///
/// # Errors
/// As [`iterate`].
///
/// ```
/// assert_eq!(collatz_core::iterate_polling(27, 111, |_| false), Ok(Some(1)));
/// assert_eq!(collatz_core::iterate_polling(27, 1 << 40, |_| true), Ok(None));
/// ```
pub fn iterate_polling(
    n: u64,
    k: u64,
    mut stop: impl FnMut(u64) -> bool,
) -> Result<Option<u64>, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    let (mut x, mut left) = (u128::from(n), k);
    while left > 0 {
        let chunk = left.min(POLL_STEPS);
        x = fast::iterate_from(n, x, chunk)?;
        left -= chunk;
        if left > 0 && stop(k - left) {
            return Ok(None);
        }
    }
    narrow(n, k, x).map(Some)
}

/// The number of steps until `n` first reaches 1 (`total_stopping_time(1) == Ok(0)`).
///
/// Every `u64` is known to reach 1 (the conjecture has been verified far beyond `2^64`), so
/// this always terminates; a trajectory that leaves the `u64` range is followed in 128-bit
/// arithmetic.
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::Overflow`] if the trajectory of `n` exceeds
/// `2^128 - 1` (no known trajectory of a `u64` does).
///
/// ```
/// assert_eq!(collatz_core::total_stopping_time(1), Ok(0));
/// assert_eq!(collatz_core::total_stopping_time(27), Ok(111));
/// ```
#[inline]
pub fn total_stopping_time(n: u64) -> Result<u64, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    fast::total_stopping_time_from(n)
}
