//! Trajectories that leave the `u64` range, continued in 128-bit arithmetic.
//!
//! Counts (total stopping times) and the final value of `iterate` may be fine even when a value on
//! the way is not: the record holder below 10^13, 7887663552367, climbs past `2^64` on its
//! way down. The fast loops call into this module only when a step would leave `u64`, so it
//! costs nothing on their hot paths.

use crate::Error;

/// The largest odd `x` whose `3 * x + 1` still fits in a `u128`.
const MAX_ODD_STEP: u128 = (u128::MAX - 1) / 3;

/// One step from `x` in `u128`, on the trajectory that started at `start` (for the error).
#[inline]
pub(crate) fn next(start: u64, x: u128) -> Result<u128, Error> {
    if x & 1 == 0 {
        Ok(x >> 1)
    } else if x <= MAX_ODD_STEP {
        Ok(3 * x + 1)
    } else {
        Err(Error::Overflow {
            start,
            at: x,
            index: None,
        })
    }
}

/// Steps from `x` until the value is back in `u64`: that value and the steps taken.
pub(crate) fn descend(start: u64, mut x: u128) -> Result<(u64, u64), Error> {
    let mut steps = 0;
    loop {
        if let Ok(back) = u64::try_from(x) {
            return Ok((back, steps));
        }
        x = next(start, x)?;
        steps += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_past_u128_is_an_error_never_a_wrap() {
        let largest_odd = MAX_ODD_STEP - (1 - MAX_ODD_STEP % 2);
        assert_eq!(next(7, largest_odd), Ok(3 * largest_odd + 1), "still fits");
        let top = largest_odd + 2; // odd, and 3 * top + 1 > u128::MAX
        assert!(matches!(next(7, top), Err(Error::Overflow { start: 7, at, .. }) if at == top));
        let err = next(7, top).unwrap_err().to_string();
        assert!(err.contains("exceeds 2**128 - 1"), "{err}");
    }

    #[test]
    fn descends_back_into_u64() {
        let x = u128::from(u64::MAX) + 1; // 2^64: 1 halving
        assert_eq!(descend(1, x), Ok((1 << 63, 1)));
    }
}
