//! Slice and range functions, parallel over all cores when the input is large enough to pay
//! for it.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::{Error, record, total_stopping_time};

/// Slices at least this long are split across the core's thread pool (`pool.rs`); shorter ones run on the
/// calling thread, so small inputs never pay for waking the pool.
pub const PARALLEL_MIN_LEN: usize = 1 << 14;

/// Elements per parallel task: large enough to amortise scheduling, small enough to balance.
const CHUNK: usize = 1 << 12;

/// Write `total_stopping_time(values[i])` to `out[i]` for every `i`.
///
/// The caller owns both buffers; nothing is allocated. Large slices are processed in parallel.
///
/// # Errors
/// - [`Error::LengthMismatch`] if the slices differ in length (nothing is written);
/// - [`Error::Zero`] for the first element that is 0, if any;
/// - otherwise [`Error::Overflow`] for the first element whose trajectory overflows.
///
/// On error the contents of `out` are unspecified.
///
/// ```
/// let mut out = [0; 3];
/// collatz_core::total_stopping_times(&[1, 27, 6], &mut out)?;
/// assert_eq!(out, [0, 111, 8]);
/// # Ok::<(), collatz_core::Error>(())
/// ```
pub fn total_stopping_times(values: &[u64], out: &mut [u64]) -> Result<(), Error> {
    if values.len() != out.len() {
        return Err(Error::LengthMismatch {
            values: values.len(),
            out: out.len(),
        });
    }
    let result = if values.len() < PARALLEL_MIN_LEN {
        fill(values, out, 0)
    } else {
        crate::pool::install(|| {
            values
                .par_chunks(CHUNK)
                .zip(out.par_chunks_mut(CHUNK))
                .enumerate()
                .map(|(chunk, (v, o))| fill(v, o, chunk * CHUNK))
                .reduce(|| Ok(()), earliest)
        })
    };
    result.map_err(|e| prefer_zero(values, e))
}

fn fill(values: &[u64], out: &mut [u64], offset: usize) -> Result<(), Error> {
    for (i, (&v, o)) in values.iter().zip(out.iter_mut()).enumerate() {
        *o = total_stopping_time(v).map_err(|e| e.at_index(offset + i))?;
    }
    Ok(())
}

/// Of two partial results, the error at the smaller index (results are merged out of order).
fn earliest(a: Result<(), Error>, b: Result<(), Error>) -> Result<(), Error> {
    match (a, b) {
        (Err(x), Err(y)) => Err(if y.index() < x.index() { y } else { x }),
        (Err(x), Ok(())) | (Ok(()), Err(x)) => Err(x),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// Invalid input is reported before overflow, as if every element had been validated first:
/// after an overflow at index `i`, a zero further on wins. Runs on the error path only.
fn prefer_zero(values: &[u64], e: Error) -> Error {
    if let Error::Overflow { index: Some(i), .. } = e {
        if let Some(j) = values[i + 1..].iter().position(|&v| v == 0) {
            return Error::Zero {
                index: Some(i + 1 + j),
            };
        }
    }
    e
}

/// The `n` in `1..limit` with the longest total stopping time, and that time; ties go to the
/// smallest `n`. Large ranges are searched on all cores.
///
/// Only the `n` that can be the answer are examined: the others are proven to have a smaller
/// number with at least as long a total stopping time (see the `record` module: the lower half of
/// the range, three residue classes modulo 18, and residues modulo `2^20` with a smaller
/// twin), so about 5 % of `1..limit` for large limits.
///
/// # Errors
/// [`Error::LimitTooSmall`] if `limit < 2`; [`Error::Overflow`] for the smallest examined `n`
/// whose trajectory exceeds `2^128 - 1` (no known trajectory of a `u64` does).
///
/// ```
/// assert_eq!(collatz_core::max_total_stopping_time(10), Ok((9, 19)));
/// assert_eq!(collatz_core::max_total_stopping_time(2), Ok((1, 0)));
/// ```
pub fn max_total_stopping_time(limit: u64) -> Result<(u64, u64), Error> {
    max_total_stopping_time_with(limit, |_, _| ControlFlow::Continue(()))
        .map(|best| best.expect("never stopped"))
}

/// Numbers of `1..limit` covered between two calls of the `progress` hook of
/// [`max_total_stopping_time_with`]: little enough work that a binding can check for Ctrl-C and
/// report progress several times a second on any machine.
pub const PROGRESS_NUMBERS: u64 = record::PROGRESS_NUMBERS;

/// [`max_total_stopping_time`], calling `progress(done, total)` on the calling thread as the search
/// goes: `total == limit - 1`, `done` the numbers of `1..limit` covered so far (examined, or
/// ruled out without examination), non-decreasing, and a last call with `done == total`
/// once the answer is known. `ControlFlow::Break` stops the search: `Ok(None)`.
///
/// # Errors
/// As [`max_total_stopping_time`] (before any call of `progress`, for a bad `limit`).
///
/// ```
/// use std::ops::ControlFlow;
/// let mut calls = Vec::new();
/// let best = collatz_core::max_total_stopping_time_with(10, |done, total| {
///     calls.push((done, total));
///     ControlFlow::Continue(())
/// });
/// assert_eq!(best, Ok(Some((9, 19))));
/// assert_eq!(calls.last(), Some(&(9, 9)));
/// ```
pub fn max_total_stopping_time_with(
    limit: u64,
    progress: impl FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<Option<(u64, u64)>, Error> {
    if limit < 2 {
        return Err(Error::LimitTooSmall { limit });
    }
    record::max_total_stopping_time_with(record::Sieve::shared(), limit, progress)
}
