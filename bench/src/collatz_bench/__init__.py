"""collatz-bench: what each way of binding the Rust core costs, measured side by side.

One module per section (:mod:`collatz_bench.sections`), one harness (:mod:`.timing`), one
renderer per kind of output (:mod:`collatz_bench.render`). The backends come from the
registry in :mod:`collatz_contract.backends`.
"""

from importlib.metadata import version as _version

__version__ = _version("collatz-bench")
