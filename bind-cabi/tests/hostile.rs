//! Every `extern "C"` function called from Rust the way a careless C caller would: null
//! pointers, zero and huge lengths, misaligned and aliased buffers. Each returns its documented
//! status code and never dereferences what it should not.

use std::ffi::{CStr, c_char, c_void};
use std::ptr;

use collatz_cabi::*;

fn message() -> String {
    let mut buf = [0 as c_char; 256];
    // SAFETY: `buf` has 256 writable bytes.
    unsafe { collatz_last_error_message(buf.as_mut_ptr(), buf.len()) };
    // SAFETY: the function NUL-terminates within `cap`.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn scalars_report_failures_with_sentinels() {
    assert_eq!(collatz_step(0), 0);
    assert_eq!(collatz_last_error(), COLLATZ_ERR_INVALID);
    assert_eq!(collatz_step(u64::MAX), 0);
    assert_eq!(collatz_last_error(), COLLATZ_ERR_OVERFLOW);
    assert!(message().contains("18446744073709551615"));
    assert_eq!(collatz_iterate(0, 0), 0);
    assert_eq!(
        collatz_iterate(u64::MAX, 0),
        u64::MAX,
        "k = 0 returns n, even u64::MAX"
    );
    assert_eq!(
        collatz_total_stopping_time(0),
        COLLATZ_TOTAL_STOPPING_TIME_ERROR
    );
    assert_eq!(collatz_total_stopping_time(1), 0);
    // Counts go on past u64 (in 128-bit arithmetic); a result that does not fit fails.
    assert_eq!(collatz_total_stopping_time(7_887_663_552_367), 1563);
    assert_ne!(
        collatz_total_stopping_time(u64::MAX - 1),
        COLLATZ_TOTAL_STOPPING_TIME_ERROR
    );
    assert_eq!(collatz_iterate(u64::MAX - 1, 2), 0);
    assert_eq!(collatz_last_error(), COLLATZ_ERR_OVERFLOW);
    assert!(
        message().contains("which exceeds 2**64 - 1"),
        "{}",
        message()
    );
}

#[test]
fn null_pointers_and_lengths() {
    let values = [1_u64, 2, 3];
    let mut out = [0_u64; 3];
    // SAFETY: every non-null pointer below points to `len` valid elements; the null ones and
    // the impossible lengths must be rejected without being dereferenced.
    unsafe {
        assert_eq!(
            collatz_total_stopping_times(ptr::null(), ptr::null_mut(), 0),
            COLLATZ_OK
        );
        assert_eq!(
            collatz_total_stopping_times(values.as_ptr(), ptr::null_mut(), 0),
            COLLATZ_OK
        );
        assert_eq!(
            collatz_total_stopping_times(ptr::null(), out.as_mut_ptr(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_total_stopping_times(values.as_ptr(), ptr::null_mut(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_total_stopping_times(ptr::null(), ptr::null_mut(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        for huge in [usize::MAX, usize::MAX / 8 + 1, isize::MAX as usize] {
            assert_eq!(
                collatz_total_stopping_times(values.as_ptr(), out.as_mut_ptr(), huge),
                COLLATZ_ERR_ARGUMENT,
                "len {huge}"
            );
        }
        assert_eq!(
            collatz_total_stopping_times(values.as_ptr(), out.as_mut_ptr(), 3),
            COLLATZ_OK
        );
    }
    assert_eq!(out, [0, 1, 7]);

    let mut n = 0_u64;
    let mut steps = 0_u64;
    // SAFETY: the out pointers are valid or null.
    unsafe {
        assert_eq!(
            collatz_max_total_stopping_time(10, None, ptr::null_mut(), ptr::null_mut(), &mut steps),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_max_total_stopping_time(10, None, ptr::null_mut(), &mut n, ptr::null_mut()),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_max_total_stopping_time(1, None, ptr::null_mut(), &mut n, &mut steps),
            COLLATZ_ERR_INVALID
        );
        assert_eq!((n, steps), (0, 0), "nothing is written on failure");
        assert_eq!(
            collatz_max_total_stopping_time(10, None, ptr::null_mut(), &mut n, &mut steps),
            COLLATZ_OK
        );
    }
    assert_eq!((n, steps), (9, 19));
}

#[test]
fn misaligned_and_overlapping_buffers() {
    let mut buffer = [1_u64, 27, 97, 871, 6, 0];
    let base = buffer.as_mut_ptr();
    // SAFETY: every pointer stays inside `buffer`; misaligned ones must be rejected unread.
    unsafe {
        let odd = base.cast::<u8>().add(1).cast::<u64>();
        assert_eq!(
            collatz_total_stopping_times(odd, base.add(4), 1),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_total_stopping_times(base, odd, 1),
            COLLATZ_ERR_ARGUMENT
        );
        // Partial overlap is refused...
        assert_eq!(
            collatz_total_stopping_times(base, base.add(1), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert!(message().contains("overlap"));
        assert_eq!(
            collatz_total_stopping_times(base.add(1), base, 3),
            COLLATZ_ERR_ARGUMENT
        );
        // ... exact aliasing is computed in place.
        assert_eq!(collatz_total_stopping_times(base, base, 4), COLLATZ_OK);
    }
    assert_eq!(buffer[..4], [0, 111, 118, 178]);
    // Adjacent, not overlapping: fine.
    let mut pair = [27_u64, 0];
    let p = pair.as_mut_ptr();
    // SAFETY: two disjoint one-element ranges inside `pair`.
    unsafe { assert_eq!(collatz_total_stopping_times(p, p.add(1), 1), COLLATZ_OK) };
    assert_eq!(pair, [27, 111]);
}

#[test]
fn invalid_elements_name_their_index() {
    let values = [5_u64, u64::MAX, 0];
    let mut out = [0_u64; 3];
    // SAFETY: valid buffers of 3 elements.
    let status = unsafe { collatz_total_stopping_times(values.as_ptr(), out.as_mut_ptr(), 3) };
    assert_eq!(
        status, COLLATZ_ERR_INVALID,
        "the zero wins over the earlier overflow"
    );
    assert_eq!(message(), "element 2 must be >= 1, got 0");
}

#[test]
fn message_buffer_edge_cases() {
    assert_eq!(collatz_step(0), 0);
    // SAFETY: null/zero-capacity buffers are only measured; the others are valid.
    unsafe {
        let len = collatz_last_error_message(ptr::null_mut(), 0);
        assert_eq!(len, "n must be >= 1, got 0".len());
        let mut one = [1 as c_char; 1];
        assert_eq!(collatz_last_error_message(one.as_mut_ptr(), 1), len);
        assert_eq!(one[0], 0, "cap 1 leaves room for the NUL only");
        let mut tiny = [1 as c_char; 4];
        collatz_last_error_message(tiny.as_mut_ptr(), tiny.len());
        assert_eq!(CStr::from_ptr(tiny.as_ptr()).to_bytes(), b"n m");
        assert_eq!(collatz_last_error_message(tiny.as_mut_ptr(), 0), len);
    }
}

#[test]
fn last_failure_gives_code_message_and_length_in_one_call() {
    assert_eq!(collatz_step(0), 0);
    let expected = "n must be >= 1, got 0";
    // SAFETY: every buffer is valid for its capacity; null pointers are allowed.
    unsafe {
        let mut buf = [1 as c_char; 256];
        let mut length = usize::MAX;
        let code = collatz_last_failure(buf.as_mut_ptr(), buf.len(), &raw mut length);
        assert_eq!(code, COLLATZ_ERR_INVALID);
        assert_eq!(length, expected.len());
        assert_eq!(CStr::from_ptr(buf.as_ptr()).to_bytes(), expected.as_bytes());
        // Truncated as collatz_last_error_message truncates; the full length still reported.
        let mut tiny = [1 as c_char; 4];
        let code = collatz_last_failure(tiny.as_mut_ptr(), tiny.len(), &raw mut length);
        assert_eq!((code, length), (COLLATZ_ERR_INVALID, expected.len()));
        assert_eq!(CStr::from_ptr(tiny.as_ptr()).to_bytes(), b"n m");
        // Null buffer and null length: only the code.
        assert_eq!(
            collatz_last_failure(ptr::null_mut(), 0, ptr::null_mut()),
            COLLATZ_ERR_INVALID
        );
    }
    // On a thread where nothing failed: OK and an empty message.
    let fresh = std::thread::spawn(|| {
        let mut buf = [1 as c_char; 8];
        let mut length = usize::MAX;
        // SAFETY: as above.
        let code = unsafe { collatz_last_failure(buf.as_mut_ptr(), buf.len(), &raw mut length) };
        (code, length, buf[0])
    })
    .join()
    .unwrap();
    assert_eq!(fresh, (COLLATZ_OK, 0, 0));
}

#[test]
fn errors_are_per_thread() {
    assert_eq!(collatz_step(0), 0);
    let other = std::thread::spawn(|| {
        assert_eq!(collatz_step(u64::MAX), 0);
        collatz_last_error()
    })
    .join()
    .unwrap();
    assert_eq!(other, COLLATZ_ERR_OVERFLOW);
    assert_eq!(
        collatz_last_error(),
        COLLATZ_ERR_INVALID,
        "this thread's error is untouched"
    );
}

unsafe extern "C-unwind" fn count_calls(ctx: *mut c_void, _done: u64, _total: u64) -> i32 {
    // SAFETY: the tests pass a pointer to a live `u64` counter.
    unsafe { *ctx.cast::<u64>() += 1 };
    0
}

unsafe extern "C-unwind" fn record_progress(ctx: *mut c_void, done: u64, total: u64) -> i32 {
    // SAFETY: the tests pass a pointer to a live `Vec<(u64, u64)>`.
    unsafe { (*ctx.cast::<Vec<(u64, u64)>>()).push((done, total)) };
    0
}

unsafe extern "C-unwind" fn stop_at_once(_ctx: *mut c_void, _done: u64, _total: u64) -> i32 {
    1
}

unsafe extern "C-unwind" fn collect(ctx: *mut c_void, value: u64) -> i32 {
    // SAFETY: the tests pass a pointer to a live `Vec<u64>`.
    let values = unsafe { &mut *ctx.cast::<Vec<u64>>() };
    values.push(value);
    i32::from(values.len() >= 3 && values[0] == 97) // stop the walk of 97 after 3 values
}

#[test]
fn callbacks_report_progress_and_stop_when_asked() {
    let (mut n, mut steps) = (0_u64, 0_u64);
    let mut calls: Vec<(u64, u64)> = Vec::new();
    let limit = 3 << 20;
    // SAFETY: valid out pointers; the callbacks get the context they expect.
    unsafe {
        let ctx = (&raw mut calls).cast::<c_void>();
        assert_eq!(
            collatz_max_total_stopping_time(limit, Some(record_progress), ctx, &mut n, &mut steps),
            COLLATZ_OK
        );
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(calls.last(), Some(&(limit - 1, limit - 1)));
        let before = (n, steps);
        assert_eq!(
            collatz_max_total_stopping_time(
                limit,
                Some(stop_at_once),
                ptr::null_mut(),
                &mut n,
                &mut steps
            ),
            COLLATZ_STOPPED
        );
        assert_eq!((n, steps), before, "nothing written when stopped");

        let mut out = 0_u64;
        let mut polls = 0_u64;
        let k = 3 << 28;
        let ctx = (&raw mut polls).cast::<c_void>();
        assert_eq!(
            collatz_iterate_polled(27, k, Some(count_calls), ctx, &mut out),
            COLLATZ_OK
        );
        assert_eq!(out, collatz_iterate(27, k));
        assert_eq!(polls, 2);
        assert_eq!(
            collatz_iterate_polled(27, k, Some(stop_at_once), ptr::null_mut(), &mut out),
            COLLATZ_STOPPED
        );
        assert_eq!(
            collatz_iterate_polled(27, 5, None, ptr::null_mut(), &mut out),
            COLLATZ_OK
        );
        assert_eq!(out, collatz_iterate(27, 5));
        assert_eq!(
            collatz_iterate_polled(27, 5, None, ptr::null_mut(), ptr::null_mut()),
            COLLATZ_ERR_ARGUMENT
        );
    }
}

#[test]
fn walks_visit_every_value_and_stop_when_asked() {
    let mut values: Vec<u64> = Vec::new();
    let mut count = 0_u64;
    // SAFETY: the visitor gets the `Vec<u64>` it expects; `count` is writable.
    unsafe {
        let ctx = (&raw mut values).cast::<c_void>();
        assert_eq!(collatz_walk(6, Some(collect), ctx, &mut count), COLLATZ_OK);
        assert_eq!(values, [6, 3, 10, 5, 16, 8, 4, 2, 1]);
        assert_eq!(count, 9);
        values.clear();
        assert_eq!(
            collatz_walk(97, Some(collect), ctx, &mut count),
            COLLATZ_STOPPED
        );
        assert_eq!(
            (values.len(), count),
            (3, 3),
            "not called again after it asked to stop"
        );
        values.clear();
        assert_eq!(
            collatz_walk(u64::MAX - 1, Some(collect), ctx, &mut count),
            COLLATZ_ERR_OVERFLOW
        );
        assert_eq!(
            values,
            [u64::MAX - 1, (u64::MAX - 1) / 2],
            "values before the overflow"
        );
        assert_eq!(count, 2);
        assert_eq!(
            collatz_walk(0, Some(collect), ctx, ptr::null_mut()),
            COLLATZ_ERR_INVALID
        );
        assert_eq!(collatz_walk(6, None, ctx, &mut count), COLLATZ_ERR_ARGUMENT);
    }
}

#[test]
fn trajectories_are_allocated_by_the_library_and_freed_by_it() {
    let mut values: *mut u64 = ptr::null_mut();
    let mut len = 0_usize;
    // SAFETY: valid out pointers; the allocation is read within its length and freed once.
    unsafe {
        assert_eq!(collatz_trajectory(6, &mut values, &mut len), COLLATZ_OK);
        assert_eq!(
            std::slice::from_raw_parts(values, len),
            [6, 3, 10, 5, 16, 8, 4, 2, 1]
        );
        collatz_free_values(values, len);
        collatz_free_values(ptr::null_mut(), 0);
        let (mut untouched, mut untouched_len) = (ptr::null_mut(), 7_usize);
        assert_eq!(
            collatz_trajectory(u64::MAX - 1, &mut untouched, &mut untouched_len),
            COLLATZ_ERR_OVERFLOW
        );
        assert!(
            untouched.is_null() && untouched_len == 7,
            "nothing written on failure"
        );
        assert_eq!(
            collatz_trajectory(0, &mut values, &mut len),
            COLLATZ_ERR_INVALID
        );
        assert_eq!(
            collatz_trajectory(6, ptr::null_mut(), &mut len),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_trajectory(6, &mut values, ptr::null_mut()),
            COLLATZ_ERR_ARGUMENT
        );
    }
}

#[test]
fn trajectory_handles_yield_values_then_say_why_they_ended() {
    // SAFETY: handles are used while live and freed once; null handles must be refused.
    unsafe {
        let t = collatz_trajectory_new(6);
        assert!(!t.is_null());
        let mut values = Vec::new();
        loop {
            let x = collatz_trajectory_next(t);
            if x == 0 {
                break;
            }
            values.push(x);
        }
        assert_eq!(values, [6, 3, 10, 5, 16, 8, 4, 2, 1]);
        assert_eq!(collatz_trajectory_status(t), COLLATZ_OK);
        assert_eq!(collatz_trajectory_next(t), 0, "stays exhausted");
        collatz_trajectory_free(t);

        let t = collatz_trajectory_new(u64::MAX - 1);
        assert_eq!(collatz_trajectory_next(t), u64::MAX - 1);
        assert_eq!(collatz_trajectory_next(t), (u64::MAX - 1) / 2);
        assert_eq!(collatz_trajectory_next(t), 0);
        assert_eq!(collatz_trajectory_status(t), COLLATZ_ERR_OVERFLOW);
        assert_eq!(collatz_last_error(), COLLATZ_ERR_OVERFLOW);
        assert!(message().contains("overflows"), "{}", message());
        assert_eq!(collatz_trajectory_next(t), 0);
        assert_eq!(
            collatz_trajectory_status(t),
            COLLATZ_OK,
            "the overflow is reported once"
        );
        collatz_trajectory_free(t);

        assert!(collatz_trajectory_new(0).is_null());
        assert_eq!(collatz_last_error(), COLLATZ_ERR_INVALID);
        assert_eq!(collatz_trajectory_next(ptr::null_mut()), 0);
        assert_eq!(collatz_last_error(), COLLATZ_ERR_ARGUMENT);
        assert_eq!(collatz_trajectory_status(ptr::null()), COLLATZ_ERR_ARGUMENT);
        collatz_trajectory_free(ptr::null_mut());
    }
}

#[test]
fn resumed_handles_are_independent_copies_at_the_same_position() {
    // SAFETY: handles are used while live and freed once; null handles must be refused.
    unsafe {
        let t = collatz_trajectory_new(6);
        assert_eq!(collatz_trajectory_position(t), 0);
        assert_eq!(collatz_trajectory_next(t), 6);
        assert_eq!(collatz_trajectory_next(t), 3);
        assert_eq!(collatz_trajectory_position(t), 2);
        let copy = collatz_trajectory_resume(6, collatz_trajectory_position(t));
        assert_eq!(collatz_trajectory_next(copy), 10);
        assert_eq!(collatz_trajectory_next(copy), 5);
        assert_eq!(
            collatz_trajectory_next(t),
            10,
            "the original moves on alone"
        );
        collatz_trajectory_free(t);
        collatz_trajectory_free(copy);

        // Past the end: exhausted; before an overflow: the overflow is still to come.
        let done = collatz_trajectory_resume(6, u64::MAX);
        assert_eq!(collatz_trajectory_next(done), 0);
        assert_eq!(collatz_trajectory_status(done), COLLATZ_OK);
        assert_eq!(collatz_trajectory_position(done), 9);
        collatz_trajectory_free(done);
        let before = collatz_trajectory_resume(u64::MAX - 1, 2);
        assert_eq!(collatz_trajectory_next(before), 0);
        assert_eq!(collatz_trajectory_status(before), COLLATZ_ERR_OVERFLOW);
        assert_eq!(collatz_trajectory_position(before), 3);
        collatz_trajectory_free(before);

        assert!(collatz_trajectory_resume(0, 5).is_null());
        assert_eq!(collatz_last_error(), COLLATZ_ERR_INVALID);
        assert_eq!(collatz_trajectory_position(ptr::null()), 0);
    }
}

#[test]
fn the_status_of_next_belongs_to_the_thread_that_called_it() {
    // SAFETY: the handle is live until every thread has joined, and freed once.
    unsafe {
        let t = collatz_trajectory_new(u64::MAX - 1);
        collatz_trajectory_next(t);
        collatz_trajectory_next(t);
        assert_eq!(collatz_trajectory_next(t), 0); // this thread met the overflow
        let address = t as usize;
        std::thread::spawn(move || {
            let t = address as *mut CollatzTrajectory;
            assert_eq!(collatz_trajectory_next(t), 0); // that thread met the end
            assert_eq!(collatz_trajectory_status(t), COLLATZ_OK);
        })
        .join()
        .unwrap();
        assert_eq!(
            collatz_trajectory_status(t),
            COLLATZ_ERR_OVERFLOW,
            "still this thread's"
        );
        collatz_trajectory_free(t);
    }
}

#[test]
fn one_handle_from_many_threads() {
    struct Shared(*mut CollatzTrajectory);
    // SAFETY: the handle serialises calls itself; that is what this test checks.
    unsafe impl Send for Shared {}
    // SAFETY: as above: shared references only reach the handle through its own lock.
    unsafe impl Sync for Shared {}
    let n = 63_728_127; // 950 values
    let shared = std::sync::Arc::new(Shared(collatz_trajectory_new(n)));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let shared = std::sync::Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    // SAFETY: the handle is live until every thread has joined.
                    let x = unsafe { collatz_trajectory_next(shared.0) };
                    if x == 0 {
                        return got;
                    }
                    got.push(x);
                }
            })
        })
        .collect();
    let mut all: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort_unstable();
    let mut expected = collatz_core::trajectory(n).unwrap();
    expected.sort_unstable();
    assert_eq!(all, expected, "every value handed out exactly once");
    // SAFETY: live, freed once.
    unsafe { collatz_trajectory_free(shared.0) };
}
