//! collatz-core for Python through UniFFI (proc-macros, no UDL).
//!
//! The generated module is low-level: it takes and returns `int`, raises [`CollatzFfiError`],
//! and moves bulk data as native-endian `uint64` bytes, because a `Vec<u64>` crosses UniFFI
//! element by element (measured at ~2.7 µs per element). The `collatz_uniffi` Python package
//! wraps it in the project's contract: built-in exceptions, numpy arrays in and out.

use std::fmt;

uniffi::setup_scaffolding!();

/// A core error, split by the Python exception it becomes (`ValueError` or `OverflowError`).
/// The message names the offending value and, for arrays, its index.
#[derive(Debug, uniffi::Error)]
#[uniffi(flat_error)]
pub enum CollatzFfiError {
    /// Input outside the domain (a zero, a limit below 2, malformed bytes).
    Invalid(String),
    /// A step would exceed `2**64 - 1`.
    Overflow(String),
}

impl fmt::Display for CollatzFfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(message) | Self::Overflow(message) => f.write_str(message),
        }
    }
}

impl From<collatz_core::Error> for CollatzFfiError {
    fn from(e: collatz_core::Error) -> Self {
        if e.is_overflow() {
            Self::Overflow(e.to_string())
        } else {
            Self::Invalid(e.to_string())
        }
    }
}

/// The result of [`max_stopping_time`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct MaxStoppingTime {
    /// The starting value with the longest stopping time (the smallest, on ties).
    pub n: u64,
    /// Its stopping time.
    pub steps: u64,
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
pub fn stopping_time(n: u64) -> Result<u64, CollatzFfiError> {
    Ok(collatz_core::stopping_time(n)?)
}

/// Stopping times of native-endian `u64` values packed in `values` (8 bytes each), returned
/// packed the same way. Large inputs use all cores. `values` is borrowed from the caller's
/// `bytes` object without copying (UniFFI's by-reference bytes).
#[uniffi::export]
pub fn stopping_times_bytes(values: &[u8]) -> Result<Vec<u8>, CollatzFfiError> {
    if values.len() % 8 != 0 {
        return Err(CollatzFfiError::Invalid(format!(
            "packed uint64 values must be a multiple of 8 bytes long, got {}",
            values.len()
        )));
    }
    let mut out = vec![0_u8; values.len()];
    // Python's bytes and Rust's allocations are 8-aligned in practice; the copying fallback
    // keeps this correct wherever they are not.
    match (
        bytemuck::try_cast_slice::<u8, u64>(values),
        bytemuck::try_cast_slice_mut::<u8, u64>(&mut out),
    ) {
        (Ok(input), Ok(output)) => collatz_core::stopping_times(input, output)?,
        _ => {
            let input: Vec<u64> = values
                .chunks_exact(8)
                .map(|c| u64::from_ne_bytes(c.try_into().expect("chunks of 8")))
                .collect();
            let mut times = vec![0; input.len()];
            collatz_core::stopping_times(&input, &mut times)?;
            for (chunk, t) in out.chunks_exact_mut(8).zip(times) {
                chunk.copy_from_slice(&t.to_ne_bytes());
            }
        }
    }
    Ok(out)
}

/// The `n` in `1 <= n < limit` with the longest stopping time (ties: the smallest), and that
/// time. Uses all cores.
#[uniffi::export]
pub fn max_stopping_time(limit: u64) -> Result<MaxStoppingTime, CollatzFfiError> {
    let (n, steps) = collatz_core::max_stopping_time(limit)?;
    Ok(MaxStoppingTime { n, steps })
}
