//! The core against an independent `u128` model of the Collatz map, on fixed cases and on
//! generated inputs across the whole `u64` range.

use collatz_core::{
    Error, MAX_ODD_STEP, iterate, max_total_stopping_time, step, total_stopping_time,
    total_stopping_times,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// One step in `u128`, checked: `None` if the result does not fit in a `u128`. (Values of the
/// trajectories of `u64` starts stay far below that; the check keeps the model honest.)
fn model_step(x: u128) -> Option<u128> {
    if x % 2 == 0 {
        Some(x / 2)
    } else {
        x.checked_mul(3)?.checked_add(1)
    }
}

fn model_overflow(start: u64, at: u128) -> Error {
    Error::Overflow {
        start,
        at,
        index: None,
    }
}

/// `step`: its result is handed out, so it must fit in a `u64`.
fn model_single_step(n: u64) -> Result<u64, Error> {
    let next = model_step(u128::from(n)).expect("a u64 step fits in u128");
    u64::try_from(next).map_err(|_| model_overflow(n, u128::from(n)))
}

/// `iterate`: any value on the way (below 2^128); only the result must fit in a `u64`.
fn model_iterate(n: u64, k: u64) -> Result<u64, Error> {
    let mut x = u128::from(n);
    for _ in 0..k {
        x = model_step(x).ok_or(model_overflow(n, x))?;
    }
    u64::try_from(x).map_err(|_| Error::ResultOverflow {
        start: n,
        k,
        value: x,
    })
}

fn model_total_stopping_time(n: u64) -> Result<u64, Error> {
    let (mut x, mut steps) = (u128::from(n), 0);
    while x != 1 {
        x = model_step(x).ok_or(model_overflow(n, x))?;
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
    assert_eq!(total_stopping_time(1), Ok(0));
    assert_eq!(total_stopping_time(27), Ok(111));
    assert_eq!(total_stopping_time(97), Ok(118));
    assert_eq!(total_stopping_time(63_728_127), Ok(949));
    // Well-known record holders for the longest total stopping time below a limit.
    assert_eq!(max_total_stopping_time(2), Ok((1, 0)));
    assert_eq!(max_total_stopping_time(10), Ok((9, 19)));
    assert_eq!(max_total_stopping_time(100), Ok((97, 118)));
    assert_eq!(max_total_stopping_time(1_000), Ok((871, 178)));
    assert_eq!(max_total_stopping_time(1_000_000), Ok((837_799, 524)));
}

#[test]
fn zero_is_rejected() {
    let zero = Err(Error::Zero { index: None });
    assert_eq!(step(0), zero);
    assert_eq!(iterate(0, 0), zero);
    assert_eq!(total_stopping_time(0), zero);
    assert_eq!(
        max_total_stopping_time(1),
        Err(Error::LimitTooSmall { limit: 1 })
    );
    assert_eq!(
        max_total_stopping_time(0),
        Err(Error::LimitTooSmall { limit: 0 })
    );
}

#[test]
fn overflow_is_reported_never_wrapped() {
    let top = u64::MAX;
    assert_eq!(
        step(top),
        Err(Error::Overflow {
            start: top,
            at: u128::from(top),
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
    // iterate's result must fit; the values on the way need not.
    assert_eq!(
        iterate(top, 1),
        Err(Error::ResultOverflow {
            start: top,
            k: 1,
            value: 3 * u128::from(top) + 1
        })
    );
    assert_eq!(iterate(top - 1, 1), Ok(top >> 1));
    let err = iterate(top - 1, 2).unwrap_err();
    assert!(err.is_overflow());
    assert_eq!(
        err.to_string(),
        format!(
            "iterate({}, 2) is {}, which exceeds 2**64 - 1",
            top - 1,
            3 * u128::from(top >> 1) + 1
        )
    );
    // Up past 2^64 and back: iterate returns the value once it fits again.
    let back = (1..500)
        .find(|&k| model_iterate(top, k).is_ok())
        .expect("the trajectory of 2^64 - 1 comes back below 2^64");
    assert!(back > 1);
    assert_eq!(iterate(top, back), model_iterate(top, back));
    assert!(iterate(top, back).is_ok());
}

#[test]
fn counts_continue_past_u64_in_128_bit_arithmetic() {
    // The n below 10^13, 10^17 and 10^18 with the longest total stopping times climb past 2^64
    // (published record tables).
    assert_eq!(total_stopping_time(7_887_663_552_367), Ok(1563));
    assert_eq!(total_stopping_time(93_571_393_692_802_302), Ok(2091));
    assert_eq!(total_stopping_time(931_386_509_544_713_451), Ok(2283));
    for n in [
        u64::MAX,
        u64::MAX - 1,
        u64::MAX - 2,
        MAX_ODD_STEP + 2,
        1 << 63,
    ] {
        assert_eq!(total_stopping_time(n), model_total_stopping_time(n), "{n}");
        assert!(total_stopping_time(n).is_ok());
    }
    let mut out = [0; 3];
    total_stopping_times(&[5, u64::MAX, 7_887_663_552_367], &mut out).unwrap();
    assert_eq!(out, [5, model_total_stopping_time(u64::MAX).unwrap(), 1563]);
}

#[test]
fn messages_name_the_value_and_index() {
    assert_eq!(step(0).unwrap_err().to_string(), "n must be >= 1, got 0");
    assert_eq!(
        step(u64::MAX).unwrap_err().to_string(),
        "step(18446744073709551615) overflows: 3 * 18446744073709551615 + 1 exceeds 2**64 - 1"
    );
    let mut out = [0; 3];
    let err = total_stopping_times(&[1, 0, 2], &mut out).unwrap_err();
    assert_eq!(err, Error::Zero { index: Some(1) });
    assert_eq!(err.to_string(), "element 1 must be >= 1, got 0");
    assert_eq!(
        max_total_stopping_time(1).unwrap_err().to_string(),
        "limit must be >= 2, got 1"
    );
}

#[test]
fn slices() {
    let mut out = [u64::MAX; 0];
    assert_eq!(total_stopping_times(&[], &mut out), Ok(()));
    let mut out = [0; 2];
    assert_eq!(
        total_stopping_times(&[1, 2, 3], &mut out),
        Err(Error::LengthMismatch { values: 3, out: 2 })
    );
    let mut out = [0; 3];
    assert_eq!(
        total_stopping_times(&[u64::MAX, 5, 0], &mut out),
        Err(Error::Zero { index: Some(2) })
    );
}

#[test]
fn large_slices_run_in_parallel_and_agree() {
    let n = collatz_core::PARALLEL_MIN_LEN * 4 + 17;
    let values: Vec<u64> = (1..=n as u64).collect();
    let mut out = vec![0; n];
    total_stopping_times(&values, &mut out).unwrap();
    for (&v, &t) in values.iter().zip(&out).step_by(97) {
        assert_eq!(Ok(t), model_total_stopping_time(v));
    }
    // The first bad element is reported, wherever the chunks split.
    let mut bad = values.clone();
    bad[n - 3] = 0;
    bad[n / 2] = 0;
    let err = total_stopping_times(&bad, &mut out).unwrap_err();
    assert_eq!(err, Error::Zero { index: Some(n / 2) });
}

#[test]
fn max_total_stopping_time_agrees_with_a_scan() {
    for limit in [3, 27, 1_000, 40_000, 100_003] {
        let expected = (1..limit)
            .map(|n| (n, model_total_stopping_time(n).unwrap()))
            .fold((1, 0), |best, x| if x.1 > best.1 { x } else { best });
        assert_eq!(
            max_total_stopping_time(limit),
            Ok(expected),
            "limit {limit}"
        );
    }
}

/// Where the fast path hands over to checked single steps: `2^79 / 3^16 - 1`, computed here
/// independently of the crate.
#[allow(clippy::cast_possible_truncation)] // 2^79 / 3^16 < 2^64
const FAST_PATH_LIMIT: u64 = ((1_u128 << 79) / 43_046_721 - 1) as u64;

/// Starting values spread over the whole range, with the edges well represented: small values,
/// the total-stopping-time table's edge (2^17), the fast path's limit, and the overflow boundary.
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
        prop_assert_eq!(step(n), model_single_step(n));
    }

    #[test]
    fn iterate_matches_model(n in any_n(), k in 0..2_000u64) {
        prop_assert_eq!(iterate(n, k), model_iterate(n, k));
    }

    #[test]
    fn iterate_matches_plain_loop_for_long_runs(n in any_n(), k in 0..200_000u64) {
        // The plain loop stops at u64's edge; where it gets through, the results agree.
        if let Ok(plain) = collatz_core::plain::iterate_from(n, k) {
            prop_assert_eq!(iterate(n, k), Ok(plain));
        }
    }

    #[test]
    fn iterate_matches_model_past_u64(n in (u64::MAX - 1_000_000)..=u64::MAX, k in 0..3_000u64) {
        prop_assert_eq!(iterate(n, k), model_iterate(n, k));
    }

    #[test]
    fn total_stopping_time_matches_model(n in any_n()) {
        prop_assert_eq!(total_stopping_time(n), model_total_stopping_time(n));
    }

    #[test]
    fn total_stopping_times_matches_scalar(values in proptest::collection::vec(any_n(), 0..64)) {
        let mut out = vec![0; values.len()];
        let got = total_stopping_times(&values, &mut out);
        let expected: Result<Vec<u64>, Error> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| total_stopping_time(v).map_err(|e| e.at_index(i)))
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

    use collatz_core::{
        POLL_STEPS, PROGRESS_NUMBERS, iterate_polling, max_total_stopping_time_with,
    };

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
        iterate_polling(u64::MAX, 1, |_| true)
            .unwrap_err()
            .is_overflow()
    );

    // Progress: total = limit - 1; done non-decreasing, ending at total; Break stops.
    let limit = 3 * PROGRESS_NUMBERS + 17;
    let mut calls = Vec::new();
    let best = max_total_stopping_time_with(limit, |done, total| {
        calls.push((done, total));
        ControlFlow::Continue(())
    });
    assert_eq!(best, max_total_stopping_time(limit).map(Some));
    assert!(calls.len() >= 2, "{calls:?}");
    assert!(calls.iter().all(|&(_, total)| total == limit - 1));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
    assert_eq!(calls.last(), Some(&(limit - 1, limit - 1)));
    let mut seen = 0;
    assert_eq!(
        max_total_stopping_time_with(limit, |_, _| {
            seen += 1;
            ControlFlow::Break(())
        }),
        Ok(None)
    );
    assert_eq!(seen, 1, "not called again after Break");
    let mut small = Vec::new();
    assert_eq!(
        max_total_stopping_time_with(2, |done, total| {
            small.push((done, total));
            ControlFlow::Continue(())
        }),
        Ok(Some((1, 0)))
    );
    assert_eq!(small, [(1, 1)], "at least one call, at the end");
    assert_eq!(
        max_total_stopping_time_with(1, |_, _| ControlFlow::Break(())),
        Err(Error::LimitTooSmall { limit: 1 })
    );
}

/// The record holders below `bound` (each `n` whose total stopping time beats every smaller `n`),
/// by a plain scan on all cores: the answer of `max_total_stopping_time(limit)` is the last one
/// below `limit`.
fn records_below(bound: u64) -> Vec<(u64, u64)> {
    use rayon::prelude::*;
    const CHUNK: u64 = 1 << 16;
    let local: Vec<Vec<(u64, u64)>> = (0..bound.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut records = Vec::new();
            let mut best = None;
            for n in (c * CHUNK).max(1)..((c + 1) * CHUNK).min(bound) {
                let t = collatz_core::plain::total_stopping_time_from(n).expect("small n");
                if best.is_none_or(|b| t > b) {
                    best = Some(t);
                    records.push((n, t));
                }
            }
            records
        })
        .collect();
    let mut records: Vec<(u64, u64)> = Vec::new();
    for (n, t) in local.into_iter().flatten() {
        if records.last().is_none_or(|&(_, best)| t > best) {
            records.push((n, t));
        }
    }
    records
}

#[test]
#[ignore = "long (13 s): `make test-long`, run by CI"]
fn max_total_stopping_time_agrees_with_a_plain_scan_for_random_limits_up_to_10_8() {
    let records = records_below(100_000_000);
    let answer = |limit: u64| *records.iter().rev().find(|&&(n, _)| n < limit).unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let limits = (2..=100_000_000_u64, 2..=1_000_000_u64);
    for _ in 0..40 {
        let (large, small) = limits.new_tree(&mut runner).unwrap().current();
        for limit in [large, small] {
            assert_eq!(
                max_total_stopping_time(limit),
                Ok(answer(limit)),
                "limit {limit}"
            );
        }
    }
    // Just above and at every record: where a wrongly skipped answer would show first.
    for &(n, _) in records.iter().filter(|&&(n, _)| n > 2) {
        assert_eq!(
            max_total_stopping_time(n + 1),
            Ok(answer(n + 1)),
            "limit {}",
            n + 1
        );
        assert_eq!(max_total_stopping_time(n), Ok(answer(n)), "limit {n}");
    }
}

#[test]
#[ignore = "long (7 s): `make test-long`, run by CI"]
fn max_total_stopping_time_finds_the_published_records() {
    // The n below 10^k with the longest total stopping time, k = 1 ..= 10 (published record tables).
    let published = [
        (9, 19),
        (97, 118),
        (871, 178),
        (6_171, 261),
        (77_031, 350),
        (837_799, 524),
        (8_400_511, 685),
        (63_728_127, 949),
        (670_617_279, 986),
        (9_780_657_630, 1132),
    ];
    for (k, &expected) in (1..=10).zip(&published) {
        assert_eq!(
            max_total_stopping_time(10_u64.pow(k)),
            Ok(expected),
            "10^{k}"
        );
    }
}
