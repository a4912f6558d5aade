//! What a thread does when the Python interpreter that hosts it is exiting: it stops for good,
//! instead of dying in a way that takes the process with it.
//!
//! Before 3.14, CPython ends a thread that asks for the GIL once finalisation has started with
//! `pthread_exit` (python/cpython#87135; 3.14 parks such threads instead). `pthread_exit`
//! unwinds the thread's stack with a *forced unwind*; when that unwind reaches a Rust frame
//! that catches unwinds (`catch_unwind`, which every binding puts at its boundary so that no
//! panic crosses it), glibc aborts the process: "FATAL: exception not rethrown"
//! (rust-lang/rust#65441). And a thread that takes the GIL late enough in finalisation reads
//! interpreter state that is already gone (python/cpython#124619: a crash).
//!
//! The bindings keep to two rules, with the helpers here:
//! - before a native thread takes the GIL again (after work done without it, or to call
//!   back into Python), it asks whether the interpreter is exiting, and if it is, it
//!   [parks](park_forever) — as 3.14 does with such threads; the process then exits normally;
//! - a call into Python that can end in `pthread_exit` (a callback whose Python code releases
//!   and re-takes the GIL: `time.sleep`, I/O) is made through an `extern "C-unwind"`
//!   declaration, [guarded](parking_on_unwind): the forced unwind stops in the guard, which
//!   parks, before it reaches the frame that would catch it.
//!
//! How to ask whether the interpreter is exiting is each binding's business (the core knows
//! nothing of Python): `Py_IsInitialized()` is 0 from the moment finalisation starts.

/// Stop this thread for good: what CPython 3.14 does itself with a thread that asks for the
/// GIL while the interpreter exits. The process is ending; nothing waits for this thread.
pub fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// A guard that parks the thread forever if it is dropped: armed around a call that may be
/// ended by a forced unwind, disarmed ([`std::mem::forget`]) when the call returns.
struct ParkOnUnwind;

impl Drop for ParkOnUnwind {
    fn drop(&mut self) {
        park_forever();
    }
}

/// `call()`, with a forced unwind out of it stopped here: the thread parks forever instead
/// of unwinding further (see the module docs).
///
/// Only a call through an `extern "C-unwind"` function can unwind into Rust; with `extern
/// "C"`, Rust assumes it cannot, and an unwind out of it aborts before it gets here. `call`
/// must not panic: a panic out of it would park the thread too.
///
/// ```
/// assert_eq!(collatz_core::exit::parking_on_unwind(|| 6 * 7), 42);
/// ```
#[inline(always)]
pub fn parking_on_unwind<T>(call: impl FnOnce() -> T) -> T {
    let guard = ParkOnUnwind;
    let result = call();
    std::mem::forget(guard);
    result
}
