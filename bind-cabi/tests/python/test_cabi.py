"""The C ABI's Python side: the header's constants, ctypes declared once, zero-copy input,
cffi's two modes, the Cython module."""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from collatz_cabi import _glue, _status, via_cffi, via_ctypes
from collatz_cabi._abi_mode import lib

HEADER = Path(__file__).resolve().parents[2] / "include" / "collatz.h"


def _defines() -> dict[str, int]:
    text = HEADER.read_text()
    return {
        name: int(value.rstrip("ulUL"), 0)
        for name, value in re.findall(r"^#define (COLLATZ_\w+) (\w+)$", text, re.MULTILINE)
    }


def test_status_codes_match_the_header() -> None:
    defines = _defines()
    assert defines["COLLATZ_OK"] == _status.OK == lib.COLLATZ_OK
    assert defines["COLLATZ_ERR_INVALID"] == _status.ERR_INVALID == lib.COLLATZ_ERR_INVALID
    assert defines["COLLATZ_ERR_OVERFLOW"] == _status.ERR_OVERFLOW == lib.COLLATZ_ERR_OVERFLOW
    assert defines["COLLATZ_ERR_ARGUMENT"] == _status.ERR_ARGUMENT == lib.COLLATZ_ERR_ARGUMENT
    assert defines["COLLATZ_ERR_PANIC"] == _status.ERR_PANIC == lib.COLLATZ_ERR_PANIC
    assert defines["COLLATZ_ERR_MEMORY"] == _status.ERR_MEMORY == lib.COLLATZ_ERR_MEMORY
    assert defines["COLLATZ_TOTAL_STOPPING_TIME_ERROR"] == 2**64 - 1
    assert defines["COLLATZ_MESSAGE_CAPACITY"] == _status.MESSAGE_CAPACITY
    failures = {v for k, v in defines.items() if k.startswith("COLLATZ_ERR_")}
    assert failures == set(_status.KINDS), "every failure code has its error kind"
    assert set(_status.KINDS.values()) <= set(_glue.KIND_EXCEPTIONS), "and every kind its exception"


def test_package_reexports_the_cffi_front_end() -> None:
    import collatz_cabi

    for name in ("step", "iterate", "total_stopping_time", "total_stopping_times", "max_total_stopping_time"):
        assert getattr(collatz_cabi, name) is getattr(via_cffi, name)


def test_ctypes_signatures_are_declared_at_import() -> None:
    assert via_ctypes._c_step.argtypes == (ctypes.c_uint64,)
    assert via_ctypes._c_step.restype is ctypes.c_uint64
    assert via_ctypes._c_iterate.argtypes == (ctypes.c_uint64, ctypes.c_uint64)
    assert via_ctypes._c_total_stopping_times.restype is ctypes.c_int32


@pytest.mark.parametrize("value", [-1, 2**64, 2**64 + 27, -(2**64) + 27])
def test_ctypes_never_wraps(value: int) -> None:
    # Raw ctypes would turn these into valid-looking uint64 values.
    assert ctypes.c_uint64(value).value != value
    with pytest.raises((ValueError, OverflowError)):
        via_ctypes.step(value)
    with pytest.raises((ValueError, OverflowError)):
        via_ctypes.iterate(27, value)


def test_uint64_input_is_passed_without_copying() -> None:
    values = np.arange(1, 100, dtype=np.uint64)
    assert _glue.as_u64_array(values) is values
    readonly = values.copy()
    readonly.flags.writeable = False
    assert _glue.as_u64_array(readonly) is readonly
    assert _glue.as_u64_array(values[::2]) is not values  # strided: copied


@pytest.mark.parametrize("module", [via_cffi, via_ctypes], ids=["cffi", "ctypes"])
@pytest.mark.parametrize("capacity", [_status.MESSAGE_CAPACITY, 22, 21, 8])
def test_a_message_longer_than_the_buffer_is_fetched_whole(
    module: object, capacity: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code and message come in one call (``collatz_last_failure``) into a buffer of
    ``MESSAGE_CAPACITY`` bytes; a message that fills it is fetched again, whole. (Cython's
    buffer is on the stack, its size the header's constant: the same logic, not patchable.)"""
    monkeypatch.setattr(module, "MESSAGE_CAPACITY", capacity)
    message = "n must be >= 1, got 0"  # 21 bytes: fits 22 (with its NUL), fills 21 and 8
    with pytest.raises(ValueError) as caught:
        module.step(0)  # type: ignore[attr-defined]
    assert str(caught.value) == message


def test_last_failure_gives_what_the_two_older_calls_give() -> None:
    from collatz_cabi._abi_mode import ffi

    assert lib.collatz_step(2**64 - 1) == 0
    buf, length = ffi.new("char[]", 256), ffi.new("size_t *")
    assert lib.collatz_last_failure(buf, 256, length) == lib.collatz_last_error() == lib.COLLATZ_ERR_OVERFLOW
    assert length[0] == lib.collatz_last_error_message(ffi.NULL, 0) == len(ffi.string(buf))


def test_raw_c_functions_report_through_last_error() -> None:
    assert lib.collatz_step(0) == 0
    assert lib.collatz_last_error() == lib.COLLATZ_ERR_INVALID
    assert lib.collatz_total_stopping_time(0) == lib.COLLATZ_TOTAL_STOPPING_TIME_ERROR
    assert lib.collatz_last_error() == lib.COLLATZ_ERR_INVALID
    assert lib.collatz_iterate(2**64 - 2, 2) == 0  # the result does not fit in uint64_t
    assert lib.collatz_last_error() == lib.COLLATZ_ERR_OVERFLOW
    out = np.empty(3, dtype=np.uint64)
    from collatz_cabi._abi_mode import ffi

    # A null input pointer with a non-zero length is refused, not dereferenced.
    assert lib.collatz_total_stopping_times(ffi.NULL, ffi.from_buffer("uint64_t[]", out), 3) == (
        lib.COLLATZ_ERR_ARGUMENT
    )


def test_cffi_uses_the_compiled_module() -> None:
    from collatz_cabi import _api

    assert via_cffi.MODE == "api", "the package builds cffi's compiled module"
    assert via_cffi.lib is _api.lib
    assert via_cffi.lib is not lib  # not the ABI-mode library


def test_abi_mode_library_still_works() -> None:
    # cffi's ABI mode over the same library: the explicit opt-out, and what the benchmark compares.
    assert lib.collatz_step(27) == 82
    assert lib.collatz_iterate(27, 111) == 1


def _child(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def test_abi_mode_is_an_explicit_opt_out() -> None:
    script = (
        "from collatz_cabi import via_cffi\n"
        "assert via_cffi.MODE == 'abi', via_cffi.MODE\n"
        "from collatz_cabi import _abi_mode\n"
        "assert via_cffi.lib is _abi_mode.lib\n"
        "assert via_cffi.step(27) == 82\n"
        "try:\n"
        "    via_cffi.step(0)\n"
        "except ValueError:\n"
        "    print('ok')\n"
    )
    run = _child(script, COLLATZ_CFFI_MODE="abi")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"

    bad = _child("import collatz_cabi.via_cffi", COLLATZ_CFFI_MODE="fast")
    assert bad.returncode != 0
    assert "COLLATZ_CFFI_MODE must be 'api' or 'abi', got 'fast'" in bad.stderr


def test_missing_compiled_module_is_an_error_not_a_silent_fallback() -> None:
    script = (
        "import sys\n"
        "sys.modules['collatz_cabi._api'] = None  # as if it had not been built\n"
        "import collatz_cabi.via_cffi\n"
    )
    run = _child(script)
    assert run.returncode != 0
    assert "cffi's compiled module is missing" in run.stderr
    assert "COLLATZ_CFFI_MODE=abi" in run.stderr


def test_cython_module_is_compiled_and_linked_to_the_same_library() -> None:
    from collatz_cabi import _library, via_cython

    assert via_cython.__file__ is not None
    assert via_cython.__file__.endswith((".so", ".pyd")), via_cython.__file__
    assert Path(via_cython.__file__).parent == Path(_library.PATH).parent
    assert via_cython.step(27) == 82
