//! A panic inside an export comes back as `CollatzError::Panic` with its message, never
//! unwinding into BoltFFI's generated C (which has no `catch_unwind`: the interpreter would
//! abort). Built with the `test-hooks` feature only (`make test` runs it).
#![cfg(feature = "test-hooks")]

use collatz_boltffi::{CollatzError, test_panic};

#[test]
fn a_panic_becomes_an_error() {
    match test_panic() {
        Err(CollatzError::Panic { message }) => {
            assert!(
                message.contains("forced panic from test_panic"),
                "{message}"
            );
        }
        other => panic!("expected a Panic error, got {other:?}"),
    }
}
