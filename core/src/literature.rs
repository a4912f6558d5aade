//! The quantities the literature names (Terras 1976, Lagarias 1985; OEIS), on `u128`.
//!
//! - [`stats`]: a trajectory's record: the *total stopping time* (steps to reach 1, OEIS
//!   A006577), the *stopping time* (steps until the value first drops below the start, A102419,
//!   also called the dropping time or glide), the peak, and the number of `3x + 1` steps
//!   (A006667).
//! - [`parity_vector`]: the parities of the Terras map `T(x) = x / 2` (even),
//!   `(3x + 1) / 2` (odd), as a string of `'0'` and `'1'`.
//! - [`residue`]: Terras's theorem read backwards: every string of `k` parities is the parity
//!   vector of exactly one residue class modulo `2^k`.
//!
//! Every value on the way is checked: a value past `2^128 - 1` is [`Error::WideOverflow`],
//! never wrapped.

use crate::Error;

/// The largest odd `x` whose `3 * x + 1` still fits in a `u128`.
const MAX_ODD_STEP: u128 = (u128::MAX - 1) / 3;

/// The most parities [`parity_vector`] hands out in one call.
pub const MAX_PARITIES: u64 = 1 << 20;

/// The longest parity string [`residue`] takes: its residue must fit below `2^128`.
pub const MAX_RESIDUE_PARITIES: usize = 127;

/// The record of one trajectory (see [`stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stats {
    /// The starting value.
    pub n: u128,
    /// Steps of the Collatz map until the value reaches 1 (OEIS A006577).
    pub total_stopping_time: u64,
    /// Steps until the value is first below `n` (OEIS A102419); 0 for `n = 1` by convention.
    pub stopping_time: u64,
    /// The largest value on the trajectory, `n` included.
    pub peak: u128,
    /// How many of the steps were `3x + 1` steps (OEIS A006667).
    pub odd_steps: u64,
}

/// The record of the trajectory of `n`: total stopping time, stopping time, peak, odd steps.
///
/// ```
/// let s = collatz_core::stats(27)?;
/// assert_eq!((s.total_stopping_time, s.stopping_time, s.peak, s.odd_steps), (111, 96, 9232, 41));
/// # Ok::<(), collatz_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::WideOverflow`] if a value on the way would exceed
/// `u128::MAX`.
pub fn stats(n: u128) -> Result<Stats, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    let mut record = Stats {
        n,
        total_stopping_time: 0,
        stopping_time: 0,
        peak: n,
        odd_steps: 0,
    };
    let mut dropped = n == 1;
    let mut x = n;
    while x != 1 {
        if x & 1 == 0 {
            x >>= 1;
        } else if x <= MAX_ODD_STEP {
            x = 3 * x + 1;
            record.odd_steps += 1;
        } else {
            return Err(Error::WideOverflow {
                start: n,
                at: x,
                terras: false,
            });
        }
        record.total_stopping_time += 1;
        record.peak = record.peak.max(x);
        if !dropped && x < n {
            dropped = true;
            record.stopping_time = record.total_stopping_time;
        }
    }
    Ok(record)
}

/// One step of the Terras map from `x`, on the trajectory of `start` (for the error).
#[inline]
fn terras(start: u128, x: u128) -> Result<u128, Error> {
    if x & 1 == 0 {
        Ok(x >> 1)
    } else {
        // (3x + 1) / 2 = x + (x + 1) / 2 = x + (x >> 1) + 1 for odd x, without the 3x.
        x.checked_add((x >> 1) + 1).ok_or(Error::WideOverflow {
            start,
            at: x,
            terras: true,
        })
    }
}

/// The parities of the Terras map from `n`: `'1'` for an odd value, `'0'` for an even one, for
/// `n, T(n), T²(n), …` up to but not including the first 1 (so `""` for `n = 1`), or exactly
/// the first `k` of them (continuing through the cycle 1 → 2 → 1) when `k` is given.
///
/// ```
/// let v = collatz_core::parity_vector(27, None)?;
/// assert_eq!((v.len(), v.matches('1').count()), (70, 41));
/// assert_eq!(collatz_core::parity_vector(1, Some(4))?, "1010");
/// # Ok::<(), collatz_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::TooManyParities`] if `k > 2^20`;
/// [`Error::WideOverflow`] if a value would exceed `u128::MAX`; [`Error::OutOfMemory`] if the
/// string cannot grow.
pub fn parity_vector(n: u128, k: Option<u64>) -> Result<String, Error> {
    if n == 0 {
        return Err(Error::Zero { index: None });
    }
    let mut out = String::new();
    let mut x = n;
    match k {
        Some(k) if k > MAX_PARITIES => return Err(Error::TooManyParities { k }),
        Some(k) => {
            let k_len = usize::try_from(k).unwrap_or(usize::MAX);
            out.try_reserve_exact(k_len)
                .map_err(|_| crate::memory::out_of_memory_for(k_len))?;
            for _ in 0..k {
                out.push(if x & 1 == 1 { '1' } else { '0' });
                x = terras(n, x)?;
            }
        }
        None => {
            while x != 1 {
                if out.len() == out.capacity() {
                    let more = out.len().max(64);
                    out.try_reserve(more).map_err(|_| {
                        crate::memory::out_of_memory_for(out.len().saturating_add(more))
                    })?;
                }
                out.push(if x & 1 == 1 { '1' } else { '0' });
                x = terras(n, x)?;
            }
        }
    }
    Ok(out)
}

/// The `r` with `1 ≤ r ≤ 2^k` whose first `k` Terras parities are `vector` (`k` its length):
/// every `n ≡ r (mod 2^k)` starts with those parities (Terras's theorem).
///
/// ```
/// assert_eq!(collatz_core::residue("0000")?, 16);
/// assert_eq!(collatz_core::parity_vector(collatz_core::residue("1101")?, Some(4))?, "1101");
/// # Ok::<(), collatz_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::ParityLength`] unless `1 ≤ k ≤ 127`; [`Error::ParityChar`] for the first
/// character that is neither `'0'` nor `'1'` (indices count characters).
pub fn residue(vector: &str) -> Result<u128, Error> {
    let length = vector.chars().count();
    if !(1..=MAX_RESIDUE_PARITIES).contains(&length) {
        return Err(Error::ParityLength { length });
    }
    if let Some((index, found)) = vector
        .chars()
        .enumerate()
        .find(|&(_, c)| c != '0' && c != '1')
    {
        return Err(Error::ParityChar { index, found });
    }
    // For n ≡ r (mod 2^i) with the first i parities given, T^i(n) = (3^o n + c) / 2^i, where o
    // counts the ones so far and c grows by c ← 3c + 2^i at a one. Bit i of n flips the parity
    // of T^i(n) (it adds 3^o, which is odd), so it is chosen to give the i-th parity. Only bit i
    // of 3^o r + c is read, so everything is computed modulo 2^128 (i ≤ 126).
    let (mut r, mut power, mut c) = (0_u128, 1_u128, 0_u128);
    for (i, parity) in vector.bytes().enumerate() {
        let wanted = u128::from(parity - b'0');
        if (power.wrapping_mul(r).wrapping_add(c) >> i) & 1 != wanted {
            r |= 1 << i;
        }
        if wanted == 1 {
            power = power.wrapping_mul(3);
            c = c.wrapping_mul(3).wrapping_add(1 << i);
        }
    }
    Ok(if r == 0 { 1 << length } else { r })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_of_the_contract() {
        let s = stats(27).unwrap();
        assert_eq!(
            (
                s.n,
                s.total_stopping_time,
                s.stopping_time,
                s.peak,
                s.odd_steps
            ),
            (27, 111, 96, 9232, 41)
        );
        let one = stats(1).unwrap();
        assert_eq!(
            (one.total_stopping_time, one.stopping_time, one.peak),
            (0, 0, 1)
        );
        assert_eq!(parity_vector(1, None).unwrap(), "");
        assert_eq!(residue("0000"), Ok(16));
        assert_eq!(stats(0), Err(Error::Zero { index: None }));
    }

    #[test]
    fn counts_agree_with_the_u64_functions() {
        for n in 1..5000_u64 {
            let s = stats(u128::from(n)).unwrap();
            assert_eq!(
                s.total_stopping_time,
                crate::total_stopping_time(n).unwrap()
            );
            let v = parity_vector(u128::from(n), None).unwrap();
            let ones = v.matches('1').count() as u64;
            assert_eq!(ones, s.odd_steps, "{n}");
            assert_eq!(v.len() as u64 + ones, s.total_stopping_time, "{n}");
        }
    }

    #[test]
    fn residues_round_trip_for_every_length() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for length in 1..=MAX_RESIDUE_PARITIES {
            for _ in 0..20 {
                let vector: String = (0..length)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        if state & 1 == 1 { '1' } else { '0' }
                    })
                    .collect();
                let r = residue(&vector).unwrap();
                assert!(r >= 1 && (length == 127 || r <= 1 << length), "{vector}");
                // Up to 64 parities nothing can pass 2^128 ((3/2)^64 * 2^64 < 2^102); longer
                // vectors with many ones may climb past it, which is an error, never a wrap.
                match parity_vector(r, Some(length as u64)) {
                    Ok(back) => assert_eq!(back, vector),
                    Err(e) => assert!(length > 64 && matches!(e, Error::WideOverflow { .. })),
                }
            }
        }
    }

    #[test]
    fn bad_input_is_refused_with_what_was_wrong() {
        assert_eq!(residue(""), Err(Error::ParityLength { length: 0 }));
        assert_eq!(
            residue(&"0".repeat(128)),
            Err(Error::ParityLength { length: 128 })
        );
        assert_eq!(
            residue("01é1x"),
            Err(Error::ParityChar {
                index: 2,
                found: 'é'
            })
        );
        assert_eq!(
            parity_vector(5, Some(MAX_PARITIES + 1)),
            Err(Error::TooManyParities {
                k: MAX_PARITIES + 1
            })
        );
        let top = u128::MAX;
        assert!(
            matches!(stats(top), Err(Error::WideOverflow { at, terras: false, .. }) if at == top)
        );
        assert!(matches!(
            parity_vector(top, None),
            Err(Error::WideOverflow { terras: true, .. })
        ));
        assert!(
            stats(top)
                .unwrap_err()
                .to_string()
                .contains("exceeds 2**128 - 1")
        );
    }
}
