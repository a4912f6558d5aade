//! A panic inside an entry point becomes `COLLATZ_ERR_PANIC` (or the scalar sentinel) with its
//! message kept, and the process lives on. Needs the test-only feature:
//! `cargo test -p bind-cabi --features test-hooks` (run by `make test`).

use std::ffi::CStr;

use collatz_cabi::{
    COLLATZ_ERR_PANIC, collatz_last_error, collatz_last_error_message, collatz_step,
    collatz_test_panic, collatz_test_panic_scalar,
};

fn last_message() -> String {
    let mut buf = [0_u8; 256];
    // SAFETY: `buf` has 256 writable bytes.
    unsafe { collatz_last_error_message(buf.as_mut_ptr().cast(), buf.len()) };
    CStr::from_bytes_until_nul(&buf)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn panics_are_caught_at_the_boundary() {
    assert_eq!(collatz_test_panic(), COLLATZ_ERR_PANIC);
    assert_eq!(collatz_last_error(), COLLATZ_ERR_PANIC);
    assert!(
        last_message().contains("forced panic from collatz_test_panic"),
        "{}",
        last_message()
    );

    assert_eq!(collatz_test_panic_scalar(), 0);
    assert_eq!(collatz_last_error(), COLLATZ_ERR_PANIC);
    assert!(last_message().contains("collatz_test_panic_scalar"));

    // The library keeps working afterwards, on this thread and others.
    assert_eq!(collatz_step(27), 82);
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| (collatz_test_panic(), collatz_step(3))))
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), (COLLATZ_ERR_PANIC, 10));
    }
}
