//! `Stats`: the record of one trajectory, a struct sequence (a tuple subclass with named
//! fields, made in C: what `os.stat_result` is).

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3_ffi::*;

use crate::args::{Owned, Raised, Result, from_u128};

/// The type, made once at import; kept for the life of the process.
static TYPE: AtomicPtr<PyTypeObject> = AtomicPtr::new(ptr::null_mut());

static mut FIELDS: [PyStructSequence_Field; 6] = [
    PyStructSequence_Field {
        name: c"n".as_ptr(),
        doc: c"The starting value.".as_ptr(),
    },
    PyStructSequence_Field {
        name: c"total_stopping_time".as_ptr(),
        doc: c"Steps until 1 (OEIS A006577).".as_ptr(),
    },
    PyStructSequence_Field {
        name: c"stopping_time".as_ptr(),
        doc: c"Steps until the value is first below n (OEIS A102419; 0 for n = 1).".as_ptr(),
    },
    PyStructSequence_Field {
        name: c"peak".as_ptr(),
        doc: c"The largest value on the trajectory, n included.".as_ptr(),
    },
    PyStructSequence_Field {
        name: c"odd_steps".as_ptr(),
        doc: c"The number of 3x + 1 steps (OEIS A006667).".as_ptr(),
    },
    PyStructSequence_Field {
        name: ptr::null(),
        doc: ptr::null(),
    },
];

static mut DESCRIPTION: PyStructSequence_Desc = PyStructSequence_Desc {
    // Its module from the dotted name (pickle finds it as collatz_pyo3_ffi.Stats); its
    // `__name__` is then set to `Stats`, which a struct sequence's repr uses: `Stats(n=27, ...)`.
    name: c"collatz_pyo3_ffi.Stats".as_ptr(),
    doc: c"Stats(n, total_stopping_time, stopping_time, peak, odd_steps): the record of one trajectory."
        .as_ptr(),
    fields: ptr::null_mut(),
    n_in_sequence: 5,
};

/// Make the type (once, at import); a new reference to it.
pub(crate) fn create_type() -> Result<*mut PyObject> {
    // SAFETY: the GIL is held (module initialisation, once per process): the statics are
    // written before the type exists and never after; PyStructSequence_NewType returns a new
    // reference or NULL with an exception set; the module name is a new reference.
    unsafe {
        DESCRIPTION.fields = (&raw mut FIELDS).cast();
        let kind = PyStructSequence_NewType(&raw mut DESCRIPTION);
        if kind.is_null() {
            return Err(Raised);
        }
        let name = Owned::new(PyUnicode_FromString(c"Stats".as_ptr()))?;
        if PyObject_SetAttrString(kind.cast(), c"__name__".as_ptr(), name.as_ptr()) < 0 {
            Py_DECREF(kind.cast());
            return Err(Raised);
        }
        TYPE.store(kind, Ordering::Release);
        Ok(kind.cast())
    }
}

/// A new record.
pub(crate) fn new(stats: &collatz_core::Stats) -> Result<Owned> {
    let kind = TYPE.load(Ordering::Acquire);
    // SAFETY: the GIL is held; `kind` was made at import and lives for the process; each item
    // is a new reference whose ownership PyStructSequence_SET_ITEM takes over (the record is
    // new, so every slot is empty).
    unsafe {
        let record = Owned::new(PyStructSequence_New(kind))?;
        let items = [
            from_u128(stats.n)?,
            from_u128(u128::from(stats.total_stopping_time))?,
            from_u128(u128::from(stats.stopping_time))?,
            from_u128(stats.peak)?,
            from_u128(u128::from(stats.odd_steps))?,
        ];
        for (i, item) in (0..).zip(items) {
            PyStructSequence_SET_ITEM(record.as_ptr(), i, item.into_ptr());
        }
        Ok(record)
    }
}
