//! Arguments in, exceptions out: the contract's conversions and messages, against the C API.
//!
//! Every function here is called with the GIL held (from a `METH_FASTCALL` function or a type
//! slot), and follows CPython's conventions: a returned `Err(Raised)` means a Python exception
//! is set; an owned reference is released exactly once ([`Owned`]).

use std::ffi::CStr;
use std::fmt;
use std::ptr::{self, NonNull};

use collatz_core::Kind;
use pyo3_ffi::*;

/// A Python exception is set (the C API's `NULL`/`-1`): the caller returns `NULL`.
#[derive(Debug)]
pub(crate) struct Raised;

pub(crate) type Result<T> = std::result::Result<T, Raised>;

/// An owned (strong) reference, released on drop.
#[derive(Debug)]
pub(crate) struct Owned(NonNull<PyObject>);

impl Owned {
    /// Take ownership of a new reference returned by the C API; `Err` if it is `NULL` (an
    /// exception is then set, by the function that returned it).
    ///
    /// # Safety
    /// `object` is `NULL` or a new (owned) reference, and the GIL is held.
    pub(crate) unsafe fn new(object: *mut PyObject) -> Result<Self> {
        NonNull::new(object).map(Self).ok_or(Raised)
    }

    pub(crate) fn as_ptr(&self) -> *mut PyObject {
        self.0.as_ptr()
    }

    /// Give the reference to the caller (e.g. as a function's return value).
    pub(crate) fn into_ptr(self) -> *mut PyObject {
        let object = self.0.as_ptr();
        std::mem::forget(self);
        object
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: `Owned` holds a strong reference (see `new`) and is only used with the GIL
        // held (every function of this crate runs with it, or re-takes it before touching one).
        unsafe { Py_DECREF(self.0.as_ptr()) }
    }
}

/// Set `exception` with `message` (which may hold any character, NUL included).
pub(crate) fn raise(exception: *mut PyObject, message: &str) -> Raised {
    // SAFETY: the GIL is held; `message` is valid UTF-8 of the given length; a failure to build
    // the string leaves its own exception (MemoryError) set, which is what the caller reports.
    unsafe {
        let text = PyUnicode_FromStringAndSize(message.as_ptr().cast(), as_ssize(message.len()));
        if !text.is_null() {
            PyErr_SetObject(exception, text);
            Py_DECREF(text);
        }
    }
    Raised
}

pub(crate) fn type_error(message: &str) -> Raised {
    // SAFETY: reading an exception type object the interpreter owns for its lifetime.
    raise(unsafe { PyExc_TypeError }, message)
}

pub(crate) fn value_error(message: &str) -> Raised {
    // SAFETY: as in `type_error`.
    raise(unsafe { PyExc_ValueError }, message)
}

pub(crate) fn overflow_error(message: &str) -> Raised {
    // SAFETY: as in `type_error`.
    raise(unsafe { PyExc_OverflowError }, message)
}

pub(crate) fn memory_error(message: &str) -> Raised {
    // SAFETY: as in `type_error`.
    raise(unsafe { PyExc_MemoryError }, message)
}

pub(crate) fn runtime_error(message: &str) -> Raised {
    // SAFETY: as in `type_error`.
    raise(unsafe { PyExc_RuntimeError }, message)
}

/// The exception of a core error: one `match`, no wildcard, over the core's error kinds.
pub(crate) fn core_error(error: &collatz_core::Error) -> Raised {
    let message = error.to_string();
    match error.kind() {
        Kind::Invalid | Kind::Argument => value_error(&message),
        Kind::Overflow => overflow_error(&message),
        Kind::Memory => memory_error(&message),
    }
}

/// A slice length as `Py_ssize_t` (a Rust allocation never exceeds `isize::MAX` bytes).
pub(crate) fn as_ssize(len: usize) -> Py_ssize_t {
    Py_ssize_t::try_from(len).unwrap_or(Py_ssize_t::MAX)
}

/// Which argument a value was passed as: the core's, with the contract's messages.
pub(crate) use collatz_core::Param;

/// `str(object)` as a Rust string (for messages); `fallback` if it fails.
pub(crate) fn text_of(object: *mut PyObject, repr: bool, fallback: &str) -> String {
    // SAFETY: the GIL is held and `object` is a valid reference (borrowed from the caller). The
    // UTF-8 buffer returned by PyUnicode_AsUTF8AndSize lives as long as `text`, which outlives
    // the copy made here. A failure is cleared: a message is being built for another error.
    unsafe {
        let Ok(text) = Owned::new(if repr {
            PyObject_Repr(object)
        } else {
            PyObject_Str(object)
        }) else {
            PyErr_Clear();
            return fallback.to_owned();
        };
        let mut size: Py_ssize_t = 0;
        let utf8 = PyUnicode_AsUTF8AndSize(text.as_ptr(), &raw mut size);
        if utf8.is_null() {
            PyErr_Clear();
            return fallback.to_owned();
        }
        let bytes =
            std::slice::from_raw_parts(utf8.cast::<u8>(), usize::try_from(size).unwrap_or(0));
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// A value's type and a bounded repr, for `TypeError` messages (`int 5`, `str 'x'`).
pub(crate) fn describe(object: *mut PyObject) -> String {
    // SAFETY: the GIL is held; `object` is a valid borrowed reference, and so is its type.
    let type_name = unsafe {
        let kind = Py_TYPE(object).cast::<PyObject>();
        let name = PyObject_GetAttrString(kind, c"__name__".as_ptr());
        match Owned::new(name) {
            Ok(name) => text_of(name.as_ptr(), false, "object"),
            Err(Raised) => {
                PyErr_Clear();
                "object".to_owned()
            }
        }
    };
    let repr = text_of(object, true, "<unrepresentable>");
    const MAX: usize = 60;
    let repr = if repr.chars().count() <= MAX {
        repr
    } else {
        let head: String = repr.chars().take(MAX - 3).collect();
        format!("{head}...")
    };
    format!("{type_name} {repr}")
}

/// `operator.index(object)` as a new reference: an `int`, the contract's `TypeError` for a
/// non-integer, or whatever a user's `__index__` raised, unchanged. Called only for objects
/// that are not exactly `int`, so `__index__` runs once.
#[cold]
fn index(object: *mut PyObject, param: Param) -> Result<Owned> {
    // SAFETY: the GIL is held; `object` is a valid borrowed reference; PyNumber_Index returns a
    // new reference or NULL with an exception set.
    unsafe {
        let value = PyNumber_Index(object);
        if value.is_null() {
            if PyErr_ExceptionMatches(PyExc_TypeError) != 0 {
                PyErr_Clear();
                return Err(type_error(&param.not_an_integer(describe(object))));
            }
            return Err(Raised);
        }
        Owned::new(value)
    }
}

/// Whether the `int` `value` is negative (an exception may be set on failure).
fn negative(value: *mut PyObject) -> Result<bool> {
    // SAFETY: the GIL is held; `value` is a valid `int`; the zero is a new reference released
    // by `Owned`; PyObject_RichCompareBool returns -1 with an exception set on failure.
    unsafe {
        let zero = Owned::new(PyLong_FromLong(0))?;
        match PyObject_RichCompareBool(value, zero.as_ptr(), Py_LT) {
            -1 => Err(Raised),
            answer => Ok(answer == 1),
        }
    }
}

/// The `u64` of an `int`, or `None` (no exception set) if it is outside `0..=2**64 - 1`.
fn int_as_u64(value: *mut PyObject) -> Option<u64> {
    // SAFETY: the GIL is held and `value` is an `int`; an OverflowError from the conversion
    // (the only failure for an `int`) is cleared and reported as `None`.
    unsafe {
        let v = PyLong_AsUnsignedLongLong(value);
        if v == u64::MAX && !PyErr_Occurred().is_null() {
            PyErr_Clear();
            return None;
        }
        Some(v)
    }
}

/// A `u64` in `param`'s range, with `operator.index` semantics: type first, then range, so that
/// arguments checked left to right fail on the first bad one. An exact `int` is converted
/// directly; anything else goes through `__index__` exactly once.
#[inline]
pub(crate) fn to_u64(object: *mut PyObject, param: Param) -> Result<u64> {
    // SAFETY: the GIL is held; `object` is a valid borrowed reference.
    if unsafe { PyLong_CheckExact(object) } != 0 {
        if let Some(v) = int_as_u64(object) {
            if v >= param.minimum() {
                return Ok(v);
            }
            return Err(below_minimum(param, v));
        }
        return Err(out_of_range(object, param, collatz_core::U64_MAX));
    }
    let value = index(object, param)?;
    match int_as_u64(value.as_ptr()) {
        Some(v) if v >= param.minimum() => Ok(v),
        Some(v) => Err(below_minimum(param, v)),
        None => Err(out_of_range(value.as_ptr(), param, collatz_core::U64_MAX)),
    }
}

/// A `u128` in `1..=2**128 - 1` (`stats`, `parity_vector`), with the semantics of [`to_u64`].
pub(crate) fn to_u128(object: *mut PyObject, param: Param) -> Result<u128> {
    // SAFETY: the GIL is held; `object` is a valid borrowed reference.
    let value = if unsafe { PyLong_CheckExact(object) } != 0 {
        // SAFETY: a new strong reference to the same object, released by `Owned`.
        unsafe { Owned::new(Py_NewRef(object))? }
    } else {
        index(object, param)?
    };
    match wide(value.as_ptr()) {
        Some(v) if v >= 1 => Ok(v),
        Some(v) => Err(below_minimum(param, v)),
        None => Err(out_of_range(value.as_ptr(), param, collatz_core::U128_MAX)),
    }
}

/// An `int` in `0..=2**128 - 1` as a `u128`; `None` (no exception set) outside. One call into
/// CPython: its byte conversion, as PyO3 does it.
fn wide(value: *mut PyObject) -> Option<u128> {
    let mut bytes = [0_u8; 16];
    #[cfg(not(Py_3_13))]
    // SAFETY: the GIL is held; `value` is a non-negative `int` (a PyLongObject); the buffer is
    // 16 bytes; an overflow (-1) sets an exception, cleared here.
    unsafe {
        if _PyLong_AsByteArray(value.cast(), bytes.as_mut_ptr(), bytes.len(), 1, 0) < 0 {
            PyErr_Clear();
            return None;
        }
    }
    #[cfg(Py_3_13)]
    // SAFETY: as above; PyLong_AsNativeBytes returns the bytes the value needs (more than 16:
    // it does not fit), or -1 with an exception. Without REJECT_NEGATIVE it would write a
    // negative value's two's complement and succeed: `-(2**127)` would read as `2**127`.
    unsafe {
        let flags = Py_ASNATIVEBYTES_LITTLE_ENDIAN
            | Py_ASNATIVEBYTES_UNSIGNED_BUFFER
            | Py_ASNATIVEBYTES_REJECT_NEGATIVE;
        let needed = PyLong_AsNativeBytes(value, bytes.as_mut_ptr().cast(), 16, flags);
        if !(0..=16).contains(&needed) {
            PyErr_Clear();
            return None;
        }
    }
    Some(u128::from_le_bytes(bytes))
}

/// A new `int` from a `u128`.
pub(crate) fn from_u128(value: u128) -> Result<Owned> {
    if let Ok(small) = u64::try_from(value) {
        // SAFETY: the GIL is held; a new reference or NULL with an exception set.
        return unsafe { Owned::new(PyLong_FromUnsignedLongLong(small)) };
    }
    let bytes = value.to_le_bytes();
    #[cfg(not(Py_3_13))]
    // SAFETY: the GIL is held; 16 little-endian unsigned bytes; a new reference or NULL.
    unsafe {
        Owned::new(_PyLong_FromByteArray(bytes.as_ptr(), bytes.len(), 1, 0))
    }
    #[cfg(Py_3_13)]
    // SAFETY: as above.
    unsafe {
        Owned::new(PyLong_FromUnsignedNativeBytes(
            bytes.as_ptr().cast(),
            bytes.len(),
            Py_ASNATIVEBYTES_LITTLE_ENDIAN,
        ))
    }
}

/// `parity_vector`'s `k`: an integer in `0..=2**20` (`ValueError` on either side).
pub(crate) fn parity_count(k: *mut PyObject) -> Result<u64> {
    // SAFETY: the GIL is held; `k` is a valid borrowed reference.
    let value = if unsafe { PyLong_CheckExact(k) } != 0 {
        // SAFETY: a new strong reference to the same object, released by `Owned`.
        unsafe { Owned::new(Py_NewRef(k))? }
    } else {
        index(k, Param::K)?
    };
    match int_as_u64(value.as_ptr()) {
        Some(v) if v <= collatz_core::MAX_PARITIES => Ok(v),
        Some(_) => Err(too_many_parities(value.as_ptr())),
        None if negative(value.as_ptr())? => {
            Err(below_minimum(Param::K, text_of(value.as_ptr(), false, "?")))
        }
        None => Err(too_many_parities(value.as_ptr())),
    }
}

#[cold]
fn too_many_parities(value: *mut PyObject) -> Raised {
    value_error(&Param::K.above(collatz_core::MAX_PARITIES_TEXT, text_of(value, false, "?")))
}

/// `residue`'s argument: a `str` (a subclass too) of 1 to 127 characters, each `'0'` or `'1'`,
/// with the contract's messages (the bad character written as Python's `repr` writes it).
pub(crate) fn parities(vector: *mut PyObject) -> Result<String> {
    // SAFETY: the GIL is held; `vector` is a valid borrowed reference; the UTF-8 buffer is
    // owned by the string object, which the caller keeps alive during this call; substrings
    // are new references held by `Owned`.
    unsafe {
        if PyUnicode_Check(vector) == 0 {
            return Err(type_error(&format!(
                "vector must be a str, got {}",
                describe(vector)
            )));
        }
        let length = PyUnicode_GetLength(vector);
        if !(1..=as_ssize(collatz_core::MAX_RESIDUE_PARITIES)).contains(&length) {
            return Err(value_error(&format!(
                "vector must have 1 to 127 parities, got {length}"
            )));
        }
        let mut size: Py_ssize_t = 0;
        let utf8 = PyUnicode_AsUTF8AndSize(vector, &raw mut size);
        if utf8.is_null() {
            PyErr_Clear(); // lone surrogates: found below, by Python's own indexing
        } else {
            let bytes =
                std::slice::from_raw_parts(utf8.cast::<u8>(), usize::try_from(size).unwrap_or(0));
            if bytes.iter().all(|&b| b == b'0' || b == b'1') {
                return Ok(String::from_utf8_lossy(bytes).into_owned());
            }
        }
        for i in 0..length {
            let c = PyUnicode_ReadChar(vector, i);
            if c != u32::from('0') && c != u32::from('1') {
                let one = Owned::new(PyUnicode_Substring(vector, i, i + 1))?;
                return Err(value_error(&format!(
                    "vector must hold only '0' and '1', got {} at index {i}",
                    text_of(one.as_ptr(), true, "?")
                )));
            }
        }
        Err(runtime_error(
            "a string of only '0' and '1' takes the fast path",
        ))
    }
}

/// `ValueError` for a value below the parameter's minimum.
#[cold]
pub(crate) fn below_minimum(param: Param, value: impl fmt::Display) -> Raised {
    value_error(&param.below_minimum(value))
}

/// The exception for an `int` outside `0..=max`: `ValueError` below zero, `OverflowError`
/// above.
#[cold]
fn out_of_range(value: *mut PyObject, param: Param, max: &str) -> Raised {
    match negative(value) {
        Ok(true) => below_minimum(param, text_of(value, false, "?")),
        Ok(false) => overflow_error(&param.above(max, text_of(value, false, "?"))),
        Err(raised) => raised,
    }
}

/// `TypeError` unless `object` is callable (`what`: "callable", or "callable or None").
pub(crate) fn check_callable(name: &str, what: &str, object: *mut PyObject) -> Result<()> {
    // SAFETY: the GIL is held; `object` is a valid borrowed reference.
    if unsafe { PyCallable_Check(object) } != 0 {
        return Ok(());
    }
    Err(type_error(&format!(
        "{name} must be {what}, got {}",
        describe(object)
    )))
}

/// The arguments of a `METH_FASTCALL` function as a slice, after checking their number
/// (`min..=max`), as CPython's own functions do.
///
/// # Safety
/// `args` points to `nargs` valid references (CPython's vectorcall convention).
pub(crate) unsafe fn positional<'a>(
    name: &CStr,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    min: usize,
    max: usize,
) -> Result<&'a [*mut PyObject]> {
    let count = usize::try_from(nargs).unwrap_or(0);
    if !(min..=max).contains(&count) {
        let name = name.to_string_lossy();
        let expected = if min == max {
            format!(
                "exactly {min} positional argument{}",
                if min == 1 { "" } else { "s" }
            )
        } else {
            format!("from {min} to {max} positional arguments")
        };
        return Err(type_error(&format!(
            "{name}() takes {expected} ({count} given)"
        )));
    }
    if count == 0 {
        return Ok(&[]);
    }
    // SAFETY: the caller's promise: `args` holds `count` valid pointers.
    Ok(unsafe { std::slice::from_raw_parts(args, count) })
}

/// Whether `object` is `None`.
pub(crate) fn is_none(object: *mut PyObject) -> bool {
    ptr::eq(object, {
        // SAFETY: reading the address of the `None` singleton.
        unsafe { Py_None() }
    })
}

/// `callable(*arguments)` (at most two) through vectorcall: the result, or `Err` with the
/// exception set. The GIL is held; `callable` and `arguments` are valid references that the
/// caller keeps alive for the call.
pub(crate) fn call(callable: *mut PyObject, arguments: &[*mut PyObject]) -> Result<Owned> {
    // One free slot before the arguments, which the callee may use (the OFFSET flag).
    let mut slots = [ptr::null_mut(); 3];
    let count = arguments.len();
    slots
        .get_mut(1..=count)
        .ok_or_else(|| runtime_error("call: at most two arguments"))?
        .copy_from_slice(arguments);
    // SAFETY: the GIL is held and every pointer is a valid reference (this function's promise);
    // `slots[1..=count]` holds them, `slots[0]` is the slot the OFFSET flag offers the callee;
    // the result is a new reference or NULL with an exception set.
    unsafe { Owned::new(crate::gil::vectorcall(callable, &slots, count)) }
}

/// The C API's return convention: the object, or `NULL` with the exception set.
pub(crate) fn returned(result: Result<Owned>) -> *mut PyObject {
    result.map_or(ptr::null_mut(), Owned::into_ptr)
}
