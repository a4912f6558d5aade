//! The plain loop: one checked step per iteration.
//!
//! This is the obvious implementation, and the reference the rest of the crate is tested and
//! benchmarked against. Its functions take values that are already known to be non-zero.

use crate::{Error, MAX_ODD_STEP};

/// One step from `n`, where `start` is the value the trajectory started from (for the error).
#[inline(always)]
pub(crate) fn next(start: u64, n: u64) -> Result<u64, Error> {
    if n & 1 == 0 {
        Ok(n >> 1)
    } else if n <= MAX_ODD_STEP {
        Ok(3 * n + 1)
    } else {
        Err(Error::Overflow {
            start,
            at: u128::from(n),
            index: None,
        })
    }
}

/// `k` steps from a non-zero `n`, one at a time.
///
/// # Errors
/// [`Error::Overflow`] if a step overflows.
#[inline]
pub fn iterate_from(n: u64, k: u64) -> Result<u64, Error> {
    let mut x = n;
    for _ in 0..k {
        x = next(n, x)?;
    }
    Ok(x)
}

/// Steps until a non-zero `n` reaches 1, one at a time.
///
/// # Errors
/// [`Error::Overflow`] if the trajectory exceeds `u64::MAX`.
#[inline]
pub fn total_stopping_time_from(n: u64) -> Result<u64, Error> {
    let mut x = n;
    let mut steps = 0;
    while x != 1 {
        x = next(n, x)?;
        steps += 1;
    }
    Ok(steps)
}
