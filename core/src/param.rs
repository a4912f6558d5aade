//! The contract's arguments, as the front ends name them when they refuse one at the boundary:
//! the name a message calls it by, its lower bound, and the messages themselves. The Rust front
//! ends (PyO3, the hand-written extension) format their argument errors here, so the two cannot
//! drift apart; the Python front ends format the same messages in the shared glue.

use std::fmt;

/// Which argument a value was passed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A start value: `step(n)`, `stats(n)`, ...
    N,
    /// A count: `iterate`'s steps, `parity_vector`'s parities.
    K,
    /// `max_total_stopping_time`'s exclusive upper bound.
    Limit,
    /// An element of `total_stopping_times`'s input, by index.
    Element(usize),
    /// A pickled `Trajectory`'s position.
    Position,
}

/// The largest `u64`, as the messages write it.
pub const U64_MAX: &str = "2**64 - 1";
/// The largest `u128`, as the messages write it.
pub const U128_MAX: &str = "2**128 - 1";
/// The most parities `parity_vector` gives ([`crate::MAX_PARITIES`]), as the messages write it.
pub const MAX_PARITIES_TEXT: &str = "2**20";

impl Param {
    /// The smallest value the argument takes.
    #[must_use]
    pub const fn minimum(self) -> u64 {
        match self {
            Self::N | Self::Element(_) => 1,
            Self::K | Self::Position => 0,
            Self::Limit => 2,
        }
    }

    /// `TypeError`'s message for a value that is not an integer; `described` is its type and
    /// a bounded repr (`float 1.5`).
    ///
    /// ```
    /// use collatz_core::Param;
    /// assert_eq!(Param::N.not_an_integer("float 1.5"), "n must be an integer, got float 1.5");
    /// ```
    #[must_use]
    pub fn not_an_integer(self, described: impl fmt::Display) -> String {
        format!("{self} must be an integer, got {described}")
    }

    /// `ValueError`'s message for an integer below [`Param::minimum`].
    ///
    /// ```
    /// use collatz_core::Param;
    /// assert_eq!(Param::Limit.below_minimum(1), "limit must be >= 2, got 1");
    /// ```
    #[must_use]
    pub fn below_minimum(self, value: impl fmt::Display) -> String {
        format!("{self} must be >= {}, got {value}", self.minimum())
    }

    /// `OverflowError`'s message for an integer above `max` ([`U64_MAX`] or [`U128_MAX`]).
    ///
    /// ```
    /// use collatz_core::{Param, U64_MAX};
    /// assert_eq!(Param::Element(3).above(U64_MAX, 2u128.pow(64)), "element 3 must be <= 2**64 - 1, got 18446744073709551616");
    /// ```
    #[must_use]
    pub fn above(self, max: &str, value: impl fmt::Display) -> String {
        format!("{self} must be <= {max}, got {value}")
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::N => f.write_str("n"),
            Self::K => f.write_str("k"),
            Self::Limit => f.write_str("limit"),
            Self::Position => f.write_str("position"),
            Self::Element(i) => write!(f, "element {i}"),
        }
    }
}
