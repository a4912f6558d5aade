//! Core errors and bad arguments, turned into the Python exceptions of the contract.

use std::fmt;

use collatz_core::Kind;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Wrapper that lets `?` turn a [`collatz_core::Error`] into a `PyErr` (orphan rule).
pub(crate) struct CoreError(pub(crate) collatz_core::Error);

impl From<collatz_core::Error> for CoreError {
    fn from(e: collatz_core::Error) -> Self {
        Self(e)
    }
}

impl From<CoreError> for PyErr {
    fn from(CoreError(e): CoreError) -> Self {
        let message = e.to_string();
        match e.kind() {
            Kind::Invalid | Kind::Argument => PyValueError::new_err(message),
            Kind::Overflow => PyOverflowError::new_err(message),
        }
    }
}

/// Which argument a value was passed as, for messages and for its lower bound.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param {
    N,
    K,
    Limit,
    Element(usize),
}

impl Param {
    const fn minimum(self) -> u64 {
        match self {
            Self::N | Self::Element(_) => 1,
            Self::K => 0,
            Self::Limit => 2,
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::N => f.write_str("n"),
            Self::K => f.write_str("k"),
            Self::Limit => f.write_str("limit"),
            Self::Element(i) => write!(f, "element {i}"),
        }
    }
}

/// Extract a `u64` in `param`'s range with `operator.index` semantics: type first, then range,
/// so that arguments checked left to right fail on the first bad one. The fast path is PyO3's
/// own conversion and one comparison; only a failure pays for finding out which exception the
/// contract asks for.
#[inline]
pub(crate) fn to_u64(obj: &Bound<'_, PyAny>, param: Param) -> PyResult<u64> {
    match obj.extract::<u64>() {
        Ok(v) if v >= param.minimum() => Ok(v),
        Ok(v) => Err(below_minimum(param, v)),
        Err(e) => Err(explain(obj, param, e)),
    }
}

/// `TypeError` for non-integers, `ValueError` below the minimum, `OverflowError` above
/// `2**64 - 1`. Any other exception (raised by a user's `__index__`) passes through unchanged.
#[cold]
fn explain(obj: &Bound<'_, PyAny>, param: Param, err: PyErr) -> PyErr {
    let py = obj.py();
    if err.is_instance_of::<PyTypeError>(py) {
        return PyTypeError::new_err(format!("{param} must be an integer, got {}", describe(obj)));
    }
    if !err.is_instance_of::<PyOverflowError>(py) {
        return err;
    }
    // An integer out of the u64 range: negative, or too large.
    let value = match py
        .import("operator")
        .and_then(|op| op.getattr("index"))
        .and_then(|index| index.call1((obj,)))
    {
        Ok(v) => v,
        Err(e) => return e,
    };
    match value.lt(0) {
        Ok(true) => PyValueError::new_err(format!(
            "{param} must be >= {}, got {value}",
            param.minimum()
        )),
        Ok(false) => PyOverflowError::new_err(format!("{param} must be <= 2**64 - 1, got {value}")),
        Err(e) => e,
    }
}

/// A value's type and a bounded repr, for `TypeError` messages.
pub(crate) fn describe(obj: &Bound<'_, PyAny>) -> String {
    let type_name = obj
        .get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string());
    let repr = obj
        .repr()
        .map_or_else(|_| "<unrepresentable>".to_owned(), |r| r.to_string());
    format!("{type_name} {}", shorten(&repr))
}

/// At most 60 characters of a repr.
fn shorten(repr: &str) -> String {
    const MAX: usize = 60;
    if repr.chars().count() <= MAX {
        repr.to_owned()
    } else {
        let head: String = repr.chars().take(MAX - 3).collect();
        format!("{head}...")
    }
}

/// `ValueError` for a value below the parameter's minimum that fits in a `u64`.
pub(crate) fn below_minimum(param: Param, value: impl fmt::Display) -> PyErr {
    PyValueError::new_err(format!(
        "{param} must be >= {}, got {value}",
        param.minimum()
    ))
}

/// `TypeError` for an array whose dtype is not an integer type.
pub(crate) fn bad_dtype(dtype: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("values must have an integer dtype, got {dtype}"))
}

/// `TypeError` for an argument of `stopping_times` that is not a sequence of integers.
pub(crate) fn not_array_like(obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "values must be a 1-D array or sequence of integers, got {}",
        describe(obj)
    ))
}

/// `TypeError` for a callback argument that is not callable (`what`: "callable", or
/// "callable or None").
pub(crate) fn not_callable(name: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("{name} must be {what}, got {}", describe(obj)))
}
