//! The one error type of the core.

use std::fmt;

/// Why a Collatz computation could not produce a result.
///
/// Every variant carries the offending value and, for slice functions, the index of the
/// offending element, so that bindings can build messages that name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// A starting value (or the element at `index`) is 0; the domain is `1..=u64::MAX`.
    Zero {
        /// Index of the element in a slice, `None` for a scalar argument.
        index: Option<usize>,
    },
    /// The trajectory of `start` reaches the odd value `at`, and `3 * at + 1` does not fit:
    /// in a `u64` where the value would be handed out (a step, a trajectory), in a `u128`
    /// where only a count is (total stopping times continue past `u64::MAX` in 128-bit arithmetic).
    /// Nothing is ever wrapped.
    Overflow {
        /// The starting value (the argument, or the element at `index`).
        start: u64,
        /// The odd value whose successor does not fit: at most `u64::MAX` for a `u64` bound,
        /// above it for the `u128` bound.
        at: u128,
        /// Index of the element in a slice, `None` for a scalar argument.
        index: Option<usize>,
    },
    /// `iterate(start, k)` is `value`, which does not fit in a `u64` (the trajectory may
    /// leave the `u64` range and come back; only the result has to fit).
    ResultOverflow {
        /// The starting value.
        start: u64,
        /// The number of steps.
        k: u64,
        /// The result, above `u64::MAX`.
        value: u128,
    },
    /// `max_total_stopping_time` needs a range `1..limit` with at least one element.
    LimitTooSmall {
        /// The limit that was passed.
        limit: u64,
    },
    /// The trajectory of a `u128` start (of [`crate::stats`], [`crate::parity_vector`])
    /// reaches the odd value `at`, whose successor does not fit in a `u128`: `3 * at + 1`, or
    /// `(3 * at + 1) / 2` for the Terras map (`terras`).
    WideOverflow {
        /// The starting value.
        start: u128,
        /// The odd value whose successor does not fit.
        at: u128,
        /// Whether the step is the Terras map's `(3x + 1) / 2` rather than `3x + 1`.
        terras: bool,
    },
    /// [`crate::parity_vector`] was asked for more than `2^20` parities.
    TooManyParities {
        /// The number asked for.
        k: u64,
    },
    /// [`crate::residue`] takes 1 to 127 parities.
    ParityLength {
        /// The number of characters passed.
        length: usize,
    },
    /// [`crate::residue`] takes only `'0'` and `'1'`: the first other character.
    ParityChar {
        /// Its index, in characters.
        index: usize,
        /// The character.
        found: char,
    },
    /// The output slice of [`crate::total_stopping_times`] does not have the length of the input.
    LengthMismatch {
        /// Length of the input slice.
        values: usize,
        /// Length of the output slice.
        out: usize,
    },
    /// An allocation whose size follows from the input (a trajectory, a parity vector, an
    /// output buffer) was refused: Python's `MemoryError`. See [`crate::memory`].
    OutOfMemory {
        /// The size asked for, in bytes.
        bytes: usize,
    },
}

/// What kind of failure an [`Error`] is: the one distinction every binding maps to its own
/// error representation (a Python exception type, a C status code).
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): a binding matches on it without a
/// wildcard, so a new kind fails to compile there instead of being absorbed silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An input is outside the domain (a zero, a limit below 2): Python's `ValueError`.
    Invalid,
    /// The input is valid but a value it leads to does not fit: Python's `OverflowError`.
    Overflow,
    /// The caller broke an API rule no Python user can reach (mismatched buffer lengths).
    Argument,
    /// Memory ran out: Python's `MemoryError`.
    Memory,
}

impl Error {
    /// The kind of this error; bindings map kinds, not variants.
    #[must_use]
    pub const fn kind(&self) -> Kind {
        match self {
            Self::Zero { .. }
            | Self::LimitTooSmall { .. }
            | Self::TooManyParities { .. }
            | Self::ParityLength { .. }
            | Self::ParityChar { .. } => Kind::Invalid,
            Self::Overflow { .. } | Self::ResultOverflow { .. } | Self::WideOverflow { .. } => {
                Kind::Overflow
            }
            Self::LengthMismatch { .. } => Kind::Argument,
            Self::OutOfMemory { .. } => Kind::Memory,
        }
    }

    /// The same error, attributed to element `index` of a slice.
    #[must_use]
    pub const fn at_index(self, index: usize) -> Self {
        match self {
            Self::Zero { .. } => Self::Zero { index: Some(index) },
            Self::Overflow { start, at, .. } => Self::Overflow {
                start,
                at,
                index: Some(index),
            },
            other => other,
        }
    }

    /// The slice index this error is about, if any.
    #[must_use]
    pub const fn index(&self) -> Option<usize> {
        match self {
            Self::Zero { index } | Self::Overflow { index, .. } => *index,
            _ => None,
        }
    }

    /// `true` for [`Error::Overflow`]: the input was valid but a result left the `u64` range.
    #[must_use]
    pub const fn is_overflow(&self) -> bool {
        matches!(self.kind(), Kind::Overflow)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Zero { index: None } => f.write_str("n must be >= 1, got 0"),
            Self::Zero { index: Some(i) } => write!(f, "element {i} must be >= 1, got 0"),
            Self::Overflow { start, at, index } => {
                if let Some(i) = index {
                    write!(f, "element {i}: ")?;
                }
                let bound = if at <= u128::from(u64::MAX) { 64 } else { 128 };
                if u128::from(start) == at {
                    write!(
                        f,
                        "step({at}) overflows: 3 * {at} + 1 exceeds 2**{bound} - 1"
                    )
                } else {
                    write!(
                        f,
                        "the trajectory of {start} overflows: it reaches {at}, \
                         and 3 * {at} + 1 exceeds 2**{bound} - 1"
                    )
                }
            }
            Self::ResultOverflow { start, k, value } => write!(
                f,
                "iterate({start}, {k}) is {value}, which exceeds 2**64 - 1"
            ),
            Self::LimitTooSmall { limit } => write!(f, "limit must be >= 2, got {limit}"),
            Self::WideOverflow { start, at, terras } => {
                let next = if terras {
                    "(3 * {at} + 1) / 2"
                } else {
                    "3 * {at} + 1"
                };
                write!(
                    f,
                    "the trajectory of {start} overflows: it reaches {at}, and {} exceeds 2**128 - 1",
                    next.replace("{at}", &at.to_string())
                )
            }
            Self::TooManyParities { k } => {
                f.write_str(&crate::Param::K.above(crate::MAX_PARITIES_TEXT, k))
            }
            Self::ParityLength { length } => {
                write!(f, "vector must have 1 to 127 parities, got {length}")
            }
            Self::ParityChar { index, found } => write!(
                f,
                "vector must hold only '0' and '1', got {found:?} at index {index}"
            ),
            Self::LengthMismatch { values, out } => write!(
                f,
                "output length {out} does not match input length {values}"
            ),
            Self::OutOfMemory { bytes } => {
                write!(f, "out of memory: {bytes} bytes could not be allocated")
            }
        }
    }
}

impl std::error::Error for Error {}

/// What a caught panic says: its message if it carries one (`panic!("...")` payloads are a
/// `&str` or a `String`), for the bindings that catch panics at their boundary and report them
/// as errors (a panic must never cross an FFI boundary).
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
/// assert_eq!(collatz_core::panic_message(payload.as_ref()), "boom 1");
/// ```
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown payload".to_owned())
}

/// How every front end's message for a caught panic begins (the contract's wording): written
/// once for Rust, here, and once for Python, in the glue's `panic_error`.
pub const PANIC_PREFIX: &str = "internal error (panic): ";

/// The message a front end reports a caught panic with: [`PANIC_PREFIX`] and what the panic
/// said.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
/// assert_eq!(collatz_core::panic_report(payload.as_ref()), "internal error (panic): boom");
/// ```
pub fn panic_report(payload: &(dyn std::any::Any + Send)) -> String {
    format!("{PANIC_PREFIX}{}", panic_message(payload))
}
