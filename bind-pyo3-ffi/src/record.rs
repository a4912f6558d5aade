//! `Stats`: the record of one trajectory, a struct sequence (a tuple subclass with named
//! fields, made in C: what `os.stat_result` is).

use std::ptr;

use pyo3_ffi::*;

use crate::args::{Owned, Raised, Result, from_u128};
use crate::state::{self, Slot};

/// The fields (copied: each module makes its own type from a copy of this description).
const FIELDS: [PyStructSequence_Field; 6] = [
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

const DESCRIPTION: PyStructSequence_Desc = PyStructSequence_Desc {
    // Its module from the dotted name (pickle finds it as collatz_pyo3_ffi.Stats); its
    // `__name__` is then set to `Stats`, which a struct sequence's repr uses: `Stats(n=27, ...)`.
    name: c"collatz_pyo3_ffi.Stats".as_ptr(),
    doc: c"Stats(n, total_stopping_time, stopping_time, peak, odd_steps): the record of one trajectory."
        .as_ptr(),
    fields: ptr::null_mut(),
    n_in_sequence: 5,
};

/// Make the type (for one module, in its `Py_mod_exec` slot); a new reference to it.
pub(crate) fn create_type() -> Result<Owned> {
    let mut fields = FIELDS;
    let mut description = DESCRIPTION;
    description.fields = fields.as_mut_ptr();
    // SAFETY: the GIL is held (module execution). PyStructSequence_NewType reads the
    // description and its fields while it makes the type and keeps none of them (the members
    // and the docstring are copied; the names and docs it points at are static C strings, as
    // is the type's name, which CPython 3.10 keeps a pointer to); it returns a new reference
    // or NULL with an exception set; the `__name__` string is a new reference.
    unsafe {
        let kind = Owned::new(PyStructSequence_NewType(&raw mut description).cast())?;
        let name = Owned::new(PyUnicode_FromString(c"Stats".as_ptr()))?;
        if PyObject_SetAttrString(kind.as_ptr(), c"__name__".as_ptr(), name.as_ptr()) < 0 {
            return Err(Raised);
        }
        Ok(kind)
    }
}

/// A new record, of the `Stats` type of `module` (a function's `self`).
pub(crate) fn new(module: *mut PyObject, stats: &collatz_core::Stats) -> Result<Owned> {
    let kind = state::borrowed(module, Slot::Stats)?;
    // SAFETY: the GIL is held; `kind` is the module's struct-sequence type, alive while the
    // module's state holds it (the module is this call's `self`); each item is a new reference
    // whose ownership PyStructSequence_SET_ITEM takes over (the record is new, so every slot
    // is empty).
    unsafe {
        let record = Owned::new(PyStructSequence_New(kind.cast()))?;
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
