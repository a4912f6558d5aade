//! Fallible allocation: every allocation whose size follows from the input goes through here,
//! so that running out of memory is [`Error::OutOfMemory`] (Python's `MemoryError`), never the
//! abort that Rust's infallible `Vec::push`, `vec!` or `Box::new` make of a failed allocation.
//!
//! Stable Rust has no hook that turns *every* allocation failure into an error: small,
//! fixed-size allocations (a formatted error message, a table built once per process, the
//! thread pool) still abort on a machine that is truly out of memory, as CPython itself can.
//! To make that rarer where it matters most — the error path right after a refusal, which
//! formats a message, records it, and hands it across a generated boundary — the module keeps
//! a reserve of [`RESERVE_BYTES`] that it lets go of when it reports a refusal (as CPython keeps
//! `MemoryError` instances ready), and takes again at the next request that succeeds.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::Error;

/// The size of the reserve: far more than an error path needs, and above glibc's mmap
/// threshold (128 KiB), so that it is a mapping of its own, whose address space goes back to
/// the system when it is let go of (where allocations fail for want of address space,
/// `RLIMIT_AS`, that is what the error path needs). Never written: it costs no resident memory.
pub const RESERVE_BYTES: usize = 256 << 10;

/// The reserve, empty until the first request and after a refusal.
static RESERVE: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Whether [`RESERVE`] is held (read on every request, locked only to change it).
static HELD: AtomicBool = AtomicBool::new(false);

/// Take the reserve again if it was let go of (or never taken); nothing if memory is short.
fn replenish() {
    if HELD.load(Ordering::Relaxed) {
        return;
    }
    let mut reserve = RESERVE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if reserve.capacity() == 0 && reserve.try_reserve_exact(RESERVE_BYTES).is_ok() {
        HELD.store(true, Ordering::Relaxed);
    }
}

/// [`Error::OutOfMemory`] for `bytes`, with the reserve let go of for the error path.
#[cold]
fn refused(bytes: usize) -> Error {
    if HELD.swap(false, Ordering::Relaxed) {
        let spare = std::mem::take(
            &mut *RESERVE
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        drop(spare);
    }
    Error::OutOfMemory { bytes }
}

/// The error for a failed request of `count` values of `T`.
fn out_of_memory<T>(count: usize) -> Error {
    refused(count.saturating_mul(size_of::<T>()))
}

/// A vector of `len` copies of `value`, or [`Error::OutOfMemory`].
///
/// ```
/// assert_eq!(collatz_core::memory::filled(3, 0_u64)?, vec![0, 0, 0]);
/// assert!(collatz_core::memory::filled(usize::MAX / 8, 0_u64).is_err());
/// # Ok::<(), collatz_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::OutOfMemory`] if the allocator refuses the vector.
pub fn filled<T: Copy>(len: usize, value: T) -> Result<Vec<T>, Error> {
    replenish();
    let mut values = Vec::new();
    values
        .try_reserve_exact(len)
        .map_err(|_| out_of_memory::<T>(len))?;
    values.resize(len, value);
    Ok(values)
}

/// Make room in `values` for `additional` more elements (and, like `Vec::reserve`, possibly
/// more), or [`Error::OutOfMemory`].
///
/// # Errors
/// [`Error::OutOfMemory`] if the allocator refuses the larger buffer.
pub fn reserve<T>(values: &mut Vec<T>, additional: usize) -> Result<(), Error> {
    replenish();
    values
        .try_reserve(additional)
        .map_err(|_| out_of_memory::<T>(values.len().saturating_add(additional)))
}

/// Append `value`, growing the vector fallibly (doubling, as `push` does).
///
/// # Errors
/// [`Error::OutOfMemory`] if the vector is full and the allocator refuses a larger buffer.
pub fn push<T>(values: &mut Vec<T>, value: T) -> Result<(), Error> {
    if values.len() == values.capacity() {
        reserve(values, values.len().max(8))?;
    }
    values.push(value);
    Ok(())
}

/// Check that the allocator can give a block of `bytes` bytes now, by taking one and giving it
/// back.
///
/// For fixed-size allocations that cannot be made fallibly in safe, stable Rust (`Box::new`
/// of a handle that crosses a C ABI, the `Arc` a binding generator requires): the block just
/// freed is the one the allocator hands to the next request of the same size on this thread
/// (glibc's per-thread cache does exactly that), so the real allocation that follows finds
/// it. It narrows the window for an abort to what another thread allocates in between; it
/// cannot close it.
///
/// ```
/// collatz_core::memory::probe(64)?;
/// assert!(collatz_core::memory::probe(usize::MAX / 2).is_err());
/// # Ok::<(), collatz_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::OutOfMemory`] (with `bytes`) if the allocator refuses the block.
pub fn probe(bytes: usize) -> Result<(), Error> {
    replenish();
    let mut block = Vec::<u8>::new();
    block.try_reserve_exact(bytes).map_err(|_| refused(bytes))?;
    // Without this, the optimiser removes an allocation that is freed unused: the probe would
    // always succeed.
    std::hint::black_box(&mut block);
    Ok(())
}

/// Report a refusal the caller saw itself (an allocation made outside this module, such as
/// `bytemuck`'s zeroed buffers): [`Error::OutOfMemory`], with the reserve let go of.
#[must_use]
pub fn out_of_memory_for(bytes: usize) -> Error {
    refused(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_errors_that_say_how_much() {
        let too_many = usize::MAX / 4;
        assert_eq!(
            filled(too_many, 0_u64),
            Err(Error::OutOfMemory { bytes: usize::MAX })
        );
        let mut v = vec![1_u32];
        assert!(matches!(
            reserve(&mut v, too_many),
            Err(Error::OutOfMemory { .. })
        ));
        assert_eq!(v, [1]);
        let huge = isize::MAX as usize - 4095;
        assert_eq!(probe(huge), Err(Error::OutOfMemory { bytes: huge }));
    }

    #[test]
    fn a_refusal_lets_go_of_the_reserve_and_the_next_request_takes_it_again() {
        probe(16).unwrap();
        assert!(HELD.load(Ordering::Relaxed));
        let _ = out_of_memory_for(1);
        assert!(!HELD.load(Ordering::Relaxed));
        probe(16).unwrap();
        assert!(HELD.load(Ordering::Relaxed));
    }

    #[test]
    fn what_succeeds_is_what_the_infallible_calls_make() {
        let mut v = Vec::new();
        for i in 0..1000 {
            push(&mut v, i).unwrap();
        }
        assert_eq!(v, (0..1000).collect::<Vec<_>>());
        probe(32).unwrap();
        probe(0).unwrap();
    }
}
