//! Leaving the GIL and taking it again, and calling back into Python, so that a thread ended
//! by CPython at interpreter exit never takes the process with it (`collatz_core::exit`).
//!
//! - [`detach`] and [`attach`] wrap PyO3's: before the GIL is taken again, a thread whose
//!   interpreter is exiting parks for good instead (PyO3's own re-attach would meet CPython's
//!   `pthread_exit`, or freed interpreter state).
//! - [`vectorcall`] calls `visit` and `progress` through an `extern "C-unwind"` path with a
//!   guard: a callback whose Python code loses the GIL at exit ends in `pthread_exit`, whose
//!   forced unwind stops in the guard (the thread parks) instead of reaching the `catch_unwind`
//!   of PyO3's trampoline, where glibc would abort the process.

use std::ptr;

use collatz_core::exit::{park_forever, parking_on_unwind};
use pyo3::ffi;
use pyo3::prelude::*;

/// Whether the interpreter is exiting: `Py_IsInitialized()` is 0 from the moment finalisation
/// starts (it reads one field of the runtime: safe without the GIL, and after finalisation).
fn exiting() -> bool {
    // SAFETY: no precondition (callable without the GIL, before and after initialisation).
    unsafe { ffi::Py_IsInitialized() == 0 }
}

/// Park for good if the interpreter is exiting: called right before taking the GIL again.
fn park_if_exiting() {
    if exiting() {
        park_forever();
    }
}

/// `py.detach(work)`, where the thread parks at the end instead of re-attaching if the
/// interpreter started exiting meanwhile.
pub(crate) fn detach<T: Send>(py: Python<'_>, work: impl Send + FnOnce() -> T) -> T {
    py.detach(|| {
        let result = work();
        park_if_exiting();
        result
    })
}

/// `Python::attach(body)` from a thread running detached: it parks instead if the interpreter
/// is exiting.
pub(crate) fn attach<T>(body: impl for<'py> FnOnce(Python<'py>) -> T) -> T {
    park_if_exiting();
    Python::attach(body)
}

// The calls into Python that may end in `pthread_exit`, declared so that Rust lets their
// unwind through (to the guard).
unsafe extern "C-unwind" {
    /// Every version, every API: the fallback for callables without vectorcall, and the call
    /// of the limited API before 3.12.
    #[cfg(not(feature = "abi3-py312"))]
    fn PyObject_CallFunctionObjArgs(callable: *mut ffi::PyObject, ...) -> *mut ffi::PyObject;
    /// In the limited API from 3.12 on (gh-98586).
    #[cfg(feature = "abi3-py312")]
    fn PyObject_Vectorcall(
        callable: *mut ffi::PyObject,
        args: *const *mut ffi::PyObject,
        nargsf: usize,
        kwnames: *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
}

/// `function(*arguments)` (one or two arguments): a new reference, or NULL with an exception
/// set. A forced unwind out of the call parks the thread (see the module docs).
///
/// # Safety
/// Attached; `function` and every argument are valid references the caller keeps alive.
pub(crate) unsafe fn vectorcall(
    function: *mut ffi::PyObject,
    first: *mut ffi::PyObject,
    second: Option<*mut ffi::PyObject>,
) -> *mut ffi::PyObject {
    // One free slot before the arguments, which the callee may use (the OFFSET flag).
    let slots = [ptr::null_mut(), first, second.unwrap_or(ptr::null_mut())];
    let count = 1 + usize::from(second.is_some());
    // SAFETY: the caller's promise.
    parking_on_unwind(|| unsafe { call(function, &slots, count) })
}

/// The limited API of 3.12+: `PyObject_Vectorcall`.
#[cfg(feature = "abi3-py312")]
unsafe fn call(
    function: *mut ffi::PyObject,
    slots: &[*mut ffi::PyObject; 3],
    count: usize,
) -> *mut ffi::PyObject {
    // SAFETY: `vectorcall`'s promise; `slots[1..=count]` are the arguments.
    unsafe {
        PyObject_Vectorcall(
            function,
            slots.as_ptr().add(1),
            count | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
            ptr::null_mut(),
        )
    }
}

/// The limited API before 3.12 (no vectorcall): `PyObject_CallFunctionObjArgs`, which builds
/// the argument tuple and reports a failure to as `MemoryError`.
#[cfg(all(feature = "abi3", not(feature = "abi3-py312")))]
unsafe fn call(
    function: *mut ffi::PyObject,
    slots: &[*mut ffi::PyObject; 3],
    count: usize,
) -> *mut ffi::PyObject {
    // SAFETY: `vectorcall`'s promise.
    unsafe { call_with_tuple(function, slots, count) }
}

/// The full API: the type's vectorcall function (what `PyObject_Vectorcall` calls, inline
/// before 3.11), else a call with a tuple.
#[cfg(not(any(feature = "abi3", feature = "abi3-py312")))]
unsafe fn call(
    function: *mut ffi::PyObject,
    slots: &[*mut ffi::PyObject; 3],
    count: usize,
) -> *mut ffi::PyObject {
    /// A type's vectorcall function, declared as what it is: C that may end in a forced unwind.
    type Vectorcall = unsafe extern "C-unwind" fn(
        *mut ffi::PyObject,
        *const *mut ffi::PyObject,
        usize,
        *mut ffi::PyObject,
    ) -> *mut ffi::PyObject;
    // SAFETY: `vectorcall`'s promise. The same function pointer with the "C-unwind" ABI,
    // which has the calling convention of "C" (only what Rust assumes about unwinding differs).
    unsafe {
        match ffi::PyVectorcall_Function(function) {
            Some(vectorcall) => {
                let vectorcall: Vectorcall = std::mem::transmute(vectorcall);
                vectorcall(
                    function,
                    slots.as_ptr().add(1),
                    count | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                    ptr::null_mut(),
                )
            }
            None => call_with_tuple(function, slots, count),
        }
    }
}

/// `PyObject_CallFunctionObjArgs(function, *arguments, NULL)`.
#[cfg(not(feature = "abi3-py312"))]
unsafe fn call_with_tuple(
    function: *mut ffi::PyObject,
    slots: &[*mut ffi::PyObject; 3],
    count: usize,
) -> *mut ffi::PyObject {
    let end = ptr::null_mut::<ffi::PyObject>();
    // SAFETY: `vectorcall`'s promise; the argument list ends with NULL.
    unsafe {
        if count == 1 {
            PyObject_CallFunctionObjArgs(function, slots[1], end)
        } else {
            PyObject_CallFunctionObjArgs(function, slots[1], slots[2], end)
        }
    }
}
