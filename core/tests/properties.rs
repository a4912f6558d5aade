//! The core against an independent `u128` model of the Collatz map, on fixed cases and on
//! generated inputs across the whole `u64` range.

use collatz_core::{
    Error, MAX_ODD_STEP, iterate, max_stopping_time, step, stopping_time, stopping_times,
};
use proptest::prelude::*;

const LIMIT: u128 = u64::MAX as u128;

/// A model value known to be in the `u64` range (every value the model keeps is).
fn narrow(x: u128) -> u64 {
    u64::try_from(x).expect("the model never keeps a value above u64::MAX")
}

/// One step in `u128`, where nothing can overflow; `None` when the result leaves `u64`.
fn model_step(n: u128) -> Option<u128> {
    let next = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
    (next <= LIMIT).then_some(next)
}

fn model_iterate(n: u64, k: u64) -> Result<u64, Error> {
    let mut x = u128::from(n);
    for _ in 0..k {
        x = model_step(x).ok_or(Error::Overflow {
            start: n,
            at: narrow(x),
            index: None,
        })?;
    }
    Ok(narrow(x))
}

fn model_stopping_time(n: u64) -> Result<u64, Error> {
    let (mut x, mut steps) = (u128::from(n), 0);
    while x != 1 {
        x = model_step(x).ok_or(Error::Overflow {
            start: n,
            at: narrow(x),
            index: None,
        })?;
        steps += 1;
    }
    Ok(steps)
}

#[test]
fn known_values() {
    assert_eq!(step(1), Ok(4));
    assert_eq!(step(2), Ok(1));
    assert_eq!(step(27), Ok(82));
    assert_eq!(iterate(27, 0), Ok(27));
    assert_eq!(
        iterate(1, 3),
        Ok(1),
        "the 1 -> 4 -> 2 -> 1 cycle is walked, not skipped"
    );
    assert_eq!(iterate(1, 4), Ok(4));
    assert_eq!(stopping_time(1), Ok(0));
    assert_eq!(stopping_time(27), Ok(111));
    assert_eq!(stopping_time(97), Ok(118));
    assert_eq!(stopping_time(63_728_127), Ok(949));
    // Well-known record holders for the longest stopping time below a limit.
    assert_eq!(max_stopping_time(2), Ok((1, 0)));
    assert_eq!(max_stopping_time(10), Ok((9, 19)));
    assert_eq!(max_stopping_time(100), Ok((97, 118)));
    assert_eq!(max_stopping_time(1_000), Ok((871, 178)));
    assert_eq!(max_stopping_time(1_000_000), Ok((837_799, 524)));
}

#[test]
fn zero_is_rejected() {
    let zero = Err(Error::Zero { index: None });
    assert_eq!(step(0), zero);
    assert_eq!(iterate(0, 0), zero);
    assert_eq!(stopping_time(0), zero);
    assert_eq!(max_stopping_time(1), Err(Error::LimitTooSmall { limit: 1 }));
    assert_eq!(max_stopping_time(0), Err(Error::LimitTooSmall { limit: 0 }));
}

#[test]
fn overflow_is_reported_never_wrapped() {
    let top = u64::MAX;
    assert_eq!(
        step(top),
        Err(Error::Overflow {
            start: top,
            at: top,
            index: None
        })
    );
    let largest_odd = MAX_ODD_STEP - 1; // MAX_ODD_STEP itself is even
    assert_eq!(
        step(largest_odd),
        Ok(u64::MAX - 5),
        "the largest odd step still fits"
    );
    assert!(step(largest_odd + 2).unwrap_err().is_overflow());
    assert_eq!(iterate(top, 0), Ok(top));
    assert!(iterate(top, 1).unwrap_err().is_overflow());
    // Even, so the first step halves to 2^63 - 1, which is odd and too large to step again.
    assert_eq!(iterate(top - 1, 1), Ok(top >> 1));
    assert_eq!(
        iterate(top - 1, 2),
        Err(Error::Overflow {
            start: top - 1,
            at: top >> 1,
            index: None
        })
    );
    let err = stopping_time(top - 1).unwrap_err();
    assert!(err.is_overflow(), "{err}");
    assert!(err.to_string().contains(&(top - 1).to_string()));
}

#[test]
fn messages_name_the_value_and_index() {
    assert_eq!(step(0).unwrap_err().to_string(), "n must be >= 1, got 0");
    assert_eq!(
        step(u64::MAX).unwrap_err().to_string(),
        "step(18446744073709551615) overflows: 3 * 18446744073709551615 + 1 exceeds 2**64 - 1"
    );
    let mut out = [0; 3];
    let err = stopping_times(&[1, 0, 2], &mut out).unwrap_err();
    assert_eq!(err, Error::Zero { index: Some(1) });
    assert_eq!(err.to_string(), "element 1 must be >= 1, got 0");
    assert_eq!(
        max_stopping_time(1).unwrap_err().to_string(),
        "limit must be >= 2, got 1"
    );
}

#[test]
fn slices() {
    let mut out = [u64::MAX; 0];
    assert_eq!(stopping_times(&[], &mut out), Ok(()));
    let mut out = [0; 2];
    assert_eq!(
        stopping_times(&[1, 2, 3], &mut out),
        Err(Error::LengthMismatch { values: 3, out: 2 })
    );
    // Zeros are reported before overflows, whatever their order.
    let mut out = [0; 3];
    assert_eq!(
        stopping_times(&[u64::MAX, 5, 0], &mut out),
        Err(Error::Zero { index: Some(2) })
    );
    let err = stopping_times(&[5, u64::MAX, 7], &mut out).unwrap_err();
    assert_eq!(
        err,
        Error::Overflow {
            start: u64::MAX,
            at: u64::MAX,
            index: Some(1)
        }
    );
}

#[test]
fn large_slices_run_in_parallel_and_agree() {
    let n = collatz_core::PARALLEL_MIN_LEN * 4 + 17;
    let values: Vec<u64> = (1..=n as u64).collect();
    let mut out = vec![0; n];
    stopping_times(&values, &mut out).unwrap();
    for (&v, &t) in values.iter().zip(&out).step_by(97) {
        assert_eq!(Ok(t), model_stopping_time(v));
    }
    // The first bad element is reported, wherever the chunks split.
    let mut bad = values.clone();
    bad[n - 3] = u64::MAX;
    bad[n / 2] = u64::MAX - 2;
    let err = stopping_times(&bad, &mut out).unwrap_err();
    assert_eq!(err.index(), Some(n / 2));
    bad[n - 1] = 0;
    assert_eq!(
        stopping_times(&bad, &mut out),
        Err(Error::Zero { index: Some(n - 1) })
    );
}

#[test]
fn max_stopping_time_agrees_with_a_scan() {
    for limit in [3, 27, 1_000, 40_000, 100_003] {
        let expected = (1..limit)
            .map(|n| (n, model_stopping_time(n).unwrap()))
            .fold((1, 0), |best, x| if x.1 > best.1 { x } else { best });
        assert_eq!(max_stopping_time(limit), Ok(expected), "limit {limit}");
    }
}

/// Where the fast path hands over to checked single steps: `2^79 / 3^16 - 1`, computed here
/// independently of the crate.
#[allow(clippy::cast_possible_truncation)] // 2^79 / 3^16 < 2^64
const FAST_PATH_LIMIT: u64 = ((1_u128 << 79) / 43_046_721 - 1) as u64;

/// Starting values spread over the whole range, with the edges well represented: small values,
/// the stopping-time table's edge (2^17), the fast path's limit, and the overflow boundary.
fn any_n() -> impl Strategy<Value = u64> {
    prop_oneof![
        1..=1_000_000u64,
        1..=u64::MAX,
        (1 << 17) - 64..(1 << 17) + 64u64,
        (FAST_PATH_LIMIT - 100_000)..=(FAST_PATH_LIMIT + 100_000),
        (MAX_ODD_STEP - 1000)..=(MAX_ODD_STEP + 1000),
        (u64::MAX - 1000)..=u64::MAX,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn step_matches_model(n in any_n()) {
        prop_assert_eq!(step(n), model_iterate(n, 1));
    }

    #[test]
    fn iterate_matches_model(n in any_n(), k in 0..2_000u64) {
        prop_assert_eq!(iterate(n, k), model_iterate(n, k));
    }

    #[test]
    fn iterate_matches_plain_loop_for_long_runs(n in any_n(), k in 0..200_000u64) {
        prop_assert_eq!(iterate(n, k), collatz_core::plain::iterate_from(n, k));
    }

    #[test]
    fn stopping_time_matches_model(n in any_n()) {
        prop_assert_eq!(stopping_time(n), model_stopping_time(n));
    }

    #[test]
    fn stopping_times_matches_scalar(values in proptest::collection::vec(any_n(), 0..64)) {
        let mut out = vec![0; values.len()];
        let got = stopping_times(&values, &mut out);
        let expected: Result<Vec<u64>, Error> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| stopping_time(v).map_err(|e| e.at_index(i)))
            .collect();
        match expected {
            Ok(times) => { prop_assert_eq!(got, Ok(())); prop_assert_eq!(out, times); }
            Err(e) => prop_assert_eq!(got, Err(e)),
        }
    }
}

#[test]
fn polling_variants_stop_when_asked_and_agree_otherwise() {
    use std::ops::ControlFlow;

    use collatz_core::{POLL_STEPS, PROGRESS_NUMBERS, iterate_polling, max_stopping_time_with};

    let k = 2 * POLL_STEPS + 12_345;
    let mut polls = 0;
    assert_eq!(
        iterate_polling(27, k, |done| {
            polls += 1;
            assert_eq!(done, polls * POLL_STEPS);
            false
        }),
        iterate(27, k).map(Some)
    );
    assert_eq!(polls, 2, "asked between chunks, not after the last one");
    assert_eq!(iterate_polling(27, k, |_| true), Ok(None));
    assert_eq!(
        iterate_polling(0, k, |_| true),
        Err(Error::Zero { index: None })
    );
    assert!(
        iterate_polling(u64::MAX, k, |_| true)
            .unwrap_err()
            .is_overflow()
    );

    // Progress: total = limit - 1; done non-decreasing, ending at total; Break stops.
    let limit = 3 * PROGRESS_NUMBERS + 17;
    let mut calls = Vec::new();
    let best = max_stopping_time_with(limit, |done, total| {
        calls.push((done, total));
        ControlFlow::Continue(())
    });
    assert_eq!(best, max_stopping_time(limit).map(Some));
    assert!(calls.len() >= 2, "{calls:?}");
    assert!(calls.iter().all(|&(_, total)| total == limit - 1));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
    assert_eq!(calls.last(), Some(&(limit - 1, limit - 1)));
    let mut seen = 0;
    assert_eq!(
        max_stopping_time_with(limit, |_, _| {
            seen += 1;
            ControlFlow::Break(())
        }),
        Ok(None)
    );
    assert_eq!(seen, 1, "not called again after Break");
    let mut small = Vec::new();
    assert_eq!(
        max_stopping_time_with(2, |done, total| {
            small.push((done, total));
            ControlFlow::Continue(())
        }),
        Ok(Some((1, 0)))
    );
    assert_eq!(small, [(1, 1)], "at least one call, at the end");
    assert_eq!(
        max_stopping_time_with(1, |_, _| ControlFlow::Break(())),
        Err(Error::LimitTooSmall { limit: 1 })
    );
}
