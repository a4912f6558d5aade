"""collatz-ffi's contract in code (the text is ``docs/contract.md``).

- :mod:`collatz_contract.reference`: the pure-Python reference, the specification every
  backend is tested against;
- :mod:`collatz_contract.backends`: the registry that names every front end, with what the
  benchmark needs to know about each.

Tests (``python-tests/``) and the benchmark (``collatz_bench``) both depend on this package;
it depends on no backend.
"""

from importlib.metadata import version as _version

__version__ = _version("collatz-contract")
