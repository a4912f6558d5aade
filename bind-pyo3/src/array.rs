//! The input of `total_stopping_times`: a C-contiguous `uint64` array is borrowed as it is, any
//! other integer array or sequence of integers is converted (and validated) into a `Vec`.

use numpy::{
    PyArray1, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::error::{CoreError, Param, bad_dtype, below_minimum, not_array_like, to_u64};

/// The most elements reserved before an iterable's elements arrive (512 KiB of `u64`).
pub(crate) const PREALLOCATE_MAX: usize = 1 << 16;

/// Values ready for the core: borrowed from a numpy array without copying, or converted.
pub(crate) enum Values<'py> {
    Borrowed(PyReadonlyArray1<'py, u64>),
    Owned(Vec<u64>),
}

impl<'py> Values<'py> {
    /// Borrow `array` if its data can be read as one slice (aligned, contiguous).
    fn borrowed(array: PyReadonlyArray1<'py, u64>) -> Option<Self> {
        array.as_slice().is_ok().then_some(Self::Borrowed(array))
    }

    pub(crate) fn as_slice(&self) -> &[u64] {
        match self {
            // Built only by `borrowed`, which checked that `as_slice` succeeds.
            Self::Borrowed(array) => array.as_slice().unwrap_or(&[]),
            Self::Owned(v) => v,
        }
    }
}

/// Validate and borrow or convert `values` (see the module docs and the contract, §2).
pub(crate) fn borrow<'py>(values: &Bound<'py, PyAny>) -> PyResult<Values<'py>> {
    if let Ok(array) = values.cast::<PyUntypedArray>() {
        if array.ndim() != 1 {
            return Err(PyValueError::new_err(format!(
                "values must be a 1-D array, got {} dimensions (shape {})",
                array.ndim(),
                values.getattr("shape")?
            )));
        }
        let kind = array.dtype().kind();
        if !matches!(kind, b'u' | b'i' | b'O') {
            return Err(bad_dtype(array.dtype().as_any()));
        }
        // A subclass may be a masked array: its data, or the contract's TypeError (after the
        // dimensions and the dtype, before the elements).
        let data;
        let values = if values.is_exact_instance_of::<PyUntypedArray>() {
            values
        } else {
            data = unmasked(values)?;
            &data
        };
        return match kind {
            b'u' => unsigned(values),
            b'i' => signed(values),
            _ => from_iterable(values),
        };
    }
    if values.is_instance_of::<PyString>()
        || values.is_instance_of::<PyBytes>()
        || values.is_instance_of::<PyByteArray>()
    {
        return Err(not_array_like(values));
    }
    from_iterable(values)
}

/// Any unsigned array: borrowed when it is native-order, aligned and contiguous `uint64`,
/// otherwise copied into one by numpy. Zeros are left for the core to report.
fn unsigned<'py>(values: &Bound<'py, PyAny>) -> PyResult<Values<'py>> {
    if let Ok(array) = values.cast::<PyArray1<u64>>() {
        // `try_readonly` fails only if another Rust extension holds a mutable borrow.
        if let Some(values) = array.try_readonly().ok().and_then(Values::borrowed) {
            return Ok(values);
        }
    }
    // `astype` always returns a fresh, aligned, C-contiguous array in native byte order.
    let copy = values
        .call_method1("astype", ("uint64",))?
        .cast_into::<PyArray1<u64>>()?;
    Values::borrowed(copy.readonly())
        .ok_or_else(|| PyValueError::new_err("numpy returned a non-contiguous uint64 copy"))
}

/// Any signed array: negative values and zeros are rejected with their index.
fn signed<'py>(values: &Bound<'py, PyAny>) -> PyResult<Values<'py>> {
    let wide = values
        .call_method1("astype", ("int64",))?
        .cast_into::<PyArray1<i64>>()?;
    let readonly = wide.readonly();
    let slice = readonly
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let mut out = Vec::new();
    collatz_core::memory::reserve(&mut out, slice.len()).map_err(CoreError)?;
    for (i, &v) in slice.iter().enumerate() {
        match u64::try_from(v) {
            Ok(u) if u >= 1 => out.push(u),
            _ => return Err(below_minimum(Param::Element(i), v)),
        }
    }
    Ok(Values::Owned(out))
}

/// A masked array's data when no element is masked; `TypeError` naming the first masked
/// element otherwise (docs/contract.md). Any other array is returned as it is. `numpy.ma` is
/// looked up only where it was imported: a masked array cannot exist before that.
#[cold]
fn unmasked<'py>(values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = values.py();
    let modules = py.import("sys")?.getattr("modules")?;
    let Some(ma) = modules.get_item("numpy.ma").ok().filter(|m| !m.is_none()) else {
        return Ok(values.clone());
    };
    if !values.is_instance(&ma.getattr("MaskedArray")?)? {
        return Ok(values.clone());
    }
    let mask = ma.call_method1("getmaskarray", (values,))?;
    if mask.call_method0("any")?.is_truthy()? {
        let index: usize = mask.call_method0("argmax")?.extract()?;
        return Err(PyTypeError::new_err(format!(
            "values must have no masked elements, got one at index {index}"
        )));
    }
    values.getattr("data")
}

/// Lists, tuples, object arrays and other iterables: every element goes through the same
/// checks as a scalar argument, in order.
fn from_iterable<'py>(values: &Bound<'py, PyAny>) -> PyResult<Values<'py>> {
    let iter = values.try_iter().map_err(|_| not_array_like(values))?;
    // The size an iterable claims is a hint, not a promise (`range(1, 10**10)` claims 80 GB of
    // `u64`): reserve at most PREALLOCATE_MAX up front, and grow as the elements come.
    let mut out = Vec::new();
    let hint = values.len().unwrap_or(0).min(PREALLOCATE_MAX);
    collatz_core::memory::reserve(&mut out, hint).map_err(CoreError)?;
    for (i, item) in iter.enumerate() {
        let value = to_u64(&item?, Param::Element(i))?;
        collatz_core::memory::push(&mut out, value).map_err(CoreError)?;
    }
    Ok(Values::Owned(out))
}
