//! `collatz_pyo3_ffi`: [`collatz_core`] for Python as a CPython extension written by hand
//! against the C API (the `pyo3-ffi` crate's declarations, no `pyo3`).
//!
//! What PyO3 generates, written out: `METH_FASTCALL` functions that count and convert their own
//! arguments, an iterator type made with `PyType_FromSpec` (`tp_iternext`), a struct-sequence
//! record, callbacks through `PyObject_Vectorcall`, the GIL released with
//! `PyEval_SaveThread`/`PyEval_RestoreThread` around long work (re-taken to run signal handlers
//! and `progress`), panics caught at every entry point, and every reference count by hand
//! ([`args::Owned`] releases what it owns). It is the floor of what Rust can do behind
//! Python; the benchmark puts it beside PyO3 to show what each layer of PyO3 costs.
//!
//! The module uses multi-phase initialisation (PEP 489): `PyInit__native` returns the module's
//! definition, and CPython makes one module object per interpreter that imports it, running its
//! `Py_mod_exec` slot ([`exec`]) on each. The two types and numpy's objects are per module, in
//! its state ([`state`], PEP 573 and PEP 630), never in statics: the module declares that it
//! works in subinterpreters with their own GIL (`Py_MOD_PER_INTERPRETER_GIL_SUPPORTED`, 3.12+).
//! It needs the GIL (`Py_MOD_GIL_USED`, 3.13+): `Trajectory`'s state is a cell the GIL guards.

// Cargo unifies features within one build: with a crate that turns on pyo3's `abi3` feature
// (and so pyo3-ffi's limited API) in the same invocation, this crate would see only the stable
// ABI. The registry says so (`cargo_alone`), and `make lint` checks this crate on its own.
#[cfg(Py_LIMITED_API)]
compile_error!(
    "bind-pyo3-ffi uses CPython's full C API: build it on its own (`cargo build -p \
     bind-pyo3-ffi`, or its wheel), not in one cargo invocation with a crate whose `abi3` \
     feature turns on pyo3-ffi's limited API for every crate of that build"
);

mod args;
mod arrays;
mod gil;
mod record;
mod state;
mod trajectory;

use std::ffi::{CStr, c_int, c_void};
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use pyo3_ffi::*;

use crate::args::{
    Owned, Param, Raised, Result, check_callable, core_error, is_none, parities, parity_count,
    positional, returned, runtime_error, to_u64, to_u128,
};
use crate::gil::{with_gil, without_gil};

/// `iterate` calls with at least this many steps release the GIL (below it, releasing and
/// re-taking it would dominate the call). The same threshold as `collatz_pyo3`.
const RELEASE_MIN_STEPS: u64 = 1 << 14;

/// Run an entry point's body with any panic turned into `RuntimeError` (message kept): a
/// panic must not unwind into CPython's C frames.
fn guard(body: impl FnOnce() -> Result<Owned>) -> *mut PyObject {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => returned(result),
        Err(payload) => {
            runtime_error(&collatz_core::panic_report(payload.as_ref()));
            ptr::null_mut()
        }
    }
}

/// A new `int` from a `u64`.
fn int(value: u64) -> Result<Owned> {
    // SAFETY: the GIL is held; a new reference or NULL with an exception set.
    unsafe { Owned::new(PyLong_FromUnsignedLongLong(value)) }
}

/// Run Python's signal handlers (with the GIL held): `Err` if one raised (Ctrl-C).
pub(crate) fn check_signals() -> Result<()> {
    // SAFETY: the GIL is held (the caller's promise: inside `with_gil` or an entry point).
    if unsafe { PyErr_CheckSignals() } == 0 {
        Ok(())
    } else {
        Err(Raised)
    }
}

/// A polled computation's result, or the exception that stopped it (already set).
fn finish<T>(
    result: std::result::Result<Option<T>, collatz_core::Error>,
    stopped: bool,
) -> Result<T> {
    match result {
        Ok(Some(value)) => Ok(value),
        Err(e) => Err(core_error(&e)),
        Ok(None) if stopped => Err(Raised),
        Ok(None) => Err(runtime_error("computation stopped")),
    }
}

/// An exception saved while the GIL is released, restored once it is held again: the raised
/// exception object on 3.12+ (`PyErr_GetRaisedException`; `PyErr_Fetch`/`PyErr_Restore` are
/// deprecated there), the (type, value, traceback) triple before.
#[cfg(Py_3_12)]
struct Saved(*mut PyObject);
#[cfg(not(Py_3_12))]
struct Saved(*mut PyObject, *mut PyObject, *mut PyObject);

impl Saved {
    /// Take the current exception (with the GIL held).
    fn fetch() -> Self {
        #[cfg(Py_3_12)]
        // SAFETY: the GIL is held; the exception's reference moves into ours (or NULL).
        return Self(unsafe { PyErr_GetRaisedException() });
        #[cfg(not(Py_3_12))]
        {
            let (mut kind, mut value, mut traceback) =
                (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
            // SAFETY: the GIL is held; PyErr_Fetch moves the exception's references into ours.
            unsafe { PyErr_Fetch(&raw mut kind, &raw mut value, &raw mut traceback) };
            Self(kind, value, traceback)
        }
    }

    /// Set it again (with the GIL held); its references go back to the interpreter.
    fn restore(self) {
        #[cfg(Py_3_12)]
        // SAFETY: the GIL is held; PyErr_SetRaisedException takes over the reference.
        unsafe {
            PyErr_SetRaisedException(self.0);
        }
        #[cfg(not(Py_3_12))]
        // SAFETY: the GIL is held; PyErr_Restore takes over the three references.
        unsafe {
            PyErr_Restore(self.0, self.1, self.2);
        }
    }
}

// SAFETY: the references are only touched with the GIL held (fetched and restored inside
// `with_gil` or an entry point); between the two they are merely carried.
unsafe impl Send for Saved {}

// --- the functions ---------------------------------------------------------------------------

/// An entry point of the module: `unsafe extern "C" fn $name(module, args, nargs)`, called
/// with CPython's `METH_FASTCALL` convention and taking `$min..=$max` positional arguments. Its
/// body runs under [`guard`] (a panic becomes `RuntimeError`, never an unwind into CPython),
/// with `$module` bound to the module object and `$args` to the argument slice, already counted
/// by [`positional`] (which raises CPython's own `TypeError` for a wrong count). So each entry
/// is its body, and the one safety argument below covers all of them.
macro_rules! entry {
    ($(#[$meta:meta])* $name:ident($module:ident, $args:ident: $min:literal..=$max:literal) $body:block) => {
        $(#[$meta])*
        unsafe extern "C" fn $name(
            $module: *mut PyObject,
            args: *mut *mut PyObject,
            nargs: Py_ssize_t,
        ) -> *mut PyObject {
            const NAME: &CStr =
                match CStr::from_bytes_with_nul(concat!(stringify!($name), "\0").as_bytes()) {
                    Ok(name) => name,
                    Err(_) => panic!("an entry point's name is a C string"),
                };
            guard(|| {
                // SAFETY: CPython calls a METH_FASTCALL function with `args` holding `nargs`
                // references, alive for the call; `positional` reads exactly those.
                let $args = unsafe { positional(NAME, args, nargs, $min, $max)? };
                $body
            })
        }
    };
}

entry!(step(_module, args: 1..=1) {
    let n = to_u64(args[0], Param::N)?;
    int(collatz_core::step(n).map_err(|e| core_error(&e))?)
});

entry!(iterate(_module, args: 2..=2) {
    let n = to_u64(args[0], Param::N)?;
    let k = to_u64(args[1], Param::K)?;
    if k < RELEASE_MIN_STEPS {
        return int(collatz_core::iterate(n, k).map_err(|e| core_error(&e))?);
    }
    let mut stopped: Option<Saved> = None;
    let result = without_gil(|| {
        collatz_core::iterate_polling(n, k, |_| {
            with_gil(|| match check_signals() {
                Ok(()) => false,
                Err(Raised) => {
                    stopped = Some(Saved::fetch());
                    true
                }
            })
        })
    });
    let was_stopped = stopped.map(Saved::restore).is_some();
    int(finish(result, was_stopped)?)
});

entry!(total_stopping_time(_module, args: 1..=1) {
    let n = to_u64(args[0], Param::N)?;
    int(collatz_core::total_stopping_time(n).map_err(|e| core_error(&e))?)
});

entry!(total_stopping_times(module, args: 1..=1) {
    arrays::total_stopping_times(module, args[0])
});

entry!(trajectory(module, args: 1..=1) {
    let n = to_u64(args[0], Param::N)?;
    let values = collatz_core::trajectory(n).map_err(|e| core_error(&e))?;
    arrays::new_array(module, &values)
});

entry!(walk(_module, args: 2..=2) {
    let n = to_u64(args[0], Param::N)?;
    let visit = args[1];
    check_callable("visit", "callable", visit)?;
    let mut count = 0;
    for value in collatz_core::Trajectory::new(n).map_err(|e| core_error(&e))? {
        let value = int(value.map_err(|e| core_error(&e))?)?;
        args::call(visit, &[value.as_ptr()])?;
        count += 1;
    }
    int(count)
});

unsafe extern "C" fn max_total_stopping_time(
    _module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    guard(|| {
        // SAFETY: CPython's METH_FASTCALL | METH_KEYWORDS convention: `args` holds the `nargs`
        // positional arguments, then one value per name in `kwnames` (a tuple of str, or NULL).
        let (limit, progress) = unsafe { limit_and_progress(args, nargs, kwnames)? };
        let limit = to_u64(limit, Param::Limit)?;
        let progress = match progress {
            Some(p) if is_none(p) => None,
            Some(p) => {
                check_callable("progress", "callable or None", p)?;
                Some(p)
            }
            None => None,
        };
        let mut stopped: Option<Saved> = None;
        let result = without_gil(|| {
            collatz_core::max_total_stopping_time_with(limit, |done, total| {
                // Take the GIL back briefly: run Python's signal handlers, then report.
                let outcome = with_gil(|| {
                    check_signals()?;
                    if let Some(progress) = progress {
                        let done = int(done)?;
                        let total = int(total)?;
                        args::call(progress, &[done.as_ptr(), total.as_ptr()])?;
                    }
                    Ok::<(), Raised>(())
                });
                match outcome {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(Raised) => {
                        stopped = Some(with_gil(Saved::fetch));
                        ControlFlow::Break(())
                    }
                }
            })
        });
        let was_stopped = stopped.map(Saved::restore).is_some();
        let (n, steps) = finish(result, was_stopped)?;
        let n = int(n)?;
        let steps = int(steps)?;
        // SAFETY: the GIL is held; PyTuple_Pack adds its own references to the two items.
        unsafe { Owned::new(PyTuple_Pack(2, n.as_ptr(), steps.as_ptr())) }
    })
}

/// `max_total_stopping_time`'s arguments: `limit` positional, `progress` keyword-only.
///
/// # Safety
/// CPython's vectorcall convention with keywords (see the caller).
unsafe fn limit_and_progress(
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> Result<(*mut PyObject, Option<*mut PyObject>)> {
    // SAFETY: as above: `args` holds `nargs` positional references.
    let positional = unsafe { positional(c"max_total_stopping_time", args, nargs, 1, 1)? };
    let mut progress = None;
    if !kwnames.is_null() {
        // SAFETY: `kwnames` is a tuple of str; its values follow the positional arguments.
        unsafe {
            for i in 0..PyTuple_GET_SIZE(kwnames) {
                let name = PyTuple_GET_ITEM(kwnames, i);
                let value = *args.add(usize::try_from(nargs + i).unwrap_or(0));
                if PyUnicode_CompareWithASCIIString(name, c"progress".as_ptr()) == 0 {
                    progress = Some(value);
                } else {
                    return Err(args::type_error(&format!(
                        "max_total_stopping_time() got an unexpected keyword argument {}",
                        args::text_of(name, true, "?")
                    )));
                }
            }
        }
    }
    Ok((positional[0], progress))
}

entry!(stats(module, args: 1..=1) {
    let n = to_u128(args[0], Param::N)?;
    record::new(module, &collatz_core::stats(n).map_err(|e| core_error(&e))?)
});

entry!(parity_vector(_module, args: 1..=2) {
    let n = to_u128(args[0], Param::N)?;
    let k = match args.get(1) {
        Some(&k) if !is_none(k) => Some(parity_count(k)?),
        _ => None,
    };
    let text = collatz_core::parity_vector(n, k).map_err(|e| core_error(&e))?;
    // SAFETY: the GIL is held; `text` is ASCII of the given length; a new reference.
    unsafe {
        Owned::new(PyUnicode_FromStringAndSize(
            text.as_ptr().cast(),
            args::as_ssize(text.len()),
        ))
    }
});

entry!(residue(_module, args: 1..=1) {
    let text = parities(args[0])?;
    args::from_u128(collatz_core::residue(&text).map_err(|e| core_error(&e))?)
});

entry!(
    /// Test hook (feature `test-hooks` only, never in wheels): panics with the GIL held.
    #[cfg(feature = "test-hooks")]
    test_panic(_module, _args: 0..=0) {
        panic!("forced panic from _test_panic")
    }
);

entry!(
    /// Test hook (feature `test-hooks` only): panics with the GIL released.
    #[cfg(feature = "test-hooks")]
    test_panic_released(_module, _args: 0..=0) {
        without_gil(|| panic!("forced panic from _test_panic_released"))
    }
);

// --- the module ------------------------------------------------------------------------------

const fn fastcall(
    name: &'static CStr,
    function: PyCFunctionFast,
    doc: &'static CStr,
) -> PyMethodDef {
    PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: PyMethodDefPointer {
            PyCFunctionFast: function,
        },
        ml_flags: METH_FASTCALL,
        ml_doc: doc.as_ptr(),
    }
}

/// The module's method table: the contract's functions, then `extra` ones, then the sentinel.
macro_rules! methods {
    ($($extra:expr),*) => {
        [
            fastcall(c"step", step, c"step(n, /)\n--\n\nOne Collatz step: n // 2 if n is even, else 3 * n + 1."),
            fastcall(
                c"iterate",
                iterate,
                c"iterate(n, k, /)\n--\n\nstep applied k times (a real loop of k steps); k = 0 returns n.",
            ),
            fastcall(
                c"total_stopping_time",
                total_stopping_time,
                c"total_stopping_time(n, /)\n--\n\nThe number of steps until n first reaches 1.",
            ),
            fastcall(
                c"total_stopping_times",
                total_stopping_times,
                c"total_stopping_times(values, /)\n--\n\nThe total stopping time of every element of a 1-D array or sequence of integers.",
            ),
            PyMethodDef {
                ml_name: c"max_total_stopping_time".as_ptr(),
                ml_meth: PyMethodDefPointer { PyCFunctionFastWithKeywords: max_total_stopping_time },
                ml_flags: METH_FASTCALL | METH_KEYWORDS,
                ml_doc: c"max_total_stopping_time(limit, /, *, progress=None)\n--\n\n(n, total_stopping_time(n)) for the n in 1 <= n < limit with the longest total stopping time."
                    .as_ptr(),
            },
            fastcall(
                c"trajectory",
                trajectory,
                c"trajectory(n, /)\n--\n\nThe whole trajectory n, step(n), ..., 1 as a new array.",
            ),
            fastcall(
                c"walk",
                walk,
                c"walk(n, visit, /)\n--\n\nCall visit(x) for each value of the trajectory of n, from Rust; return the number of values visited.",
            ),
            fastcall(c"stats", stats, c"stats(n, /)\n--\n\nThe record of the trajectory of n (1 <= n <= 2**128 - 1)."),
            fastcall(
                c"parity_vector",
                parity_vector,
                c"parity_vector(n, k=None, /)\n--\n\nThe parities of the Terras map from n up to the first 1, or the first k of them.",
            ),
            fastcall(
                c"residue",
                residue,
                c"residue(vector, /)\n--\n\nThe r with 1 <= r <= 2**len(vector) whose first Terras parities are vector.",
            ),
            $($extra,)*
            PyMethodDef::zeroed(),
        ]
    };
}

#[cfg(not(feature = "test-hooks"))]
const TABLE: &[PyMethodDef] = &methods!();

#[cfg(feature = "test-hooks")]
const TABLE: &[PyMethodDef] = &methods!(
    fastcall(c"_test_panic", test_panic, c""),
    fastcall(c"_test_panic_released", test_panic_released, c"")
);

/// The method table CPython keeps a pointer to: [`TABLE`], its length counted by the compiler.
static mut METHODS: [PyMethodDef; TABLE.len()] = copied(TABLE, PyMethodDef::zeroed());

/// A table as an array of its own length, for a `static` that CPython keeps a pointer to (a
/// `static` needs an array type: `copied(TABLE, filler)` with `[T; TABLE.len()]`, so nobody
/// counts entries by hand). `filler` only fills the array before the copy.
pub(crate) const fn copied<T: Copy, const N: usize>(table: &[T], filler: T) -> [T; N] {
    let mut out = [filler; N];
    let mut i = 0;
    while i < N {
        out[i] = table[i];
        i += 1;
    }
    out
}

/// The module's slots: its execution, and what it declares about interpreters and the GIL.
static mut SLOTS: [PyModuleDef_Slot; 2 + cfg!(Py_3_12) as usize + cfg!(Py_3_13) as usize] = [
    PyModuleDef_Slot {
        slot: Py_mod_exec,
        value: exec as *mut c_void,
    },
    // Every interpreter has its own module, types and numpy objects (module state), so an
    // isolated subinterpreter (own GIL, PEP 684) may import it too.
    #[cfg(Py_3_12)]
    PyModuleDef_Slot {
        slot: Py_mod_multiple_interpreters,
        value: Py_MOD_PER_INTERPRETER_GIL_SUPPORTED,
    },
    // The GIL is the lock of each `Trajectory`'s state (an `UnsafeCell`): a free-threaded
    // build keeps the GIL on when it imports this module.
    #[cfg(Py_3_13)]
    PyModuleDef_Slot {
        slot: Py_mod_gil,
        value: Py_MOD_GIL_USED,
    },
    PyModuleDef_Slot {
        slot: 0,
        value: ptr::null_mut(),
    },
];

static mut MODULE: PyModuleDef = PyModuleDef {
    m_base: PyModuleDef_HEAD_INIT,
    m_name: c"collatz_pyo3_ffi._native".as_ptr(),
    m_doc: c"Collatz steps and total stopping times from a Rust core, as a hand-written CPython extension.".as_ptr(),
    m_size: state::SIZE,
    m_methods: (&raw mut METHODS).cast(),
    m_slots: (&raw mut SLOTS).cast(),
    m_traverse: Some(state::traverse),
    m_clear: Some(state::clear),
    m_free: Some(state::free),
};

/// The `Py_mod_exec` slot: make this module's two types, add them to it and keep them in its
/// state. Run once per module object (one per interpreter that imports the module).
unsafe extern "C" fn exec(module: *mut PyObject) -> c_int {
    let run = || -> Result<()> {
        let trajectory = trajectory::create_type(module)?;
        let stats = record::create_type()?;
        // SAFETY: the GIL is held; `module` is the module being executed; PyModule_AddObjectRef
        // adds its own reference (the state keeps ours).
        unsafe {
            if PyModule_AddObjectRef(module, c"Trajectory".as_ptr(), trajectory.as_ptr()) < 0
                || PyModule_AddObjectRef(module, c"Stats".as_ptr(), stats.as_ptr()) < 0
            {
                return Err(Raised);
            }
        }
        state::set(module, state::Slot::Trajectory, trajectory)?;
        state::set(module, state::Slot::Stats, stats)
    };
    match catch_unwind(run) {
        Ok(Ok(())) => 0,
        Ok(Err(Raised)) => -1,
        Err(payload) => {
            runtime_error(&collatz_core::panic_report(payload.as_ref()));
            -1
        }
    }
}

/// The module's initialisation (multi-phase): its definition, which CPython uses to make and
/// execute a module object in each interpreter that imports it.
///
/// # Safety
/// Called by the interpreter's import machinery, with the GIL held.
#[allow(non_snake_case)] // the name CPython looks for
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyInit__native() -> *mut PyObject {
    // SAFETY: the definition is a static that this crate never writes (its methods and slots
    // are set in its initialiser); PyModuleDef_Init readies it as an object (CPython's own
    // business, idempotent) and returns it, borrowed.
    unsafe { PyModuleDef_Init(&raw mut MODULE) }
}
