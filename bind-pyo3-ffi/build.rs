//! The interpreter's version and build as cfgs (`Py_3_13`, `Py_LIMITED_API`, ...), as PyO3
//! sets them for its own crates: the C API this extension calls depends on them.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
