//! Trajectories: every value from `n` down to 1, as an iterator or a vector.

use crate::Error;
use crate::plain::next;

/// The trajectory of `n`: `n`, `step(n)`, …, `1` (just `1` for `n == 1`), one value at a time.
///
/// If a value would exceed `u64::MAX`, the iterator yields one [`Error::Overflow`] in its
/// place, after the values before it, and then ends. It is fused: after `None`, always `None`.
///
/// ```
/// let values: Result<Vec<u64>, _> = collatz_core::Trajectory::new(6)?.collect();
/// assert_eq!(values?, [6, 3, 10, 5, 16, 8, 4, 2, 1]);
/// # Ok::<(), collatz_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Trajectory {
    start: u64,
    /// The value the next call yields; `None` once the trajectory (or its error) is over.
    next: Option<Result<u64, Error>>,
    /// How many items (values, and the error if one was yielded) have been yielded.
    position: u64,
}

impl Trajectory {
    /// The trajectory of `n`.
    ///
    /// # Errors
    /// [`Error::Zero`] if `n == 0`.
    pub const fn new(n: u64) -> Result<Self, Error> {
        if n == 0 {
            return Err(Error::Zero { index: None });
        }
        Ok(Self {
            start: n,
            next: Some(Ok(n)),
            position: 0,
        })
    }

    /// The trajectory of `n` with its first `position` items already taken: the state of an
    /// iterator whose [`position`](Self::position) was `position`. A copy of an iterator in
    /// another process is `resume(t.start(), t.position())`. A `position` past the end gives
    /// an exhausted iterator.
    ///
    /// ```
    /// let mut t = collatz_core::Trajectory::new(6)?;
    /// t.nth(2);
    /// let mut copy = collatz_core::Trajectory::resume(t.start(), t.position())?;
    /// assert_eq!(copy.next(), t.next());
    /// # Ok::<(), collatz_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Zero`] if `n == 0`.
    pub fn resume(n: u64, position: u64) -> Result<Self, Error> {
        let mut trajectory = Self::new(n)?;
        // At most the trajectory's length (its values and one error) items are taken.
        while trajectory.position < position && trajectory.next().is_some() {}
        Ok(trajectory)
    }

    /// The starting value.
    #[must_use]
    pub const fn start(&self) -> u64 {
        self.start
    }

    /// How many items (values, and an overflow error once yielded) the iterator has yielded;
    /// it stops counting when the trajectory is over.
    #[must_use]
    pub const fn position(&self) -> u64 {
        self.position
    }
}

impl Iterator for Trajectory {
    type Item = Result<u64, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let current = self.next.take()?;
        self.position += 1;
        if let Ok(x) = current {
            if x != 1 {
                self.next = Some(next(self.start, x));
            }
        }
        Some(current)
    }
}

impl std::iter::FusedIterator for Trajectory {}

/// The whole trajectory of `n` as a vector: `n`, `step(n)`, …, `1`.
///
/// # Errors
/// [`Error::Zero`] if `n == 0`; [`Error::Overflow`] if a value would exceed `u64::MAX`
/// (nothing is returned then, not even the values before it); [`Error::OutOfMemory`] if the
/// vector cannot grow.
///
/// ```
/// assert_eq!(collatz_core::trajectory(1), Ok(vec![1]));
/// assert_eq!(collatz_core::trajectory(3), Ok(vec![3, 10, 5, 16, 8, 4, 2, 1]));
/// ```
pub fn trajectory(n: u64) -> Result<Vec<u64>, Error> {
    let mut values = Vec::new();
    crate::memory::reserve(&mut values, 64)?;
    for value in Trajectory::new(n)? {
        crate::memory::push(&mut values, value?)?;
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_comes_after_the_values_before_it_and_ends_the_iterator() {
        let n = u64::MAX - 1; // even: one halving, then an odd value whose 3x + 1 overflows
        let mut t = Trajectory::new(n).unwrap();
        assert_eq!(t.next(), Some(Ok(n)));
        assert_eq!(t.next(), Some(Ok(n / 2)));
        assert!(
            matches!(t.next(), Some(Err(Error::Overflow { start, at, .. })) if start == n && at == u128::from(n / 2))
        );
        assert_eq!(t.next(), None);
        assert_eq!(t.next(), None, "fused");
        assert!(trajectory(n).unwrap_err().is_overflow());
    }

    #[test]
    fn resuming_at_a_position_continues_where_the_original_was() {
        for n in [1, 6, 27, u64::MAX - 1] {
            let all: Vec<_> = Trajectory::new(n).unwrap().collect();
            for position in 0..=all.len() as u64 + 2 {
                let mut original = Trajectory::new(n).unwrap();
                for _ in 0..position {
                    original.next();
                }
                let resumed = Trajectory::resume(n, position).unwrap();
                assert_eq!(resumed.position(), original.position());
                assert_eq!(resumed.collect::<Vec<_>>(), original.collect::<Vec<_>>());
            }
        }
        assert_eq!(
            Trajectory::resume(0, 3).unwrap_err(),
            Error::Zero { index: None }
        );
    }

    #[test]
    fn lengths_match_total_stopping_times() {
        for n in 1..2000 {
            let values = trajectory(n).unwrap();
            assert_eq!(
                values.len() as u64,
                crate::total_stopping_time(n).unwrap() + 1
            );
            assert_eq!(values.first(), Some(&n));
            assert_eq!(values.last(), Some(&1));
        }
        assert_eq!(Trajectory::new(0).unwrap_err(), Error::Zero { index: None });
    }
}
