//! The thread pool of the parallel functions: one per process, built again after `fork`.
//!
//! rayon's global pool does not survive `fork`: its worker threads exist only in the parent,
//! so a parallel call in a forked child (Python's `os.fork`, `multiprocessing` with the `fork`
//! start method) would queue its work for threads that are not there and wait forever. The
//! core therefore runs its parallel work in a pool of its own, tagged with the process that
//! built it; a call from another process (a forked child) builds a fresh pool there. The
//! parent's pool is forgotten in the child, never dropped: its threads are not the child's to
//! stop.

use std::sync::{Arc, Mutex, PoisonError};

use rayon::{ThreadPool, ThreadPoolBuilder};

/// The pool and the process id of the process that built it.
static POOL: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// Run `op` inside this process's pool (so its `par_iter`s use that pool's threads).
///
/// # Panics
/// If the operating system refuses to start the pool's threads.
pub(crate) fn install<R: Send>(op: impl FnOnce() -> R + Send) -> R {
    current().install(op)
}

fn current() -> Arc<ThreadPool> {
    let pid = std::process::id();
    let mut slot = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((owner, pool)) = slot.as_ref() {
        if *owner == pid {
            return Arc::clone(pool);
        }
    }
    if let Some((_, inherited)) = slot.take() {
        // A forked child: the pool's threads live in the parent only.
        std::mem::forget(inherited);
    }
    let pool = Arc::new(
        ThreadPoolBuilder::new()
            .thread_name(|i| format!("collatz-core-{i}"))
            .build()
            .unwrap_or_else(|e| panic!("collatz-core could not start its thread pool: {e}")),
    );
    *slot = Some((pid, Arc::clone(&pool)));
    pool
}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    #[test]
    fn work_runs_on_the_pool_of_this_process() {
        let sum: u64 = super::install(|| (1..=1000_u64).into_par_iter().sum());
        assert_eq!(sum, 500_500);
        let name = super::install(|| std::thread::current().name().map(str::to_owned));
        assert!(name.is_some_and(|n| n.starts_with("collatz-core-")));
    }
}
