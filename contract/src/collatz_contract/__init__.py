"""collatz-ffi's contract in code (the text is ``docs/contract.md``).

- :mod:`collatz_contract.reference`: the pure-Python reference, the specification every
  backend is tested against;
- :mod:`collatz_contract.backends`: the registry that names every front end;
- :mod:`collatz_contract.packages`: the one list of the binding packages (distribution,
  directory, import name, build) that the Makefile, the tests and the benchmark read.

Tests (``python-tests/``) and the benchmark (``collatz_bench``) both depend on this package;
it depends on no backend.
"""


def __getattr__(name: str) -> str:
    # ``__version__`` on first use: importing importlib.metadata takes tens of milliseconds,
    # which every child process the tests start would pay.
    if name == "__version__":
        from importlib.metadata import version

        return version("collatz-contract")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
