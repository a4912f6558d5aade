//! `uniffi-bindgen` for this crate. maturin finds a binary of this name in the crate it builds
//! and runs it (`cargo run --bin uniffi-bindgen --features cli`) to generate the Python
//! bindings, so the generator always matches the `uniffi` crate the library was built with
//! (PyPI's `uniffi-bindgen` may not) and ships in the crate's sdist. The `cli` feature, which
//! pulls in the generator's dependencies, is enabled only for this binary, never for the
//! library in a wheel.

fn main() {
    uniffi::uniffi_bindgen_main();
}
