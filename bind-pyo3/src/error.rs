//! Core errors and bad arguments, turned into the Python exceptions of the contract.

use std::fmt;

use collatz_core::Kind;
use pyo3::exceptions::{PyMemoryError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyString};

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
            Kind::Memory => PyMemoryError::new_err(message),
        }
    }
}

/// Which argument a value was passed as: the core's, with the contract's messages.
pub(crate) use collatz_core::Param;

/// Extract a `u64` in `param`'s range with `operator.index` semantics: type first, then range,
/// so that arguments checked left to right fail on the first bad one. An exact `int` takes
/// PyO3's own conversion and one comparison; anything else goes through `operator.index`
/// exactly once (a user's `__index__` is called once, and what it raises propagates as that
/// same object), then the `int` it returned is converted.
#[inline]
pub(crate) fn to_u64(obj: &Bound<'_, PyAny>, param: Param) -> PyResult<u64> {
    let value = if obj.is_exact_instance_of::<PyInt>() {
        obj.clone()
    } else {
        index(obj, param)?
    };
    match value.extract::<u64>() {
        Ok(v) if v >= param.minimum() => Ok(v),
        Ok(v) => Err(below_minimum(param, v)),
        Err(_) => Err(out_of_range(&value, param)),
    }
}

/// Extract a `u128` in `1..=2**128 - 1` (`stats`, `parity_vector`), with the same semantics as
/// [`to_u64`]: type first, then range; `__index__` called at most once.
#[inline]
pub(crate) fn to_u128(obj: &Bound<'_, PyAny>, param: Param) -> PyResult<u128> {
    let value = if obj.is_exact_instance_of::<PyInt>() {
        obj.clone()
    } else {
        index(obj, param)?
    };
    match value.extract::<u128>() {
        Ok(v) if v >= 1 => Ok(v),
        Ok(v) => Err(below_minimum(param, v)),
        Err(_) => match value.lt(0) {
            Ok(true) => Err(below_minimum(param, &value)),
            Ok(false) => Err(PyOverflowError::new_err(
                param.above(collatz_core::U128_MAX, &value),
            )),
            Err(e) => Err(e),
        },
    }
}

/// `parity_vector`'s `k`: an integer in `0..=2**20` (`ValueError` on either side).
pub(crate) fn parity_count(k: &Bound<'_, PyAny>) -> PyResult<u64> {
    let value = if k.is_exact_instance_of::<PyInt>() {
        k.clone()
    } else {
        index(k, Param::K)?
    };
    match value.extract::<u64>() {
        Ok(v) if v <= collatz_core::MAX_PARITIES => Ok(v),
        Ok(_) => Err(too_many_parities(&value)),
        Err(_) => match value.lt(0) {
            Ok(true) => Err(below_minimum(Param::K, &value)),
            Ok(false) => Err(too_many_parities(&value)),
            Err(e) => Err(e),
        },
    }
}

#[cold]
fn too_many_parities(value: &Bound<'_, PyAny>) -> PyErr {
    PyValueError::new_err(Param::K.above(collatz_core::MAX_PARITIES_TEXT, value))
}

/// `residue`'s argument: a `str` (a subclass too) of 1 to 127 characters, each `'0'` or `'1'`,
/// with the contract's messages (the bad character written as Python's `repr` writes it).
pub(crate) fn parities(vector: &Bound<'_, PyAny>) -> PyResult<String> {
    let Ok(text) = vector.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "vector must be a str, got {}",
            describe(vector)
        )));
    };
    // The string's own length and characters, through the C API: `len()` and indexing would
    // call a subclass's `__len__` and `__getitem__` (the contract reads the characters).
    // SAFETY: `text` is a valid `str` (a subclass too) and the GIL is held; -1 sets an
    // exception, which `PyErr::fetch` takes.
    let length = unsafe { pyo3::ffi::PyUnicode_GetLength(text.as_ptr()) };
    let length = usize::try_from(length).map_err(|_| PyErr::fetch(vector.py()))?;
    if !(1..=collatz_core::MAX_RESIDUE_PARITIES).contains(&length) {
        return Err(PyValueError::new_err(format!(
            "vector must have 1 to 127 parities, got {length}"
        )));
    }
    if let Ok(utf8) = text.to_str() {
        if utf8.bytes().all(|b| b == b'0' || b == b'1') {
            return Ok(utf8.to_owned());
        }
    }
    // The first bad character, found by Python's own indexing (surrogates included).
    for index in 0..length {
        let end = isize::try_from(index + 1).unwrap_or(isize::MAX);
        // SAFETY: as above; a new reference to the one-character substring, or NULL with an
        // exception set (taken by `from_owned_ptr_or_err`).
        let c = unsafe {
            Bound::from_owned_ptr_or_err(
                vector.py(),
                pyo3::ffi::PyUnicode_Substring(text.as_ptr(), end - 1, end),
            )?
        };
        let c = c.cast::<PyString>()?;
        if !matches!(c.to_str(), Ok("0" | "1")) {
            return Err(PyValueError::new_err(format!(
                "vector must hold only '0' and '1', got {} at index {index}",
                c.repr()?
            )));
        }
    }
    unreachable!("a string of only '0' and '1' takes the fast path")
}

/// `operator.index(obj)`: an exact `int`, the `TypeError` of the contract for a non-integer,
/// or whatever a user's `__index__` raised, unchanged.
#[cold]
fn index<'py>(obj: &Bound<'py, PyAny>, param: Param) -> PyResult<Bound<'py, PyAny>> {
    static OPERATOR_INDEX: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = obj.py();
    let function = OPERATOR_INDEX.get_or_try_init(py, || {
        py.import("operator")?.getattr("index").map(Bound::unbind)
    })?;
    function.bind(py).call1((obj,)).map_err(|err| {
        if err.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(param.not_an_integer(describe(obj)))
        } else {
            err
        }
    })
}

/// The exception for an `int` outside `0..=2**64 - 1`: `ValueError` below zero,
/// `OverflowError` above.
#[cold]
fn out_of_range(value: &Bound<'_, PyAny>, param: Param) -> PyErr {
    match value.lt(0) {
        Ok(true) => below_minimum(param, value),
        Ok(false) => PyOverflowError::new_err(param.above(collatz_core::U64_MAX, value)),
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
    PyValueError::new_err(param.below_minimum(value))
}

/// `TypeError` for an array whose dtype is not an integer type.
pub(crate) fn bad_dtype(dtype: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!("values must have an integer dtype, got {dtype}"))
}

/// `TypeError` for an argument of `total_stopping_times` that is not a sequence of integers.
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
