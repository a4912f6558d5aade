//! numpy arrays in and out, through the buffer protocol (no numpy C API): a native-order,
//! aligned, C-contiguous `uint64` array is read in place; other arrays go through the package's
//! shared Python rules (`_glue.as_u64_array`, which numpy's own conversions serve); lists,
//! tuples and other iterables are read element by element here. Results are new arrays made by
//! `numpy.empty` and written through their buffer. numpy is imported on first use; its objects
//! (and the glue's conversion) are kept in the module's state, one set per interpreter
//! (`state::cached`): numpy's objects belong to the interpreter that imported it.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::ptr;

use pyo3_ffi::*;

use crate::args::{Owned, Param, Raised, Result, core_error, describe, to_u64, type_error};
use crate::gil::without_gil;
use crate::state::{self, Slot};

/// Bulk calls with at least this many elements release the GIL (the same threshold as
/// `collatz_pyo3`).
const RELEASE_MIN_LEN: usize = 1 << 10;

/// A buffer exported by an object, released on drop.
struct Buffer(Py_buffer);

impl Buffer {
    /// `object`'s buffer with `flags`, or `None` (no exception set) if it cannot give one.
    fn get(object: *mut PyObject, flags: std::ffi::c_int) -> Option<Self> {
        let mut view = MaybeUninit::<Py_buffer>::zeroed();
        // SAFETY: the GIL is held; `view` is written by PyObject_GetBuffer when it succeeds
        // (0), and released exactly once by `Drop`; a failure's exception is cleared.
        unsafe {
            if PyObject_GetBuffer(object, view.as_mut_ptr(), flags) == 0 {
                Some(Self(view.assume_init()))
            } else {
                PyErr_Clear();
                None
            }
        }
    }

    /// The elements, if the buffer is a 1-D, aligned, native-order `uint64` array.
    fn as_u64s(&self) -> Option<&[u64]> {
        let view = &self.0;
        if view.ndim != 1 || view.itemsize != 8 || view.format.is_null() {
            return None;
        }
        // SAFETY: a buffer requested with PyBUF_FORMAT has a NUL-terminated format string.
        let format = unsafe { CStr::from_ptr(view.format) }.to_bytes();
        let native = if cfg!(target_endian = "little") {
            b'<'
        } else {
            b'>'
        };
        let unsigned = match format {
            [code] | [b'@' | b'=', code] => *code,
            [order, code] if *order == native => *code,
            _ => return None,
        };
        if !matches!(unsigned, b'Q' | b'L') || view.buf.align_offset(align_of::<u64>()) != 0 {
            return None;
        }
        let len = usize::try_from(view.len).ok()? / 8;
        if len == 0 {
            return Some(&[]);
        }
        // SAFETY: a C-contiguous buffer of `len` aligned u64s, valid while the export (self)
        // is held.
        Some(unsafe { std::slice::from_raw_parts(view.buf.cast::<u64>(), len) })
    }

    /// The elements of a writable `uint64` buffer made by `new_array` (see `as_u64s`).
    fn as_u64s_mut(&mut self) -> Option<&mut [u64]> {
        let len = self.as_u64s()?.len();
        if len == 0 {
            return Some(&mut []);
        }
        // SAFETY: as in `as_u64s`, and the buffer was requested writable, from an array no one
        // else has seen yet.
        Some(unsafe { std::slice::from_raw_parts_mut(self.0.buf.cast::<u64>(), len) })
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: the view was filled by a successful PyObject_GetBuffer; the GIL is held.
        unsafe { PyBuffer_Release(&raw mut self.0) }
    }
}

/// A new, zeroed-or-not `uint64` array of `len` elements (`numpy.empty(len, numpy.uint64)`).
fn empty(module: *mut PyObject, len: usize) -> Result<Owned> {
    let empty = state::cached(module, Slot::Empty, c"numpy", c"empty")?;
    let uint64 = state::cached(module, Slot::Uint64, c"numpy", c"uint64")?;
    // SAFETY: the GIL is held; a new reference or NULL with an exception set.
    let length = unsafe { Owned::new(PyLong_FromSize_t(len))? };
    crate::args::call(empty.as_ptr(), &[length.as_ptr(), uint64.as_ptr()])
}

/// A new array holding a copy of `values` (`module`: the calling function's `self`).
pub(crate) fn new_array(module: *mut PyObject, values: &[u64]) -> Result<Owned> {
    let array = empty(module, values.len())?;
    let mut buffer = writable(array.as_ptr())?;
    let out = buffer.as_u64s_mut().ok_or(Raised)?;
    out.copy_from_slice(values);
    drop(buffer);
    Ok(array)
}

fn writable(array: *mut PyObject) -> Result<Buffer> {
    Buffer::get(array, PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)
        .ok_or_else(|| crate::args::runtime_error("numpy.empty gave no writable uint64 buffer"))
}

/// Whether `values` is a numpy array (numpy imported by someone: an array cannot exist
/// otherwise, so numpy is never imported just to ask).
fn is_ndarray(module: *mut PyObject, values: *mut PyObject) -> Result<bool> {
    // SAFETY: the GIL is held; PyImport_GetModule returns a new reference or NULL (with an
    // exception only on an error, not for a module never imported).
    unsafe {
        let name = Owned::new(PyUnicode_FromString(c"numpy".as_ptr()))?;
        let numpy = PyImport_GetModule(name.as_ptr());
        if numpy.is_null() {
            if !PyErr_Occurred().is_null() {
                return Err(Raised);
            }
            return Ok(false);
        }
        drop(Owned::new(numpy)?);
        let ndarray = state::cached(module, Slot::Ndarray, c"numpy", c"ndarray")?;
        match PyObject_IsInstance(values, ndarray.as_ptr()) {
            -1 => Err(Raised),
            answer => Ok(answer == 1),
        }
    }
}

/// `total_stopping_times(values)`: see the module's documentation (`module`: the function's
/// `self`).
pub(crate) fn total_stopping_times(module: *mut PyObject, values: *mut PyObject) -> Result<Owned> {
    let flags = PyBUF_FORMAT | PyBUF_C_CONTIGUOUS;
    if is_ndarray(module, values)? {
        // An exact ndarray is read in place when it can be. A subclass (a masked array among
        // them: its mask decides, docs/contract.md) and any other array go to numpy.
        let ndarray = state::cached(module, Slot::Ndarray, c"numpy", c"ndarray")?;
        // SAFETY: the GIL is held; `values` is a valid borrowed reference.
        let exact = ptr::eq(
            unsafe { Py_TYPE(values) }.cast::<PyObject>(),
            ndarray.as_ptr(),
        );
        if exact {
            if let Some(buffer) = Buffer::get(values, flags) {
                if let Some(input) = buffer.as_u64s() {
                    return compute(module, input);
                }
            }
        }
        // Any other array: numpy converts it, with the contract's checks (shared Python rules).
        let convert = state::cached(
            module,
            Slot::AsU64Array,
            c"collatz_pyo3_ffi._glue",
            c"as_u64_array",
        )?;
        let converted = crate::args::call(convert.as_ptr(), &[values])?;
        let buffer = Buffer::get(converted.as_ptr(), flags)
            .ok_or_else(|| crate::args::runtime_error("as_u64_array gave no uint64 buffer"))?;
        let input = buffer
            .as_u64s()
            .ok_or_else(|| crate::args::runtime_error("as_u64_array gave no uint64 buffer"))?;
        return compute(module, input);
    }
    // SAFETY: the GIL is held; `values` is a valid borrowed reference.
    let text_like = unsafe {
        PyUnicode_Check(values) != 0 || PyBytes_Check(values) != 0 || PyByteArray_Check(values) != 0
    };
    if text_like {
        return Err(not_array_like(values));
    }
    // SAFETY: the GIL is held; the iterator and every item are new references held by
    // `Owned`; PyIter_Next returns NULL at the end (no exception) or on an error (set).
    let input = unsafe {
        let Ok(iterator) = Owned::new(PyObject_GetIter(values)) else {
            if PyErr_ExceptionMatches(PyExc_TypeError) != 0 {
                PyErr_Clear();
                return Err(not_array_like(values));
            }
            return Err(Raised);
        };
        let hint = PyObject_LengthHint(values, 0);
        // A length hint is not a promise (`range(1, 10**10)` hints 80 GB of `u64`): reserve at
        // most 64 Ki elements up front, and grow as the elements come.
        let mut input = Vec::new();
        let reserve = usize::try_from(hint).unwrap_or(0).min(1 << 16);
        collatz_core::memory::reserve(&mut input, reserve).map_err(|e| core_error(&e))?;
        if hint < 0 {
            PyErr_Clear();
        }
        loop {
            let item = PyIter_Next(iterator.as_ptr());
            if item.is_null() {
                if !PyErr_Occurred().is_null() {
                    return Err(Raised);
                }
                break;
            }
            let item = Owned::new(item)?;
            let value = to_u64(item.as_ptr(), Param::Element(input.len()))?;
            collatz_core::memory::push(&mut input, value).map_err(|e| core_error(&e))?;
        }
        input
    };
    compute(module, &input)
}

/// The total stopping times of `input`, as a new array (the GIL released for long inputs).
fn compute(module: *mut PyObject, input: &[u64]) -> Result<Owned> {
    let array = empty(module, input.len())?;
    let mut buffer = writable(array.as_ptr())?;
    let out = buffer.as_u64s_mut().ok_or(Raised)?;
    let result = if input.len() >= RELEASE_MIN_LEN {
        without_gil(|| collatz_core::total_stopping_times(input, out))
    } else {
        collatz_core::total_stopping_times(input, out)
    };
    drop(buffer);
    result.map_err(|e| core_error(&e))?;
    Ok(array)
}

#[cold]
fn not_array_like(values: *mut PyObject) -> Raised {
    type_error(&format!(
        "values must be a 1-D array or sequence of integers, got {}",
        describe(values)
    ))
}
