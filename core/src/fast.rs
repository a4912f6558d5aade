//! Many Collatz steps per iteration, with the same results and the same overflow detection
//! as the plain loop.
//!
//! Write the shortcut map as `T(x) = x / 2` (even) and `T(x) = (3x + 1) / 2` (odd): one `T`
//! step is one plain step for even `x` and two (`3x + 1`, then a halving) for odd `x`. For
//! `n = a * 2^J + r` with `r < 2^J`, the parities met in the first `J` steps of `T` depend only
//! on `r`, so
//!
//! ```text
//! T^J(n) = a * 3^c(r) + T^J(r)
//! ```
//!
//! where `c(r)` counts the odd steps; those `J` steps of `T` are `J + c(r)` plain steps. One
//! table lookup, one multiplication and one addition advance `n` by 16 to 32 plain steps.
//!
//! Overflow: while `x + 1` grows by at most 3/2 per `T` step, every intermediate value of a
//! block starting at `n <= SAFE` stays below `2^64` (see [`SAFE`]); above `SAFE` plain steps
//! are taken one at a time, and a step that would leave `u64` continues in 128-bit
//! arithmetic ([`crate::wide`]) until the trajectory is back below `2^64`.

// Every `as` cast here narrows a value proven small: table indices are below 2^17 and the
// bound below 2^64 (asserted at compile time).
#![allow(clippy::cast_possible_truncation)]

use std::sync::LazyLock;

use crate::{Error, MAX_ODD_STEP, wide};

/// Steps of `T` per table lookup.
const J: u32 = 16;
const MASK: u64 = (1 << J) - 1;
/// The most plain steps one block can cover (every `T` step odd).
const MAX_BLOCK: u64 = 2 * J as u64;

/// Blocks may start at any `n <= SAFE`: the largest intermediate value of a block is below
/// `3 * (n + 1) * (3/2)^(J-1) = (n + 1) * 3^J / 2^(J-1)`, which is at most `2^64` here.
pub(crate) const SAFE: u64 = {
    let bound = (1_u128 << (64 + J - 1)) / 3_u128.pow(J) - 1;
    assert!(bound < u64::MAX as u128);
    bound as u64
};

/// Starting values below this are answered from a table of total stopping times. A block that
/// starts at or above it never reaches 1 (each `T` step at most halves, `J` steps at most
/// divide by `2^J`, and `2^(J+1) / 2^J = 2`).
const SMALL: u64 = 1 << (J + 1);

struct Tables {
    /// `3^c(r)` and `T^J(r)`, for every residue `r < 2^J`.
    block: Vec<(u32, u32)>,
    /// `J + c(r)`: plain steps covered by the block of residue `r`.
    plain_steps: Vec<u8>,
    /// Total stopping times of `0..SMALL` (entry 0 unused).
    small: Vec<u16>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut block = Vec::with_capacity(1 << J);
    let mut plain_steps = Vec::with_capacity(1 << J);
    for r in 0..1_u64 << J {
        let (mut x, mut odd) = (r, 0_u32);
        for _ in 0..J {
            if x & 1 == 1 {
                x = (3 * x + 1) >> 1;
                odd += 1;
            } else {
                x /= 2;
            }
        }
        let mul = 3_u32.pow(odd);
        let add = u32::try_from(x).expect("T^J(r) < (r + 1) * 1.5^J < 2^32");
        block.push((mul, add));
        plain_steps.push(u8::try_from(J + odd).expect("at most 2J steps"));
    }
    let mut small = vec![0_u16; SMALL as usize];
    for n in 2..SMALL {
        // Walk down to a smaller value whose total stopping time is already known.
        let (mut x, mut steps) = (n, 0_u16);
        while x >= n {
            x = if x & 1 == 0 { x / 2 } else { 3 * x + 1 };
            steps += 1;
        }
        small[n as usize] = steps + small[x as usize];
    }
    Tables {
        block,
        plain_steps,
        small,
    }
});

/// `k` plain steps from a non-zero `x`, on the trajectory that started at `start` (for the
/// error). The value may leave `u64` on the way, and at the end.
pub(crate) fn iterate_from(start: u64, x: u128, k: u64) -> Result<u128, Error> {
    let t = &*TABLES;
    let (mut x, mut left) = (x, k);
    loop {
        let Ok(mut y) = u64::try_from(x) else {
            // Above u64: one checked 128-bit step at a time.
            if left == 0 {
                return Ok(x);
            }
            x = wide::next(start, x)?;
            left -= 1;
            continue;
        };
        // The hot loop: whole blocks while they fit in what is left and cannot overflow.
        while left >= MAX_BLOCK && y <= SAFE {
            let r = (y & MASK) as usize;
            let (mul, add) = t.block[r];
            y = (y >> J) * u64::from(mul) + u64::from(add);
            left -= u64::from(t.plain_steps[r]);
        }
        if left == 0 {
            return Ok(u128::from(y));
        }
        // Near the overflow boundary, or fewer than a block's worth of steps left: one step
        // (in u128, where the step from a u64 cannot overflow).
        let y = u128::from(y);
        x = if y & 1 == 0 { y >> 1 } else { 3 * y + 1 };
        left -= 1;
    }
}

/// One table step of the total-stopping-time loop: `T^J(x)` and the plain steps to it, for `x` in
/// `SMALL..=SAFE`; `None` outside (where [`total_stopping_time_continue`] finishes the count).
#[inline(always)]
pub(crate) fn table_step(x: u64) -> Option<(u64, u64)> {
    if !(SMALL..=SAFE).contains(&x) {
        return None;
    }
    let t = &*TABLES;
    let r = (x & MASK) as usize;
    let (mul, add) = t.block[r];
    Some((
        (x >> J) * u64::from(mul) + u64::from(add),
        u64::from(t.plain_steps[r]),
    ))
}

/// Plain steps until a non-zero `n` first reaches 1.
pub(crate) fn total_stopping_time_from(n: u64) -> Result<u64, Error> {
    total_stopping_time_continue(n, n, 0)
}

/// `steps` plus the plain steps from `x` (non-zero) down to 1, on the trajectory that started
/// at `start` (for the error).
pub(crate) fn total_stopping_time_continue(start: u64, x: u64, steps: u64) -> Result<u64, Error> {
    let t = &*TABLES;
    let (mut x, mut steps) = (x, steps);
    while x >= SMALL {
        if x <= SAFE {
            let r = (x & MASK) as usize;
            let (mul, add) = t.block[r];
            x = (x >> J) * u64::from(mul) + u64::from(add);
            steps += u64::from(t.plain_steps[r]);
        } else if x & 1 == 0 {
            x >>= 1;
            steps += 1;
        } else if x <= MAX_ODD_STEP {
            x = 3 * x + 1;
            steps += 1;
        } else {
            // The trajectory leaves u64: follow it in u128 until it is back.
            let (back, taken) = wide::descend(start, 3 * u128::from(x) + 1)?;
            x = back;
            steps += 1 + taken;
        }
    }
    Ok(steps + u64::from(t.small[x as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_bound_holds_for_the_worst_residue() {
        // The all-odd residue grows fastest; from SAFE its block must not overflow, checked
        // step by step in u128.
        let worst = MASK; // 2^J - 1: J odd T steps in a row
        let n = (SAFE & !MASK) | worst;
        let n = if n > SAFE { n - (1 << J) } else { n };
        let mut x = u128::from(n);
        for _ in 0..J {
            if x & 1 == 1 {
                x = 3 * x + 1;
                assert!(x <= u128::from(u64::MAX), "intermediate {x} overflows");
                x /= 2;
            } else {
                x /= 2;
            }
        }
    }

    #[test]
    fn tables_agree_with_the_plain_loop() {
        for n in (1..SMALL).step_by(7) {
            assert_eq!(
                total_stopping_time_from(n),
                crate::plain::total_stopping_time_from(n)
            );
        }
        for k in 0..200 {
            assert_eq!(
                iterate_from(27, 27, k),
                crate::plain::iterate_from(27, k).map(u128::from)
            );
        }
    }
}
