//! Compiles `tests/c/smoke.c` against the committed `include/collatz.h` with the system C
//! compiler (`$CC`, else `cc`), with warnings as errors, links it to this crate's cdylib, runs
//! it, and expects "ok".

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cdylib cargo built for this test run: next to the test binary, in `deps/`.
fn cdylib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().expect("deps directory").to_path_buf();
    for dir in [
        deps.clone(),
        deps.parent().expect("profile directory").to_path_buf(),
    ] {
        if dir.join("libcollatz_cabi.so").is_file() || dir.join("libcollatz_cabi.dylib").is_file() {
            return dir;
        }
    }
    panic!("libcollatz_cabi not found next to {}", exe.display());
}

#[test]
fn c_program_calls_every_function() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib_dir = cdylib_dir();
    let out = std::env::temp_dir().join(format!("collatz-smoke-{}", std::process::id()));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let status = Command::new(&cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-O1",
            "-I",
        ])
        .arg(crate_dir.join("include"))
        .arg(crate_dir.join("tests/c/smoke.c"))
        .arg("-L")
        .arg(&lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lcollatz_cabi")
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc:?}: {e}"));
    assert!(status.success(), "compiling tests/c/smoke.c failed");

    // cargo's LD_LIBRARY_PATH (which outranks the binary's RUNPATH) may hold an older copy of
    // the library from a plain `cargo build`: run against the one this test built.
    let run = Command::new(&out)
        .env("LD_LIBRARY_PATH", &lib_dir)
        .env("DYLD_LIBRARY_PATH", &lib_dir)
        .output()
        .expect("run the C program");
    let _ = std::fs::remove_file(&out);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "C program failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(stdout.trim(), "ok");
}
