"""The guide and the README, with every figure rendered from the committed results.

No benchmark figure in ``README.md`` or in the guide's Markdown (``docs/``) is typed by hand.
A figure is written as a *marker*, an HTML comment holding a Python expression over the
results files, followed by its rendered text and a closing comment::

    PyO3's step costs <!--= x(step("pyo3")) -->2.34×<!--/--> a C builtin's call.

    <!--= table("scalar", 0) -->
    | backend | ... |
    <!--/-->

The comments are invisible wherever Markdown is shown (GitHub, PyPI, mdBook), so the committed
files read as plain text with figures, and ``python -m collatz_bench.docs render`` rewrites the
text between each marker and its ``<!--/-->`` from the results (a block when the old text
starts with a newline, inline otherwise). ``render --check`` fails when a committed file differs
from what the results give: a figure pasted by hand, or a results file changed without
re-rendering.

A claim in prose that depends on the figures ("X is faster than Y") carries a *guard*, a
marker that renders nothing and fails the render when its expression is false::

    <!--! step("pyo3-ffi") < step("pyo3") -->

The expressions see :mod:`collatz_bench.docs.figures` (the results, accessors and formats)
and, for a page ``docs/NAME.md``, the functions of ``collatz_bench.docs.pages.NAME`` if that
module exists (a page's own tables, such as the choosing page's matrix). The results pages
(``docs/results/SECTION.md``, one per benchmark section) are written whole by
:func:`collatz_bench.docs.pages.results.write`.
"""
