"""Subinterpreters (CPython 3.12+): what each front end does when it is imported and called in
an *isolated* subinterpreter (its own GIL and allocator, ``check_multi_interp_extensions``:
PEP 684) and in a *legacy* one (the main interpreter's GIL and allocator, any extension
allowed), before and after the main interpreter imported it (docs/interpreters.md).

Each outcome is either ``works`` (a smoke subset of the contract passes in that interpreter)
or a clean ``ImportError`` that says why; never a crash, a hang or another exception, and the
main interpreter still works after the subinterpreters are gone. Every case runs in a child
process with a timeout, so a crash or a hang is a failed test.

numpy (2.4) does not load in subinterpreters: an isolated one refuses its extension
(``module numpy._core._multiarray_umath does not support loading in subinterpreters``); a
legacy one loads it, with a ``UserWarning``, but then no other interpreter of the process can
(``ImportError: cannot load module more than once per process``), nor can a legacy one after
the main interpreter. So the smoke calls the array functions in the main interpreter, checks
that in an isolated subinterpreter they raise numpy's clean ``ImportError``, and never imports
numpy in a legacy one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from collatz_contract.backends import NATIVE, REFERENCE, Backend

WORKS = "works"
REFUSED = "ImportError: does not support loading in subinterpreters"  # CPython's own refusal
NO_CTYPES = "ImportError: module _ctypes does not support loading in subinterpreters"

# The interpreters of a scenario (the same words as docs/interpreters.md):
#   "isolated", "legacy"                 a subinterpreter, the first in the process to import it;
#   "isolated after main", "legacy after main"   one after the main interpreter imported it;
#   "main after isolated", "main after legacy"   the main interpreter, after a subinterpreter
#                                          imported it (or tried to) and was destroyed;
#   "main again"                         the main interpreter, after both "... after main".
# Versions: "3.12" (that minor version), "3.13+" (that one and later). Outcomes: WORKS, or
# "ImportError: <part of the message>". The main interpreter's kinds default to WORKS.
EXPECTED: dict[str, dict[tuple[str, str], str]] = {
    # Multi-phase init without a Py_mod_multiple_interpreters slot (PyO3 0.30 has none): CPython
    # takes "supported, shared GIL only", refuses it where the GIL is the interpreter's own.
    "pyo3": {
        ("isolated", "3.12+"): REFUSED,
        ("legacy", "3.12+"): WORKS,
        ("isolated after main", "3.12+"): REFUSED,
        ("legacy after main", "3.12+"): WORKS,
    },
    "pyo3-versioned": {
        ("isolated", "3.12+"): REFUSED,
        ("legacy", "3.12+"): WORKS,
        ("isolated after main", "3.12+"): REFUSED,
        ("legacy after main", "3.12+"): WORKS,
    },
    # Multi-phase init with module state and Py_MOD_PER_INTERPRETER_GIL_SUPPORTED: every
    # interpreter gets its own module, types and numpy objects.
    "pyo3-ffi": {
        ("isolated", "3.12+"): WORKS,
        ("legacy", "3.12+"): WORKS,
        ("isolated after main", "3.12+"): WORKS,
        ("legacy after main", "3.12+"): WORKS,
    },
    # _cffi_backend and the compiled module _api are single-phase init (cffi's own module
    # definitions): refused in an isolated subinterpreter. (Today through via_cffi's message for
    # a missing module, which wraps CPython's; whatever the wording, it names subinterpreters.)
    "cffi": {
        ("isolated", "3.12+"): "ImportError: subinterpreter",
        ("legacy", "3.12+"): WORKS,
        ("isolated after main", "3.12+"): "ImportError: subinterpreter",
        ("legacy after main", "3.12+"): WORKS,
    },
    # The standard library's _ctypes: single-phase init on 3.12, multi-phase with
    # per-interpreter GIL support from 3.13.
    "ctypes": {
        ("isolated", "3.12"): NO_CTYPES,
        ("isolated", "3.13+"): WORKS,
        ("legacy", "3.12+"): WORKS,
        ("isolated after main", "3.12"): NO_CTYPES,
        ("isolated after main", "3.13+"): WORKS,
        ("legacy after main", "3.12+"): WORKS,
    },
    # Multi-phase init, no Py_mod_multiple_interpreters slot (Cython emits one only with
    # CYTHON_USE_MODULE_STATE): refused with its own GIL; in a legacy subinterpreter Cython's
    # own check lets only the first interpreter that imports it have it.
    "cython": {
        ("isolated", "3.12+"): REFUSED,
        ("legacy", "3.12+"): WORKS,
        ("main after legacy", "3.12+"): "ImportError: Interpreter change detected",
        ("isolated after main", "3.12+"): REFUSED,
        ("legacy after main", "3.12+"): "ImportError: Interpreter change detected",
    },
    # UniFFI's generated module registers its callbacks with the Rust library once per
    # process (one vtable, whichever interpreter imported last): no interpreter may have it but
    # the main one. (3.12's _ctypes refuses isolated subinterpreters before that matters.)
    "uniffi": {
        ("isolated", "3.12+"): "ImportError: subinterpreter",
        ("legacy", "3.12+"): "ImportError: subinterpreter",
        ("isolated after main", "3.12+"): "ImportError: subinterpreter",
        ("legacy after main", "3.12+"): "ImportError: subinterpreter",
    },
    # BoltFFI generates a single-phase module (m_size = -1), refused by an isolated
    # subinterpreter; and its callbacks from Rust threads take the GIL with PyGILState_Ensure,
    # which knows only the main interpreter (a legacy subinterpreter hung on 3.13): the facade
    # refuses every subinterpreter first.
    "boltffi": {
        ("isolated", "3.12+"): "ImportError: subinterpreter",
        ("legacy", "3.12+"): "ImportError: subinterpreter",
        ("isolated after main", "3.12+"): "ImportError: subinterpreter",
        ("legacy after main", "3.12+"): "ImportError: subinterpreter",
    },
}

# The scenarios: one child process each, the interpreters in this order.
SCENARIOS: dict[str, tuple[str, ...]] = {
    "isolated-first": ("isolated", "main after isolated"),
    "legacy-first": ("legacy", "main after legacy"),
    "main-first": ("main", "isolated after main", "legacy after main", "main again"),
}

# Defects known today: (front end, scenario, versions) -> (what the failure shows, why). The
# test checks that the scenario fails and shows one of those strings, then reports it as an
# expected failure; it fails once the defect is gone (or fails otherwise), and the entry must go.
KNOWN_DEFECTS: dict[tuple[str, str, str], tuple[tuple[str, ...], str]] = {}
"""None today. (Fixed: the glue installed its SIGINT handler in subinterpreters, where
``signal.signal`` raises; UniFFI's per-process callback table was shared between interpreters;
cffi on 3.12 corrupted the process after an isolated subinterpreter tried to import it.)"""


def _matches(versions: str, version: tuple[int, int]) -> bool:
    """Whether ``version`` is in ``versions`` ("3.12": that one; "3.13+": it and later)."""
    floor = tuple(int(part) for part in versions.rstrip("+").split("."))
    return version >= floor if versions.endswith("+") else version == floor


def expected(name: str, kind: str, version: tuple[int, int] = sys.version_info[:2]) -> str:
    """The outcome :data:`EXPECTED` gives ``name`` in an interpreter of ``kind``."""
    found = [
        outcome
        for (k, versions), outcome in EXPECTED[name].items()
        if k == kind and _matches(versions, version)
    ]
    if not found and kind.startswith("main"):
        return WORKS
    assert len(found) == 1, f"EXPECTED[{name!r}] must give {kind!r} exactly one outcome on {version}"
    return found[0]


def known_defect(
    name: str, scenario: str, version: tuple[int, int] = sys.version_info[:2]
) -> tuple[tuple[str, ...], str] | None:
    for (n, sc, versions), defect in KNOWN_DEFECTS.items():
        if n == name and sc == scenario and _matches(versions, version):
            return defect
    return None


# The smoke subset, run in each interpreter; its answers come from the reference.
_ref = REFERENCE.load()
SMOKE = textwrap.dedent(
    f"""
    import gc, importlib, json, os
    try:
        m = importlib.import_module(MODULE)
        assert m.step(27) == {_ref.step(27)!r}
        assert m.iterate(27, 10) == {_ref.iterate(27, 10)!r}
        assert m.total_stopping_time(27) == {_ref.total_stopping_time(27)!r}
        assert list(m.Trajectory(6)) == {list(_ref.Trajectory(6))!r}
        seen = []
        assert m.walk(6, seen.append) == {len(list(_ref.Trajectory(6)))!r} and seen == {list(_ref.Trajectory(6))!r}
        assert tuple(m.stats(27)) == {tuple(_ref.stats(27))!r}
        assert m.parity_vector(27)[:8] == {_ref.parity_vector(27)[:8]!r}
        assert m.residue("0000") == {_ref.residue("0000")!r}
        calls = []
        assert m.max_total_stopping_time(1000, progress=lambda d, t: calls.append(t)) == {_ref.max_total_stopping_time(1000)!r}
        assert calls and set(calls) == {{999}}, calls
        import pickle
        t = m.Trajectory(6)
        next(t)
        assert list(pickle.loads(pickle.dumps(t))) == {list(_ref.Trajectory(6))[1:]!r}
        s = m.stats(27)
        assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is type(s)
        if KIND.startswith("main"):
            assert m.total_stopping_times([1, 2, 3]).tolist() == {_ref.total_stopping_times([1, 2, 3]).tolist()!r}
            assert m.trajectory(6).tolist() == {_ref.trajectory(6).tolist()!r}
        elif KIND.startswith("isolated"):
            # numpy refuses an isolated subinterpreter: the array functions raise its ImportError.
            try:
                m.total_stopping_times([1, 2, 3])
            except ImportError as e:
                assert "does not support loading in subinterpreters" in str(e), str(e)
            else:
                raise AssertionError("numpy loaded in an isolated subinterpreter: update the docs")
        # (A legacy subinterpreter never imports numpy: see the module's docstring.)
        try:
            m.step(0)
        except ValueError as e:
            assert str(e) == "n must be >= 1, got 0", str(e)
        else:
            raise AssertionError("step(0) raised nothing")
        del m, seen, calls, t, s
        gc.collect()
        outcome = "works"
    except ImportError as e:
        outcome = f"ImportError: {{e}}"
    except BaseException as e:
        outcome = f"{{type(e).__name__}}: {{e}}"
    os.write(1, ("RESULT " + json.dumps([KIND, outcome]) + "\\n").encode())
    """
)

# The child: creates each subinterpreter with the stdlib's private module of the version
# (3.12: _xxsubinterpreters, whose create(isolated=...) takes the default config of
# PyInterpreterConfig or its legacy one; 3.13+: _interpreters, with named configs).
CHILD = """
import json, os, sys
MODULE, STEPS, SMOKE = {module!r}, {steps!r}, {smoke!r}

if sys.version_info >= (3, 13):
    import _interpreters

    def run_in(config, code):
        interp = _interpreters.create(config)
        try:
            got = _interpreters.get_config(interp)
            expect = ("own", True) if config == "isolated" else ("shared", False)
            assert (got.gil, got.check_multi_interp_extensions) == expect, got
            failure = _interpreters.exec(interp, code)
            assert failure is None, failure  # the smoke catches everything
        finally:
            _interpreters.destroy(interp)
else:
    import _xxsubinterpreters

    def run_in(config, code):
        interp = _xxsubinterpreters.create(isolated=config == "isolated")
        try:
            _xxsubinterpreters.run_string(interp, code)
        finally:
            _xxsubinterpreters.destroy(interp)

for kind in STEPS:
    code = f"MODULE, KIND = {{MODULE!r}}, {{kind!r}}\\n" + SMOKE
    if kind.startswith("main"):
        exec(code, {{}})
    else:
        run_in(kind.split()[0], code)
os.write(1, b"EXIT\\n")
"""


def run_scenario(module: str, steps: tuple[str, ...], timeout: float = 60) -> tuple[str, dict[str, str]]:
    """Run ``steps`` in one fresh process: its report (exit status, output) and the outcome of
    each step that reported one. A hang (past ``timeout``) fails the test."""
    script = CHILD.format(module=module, steps=list(steps), smoke=SMOKE)
    try:
        run = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{module} {steps}: the child hung (no exit within {timeout} s)")
    report = f"{module} {steps}: exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    lines = run.stdout.splitlines()
    outcomes = dict(json.loads(line.removeprefix("RESULT ")) for line in lines if line.startswith("RESULT "))
    if run.returncode != 0 or lines[-1:] != ["EXIT"] or list(outcomes) != list(steps):
        outcomes["(process)"] = f"exit {run.returncode}"  # a crash: never an accepted outcome
    if "Exception ignored" in run.stderr or "Traceback" in run.stderr:
        outcomes["(stderr)"] = "an exception was printed"
    return report, outcomes


def problems(name: str, outcomes: dict[str, str]) -> list[str]:
    """How ``outcomes`` differ from :data:`EXPECTED` (nothing when all is as expected)."""
    found: list[str] = []
    for kind, outcome in outcomes.items():
        if kind.startswith("("):
            found.append(f"{kind}: {outcome}")
            continue
        want = expected(name, kind)
        if want == WORKS:
            ok = outcome == WORKS
        else:
            ok = outcome.startswith("ImportError: ") and want.removeprefix("ImportError: ") in outcome
        if not ok:
            found.append(f"{kind}: expected {want!r}, got {outcome!r}")
    return found


def _cases() -> list[object]:
    return [
        pytest.param(backend, scenario, id=f"{backend.name}-{scenario}")
        for backend in NATIVE
        for scenario in SCENARIOS
    ]


needs_subinterpreters = pytest.mark.skipif(
    sys.version_info < (3, 12) or sys.implementation.name != "cpython",
    reason="subinterpreters with their own GIL (PEP 684) and the stdlib's module to create them "
    "(_xxsubinterpreters, _interpreters) come with CPython 3.12",
)


@needs_subinterpreters
@pytest.mark.parametrize(("backend", "scenario"), _cases())
def test_a_subinterpreter_gets_a_working_module_or_a_clear_import_error(
    backend: Backend, scenario: str
) -> None:
    report, outcomes = run_scenario(backend.module, SCENARIOS[scenario])
    found = problems(backend.name, outcomes)
    defect = known_defect(backend.name, scenario)
    if defect is not None:
        signatures, reason = defect
        assert found, f"the known defect is gone: remove its entry from KNOWN_DEFECTS\n{report}"
        assert any(text in report for text in signatures), (
            "fails, but not as KNOWN_DEFECTS says:\n" + "\n".join(found) + "\n" + report
        )
        pytest.xfail(reason)
    assert not found, "\n".join(found) + "\n" + report


def test_every_front_end_has_an_expectation_for_every_interpreter() -> None:
    """The table covers the registry: a new front end needs its row (docs/interpreters.md)."""
    assert set(EXPECTED) == {b.name for b in NATIVE}
    kinds = {kind for steps in SCENARIOS.values() for kind in steps}
    for name in EXPECTED:
        for version in ((3, 12), (3, 13), (3, 14)):
            for kind in kinds:
                expected(name, kind, version)  # exactly one outcome, or the main's default
    for name, scenario, versions in KNOWN_DEFECTS:
        assert name in EXPECTED and scenario in SCENARIOS, (name, scenario)
        assert versions in ("3.12", "3.12+", "3.13+"), versions
