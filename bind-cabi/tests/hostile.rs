//! Every `extern "C"` function called from Rust the way a careless C caller would: null
//! pointers, zero and huge lengths, misaligned and aliased buffers. Each returns its documented
//! status code and never dereferences what it should not.

use std::ffi::{CStr, c_char};
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
    assert_eq!(collatz_stopping_time(0), COLLATZ_STOPPING_TIME_ERROR);
    assert_eq!(collatz_stopping_time(1), 0);
}

#[test]
fn null_pointers_and_lengths() {
    let values = [1_u64, 2, 3];
    let mut out = [0_u64; 3];
    // SAFETY: every non-null pointer below points to `len` valid elements; the null ones and
    // the impossible lengths must be rejected without being dereferenced.
    unsafe {
        assert_eq!(
            collatz_stopping_times(ptr::null(), ptr::null_mut(), 0),
            COLLATZ_OK
        );
        assert_eq!(
            collatz_stopping_times(values.as_ptr(), ptr::null_mut(), 0),
            COLLATZ_OK
        );
        assert_eq!(
            collatz_stopping_times(ptr::null(), out.as_mut_ptr(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_stopping_times(values.as_ptr(), ptr::null_mut(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_stopping_times(ptr::null(), ptr::null_mut(), 3),
            COLLATZ_ERR_ARGUMENT
        );
        for huge in [usize::MAX, usize::MAX / 8 + 1, isize::MAX as usize] {
            assert_eq!(
                collatz_stopping_times(values.as_ptr(), out.as_mut_ptr(), huge),
                COLLATZ_ERR_ARGUMENT,
                "len {huge}"
            );
        }
        assert_eq!(
            collatz_stopping_times(values.as_ptr(), out.as_mut_ptr(), 3),
            COLLATZ_OK
        );
    }
    assert_eq!(out, [0, 1, 7]);

    let mut n = 0_u64;
    let mut steps = 0_u64;
    // SAFETY: the out pointers are valid or null.
    unsafe {
        assert_eq!(
            collatz_max_stopping_time(10, ptr::null_mut(), &mut steps),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_max_stopping_time(10, &mut n, ptr::null_mut()),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(
            collatz_max_stopping_time(1, &mut n, &mut steps),
            COLLATZ_ERR_INVALID
        );
        assert_eq!((n, steps), (0, 0), "nothing is written on failure");
        assert_eq!(
            collatz_max_stopping_time(10, &mut n, &mut steps),
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
            collatz_stopping_times(odd, base.add(4), 1),
            COLLATZ_ERR_ARGUMENT
        );
        assert_eq!(collatz_stopping_times(base, odd, 1), COLLATZ_ERR_ARGUMENT);
        // Partial overlap is refused...
        assert_eq!(
            collatz_stopping_times(base, base.add(1), 3),
            COLLATZ_ERR_ARGUMENT
        );
        assert!(message().contains("overlap"));
        assert_eq!(
            collatz_stopping_times(base.add(1), base, 3),
            COLLATZ_ERR_ARGUMENT
        );
        // ... exact aliasing is computed in place.
        assert_eq!(collatz_stopping_times(base, base, 4), COLLATZ_OK);
    }
    assert_eq!(buffer[..4], [0, 111, 118, 178]);
    // Adjacent, not overlapping: fine.
    let mut pair = [27_u64, 0];
    let p = pair.as_mut_ptr();
    // SAFETY: two disjoint one-element ranges inside `pair`.
    unsafe { assert_eq!(collatz_stopping_times(p, p.add(1), 1), COLLATZ_OK) };
    assert_eq!(pair, [27, 111]);
}

#[test]
fn invalid_elements_name_their_index() {
    let values = [5_u64, u64::MAX, 0];
    let mut out = [0_u64; 3];
    // SAFETY: valid buffers of 3 elements.
    let status = unsafe { collatz_stopping_times(values.as_ptr(), out.as_mut_ptr(), 3) };
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
