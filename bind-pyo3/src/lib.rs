//! `collatz_pyo3`: [`collatz_core`] for Python through PyO3.
//!
//! Each function validates its arguments with the exceptions of the project's contract
//! (`docs/contract.md`: `TypeError`, `ValueError`, `OverflowError`, messages naming the value),
//! calls the core, and releases the GIL around work that can take long. Callbacks (`walk`'s
//! `visit`, `max_total_stopping_time`'s `progress`) are called from Rust with the GIL held.

mod array;
mod awaiting;
mod error;
mod gil;
mod out;

use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyIterator, PyTuple, PyType};

/// `iterate` calls with at least this many steps release the GIL: below it, the cost of
/// detaching and re-attaching would dominate the call.
const DETACH_MIN_STEPS: u64 = 1 << 14;

/// Bulk calls with at least this many elements release the GIL.
const DETACH_MIN_LEN: usize = 1 << 10;

/// Collatz steps and total stopping times from a Rust core, bound with PyO3.
#[pymodule(gil_used = false)]
mod _native {
    use numpy::{PyArray1, PyArrayMethods};
    use pyo3::prelude::*;

    use std::ops::ControlFlow;

    use super::{DETACH_MIN_LEN, DETACH_MIN_STEPS, finish, guard, signalled};
    use crate::array;
    use crate::error::{CoreError, Param, not_callable, parities, parity_count, to_u64, to_u128};
    use crate::out::{array_of, call1, call2, int, int128, pair, text};

    #[pymodule_export]
    use super::Trajectory;

    #[pymodule_export]
    use crate::awaiting::{max_total_stopping_time_async, total_stopping_time_async};

    /// step(n) -> int
    ///
    /// One Collatz step: n // 2 if n is even, else 3 * n + 1.
    #[pyfunction]
    #[pyo3(signature = (n, /))]
    fn step<'py>(py: Python<'py>, n: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let n = to_u64(n, Param::N)?;
            int(py, collatz_core::step(n).map_err(CoreError)?)
        })
    }

    /// iterate(n, k) -> int
    ///
    /// `step` applied k times (a real loop of k steps); k = 0 returns n.
    #[pyfunction]
    #[pyo3(signature = (n, k, /))]
    fn iterate<'py>(
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
        k: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let n = to_u64(n, Param::N)?;
            let k = to_u64(k, Param::K)?;
            if k < DETACH_MIN_STEPS {
                return int(py, collatz_core::iterate(n, k).map_err(CoreError)?);
            }
            let mut interrupt = None;
            let result = crate::gil::detach(py, || {
                collatz_core::iterate_polling(n, k, |_| signalled(&mut interrupt))
            });
            int(py, finish(result, interrupt)?)
        })
    }

    /// total_stopping_time(n) -> int
    ///
    /// The number of steps until n first reaches 1.
    #[pyfunction]
    #[pyo3(signature = (n, /))]
    fn total_stopping_time<'py>(
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let n = to_u64(n, Param::N)?;
            int(py, collatz_core::total_stopping_time(n).map_err(CoreError)?)
        })
    }

    /// total_stopping_times(values) -> numpy.ndarray[uint64]
    ///
    /// The total stopping time of every element of a 1-D array or sequence of integers. A
    /// C-contiguous uint64 array is read in place, without copying.
    #[pyfunction]
    #[pyo3(signature = (values, /))]
    fn total_stopping_times<'py>(
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        guard(|| {
            let values = array::borrow(values)?;
            let input = values.as_slice();
            let output = array_of(py, input.len())?;
            // SAFETY: `output` was created above and has not been shared with Python or anyone
            // else, so this is the only reference to its (aligned, contiguous) data.
            let out = unsafe { output.as_slice_mut() }?;
            let result = if input.len() >= DETACH_MIN_LEN {
                crate::gil::detach(py, || collatz_core::total_stopping_times(input, out))
            } else {
                collatz_core::total_stopping_times(input, out)
            };
            result.map_err(CoreError)?;
            Ok(output)
        })
    }

    /// max_total_stopping_time(limit, /, *, progress=None) -> tuple[int, int]
    ///
    /// (n, total_stopping_time(n)) for the n in 1 <= n < limit with the longest total stopping time;
    /// ties go to the smallest n. Uses all cores, with the GIL released. progress(done, total),
    /// if given, is called as the search goes (total == limit - 1, last call done == total).
    #[pyfunction]
    #[pyo3(signature = (limit, /, *, progress = None))]
    fn max_total_stopping_time<'py>(
        py: Python<'py>,
        limit: &Bound<'py, PyAny>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let limit = to_u64(limit, Param::Limit)?;
            let progress = match progress {
                Some(p) if p.is_none() => None,
                Some(p) if p.is_callable() => Some(p.clone().unbind()),
                Some(p) => return Err(not_callable("progress", "callable or None", p)),
                None => None,
            };
            let mut stopped = None;
            let result = crate::gil::detach(py, || {
                collatz_core::max_total_stopping_time_with(limit, |done, total| {
                    // Re-attach briefly: run Python's signal handlers, then report progress.
                    let outcome = crate::gil::attach(|py| {
                        py.check_signals()?;
                        if let Some(progress) = &progress {
                            call2(progress.bind(py), int(py, done)?, int(py, total)?)?;
                        }
                        Ok::<(), PyErr>(())
                    });
                    match outcome {
                        Ok(()) => ControlFlow::Continue(()),
                        Err(e) => {
                            stopped = Some(e);
                            ControlFlow::Break(())
                        }
                    }
                })
            });
            let (n, steps) = finish(result, stopped)?;
            pair(py, n, steps)
        })
    }

    /// trajectory(n, /) -> numpy.ndarray[uint64]
    ///
    /// The whole trajectory n, step(n), ..., 1 as a new array (its length is known only once
    /// Rust has walked it; the values are copied into numpy's buffer, a fallible allocation).
    #[pyfunction]
    #[pyo3(signature = (n, /))]
    fn trajectory<'py>(
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<u64>>> {
        guard(|| {
            let n = to_u64(n, Param::N)?;
            let values = collatz_core::trajectory(n).map_err(CoreError)?;
            let array = array_of(py, values.len())?;
            // SAFETY: `array` was created above and has not been shared with Python or anyone
            // else, so this is the only reference to its (aligned, contiguous) data.
            unsafe { array.as_slice_mut() }?.copy_from_slice(&values);
            Ok(array)
        })
    }

    /// walk(n, visit, /) -> int
    ///
    /// Call visit(x) for each value of the trajectory of n, in order, from Rust; return the
    /// number of values visited. If visit raises, the walk stops and the exception propagates.
    #[pyfunction]
    #[pyo3(signature = (n, visit, /))]
    fn walk<'py>(n: &Bound<'py, PyAny>, visit: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let n = to_u64(n, Param::N)?;
            if !visit.is_callable() {
                return Err(not_callable("visit", "callable", visit));
            }
            let py = visit.py();
            let mut count = 0;
            for value in collatz_core::Trajectory::new(n).map_err(CoreError)? {
                call1(visit, int(py, value.map_err(CoreError)?)?)?;
                count += 1;
            }
            int(py, count)
        })
    }

    #[pymodule_export]
    use super::Stats;

    /// stats(n) -> Stats
    ///
    /// The record of the trajectory of n (1 <= n <= 2**128 - 1): n, total_stopping_time,
    /// stopping_time, peak, odd_steps.
    #[pyfunction]
    #[pyo3(signature = (n, /))]
    fn stats(n: &Bound<'_, PyAny>) -> PyResult<Stats> {
        guard(|| {
            let n = to_u128(n, Param::N)?;
            Ok(Stats(collatz_core::stats(n).map_err(CoreError)?))
        })
    }

    /// parity_vector(n, k=None) -> str
    ///
    /// The parities of the Terras map from n ('1' odd, '0' even) up to the first 1, or the
    /// first k of them.
    #[pyfunction]
    #[pyo3(signature = (n, k = None, /))]
    fn parity_vector<'py>(
        py: Python<'py>,
        n: &Bound<'py, PyAny>,
        k: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let n = to_u128(n, Param::N)?;
            let k = k.map(parity_count).transpose()?;
            text(py, &collatz_core::parity_vector(n, k).map_err(CoreError)?)
        })
    }

    /// residue(vector) -> int
    ///
    /// The r with 1 <= r <= 2**len(vector) whose first Terras parities are vector.
    #[pyfunction]
    #[pyo3(signature = (vector, /))]
    fn residue<'py>(py: Python<'py>, vector: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| {
            let text = parities(vector)?;
            int128(py, collatz_core::residue(&text).map_err(CoreError)?)
        })
    }

    /// Test hook (feature `test-hooks` only, never in wheels): panics while holding the GIL.
    #[cfg(feature = "test-hooks")]
    #[pyfunction]
    fn _test_panic() -> PyResult<()> {
        guard(|| panic!("forced panic from _test_panic"))
    }

    /// Test hook (feature `test-hooks` only): panics with the GIL released.
    #[cfg(feature = "test-hooks")]
    #[pyfunction]
    fn _test_panic_detached(py: Python<'_>) -> PyResult<()> {
        guard(|| py.detach(|| panic!("forced panic from _test_panic_detached")))
    }
}

/// Trajectory(n, /)
///
/// The trajectory n, step(n), ..., 1 as an iterator: each next() returns the next value; the
/// state lives in Rust.
// The module the classes say they belong to (pickle finds them there): the package of the build.
// Frozen, with the state behind a lock: the module declares itself GIL-free (`gil_used =
// false`), and on a free-threaded build two threads may call next() on one iterator at once. A
// mutable pyclass would make the second one fail ("Already borrowed"); the lock makes them take
// turns, so each value is handed out exactly once (uncontended, it costs about what PyO3's own
// borrow flag did).
#[cfg_attr(
    any(feature = "abi3", feature = "abi3-py312"),
    pyclass(frozen, module = "collatz_pyo3", name = "Trajectory")
)]
#[cfg_attr(
    not(any(feature = "abi3", feature = "abi3-py312")),
    pyclass(frozen, module = "collatz_pyo3_versioned", name = "Trajectory")
)]
#[derive(Debug)]
pub struct Trajectory {
    inner: Mutex<collatz_core::Trajectory>,
}

impl Trajectory {
    /// The state, for one call. A panic while the lock was held (caught by `guard`, reported
    /// as `RuntimeError`) leaves the state as the core left it: still a valid iterator.
    fn state(&self) -> MutexGuard<'_, collatz_core::Trajectory> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl Trajectory {
    #[new]
    #[pyo3(signature = (n, /))]
    fn new(n: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| {
            let n = error::to_u64(n, error::Param::N)?;
            let inner = collatz_core::Trajectory::new(n).map_err(error::CoreError)?;
            Ok(Self {
                inner: Mutex::new(inner),
            })
        })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(|| match self.state().next() {
            Some(value) => Ok(Some(out::int(py, value.map_err(error::CoreError)?)?)),
            None => Ok(None),
        })
    }

    fn __repr__(&self) -> String {
        format!("Trajectory({})", self.state().start())
    }

    /// Copies and pickles (`copy.copy`, `copy.deepcopy`, `pickle`): a new iterator on the same
    /// start, moved on to the same position (the contract's pickled form).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (u64,), u64) {
        let state = slf.get().state();
        (slf.get_type(), (state.start(),), state.position())
    }

    /// Move a new iterator (from `__reduce__`) on to `position`.
    #[pyo3(signature = (position, /))]
    fn __setstate__(&self, position: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(|| {
            let position = error::to_u64(position, error::Param::Position)?;
            let mut state = self.state();
            *state = collatz_core::Trajectory::resume(state.start(), position)
                .map_err(error::CoreError)?;
            Ok(())
        })
    }
}

/// Stats(n, total_stopping_time, stopping_time, peak, odd_steps)
///
/// The record of one trajectory: a frozen object with five int fields that behaves as the
/// tuple of them (compares equal to it, unpacks, indexes, hashes like it).
#[cfg_attr(
    any(feature = "abi3", feature = "abi3-py312"),
    pyclass(frozen, module = "collatz_pyo3", name = "Stats")
)]
#[cfg_attr(
    not(any(feature = "abi3", feature = "abi3-py312")),
    pyclass(frozen, module = "collatz_pyo3_versioned", name = "Stats")
)]
#[derive(Debug, Clone, Copy)]
pub struct Stats(collatz_core::Stats);

impl Stats {
    fn tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let s = &self.0;
        (
            s.n,
            s.total_stopping_time,
            s.stopping_time,
            s.peak,
            s.odd_steps,
        )
            .into_pyobject(py)
    }
}

#[pymethods]
impl Stats {
    /// The starting value.
    #[getter]
    const fn n(&self) -> u128 {
        self.0.n
    }

    /// Steps until the value reaches 1 (OEIS A006577).
    #[getter]
    const fn total_stopping_time(&self) -> u64 {
        self.0.total_stopping_time
    }

    /// Steps until the value is first below n (OEIS A102419; 0 for n = 1).
    #[getter]
    const fn stopping_time(&self) -> u64 {
        self.0.stopping_time
    }

    /// The largest value on the trajectory, n included.
    #[getter]
    const fn peak(&self) -> u128 {
        self.0.peak
    }

    /// The number of 3x + 1 steps (OEIS A006667).
    #[getter]
    const fn odd_steps(&self) -> u64 {
        self.0.odd_steps
    }

    fn __len__(&self) -> usize {
        5
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.tuple(py)?.as_any().get_item(index)
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.tuple(py)?.as_any().try_iter()
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        self.tuple(py)?.hash()
    }

    /// Compares as the tuple of its fields, with tuples and with other records.
    fn __richcmp__<'py>(
        &self,
        py: Python<'py>,
        other: &Bound<'py, PyAny>,
        op: pyo3::basic::CompareOp,
    ) -> PyResult<Bound<'py, PyAny>> {
        let other = match other.cast::<Self>() {
            Ok(record) => record.get().tuple(py)?.into_any(),
            Err(_) if other.is_instance_of::<PyTuple>() => other.clone(),
            Err(_) => return Ok(py.NotImplemented().into_bound(py)),
        };
        self.tuple(py)?.as_any().rich_compare(other, op)
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "Stats(n={}, total_stopping_time={}, stopping_time={}, peak={}, odd_steps={})",
            s.n, s.total_stopping_time, s.stopping_time, s.peak, s.odd_steps
        )
    }

    /// Pickles as the record of the same start (recomputed: a record is its start's).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (u128,))> {
        // The package this build is (collatz_pyo3, collatz_pyo3_versioned): the class says.
        let module = slf.get_type().module()?;
        let stats = slf.py().import(module)?.getattr("stats")?;
        Ok((stats, (slf.get().0.n,)))
    }
}

/// Run a function body with any panic turned into `RuntimeError`, message kept. (PyO3 would
/// raise `PanicException`, a `BaseException` that `except Exception` does not catch.) Costs
/// nothing unless a panic happens.
fn guard<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        Err(pyo3::exceptions::PyRuntimeError::new_err(
            collatz_core::panic_report(payload.as_ref()),
        ))
    })
}

/// Called between chunks of a long computation running without the GIL: re-attach briefly
/// and run Python's signal handlers, so that Ctrl-C (`KeyboardInterrupt`) or any exception a
/// handler raises stops the computation within one chunk (tens of milliseconds).
fn signalled(interrupt: &mut Option<PyErr>) -> bool {
    match gil::attach(|py| py.check_signals()) {
        Ok(()) => false,
        Err(e) => {
            *interrupt = Some(e);
            true
        }
    }
}

/// The result of a polled computation, or the exception that stopped it.
fn finish<T>(
    result: Result<Option<T>, collatz_core::Error>,
    interrupt: Option<PyErr>,
) -> PyResult<T> {
    match (result.map_err(error::CoreError)?, interrupt) {
        (Some(value), _) => Ok(value),
        (None, Some(e)) => Err(e),
        (None, None) => Err(pyo3::exceptions::PyRuntimeError::new_err(
            "computation stopped",
        )),
    }
}
