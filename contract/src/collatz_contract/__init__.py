"""collatz-ffi's contract in code (the text is ``docs/contract.md``).

- :mod:`collatz_contract.reference`: the pure-Python reference, the specification every
  backend is tested against;
- :mod:`collatz_contract.backends`: the registry that names every front end;
- :mod:`collatz_contract.packages`: the one list of the binding packages (distribution,
  directory, import name, build) that the Makefile, the tests and the benchmark read.

Tests (``python-tests/``) and the benchmark (``collatz_bench``) both depend on this package;
it depends on no backend.
"""

from importlib.metadata import version as _version

__version__ = _version("collatz-contract")
