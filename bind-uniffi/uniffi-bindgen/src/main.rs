//! `uniffi-bindgen` for this workspace. maturin finds a workspace binary of this name and runs
//! it to generate the Python bindings of `bind-uniffi`, so the generator always matches the
//! `uniffi` crate the library was built with (PyPI's `uniffi-bindgen` may not).

fn main() {
    uniffi::uniffi_bindgen_main();
}
