"""collatz-ffi's shared Python code: the pure-Python reference implementation
(:mod:`collatz_bench.reference`), the registry of backends (:mod:`collatz_bench.backends`),
both used by the test suite, and the backend comparison."""
