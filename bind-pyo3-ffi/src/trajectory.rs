//! `Trajectory`: the iterator type, made per module with `PyType_FromModuleAndSpec`, its state
//! (the core's iterator) inline in the object. The type is not subclassable (no
//! `Py_TPFLAGS_BASETYPE`) and its slots need nothing from the module's state: `tp_new` gets the
//! type, the others their object.

use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void};
use std::ptr;

use pyo3_ffi::*;

use crate::args::{Owned, Param, Raised, Result, core_error, positional, to_u64};
use crate::{copied, guard};

/// The object: CPython's header, then the core's iterator.
#[repr(C)]
struct TrajectoryObject {
    base: PyObject,
    /// Touched only with the GIL held, by one slot at a time (no slot releases the GIL while it
    /// holds a reference into it): the GIL is this cell's lock.
    inner: UnsafeCell<collatz_core::Trajectory>,
}

/// The iterator of `object`.
///
/// # Safety
/// `object` is a live `TrajectoryObject` (this type's `self`), the GIL is held, and no other
/// reference into it is alive (each slot takes one, for its own duration).
unsafe fn inner<'a>(object: *mut PyObject) -> &'a mut collatz_core::Trajectory {
    // SAFETY: the caller's promise; the object was initialised by `new`.
    unsafe { &mut *(*object.cast::<TrajectoryObject>()).inner.get() }
}

/// `Trajectory(n)`: the object and its iterator, made together (so `__init__` has nothing to
/// do, and calling it again changes nothing).
unsafe extern "C" fn new(
    kind: *mut PyTypeObject,
    args: *mut PyObject,
    kwargs: *mut PyObject,
) -> *mut PyObject {
    guard(|| {
        // SAFETY: `args` is the call's tuple and `kwargs` a dict or NULL (tp_new's convention).
        let n = unsafe {
            if !kwargs.is_null() && PyDict_Size(kwargs) != 0 {
                return Err(crate::args::type_error(
                    "Trajectory() takes no keyword arguments",
                ));
            }
            let items = PyTuple_GET_SIZE(args);
            let first = if items > 0 {
                PyTuple_GET_ITEM(args, 0)
            } else {
                ptr::null_mut()
            };
            let arguments = [first];
            positional(c"Trajectory", arguments.as_ptr(), items, 1, 1)?;
            to_u64(first, Param::N)?
        };
        let values = collatz_core::Trajectory::new(n).map_err(|e| core_error(&e))?;
        allocate(kind, values)
    })
}

/// A new object of `kind` holding `values`.
fn allocate(kind: *mut PyTypeObject, values: collatz_core::Trajectory) -> Result<Owned> {
    // SAFETY: the GIL is held; tp_alloc (PyType_GenericAlloc) returns zeroed memory of the
    // type's basic size with the header set, or NULL with an exception; the iterator is
    // written in place before the object is used.
    unsafe {
        let object = Owned::new(PyType_GenericAlloc(kind, 0))?;
        ptr::write(
            &raw mut (*object.as_ptr().cast::<TrajectoryObject>()).inner,
            UnsafeCell::new(values),
        );
        Ok(object)
    }
}

unsafe extern "C" fn dealloc(object: *mut PyObject) {
    // SAFETY: CPython calls tp_dealloc once, when the last reference goes, with the GIL held:
    // the object leaves the garbage collector's list first (so that no collection sees it
    // half-destroyed), then the iterator is dropped in place, the memory freed by the type's
    // tp_free (PyObject_GC_Del, inherited), and the reference every instance of a heap type
    // holds to its type released.
    unsafe {
        let kind = Py_TYPE(object);
        PyObject_GC_UnTrack(object.cast());
        ptr::drop_in_place(&raw mut (*object.cast::<TrajectoryObject>()).inner);
        let free = PyType_GetSlot(kind, Py_tp_free);
        if !free.is_null() {
            let free: freefunc = std::mem::transmute::<*mut c_void, freefunc>(free);
            free(object.cast());
        }
        Py_DECREF(kind.cast());
    }
}

/// `tp_traverse`: an instance of a heap type owns a reference to its type, which the garbage
/// collector must see (the type refers to its module, whose state refers to the type: a cycle
/// it can only break if it sees every edge). The iterator holds no Python object.
unsafe extern "C" fn traverse(object: *mut PyObject, visit: visitproc, arg: *mut c_void) -> c_int {
    // SAFETY: CPython calls tp_traverse on a live instance with the GIL held; its type is a
    // live object (the instance holds it).
    unsafe { visit(Py_TYPE(object).cast(), arg) }
}

unsafe extern "C" fn iternext(object: *mut PyObject) -> *mut PyObject {
    guard(|| {
        // SAFETY: `object` is this type's instance (tp_iternext's `self`), the GIL is held.
        let values = unsafe { inner(object) };
        match values.next() {
            // SAFETY: the GIL is held; a new reference or NULL with an exception set.
            Some(Ok(value)) => unsafe { Owned::new(PyLong_FromUnsignedLongLong(value)) },
            Some(Err(e)) => Err(core_error(&e)),
            // Exhausted: NULL without an exception is StopIteration, without making one.
            None => Err(Raised),
        }
    })
}

unsafe extern "C" fn repr(object: *mut PyObject) -> *mut PyObject {
    guard(|| {
        // SAFETY: as in `iternext`.
        let start = unsafe { inner(object) }.start();
        let text = format!("Trajectory({start})");
        // SAFETY: the GIL is held; ASCII of the given length; a new reference.
        unsafe {
            Owned::new(PyUnicode_FromStringAndSize(
                text.as_ptr().cast(),
                crate::args::as_ssize(text.len()),
            ))
        }
    })
}

/// `__reduce__`: `(type(self), (start,), position)`, the contract's pickled form (copies and
/// pickles are a new iterator on the same start, moved on to the same position).
unsafe extern "C" fn reduce(object: *mut PyObject, _unused: *mut PyObject) -> *mut PyObject {
    guard(|| {
        // SAFETY: as in `iternext`.
        let values = unsafe { inner(object) };
        let (start, position) = (values.start(), collatz_core::Trajectory::position(values));
        // SAFETY: the GIL is held; each call returns a new reference or NULL with an
        // exception; PyTuple_Pack adds its own references to its items.
        unsafe {
            let start = Owned::new(PyLong_FromUnsignedLongLong(start))?;
            let position = Owned::new(PyLong_FromUnsignedLongLong(position))?;
            let arguments = Owned::new(PyTuple_Pack(1, start.as_ptr()))?;
            Owned::new(PyTuple_Pack(
                3,
                Py_TYPE(object).cast::<PyObject>(),
                arguments.as_ptr(),
                position.as_ptr(),
            ))
        }
    })
}

/// `__setstate__(position)`: move a new iterator (from `__reduce__`) on to `position`.
unsafe extern "C" fn setstate(object: *mut PyObject, position: *mut PyObject) -> *mut PyObject {
    guard(|| {
        let position = to_u64(position, Param::Position)?;
        // SAFETY: as in `iternext`.
        let values = unsafe { inner(object) };
        *values = collatz_core::Trajectory::resume(values.start(), position)
            .map_err(|e| core_error(&e))?;
        // SAFETY: `None`, with a new reference for the caller.
        unsafe { Owned::new(Py_NewRef(Py_None())) }
    })
}

const METHOD_TABLE: &[PyMethodDef] = &[
    PyMethodDef {
        ml_name: c"__reduce__".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: reduce,
        },
        ml_flags: METH_NOARGS,
        ml_doc: c"Copies and pickles: (Trajectory, (start,), position).".as_ptr(),
    },
    PyMethodDef {
        ml_name: c"__setstate__".as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunction: setstate,
        },
        ml_flags: METH_O,
        ml_doc: c"Move a new iterator on to a position.".as_ptr(),
    },
    PyMethodDef::zeroed(),
];

static mut METHODS: [PyMethodDef; METHOD_TABLE.len()] = copied(METHOD_TABLE, PyMethodDef::zeroed());

static mut SLOTS: [PyType_Slot; 9] = [
    PyType_Slot { slot: Py_tp_new, pfunc: new as *mut c_void },
    PyType_Slot { slot: Py_tp_dealloc, pfunc: dealloc as *mut c_void },
    PyType_Slot { slot: Py_tp_traverse, pfunc: traverse as *mut c_void },
    PyType_Slot { slot: Py_tp_iter, pfunc: PyObject_SelfIter as *mut c_void },
    PyType_Slot { slot: Py_tp_iternext, pfunc: iternext as *mut c_void },
    PyType_Slot { slot: Py_tp_repr, pfunc: repr as *mut c_void },
    PyType_Slot { slot: Py_tp_methods, pfunc: (&raw mut METHODS).cast() },
    PyType_Slot {
        slot: Py_tp_doc,
        pfunc: c"Trajectory(n, /)\n--\n\nThe trajectory n, step(n), ..., 1 as an iterator; the state lives in Rust."
            .as_ptr()
            .cast_mut()
            .cast(),
    },
    PyType_Slot { slot: 0, pfunc: ptr::null_mut() },
];

static mut SPEC: PyType_Spec = PyType_Spec {
    // Its module from the dotted name: pickle finds it as collatz_pyo3_ffi.Trajectory.
    name: c"collatz_pyo3_ffi.Trajectory".as_ptr(),
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // a few dozen bytes
    basicsize: size_of::<TrajectoryObject>() as c_int,
    itemsize: 0,
    // Immutable (its attributes cannot be set), not subclassable (no BASETYPE), and tracked by
    // the garbage collector (see `traverse`).
    #[allow(clippy::cast_possible_truncation)] // the flags fit in 32 bits
    flags: (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_HAVE_GC) as _,
    slots: (&raw mut SLOTS).cast(),
};

/// Make the type for `module` (in its `Py_mod_exec` slot); a new reference to it.
pub(crate) fn create_type(module: *mut PyObject) -> Result<Owned> {
    // SAFETY: the GIL is held (module execution); `module` is the module being executed. The
    // spec, its slots and the method table are statics that no one writes (CPython only reads
    // them, from any interpreter: the type keeps `METHODS` as its tp_methods and the name, a
    // static C string, as its tp_name on 3.10); a new reference or NULL with an exception set.
    unsafe {
        Owned::new(PyType_FromModuleAndSpec(
            module,
            &raw mut SPEC,
            ptr::null_mut(),
        ))
    }
}
