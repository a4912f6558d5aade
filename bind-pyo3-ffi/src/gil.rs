//! Leaving the GIL, taking it again and calling back into Python, so that a thread ended by
//! CPython at interpreter exit never takes the process with it (`collatz_core::exit`).
//!
//! Before the GIL is taken again (after work without it, or to run signal handlers and
//! `progress`), a thread whose interpreter is exiting parks for good; and every call that may
//! end in CPython's `pthread_exit` (taking the GIL, calling a callback whose Python code may
//! lose it) is declared `extern "C-unwind"` and guarded, so that the forced unwind stops in the
//! guard (the thread parks) instead of reaching the `catch_unwind` of [`crate::guard`], where
//! glibc would abort the process.

use std::ptr;

use collatz_core::exit::{park_forever, parking_on_unwind};
use pyo3_ffi::{PyGILState_Release, PyGILState_STATE, PyObject, PyThreadState};

// The calls that may end in `pthread_exit`, declared so that Rust lets their unwind through
// (to the guard).
unsafe extern "C-unwind" {
    fn PyEval_RestoreThread(state: *mut PyThreadState);
    fn PyGILState_Ensure() -> PyGILState_STATE;
    fn PyObject_CallFunctionObjArgs(callable: *mut PyObject, ...) -> *mut PyObject;
}

/// A type's vectorcall function, declared as what it is: C that may end in a forced unwind.
type Vectorcall = unsafe extern "C-unwind" fn(
    *mut PyObject,
    *const *mut PyObject,
    usize,
    *mut PyObject,
) -> *mut PyObject;

/// Park for good if the interpreter is exiting: `Py_IsInitialized()` is 0 from the moment
/// finalisation starts. Called right before the GIL is taken again.
fn park_if_exiting() {
    // SAFETY: no precondition (one field of the runtime: callable without the GIL, and after
    // finalisation).
    if unsafe { pyo3_ffi::Py_IsInitialized() } == 0 {
        park_forever();
    }
}

/// The GIL released for the duration of `work` (which must not touch Python objects), then
/// re-taken.
pub(crate) fn without_gil<T>(work: impl FnOnce() -> T) -> T {
    /// Re-takes the GIL when dropped, on every way out of `work` (a panic included: it is
    /// caught by [`crate::guard`] with the GIL held again).
    struct Retake(*mut PyThreadState);
    impl Drop for Retake {
        fn drop(&mut self) {
            park_if_exiting();
            // SAFETY: `self.0` is the thread state PyEval_SaveThread returned on this thread.
            parking_on_unwind(|| unsafe { PyEval_RestoreThread(self.0) });
        }
    }
    // SAFETY: called with the GIL held, from an entry point; the state is restored by `Retake`.
    let _retake = Retake(unsafe { pyo3_ffi::PyEval_SaveThread() });
    work()
}

/// With the GIL released (inside [`without_gil`]): take it back for `body`, then release it
/// again. `body` may touch Python objects.
pub(crate) fn with_gil<T>(body: impl FnOnce() -> T) -> T {
    park_if_exiting();
    // SAFETY: PyGILState_Ensure takes the GIL on a thread that holds a thread state (this one:
    // its state was saved by `without_gil`), and the matching Release gives it back.
    let state = parking_on_unwind(|| unsafe { PyGILState_Ensure() });
    let result = body();
    // SAFETY: the state returned by the Ensure above, on the same thread.
    unsafe { PyGILState_Release(state) };
    result
}

/// `callable(*arguments)` (one or two): what `PyObject_Vectorcall` does — the type's
/// vectorcall function, else a call with a tuple — through "C-unwind" declarations, guarded.
/// A new reference, or NULL with an exception set.
///
/// # Safety
/// The GIL is held; `callable` and every argument are valid references the caller keeps
/// alive; `slots[1..=count]` are the arguments and `slots[0]` is free for the callee.
pub(crate) unsafe fn vectorcall(
    callable: *mut PyObject,
    slots: &[*mut PyObject; 3],
    count: usize,
) -> *mut PyObject {
    // SAFETY: the caller's promise. The type's vectorcall function with the "C-unwind" ABI,
    // which has the calling convention of "C" (only what Rust assumes about unwinding differs);
    // the argument list of PyObject_CallFunctionObjArgs ends with NULL.
    parking_on_unwind(|| unsafe {
        match pyo3_ffi::PyVectorcall_Function(callable) {
            Some(call) => {
                let call: Vectorcall = std::mem::transmute(call);
                call(
                    callable,
                    slots.as_ptr().add(1),
                    count | pyo3_ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                    ptr::null_mut(),
                )
            }
            None if count == 1 => {
                PyObject_CallFunctionObjArgs(callable, slots[1], ptr::null_mut::<PyObject>())
            }
            None => PyObject_CallFunctionObjArgs(
                callable,
                slots[1],
                slots[2],
                ptr::null_mut::<PyObject>(),
            ),
        }
    })
}
