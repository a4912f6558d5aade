//! The record search: the `n` in `1..limit` with the longest total stopping time, examining only the
//! `n` that can be the answer.
//!
//! Call `n` *dominated* when some `m` in `1..limit` has a longer total stopping time, or the same
//! one and `m < n`. A dominated `n` is never the answer (the smallest `n` with the longest
//! time), and domination is transitive, so skipping every `n` proven dominated keeps the
//! answer, whichever of several skipped numbers dominates which. Five proofs, where
//! `st` is the total stopping time and `T` the shortcut map (`x / 2` for even `x`, `(3x + 1) / 2`
//! for odd `x`):
//!
//! 1. **`n < limit / 2`**: `2n < limit` and `st(2n) = st(n) + 1`.
//! 2. **`n ≡ 2 (mod 3)`, `n ≥ 5`**: `m = (2n - 1) / 3` is an integer (`2n ≡ 1`), odd (`2n - 1`
//!    is), and smaller than `n`; `m → 3m + 1 = 2n → n`, so `st(m) = st(n) + 2` (`m ≥ 3`, so
//!    its trajectory does not stop at 1 first).
//! 3. **`n ≡ 4 (mod 6)`, `n ≥ 10`**: `n = 6j + 4` has the odd predecessor `m = (n - 1) / 3 =
//!    2j + 1 ≥ 3`: `m → 3m + 1 = n`, so `st(m) = st(n) + 1`.
//! 4. **`n ≡ 4 (mod 9)`, `n ≥ 4`**: `m = (8n - 5) / 9 < n` is an integer, and `m ≡ 3 (mod 8)`
//!    (as `9 ≡ 1`, `m ≡ 8n - 5 ≡ 3`), so `m` is odd, `(3m + 1) / 2` is odd, and
//!    `(9m + 5) / 4` is even: `m → 3m + 1 → (3m + 1) / 2 → (9m + 5) / 2 → (9m + 5) / 4 →
//!    (9m + 5) / 8 = n`, so `st(m) = st(n) + 5`, every value on the way above 1.
//! 5. **Twins modulo `2^K`**: for `n = a·2^K + r` (`r < 2^K`), the parities of the first `K`
//!    steps of `T` depend on `r` alone, so `T^K(n) = a·3^c(r) + T^K(r)`, reached in `K + c(r)`
//!    plain steps, with `c(r)` the odd steps among them. If a smaller residue `r' < r` has
//!    `c(r') = c(r)` and `T^K(r') = T^K(r)`, then `n' = a·2^K + r' < n` reaches the same value
//!    in the same number of steps: `st(n') = st(n)`, a tie that `n'` wins. For `a ≥ 1` neither
//!    trajectory reaches 1 early (`T^j(x) ≥ x / 2^j > 1` for `x ≥ 2^K`, `j < K`).
//!
//! Proofs 2–4 leave 8 of every 18 residues, proof 5 about a quarter of the residues modulo
//! `2^20`, and proof 1 half the range. The candidates left are evaluated starting from the
//! table: `st(n) = K + c(r) + st(a·3^c(r) + T^K(r))`. Tests check every proof on every `n` up
//! to a bound, and the search against a plain scan.

// Every `as` here narrows a value proven small: residues are below 2^20, odd-step counts at
// most 20, bit lengths at most 64.
#![allow(clippy::cast_possible_truncation)]

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};

use rayon::prelude::*;

use crate::fast::{table_step, total_stopping_time_continue};
use crate::{Error, total_stopping_time};

/// Residue bits of the production sieve (proof 5).
pub(crate) const K: u32 = 20;

/// Residues modulo 18 that proofs 2–4 leave (for `n ≥ 10`): 0, 1, 3, 6, 7, 9, 12, 15.
const KEEP_MOD_18: u32 =
    (1 << 0) | (1 << 1) | (1 << 3) | (1 << 6) | (1 << 7) | (1 << 9) | (1 << 12) | (1 << 15);

/// `3^c` for the odd-step counts of the table (`c ≤ 20`).
const POWERS_OF_3: [u64; 21] = {
    let mut powers = [1; 21];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = 3 * powers[i - 1];
        i += 1;
    }
    powers
};

/// Candidates evaluated per parallel task.
const TASK: usize = 1 << 12;

/// Ranges of at most this many numbers are searched on the calling thread.
const SEQUENTIAL_MAX: u64 = 1 << 15;

/// An even number that is `b` modulo 9 (so `≡ class_base(b) + r` modulo 18 decides).
const fn class_base(b: u64) -> u64 {
    if b % 2 == 0 { b } else { b + 9 }
}

/// Whether proofs 2–4 leave `n`.
#[inline]
const fn survives_mod_18(n: u64) -> bool {
    n < 10 || (KEEP_MOD_18 >> (n % 18)) & 1 == 1
}

/// The residues modulo `2^k` without a smaller twin (proof 5), split by what proofs 2–4 leave
/// of each, and the first `k` steps of `T` of every residue.
#[derive(Debug)]
pub(crate) struct Sieve {
    k: u32,
    /// For each class `b` of `a·2^k` modulo 9: the survivors `r` for which `a·2^k + r` also
    /// survives proofs 2–4 (`a·2^k` is even, so `n mod 18` depends on `b` and `r` alone),
    /// each with its first `k` steps of `T` ([`Residue`]), sorted by odd steps `c`, then `r`.
    /// The search streams one list per block: no unpredictable branch and no table lookup per
    /// residue, and (sorted by `c`) the residues whose first steps already rule them out form
    /// a prefix it skips ([`Bounds::first_useful_odd_steps`]).
    by_class: [Vec<Residue>; 9],
    /// `starts[b][c]`: where the residues with `c` odd steps start in `by_class[b]`.
    starts: [[usize; 22]; 9],
    /// `c(r)`: odd steps among the first `k` steps of `T` from `r` (for the tests).
    #[cfg(test)]
    odd_steps: Vec<u8>,
    /// `T^k(r)` (for the tests).
    #[cfg(test)]
    tails: Vec<u32>,
}

/// A residue `r < 2^k` with its first `k` steps of `T`, packed: `r` in the low 24 bits, `c(r)`
/// in the next 8, `T^k(r)` (below `2^32` for `k ≤ 20`: at most `(r + 1)·1.5^k`) in the top 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Residue(u64);

impl Residue {
    const fn new(r: u32, odd_steps: u8, tail: u32) -> Self {
        Self((tail as u64) << 32 | (odd_steps as u64) << 24 | r as u64)
    }

    const fn r(self) -> u64 {
        self.0 & 0xFF_FFFF
    }

    const fn odd_steps(self) -> u64 {
        (self.0 >> 24) & 0xFF
    }

    const fn tail(self) -> u64 {
        self.0 >> 32
    }
}

impl Sieve {
    /// The sieve for residues modulo `2^k`, `1 ≤ k ≤ 20`.
    pub(crate) fn new(k: u32) -> Self {
        assert!((1..=20).contains(&k), "residue bits must be in 1..=20");
        let size = 1_usize << k;
        let mut odd_steps = Vec::with_capacity(size);
        let mut tails = Vec::with_capacity(size);
        // Sort keys: (c, T^k(r)) above the residue itself, so that each group of twins comes
        // out with its smallest residue first.
        let mut keys = Vec::with_capacity(size);
        for r in 0..size as u64 {
            let (mut x, mut c) = (r, 0_u8);
            for _ in 0..k {
                if x & 1 == 1 {
                    x = (3 * x + 1) >> 1;
                    c += 1;
                } else {
                    x /= 2;
                }
            }
            let tail = u32::try_from(x).expect("T^k(r) < 2^32 for k <= 20");
            odd_steps.push(c);
            tails.push(tail);
            keys.push(((u64::from(c) << 32 | u64::from(tail)) << k) | r);
        }
        keys.sort_unstable();
        let mut survivors = Vec::new();
        let mut previous = None;
        for key in keys {
            let group = key >> k;
            if previous != Some(group) {
                survivors.push(u32::try_from(key & ((1 << k) - 1)).expect("r < 2^k"));
                previous = Some(group);
            }
        }
        survivors.sort_unstable();
        let by_class: [Vec<Residue>; 9] = std::array::from_fn(|b| {
            survivors
                .iter()
                .copied()
                // Any number >= 10 that is a·2^k + r with a·2^k ≡ b (mod 9): proofs 2-4 only
                // look at n mod 18.
                .filter(|&r| survives_mod_18(18 + class_base(b as u64) + u64::from(r)))
                .map(|r| Residue::new(r, odd_steps[r as usize], tails[r as usize]))
                .collect::<Vec<_>>()
        })
        .map(|mut list| {
            list.sort_unstable_by_key(|r| (r.odd_steps(), r.r()));
            list
        });
        let starts = std::array::from_fn(|b| {
            let list: &Vec<Residue> = &by_class[b];
            std::array::from_fn(|c| list.partition_point(|r| r.odd_steps() < c as u64))
        });
        Self {
            k,
            by_class,
            starts,
            #[cfg(test)]
            odd_steps,
            #[cfg(test)]
            tails,
        }
    }

    /// The production sieve, built on first use.
    pub(crate) fn shared() -> &'static Self {
        static SIEVE: LazyLock<Sieve> = LazyLock::new(|| Sieve::new(K));
        &SIEVE
    }

    fn block(&self) -> u64 {
        1 << self.k
    }

    /// Where candidate `n = a·2^k + r` (`a ≥ 1`, `residue` = `r`) stands after its first `k`
    /// steps of `T`: `(T^k(n), plain steps)`, or `(n, 0)` if a value on the way could leave
    /// `u64` (then the core's loop takes it from the start).
    #[inline(always)]
    fn first_steps(&self, n: u64, residue: Residue) -> (u64, u64) {
        const A_MAX: u64 = (u64::MAX - u32::MAX as u64) / POWERS_OF_3[20];
        let a = n >> self.k;
        if a > A_MAX {
            return (n, 0);
        }
        let c = residue.odd_steps();
        (
            a * POWERS_OF_3[c as usize] + residue.tail(),
            u64::from(self.k) + c,
        )
    }

    /// The total stopping times of a stream of candidates (from `next()`), each to `done(n, time)`,
    /// `LANES` in flight at once. A candidate's first `k` steps of `T` come from this sieve's
    /// tables (the proof of 5 shows the count is right for `n ≥ 2^k`), the rest from the
    /// core's smaller table, which stays in cache. One trajectory's lookups form a chain of
    /// dependent loads, so a single total stopping time runs at the latency of that chain; with
    /// `LANES` chains in flight the processor overlaps them, and a lane whose chain ends takes
    /// the next candidate at once.
    ///
    /// A candidate that cannot reach `bounds.floor()` is given up as soon as that is known
    /// (and not reported): at `x < 2^j` after `s` steps, `st(n) = s + st(x) ≤ s + below[j]`.
    fn total_stopping_times(
        &self,
        bounds: &Bounds<'_>,
        mut next: impl FnMut() -> Option<(u64, u64, u64)>,
        mut done: impl FnMut(u64, Result<u64, Error>),
    ) {
        let mut floor = bounds.floor();
        let mut starts = [0_u64; LANES];
        let mut xs = [0_u64; LANES];
        let mut steps = [0_u64; LANES];
        let mut live = [false; LANES];
        for i in 0..LANES {
            if let Some((n, x, taken)) = next() {
                (starts[i], xs[i], steps[i], live[i]) = (n, x, taken, true);
            }
        }
        loop {
            let mut any = false;
            for i in 0..LANES {
                if !live[i] {
                    continue;
                }
                any = true;
                if let Some((y, taken)) = table_step(xs[i]) {
                    xs[i] = y;
                    steps[i] += taken;
                    if !bounds.may_reach(y, steps[i], floor) {
                        floor = bounds.floor();
                    } else {
                        continue;
                    }
                } else {
                    let time = total_stopping_time_continue(starts[i], xs[i], steps[i]);
                    if let Ok(t) = time {
                        floor = bounds.found(t).max(floor);
                    }
                    done(starts[i], time);
                }
                match next() {
                    Some((n, x, taken)) => (starts[i], xs[i], steps[i]) = (n, x, taken),
                    None => live[i] = false,
                }
            }
            if !any {
                return;
            }
        }
    }

    /// `st(n)` by the path the search takes.
    #[cfg(test)]
    fn total_stopping_time_via_tables(&self, n: u64) -> Result<u64, Error> {
        let mut result = None;
        let mut once = Some(if n < self.block() {
            (n, n, 0)
        } else {
            let r = (n & (self.block() - 1)) as usize;
            let residue = Residue::new(r as u32, self.odd_steps[r], self.tails[r]);
            let (x, steps) = self.first_steps(n, residue);
            (n, x, steps)
        });
        let found = AtomicU64::new(0);
        self.total_stopping_times(
            &Bounds::none(&found),
            || once.take(),
            |_, t| result = Some(t),
        );
        result.expect("one result")
    }

    /// The candidates of `lo..hi` (`1 ≤ lo < hi`), in increasing order, as tasks for threads.
    fn tasks(&self, lo: u64, hi: u64) -> Vec<Task> {
        let block = self.block();
        let mut tasks = Vec::new();
        // Below 2^k: every number that proofs 2-4 leave.
        let mut from = lo;
        while from < hi.min(block) {
            let to = (from + TASK as u64).min(hi.min(block));
            tasks.push(Task::Plain { lo: from, hi: to });
            from = to;
        }
        // From 2^k: the residues of each block that survive every proof.
        let lo = lo.max(block);
        if lo < hi {
            for a in lo >> self.k..=(hi - 1) >> self.k {
                let base = a << self.k;
                let class = (base % 9) as usize;
                // A block cut by the range (at most two per range) is clipped in `best_of`.
                let clip = (lo.max(base), hi.min(base + block));
                let len = self.by_class[class].len();
                let mut i = 0;
                while i < len {
                    let j = (i + TASK).min(len);
                    tasks.push(Task::Residues {
                        base,
                        class,
                        from: i,
                        to: j,
                        clip,
                    });
                    i = j;
                }
            }
        }
        tasks
    }

    /// The best candidate of one task, if it has any (or none: when every candidate was given
    /// up as unable to reach the longest time found so far).
    fn best_of(&self, task: &Task, bounds: &Bounds<'_>) -> Result<Option<(u64, u64)>, Error> {
        let mut best: Option<(u64, u64)> = None;
        let mut consider = |n: u64, time: u64| {
            if best.is_none_or(|(m, t)| time > t || (time == t && n < m)) {
                best = Some((n, time));
            }
        };
        match *task {
            Task::Plain { lo, hi } => {
                for n in (lo..hi).filter(|&n| survives_mod_18(n)) {
                    consider(n, total_stopping_time(n)?);
                }
            }
            Task::Residues {
                base,
                class,
                from,
                to,
                clip: (lo, hi),
            } => {
                // Results arrive out of order; `consider` keeps the smallest n on ties, so the
                // order does not matter. Residues with fewer odd steps than the first useful
                // count are ruled out by their first k steps: skipped without a look.
                let useful = bounds.first_useful_odd_steps(base >> self.k, self.k);
                let from = from.max(self.starts[class][useful]).min(to);
                let mut residues = self.by_class[class][from..to].iter();
                let mut first_error = None;
                let floor = bounds.floor();
                self.total_stopping_times(
                    bounds,
                    || {
                        // Candidates whose first k steps already rule them out never start.
                        residues.find_map(|&residue| {
                            let n = base + residue.r();
                            if n < lo || n >= hi {
                                return None;
                            }
                            let (x, steps) = self.first_steps(n, residue);
                            bounds.may_reach(x, steps, floor).then_some((n, x, steps))
                        })
                    },
                    |n, time| match time {
                        Ok(time) => consider(n, time),
                        Err(e) => first_error = better_error(first_error.take(), e),
                    },
                );
                if let Some(e) = first_error {
                    return Err(e);
                }
            }
        }
        Ok(best)
    }

    /// The best candidate of `lo..hi` (`1 ≤ lo < hi`), if it has any; on all cores when the
    /// range is large.
    fn search(&self, lo: u64, hi: u64, bounds: &Bounds<'_>) -> Result<Option<(u64, u64)>, Error> {
        let tasks = self.tasks(lo, hi);
        if hi - lo <= SEQUENTIAL_MAX {
            return tasks
                .iter()
                .map(|task| self.best_of(task, bounds))
                .try_fold(None, |acc, next| better(Ok(acc), next));
        }
        crate::pool::install(|| {
            tasks
                .par_iter()
                .map(|task| self.best_of(task, bounds))
                .reduce(|| Ok(None), better)
        })
    }
}

/// Total stopping times in flight at once (see [`Sieve::total_stopping_times`]).
const LANES: usize = 12;

/// What lets the search give up on a candidate early: the exact longest total stopping times below
/// powers of two, and the longest total stopping time found so far. Both are at most the answer's
/// total stopping time, so a candidate that provably stays *below* either cannot be the answer (nor
/// tie with it): giving it up changes nothing.
#[derive(Debug)]
struct Bounds<'a> {
    /// `below[j]`: the longest total stopping time of any `n < 2^j` (computed by this search for
    /// `limit = 2^j`, which the tests check against a plain scan).
    below: Vec<u64>,
    /// The longest total stopping time of any number examined so far in this search, seeded with
    /// the last entry of `below` (`2^j ≤ limit`, so its maximum is in range too).
    longest: &'a AtomicU64,
}

impl<'a> Bounds<'a> {
    /// Bounds for a search of `1..limit`, or `None` if `poll` asked to stop while they were
    /// being computed.
    fn for_limit(
        sieve: &Sieve,
        limit: u64,
        longest: &'a AtomicU64,
        poll: impl FnMut() -> ControlFlow<()>,
    ) -> Result<Option<Self>, Error> {
        // Powers of two up to 2^-5 of the limit: their searches cost a few percent of this one
        // (and are remembered between calls).
        let bits = 64 - u64::leading_zeros(limit);
        let wanted = bits.saturating_sub(BOUNDS_MARGIN_BITS).min(BOUNDS_MAX_BITS);
        let Some(below) = powers_of_two_records(sieve, wanted, poll)? else {
            return Ok(None);
        };
        longest.fetch_max(below.last().copied().unwrap_or(0), Ordering::Relaxed);
        Ok(Some(Self { below, longest }))
    }

    /// No bounds: every candidate is evaluated to the end.
    #[cfg(test)]
    const fn none(longest: &'a AtomicU64) -> Self {
        Self {
            below: Vec::new(),
            longest,
        }
    }

    /// The longest total stopping time found so far (a floor for the answer's).
    fn floor(&self) -> u64 {
        self.longest.load(Ordering::Relaxed)
    }

    /// Record a total stopping time found; the floor now.
    fn found(&self, time: u64) -> u64 {
        self.longest.fetch_max(time, Ordering::Relaxed).max(time)
    }

    /// For the block `a·2^k + r`: the fewest odd steps `c` among the first `k` steps of `T`
    /// that may still lead to the floor. With `c` odd steps, `T^k(n) = a·3^c + T^k(r) ≤
    /// (a + 1)·3^c` after `k + c` plain steps (`T^k(r) ≤ 3^c` for `r < 2^k`: `x + 1` at most
    /// triples and halves at an odd step of `T` and at most halves, plus ½, at an even one, so
    /// `T^k(r) + 1 ≤ (r + 1)·3^c / 2^k + 1`). That bound grows with `c`, so the residues ruled
    /// out are exactly those below the returned count (21: all of them).
    fn first_useful_odd_steps(&self, a: u64, k: u32) -> usize {
        let floor = self.floor();
        (0..=20)
            .find(|&c| {
                let most = (a + 1).saturating_mul(POWERS_OF_3[c]);
                self.may_reach(most, u64::from(k) + c as u64, floor)
            })
            .unwrap_or(21)
    }

    /// Whether a trajectory at `x` after `steps` steps may still reach a total stopping time of
    /// `floor` (`false` only when it provably cannot).
    #[inline(always)]
    fn may_reach(&self, x: u64, steps: u64, floor: u64) -> bool {
        let bits = (64 - x.leading_zeros()) as usize;
        bits >= self.below.len() || steps + self.below[bits] >= floor
    }
}

/// The largest power of two whose record the search computes for its bounds.
const BOUNDS_MAX_BITS: u32 = 30;

/// The bounds go up to the limit divided by `2^BOUNDS_MARGIN_BITS`.
const BOUNDS_MARGIN_BITS: u32 = 5;

/// `[st below 2^0, st below 2^1, …, st below 2^bits]`: the longest total stopping time of any `n`
/// below each power of two, from the record search itself (remembered between calls), or
/// `None` if `poll` (called between segments of work) asked to stop.
fn powers_of_two_records(
    sieve: &Sieve,
    bits: u32,
    mut poll: impl FnMut() -> ControlFlow<()>,
) -> Result<Option<Vec<u64>>, Error> {
    static KNOWN: Mutex<Vec<u64>> = Mutex::new(Vec::new());
    let wanted = bits as usize + 1;
    let mut records = KNOWN.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if records.is_empty() {
        records = vec![0, 0]; // below 2^0 = 1: nothing; below 2^1: st(1) = 0
    }
    let mut stopped = false;
    while records.len() < wanted && !stopped {
        let limit = 1_u64 << records.len();
        let longest = AtomicU64::new(0);
        let margin = BOUNDS_MARGIN_BITS as usize;
        let bounds = Bounds {
            below: records[..records.len().saturating_sub(margin).max(1)].to_vec(),
            longest: &longest,
        };
        bounds.found(records[bounds.below.len() - 1]);
        match search_in_segments(sieve, limit, &bounds, |_| poll())? {
            ControlFlow::Continue(best) => records.push(best.1),
            ControlFlow::Break(()) => stopped = true,
        }
    }
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    if known.len() < records.len() {
        known.clone_from(&records);
    }
    if stopped {
        return Ok(None);
    }
    records.truncate(wanted);
    Ok(Some(records))
}

/// The best `n` of `1..limit` (`limit ≥ 2`), a segment of [`PROGRESS_NUMBERS`] at a time,
/// calling `after(hi)` when everything below `hi` is covered; `Break` if it asked to stop.
fn search_in_segments(
    sieve: &Sieve,
    limit: u64,
    bounds: &Bounds<'_>,
    mut after: impl FnMut(u64) -> ControlFlow<()>,
) -> Result<ControlFlow<(), (u64, u64)>, Error> {
    let start = limit / 2 + limit % 2; // (limit + 1) / 2 without overflow: proof 1
    let mut best: Option<(u64, u64)> = None;
    let mut lo = start;
    while lo < limit {
        let hi = lo.saturating_add(PROGRESS_NUMBERS).min(limit);
        // Segments go up in order, so the first error is the one with the smallest start.
        best = better(Ok(best), sieve.search(lo, hi, bounds))?;
        lo = hi;
        // Everything below `hi` is covered: below `start` by proof 1, the rest by the search.
        if after(hi).is_break() {
            return Ok(ControlFlow::Break(()));
        }
    }
    // The answer is never given up (nothing provably below it is), so there is one.
    Ok(ControlFlow::Continue(
        best.expect("the range 1..limit has at least one candidate"),
    ))
}

/// A share of the search: plain numbers, or a slice of the surviving residues of one block.
#[derive(Debug, Clone, Copy)]
enum Task {
    Plain {
        lo: u64,
        hi: u64,
    },
    Residues {
        base: u64,
        class: usize,
        from: usize,
        to: usize,
        /// The part of the block in range.
        clip: (u64, u64),
    },
}

/// Merge two partial results: the longer time wins, ties go to the smaller `n`, and of two
/// errors the one with the smaller starting value wins. Associative and commutative, so the
/// answer does not depend on how the range was split.
fn better(
    a: Result<Option<(u64, u64)>, Error>,
    b: Result<Option<(u64, u64)>, Error>,
) -> Result<Option<(u64, u64)>, Error> {
    match (a, b) {
        (Ok(Some(x)), Ok(Some(y))) => Ok(Some(if y.1 > x.1 || (y.1 == x.1 && y.0 < x.0) {
            y
        } else {
            x
        })),
        (Ok(x), Ok(None)) | (Ok(None), Ok(x)) => Ok(x),
        (Err(x), Err(y)) => Err(if overflow_start(&y) < overflow_start(&x) {
            y
        } else {
            x
        }),
        (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
    }
}

/// Of two errors, the one with the smaller starting value.
fn better_error(a: Option<Error>, b: Error) -> Option<Error> {
    Some(match a {
        Some(a) if overflow_start(&a) <= overflow_start(&b) => a,
        _ => b,
    })
}

fn overflow_start(e: &Error) -> u64 {
    match *e {
        Error::Overflow { start, .. } => start,
        _ => u64::MAX,
    }
}

/// Numbers of `1..limit` covered between two calls of the `progress` hook of
/// [`crate::max_total_stopping_time_with`].
pub(crate) const PROGRESS_NUMBERS: u64 = 1 << 22;

/// The search of [`crate::max_total_stopping_time_with`] with a given sieve.
pub(crate) fn max_total_stopping_time_with(
    sieve: &Sieve,
    limit: u64,
    mut progress: impl FnMut(u64, u64) -> ControlFlow<()>,
) -> Result<Option<(u64, u64)>, Error> {
    if limit < 2 {
        return Err(Error::LimitTooSmall { limit });
    }
    let total = limit - 1;
    let longest = AtomicU64::new(0);
    // While the bounds are prepared nothing of the range is covered yet: progress 0.
    let Some(bounds) = Bounds::for_limit(sieve, limit, &longest, || progress(0, total))? else {
        return Ok(None);
    };
    match search_in_segments(sieve, limit, &bounds, |hi| progress(hi - 1, total))? {
        ControlFlow::Continue(best) => Ok(Some(best)),
        ControlFlow::Break(()) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Total stopping times of `0..bound` (index 0 unused), by the plain loop.
    fn plain_times(bound: u64) -> Vec<u64> {
        let mut times = vec![0; bound as usize];
        for n in 1..bound {
            times[n as usize] = crate::plain::total_stopping_time_from(n).expect("small n");
        }
        times
    }

    #[test]
    fn every_proof_holds_for_every_n_it_skips() {
        const BOUND: u64 = 1 << 20;
        let times = plain_times(BOUND);
        let st = |m: u64| times[m as usize];
        for n in 2..BOUND {
            let (t, m) = (st(n), n);
            if n >= 5 && n % 3 == 2 {
                let m2 = (2 * m - 1) / 3;
                assert_eq!(st(m2), t + 2, "proof 2, n = {n}");
            }
            if n >= 10 && n % 6 == 4 {
                assert_eq!(st((n - 1) / 3), t + 1, "proof 3, n = {n}");
            }
            if n >= 4 && n % 9 == 4 {
                assert_eq!(st((8 * n - 5) / 9), t + 5, "proof 4, n = {n}");
            }
        }
        // Proof 5 at two sizes: a residue is left out of the lists exactly when a smaller
        // residue has the same first k steps (by the table), and then every n >= 2^k in its
        // class has the same total stopping time as its twin; the lists keep exactly the residues
        // without a smaller twin whose numbers survive proofs 2-4.
        for k in [8, 12] {
            let sieve = Sieve::new(k);
            let size = 1_usize << k;
            let key = |r: usize| (sieve.odd_steps[r], sieve.tails[r]);
            let smallest_twin: Vec<usize> = (0..size)
                .map(|r| (0..=r).find(|&r2| key(r2) == key(r)).expect("r itself"))
                .collect();
            for n in (1 << k)..BOUND {
                let r = (n & ((1 << k) - 1)) as usize;
                let twin = smallest_twin[r];
                if twin < r {
                    assert_eq!(
                        st(n - r as u64 + twin as u64),
                        st(n),
                        "proof 5 (k = {k}), n = {n}"
                    );
                }
            }
            for b in 0..9_u64 {
                let expected: Vec<Residue> = (0..size)
                    .filter(|&r| smallest_twin[r] == r)
                    .filter(|&r| survives_mod_18(18 + class_base(b) + r as u64))
                    .map(|r| Residue::new(r as u32, sieve.odd_steps[r], sieve.tails[r]))
                    .collect();
                let mut got = sieve.by_class[b as usize].clone();
                got.sort_unstable_by_key(|r| r.r());
                assert_eq!(got, expected, "k = {k}, class {b}");
                let list = &sieve.by_class[b as usize];
                assert!(
                    list.windows(2)
                        .all(|w| (w[0].odd_steps(), w[0].r()) < (w[1].odd_steps(), w[1].r()))
                );
                for c in 0..=20 {
                    let start = sieve.starts[b as usize][c];
                    assert!(list[..start].iter().all(|r| r.odd_steps() < c as u64));
                    assert!(list[start..].iter().all(|r| r.odd_steps() >= c as u64));
                }
            }
        }
    }

    #[test]
    fn the_table_starts_the_total_stopping_time_right() {
        let sieve = Sieve::new(8);
        for n in 1..100_000 {
            assert_eq!(
                sieve.total_stopping_time_via_tables(n),
                total_stopping_time(n),
                "{n}"
            );
        }
        let edge = ((u64::MAX - u64::from(u32::MAX)) / POWERS_OF_3[20]) << K;
        for n in [
            u64::MAX,
            u64::MAX - 1,
            7_887_663_552_367,
            1 << 63,
            edge - 1,
            edge,
            edge + 1,
        ] {
            assert_eq!(
                Sieve::shared().total_stopping_time_via_tables(n),
                total_stopping_time(n),
                "{n}"
            );
        }
    }

    #[test]
    fn the_first_k_steps_of_a_residue_stay_below_3_to_the_odd_steps() {
        // The bound `first_useful_odd_steps` rests on: T^k(r) <= 3^c(r) for r < 2^k.
        let sieve = Sieve::new(20);
        for r in 0..1_usize << 20 {
            assert!(
                u64::from(sieve.tails[r]) <= POWERS_OF_3[usize::from(sieve.odd_steps[r])],
                "{r}"
            );
        }
    }

    #[test]
    fn about_a_tenth_of_the_residues_are_examined() {
        // A quarter survive proof 5, and 8 of 18 of those proofs 2-4.
        let kept: usize = Sieve::shared().by_class.iter().map(Vec::len).sum();
        let share = kept as f64 / 9.0 / f64::from(1 << K);
        assert!((0.08..0.13).contains(&share), "{share}");
    }

    /// The answer for every limit up to `bound`, by a plain scan: `answers[limit]`.
    fn scan_answers(bound: u64) -> Vec<(u64, u64)> {
        let times = plain_times(bound);
        let mut answers = vec![(0, 0); bound as usize + 1];
        let mut best = (1, 0);
        for limit in 2..=bound {
            let n = limit - 1;
            if times[n as usize] > best.1 {
                best = (n, times[n as usize]);
            }
            answers[limit as usize] = best;
        }
        answers
    }

    #[test]
    #[ignore = "long (15 s): `make test-long`, run by CI"]
    fn every_limit_up_to_100_000_agrees_with_a_plain_scan() {
        const BOUND: u64 = 100_000;
        let answers = scan_answers(BOUND);
        let small = Sieve::new(6); // the twin sieve at work from n = 64 on
        for limit in 2..=BOUND {
            let continue_ = |_, _| ControlFlow::Continue(());
            let expected = Some(answers[limit as usize]);
            assert_eq!(
                max_total_stopping_time_with(&small, limit, continue_),
                Ok(expected),
                "{limit}"
            );
            if limit % 97 == 0 {
                assert_eq!(
                    max_total_stopping_time_with(Sieve::shared(), limit, continue_),
                    Ok(expected),
                    "{limit}"
                );
            }
        }
    }
}
