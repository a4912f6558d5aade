//! Values out, made so that a Python allocation that fails is the `MemoryError` it is.
//!
//! PyO3's conversions of Rust integers, strings and tuples are infallible in their types and
//! panic when CPython returns `NULL` (out of memory): inside [`crate::guard`] that would be a
//! `RuntimeError` claiming a panic, outside it (a return value converted by PyO3's trampoline)
//! a `PanicException`. These call the C API directly and turn `NULL` into the exception CPython
//! set; the figures of `make perf-check` hold their cost to that of PyO3's own conversions.

use numpy::npyffi::{PY_ARRAY_API, npy_intp};
use numpy::{Element, PyArray1, PyArrayDescrMethods};
use pyo3::ffi;
use pyo3::prelude::*;

/// A Python `int` from a `u64`.
#[inline]
pub(crate) fn int(py: Python<'_>, value: u64) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: the thread is attached (`py`); a new reference, or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyLong_FromUnsignedLongLong(value)) }
}

/// A Python `int` from a `u128`: `(hi << 64) | lo` beyond 64 bits, each step fallible.
pub(crate) fn int128(py: Python<'_>, value: u128) -> PyResult<Bound<'_, PyAny>> {
    if let Ok(small) = u64::try_from(value) {
        return int(py, small);
    }
    #[allow(clippy::cast_possible_truncation)] // the low half, on purpose
    let (hi, lo) = ((value >> 64) as u64, value as u64);
    let shift = int(py, 64)?;
    // SAFETY: attached; every operand is a valid `int`; new references or NULL with an
    // exception set.
    unsafe {
        let hi = Bound::from_owned_ptr_or_err(
            py,
            ffi::PyNumber_Lshift(int(py, hi)?.as_ptr(), shift.as_ptr()),
        )?;
        Bound::from_owned_ptr_or_err(py, ffi::PyNumber_Or(hi.as_ptr(), int(py, lo)?.as_ptr()))
    }
}

/// A Python `str` from UTF-8 text.
pub(crate) fn text<'py>(py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyAny>> {
    let length = ffi::Py_ssize_t::try_from(value.len())
        .map_err(|_| pyo3::exceptions::PyMemoryError::new_err(()))?;
    // SAFETY: attached; `value` is valid UTF-8 of `length` bytes; a new reference or NULL.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyUnicode_FromStringAndSize(value.as_ptr().cast(), length),
        )
    }
}

/// The tuple `(a, b)` of two `u64`.
pub(crate) fn pair(py: Python<'_>, a: u64, b: u64) -> PyResult<Bound<'_, PyAny>> {
    let (a, b) = (int(py, a)?, int(py, b)?);
    // SAFETY: attached; PyTuple_Pack takes new references to both; a new tuple or NULL.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyTuple_Pack(2, a.as_ptr(), b.as_ptr())) }
}

/// `function(argument)` for the callbacks, through [`crate::gil::vectorcall`] (vectorcall
/// where the API has it; in the limited API before 3.12, `PyObject_CallFunctionObjArgs`, which
/// reports a failure to build the argument tuple as `MemoryError` where PyO3's conversion
/// would panic).
#[inline]
pub(crate) fn call1<'py>(
    function: &Bound<'py, PyAny>,
    argument: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: attached (`function`'s token); valid references kept alive by the caller; a new
    // reference or NULL with an exception set.
    unsafe {
        Bound::from_owned_ptr_or_err(
            function.py(),
            crate::gil::vectorcall(function.as_ptr(), argument.as_ptr(), None),
        )
    }
}

/// `function(a, b)` for `progress`, as [`call1`].
pub(crate) fn call2<'py>(
    function: &Bound<'py, PyAny>,
    a: Bound<'py, PyAny>,
    b: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: as in `call1`.
    unsafe {
        Bound::from_owned_ptr_or_err(
            function.py(),
            crate::gil::vectorcall(function.as_ptr(), a.as_ptr(), Some(b.as_ptr())),
        )
    }
}

/// A new, uninitialised 1-D `uint64` array of `len` elements, for the caller to fill.
///
/// rust-numpy's constructors (`PyArray1::zeros`, `IntoPyArray`) panic when numpy cannot
/// allocate; this is numpy's own `PyArray_Empty`, whose `NULL` is the `MemoryError` numpy set.
pub(crate) fn array_of(py: Python<'_>, len: usize) -> PyResult<Bound<'_, PyArray1<u64>>> {
    let mut dims =
        [npy_intp::try_from(len).map_err(|_| pyo3::exceptions::PyMemoryError::new_err(()))?];
    // SAFETY: attached (`py`); one dimension of `len`; `PyArray_Empty` steals the descriptor
    // reference `into_dtype_ptr` hands over; a new C-contiguous `uint64` array, or NULL with
    // an exception set.
    unsafe {
        let array = PY_ARRAY_API.PyArray_Empty(
            py,
            1,
            dims.as_mut_ptr(),
            u64::get_dtype(py).into_dtype_ptr(),
            0,
        );
        Ok(Bound::from_owned_ptr_or_err(py, array)?.cast_into_unchecked())
    }
}
