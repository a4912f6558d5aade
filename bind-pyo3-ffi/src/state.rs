//! The module's state (PEP 573, PEP 630): the objects each module object keeps, one module per
//! interpreter that imports it. Nothing Python lives in a static: an isolated subinterpreter
//! (its own GIL and allocator, PEP 684) has its own types and its own numpy objects.
//!
//! The state is an array of strong references, zeroed by CPython when the module is made, filled
//! by the `Py_mod_exec` slot (the two types) or on first use (numpy's objects, the glue's
//! conversion: numpy is imported only when an array is made or read), and visited and released
//! by the module's `m_traverse`, `m_clear` and `m_free`. It is read and written only with the
//! module's interpreter's GIL held.

use std::ffi::{CStr, c_int, c_void};
use std::ptr;

use pyo3_ffi::*;

use crate::args::{Owned, Result, runtime_error};

/// What the state holds, one strong reference (or NULL) each.
#[derive(Clone, Copy)]
pub(crate) enum Slot {
    /// The `Trajectory` type (`PyType_FromModuleAndSpec`), set by `exec`.
    Trajectory,
    /// The `Stats` struct-sequence type, set by `exec`.
    Stats,
    /// `numpy.empty`, on first use.
    Empty,
    /// `numpy.uint64`, on first use.
    Uint64,
    /// `numpy.ndarray`, on first use.
    Ndarray,
    /// `collatz_pyo3_ffi._glue.as_u64_array`, on first use.
    AsU64Array,
}

const SLOTS: usize = 6;

/// The module's state: `m_size` is its size, and CPython zeroes it (every slot NULL).
#[repr(C)]
pub(crate) struct State {
    objects: [*mut PyObject; SLOTS],
}

/// The state's size, `m_size` (a few dozen bytes: the cast cannot wrap).
#[allow(clippy::cast_possible_wrap)]
pub(crate) const SIZE: Py_ssize_t = size_of::<State>() as Py_ssize_t;

/// The state of `module`, or NULL (with no exception set) if it has none.
///
/// # Safety
/// `module` is a live module object; the GIL is held.
unsafe fn of(module: *mut PyObject) -> *mut State {
    // SAFETY: the caller's promise; PyModule_GetState returns the module's state (NULL for a
    // module without one, with SystemError set if it is not a module: cleared, the caller
    // reports its own).
    unsafe {
        let state = PyModule_GetState(module).cast::<State>();
        if state.is_null() {
            PyErr_Clear();
        }
        state
    }
}

/// The object in `slot` of `module`'s state, borrowed (valid while the module holds it: for the
/// current call, whose function holds the module), or `RuntimeError` if it is not there (the
/// module's state was cleared by the garbage collector, or this is not the module).
pub(crate) fn borrowed(module: *mut PyObject, slot: Slot) -> Result<*mut PyObject> {
    // SAFETY: `module` is the `self` of one of the module's functions (a live module, the GIL
    // held); the slot is read, not kept.
    let found = unsafe {
        let state = of(module);
        if state.is_null() {
            ptr::null_mut()
        } else {
            (*state).objects[slot as usize]
        }
    };
    if found.is_null() {
        return Err(runtime_error(
            "collatz_pyo3_ffi._native: the module's state is gone (module cleared)",
        ));
    }
    Ok(found)
}

/// Keep `object` in `slot` of `module`'s state (releasing what the slot held, if anything).
pub(crate) fn set(module: *mut PyObject, slot: Slot, object: Owned) -> Result<()> {
    // SAFETY: `module` is a live module with this crate's state (exec's or a function's
    // `self`), the GIL is held; the slot takes over `object`'s reference; the old reference is
    // released after the new one is in place (its deallocation may run Python code).
    unsafe {
        let state = of(module);
        if state.is_null() {
            return Err(runtime_error(
                "collatz_pyo3_ffi._native: the module has no state",
            ));
        }
        let old = std::mem::replace(&mut (*state).objects[slot as usize], object.into_ptr());
        Py_XDECREF(old);
    }
    Ok(())
}

/// The attribute `name` of the module `from`, imported on first use and kept in `slot` of
/// `module`'s state; a new reference (the caller holds it for as long as it uses it).
pub(crate) fn cached(module: *mut PyObject, slot: Slot, from: &CStr, name: &CStr) -> Result<Owned> {
    // SAFETY: as in `borrowed`; the object found is given a new reference of the caller's.
    unsafe {
        let state = of(module);
        if !state.is_null() {
            let found = (*state).objects[slot as usize];
            if !found.is_null() {
                return Owned::new(Py_NewRef(found));
            }
        }
    }
    // SAFETY: the GIL is held; each call returns a new reference or NULL with an exception.
    let attribute = unsafe {
        let imported = Owned::new(PyImport_ImportModule(from.as_ptr()))?;
        Owned::new(PyObject_GetAttrString(imported.as_ptr(), name.as_ptr()))?
    };
    // SAFETY: as above; Py_NewRef gives the state its own reference.
    set(module, slot, unsafe {
        Owned::new(Py_NewRef(attribute.as_ptr()))?
    })?;
    Ok(attribute)
}

/// `m_traverse`: visit every object the state holds (the garbage collector sees the cycle
/// module -> state -> `Trajectory` type -> module).
pub(crate) unsafe extern "C" fn traverse(
    module: *mut PyObject,
    visit: visitproc,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: CPython calls m_traverse on a live module of this definition whose state is
    // allocated (3.9+), with the GIL held; visiting reads the slots only.
    unsafe {
        let state = of(module);
        if state.is_null() {
            return 0;
        }
        for &object in &(*state).objects {
            if !object.is_null() {
                let result = visit(object, arg);
                if result != 0 {
                    return result;
                }
            }
        }
    }
    0
}

/// `m_clear`: release every object the state holds (breaks the cycles `traverse` reports).
pub(crate) unsafe extern "C" fn clear(module: *mut PyObject) -> c_int {
    // SAFETY: as in `traverse`; each slot is emptied before its reference is released (a
    // deallocation may run Python code that reaches the module again: it finds NULL).
    unsafe {
        let state = of(module);
        if state.is_null() {
            return 0;
        }
        for i in 0..SLOTS {
            let object = std::mem::replace(&mut (*state).objects[i], ptr::null_mut());
            Py_XDECREF(object);
        }
    }
    0
}

/// `m_free`: the module is being deallocated; release what the state still holds.
pub(crate) unsafe extern "C" fn free(module: *mut c_void) {
    // SAFETY: CPython passes the module being freed (its state still allocated), with the GIL
    // held.
    unsafe {
        clear(module.cast());
    }
}
