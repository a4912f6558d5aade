"""What the wheels ship: type information for every package, and stubs that match the
compiled module (mypy.stubtest)."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collatz_contract.backends import BACKENDS, FUNCTIONS


@pytest.mark.parametrize("package", ["collatz_pyo3", "collatz_cabi", "collatz_uniffi", "collatz_contract"])
def test_py_typed(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / "py.typed").is_file()


def test_every_backend_exposes_exactly_the_contract() -> None:
    for backend in BACKENDS:
        module = backend.load()
        assert set(getattr(module, "__all__", [])) == set(FUNCTIONS), backend.name
        for name in FUNCTIONS:
            assert callable(getattr(module, name)), (backend.name, name)


def test_argument_rules_are_one_file_in_both_packages() -> None:
    """collatz_cabi and collatz_uniffi each ship the contract's argument rules; the copies are
    one file, byte for byte, in the sources and in the installed packages."""
    import collatz_cabi._args
    import collatz_uniffi._args

    root = Path(__file__).resolve().parents[1]
    source = (root / "bind-cabi/python/collatz_cabi/_args.py").read_bytes()
    assert (root / "bind-uniffi/python/collatz_uniffi/_args.py").read_bytes() == source, (
        "the two _args.py differ: edit bind-cabi's and run `make sync-args`"
    )
    for module in (collatz_cabi._args, collatz_uniffi._args):
        assert module.__file__ is not None
        assert Path(module.__file__).read_bytes() == source, f"{module.__file__} is stale: rebuild"


@pytest.mark.parametrize("package", ["bind-pyo3", "bind-cabi", "bind-uniffi", "contract", "bench"])
def test_every_package_carries_the_licence_texts(package: str) -> None:
    root = Path(__file__).resolve().parents[1]
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert (root / package / name).read_bytes() == (root / name).read_bytes(), (
            f"{package}/{name} differs from the root's: run `make sync-args`"
        )


def test_callback_plumbing_is_one_file_in_both_packages() -> None:
    import collatz_cabi._callbacks
    import collatz_uniffi._callbacks

    root = Path(__file__).resolve().parents[1]
    source = (root / "bind-cabi/python/collatz_cabi/_callbacks.py").read_bytes()
    assert (root / "bind-uniffi/python/collatz_uniffi/_callbacks.py").read_bytes() == source, (
        "the two _callbacks.py differ: edit bind-cabi's and run `make sync-args`"
    )
    for module in (collatz_cabi._callbacks, collatz_uniffi._callbacks):
        assert module.__file__ is not None
        assert Path(module.__file__).read_bytes() == source, f"{module.__file__} is stale: rebuild"


@pytest.mark.parametrize("package", ["collatz_pyo3", "collatz_cabi", "collatz_uniffi", "collatz_contract"])
def test_stubs_and_annotations_match_the_run_time(package: str) -> None:
    """mypy.stubtest over every module of the package (compiled ones through their stubs,
    generated ones as they are), with no blanket ignore."""
    # The allowlist names findings in UniFFI's generated code only (stubtest fails on unused
    # entries, so it goes to that package alone).
    allowlist = ["--allowlist", str(Path(__file__).with_name("stubtest-allowlist.txt"))]
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", package,
         "--mypy-config-file", str(Path(__file__).with_name("stubtest.ini")),
         *(allowlist if package == "collatz_uniffi" else [])],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_front_end_types_the_same() -> None:
    """mypy --strict on a script that uses every front end the same way, with every kind of
    argument the run time accepts (python-tests/typing/use_every_front_end.py)."""
    script = Path(__file__).parent / "typing" / "use_every_front_end.py"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores", "--no-incremental",
         "--config-file", str(Path(__file__).with_name("stubtest.ini")), str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "target", "results", "build", "*.egg-info", "__pycache__", "*.so", ".*_cache"
)


def test_cabi_installs_at_full_speed_the_standard_way(tmp_path: Path) -> None:
    """`pip install ./bind-cabi` as a new user runs it: an isolated PEP 517 build of a copy of
    the sources, into a fresh virtual environment; cffi's compiled module and the Cython
    module are there, and importing warns about nothing."""
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYO3_", "MATURIN_", "VIRTUAL_ENV"))}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source / "bind-cabi")],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run(
        [
            str(python),
            "-W",
            "error",
            "-c",
            "from collatz_cabi import via_cffi, via_ctypes, via_cython\n"
            "assert via_cffi.MODE == 'api', via_cffi.MODE\n"
            "from collatz_cabi import _api\n"
            "assert via_cffi.lib is _api.lib\n"
            "assert via_cython.step(27) == via_cffi.step(27) == via_ctypes.step(27) == 82\n"
            "print('ok')\n",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok"
    assert check.stderr == "", "no warning"


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.native], ids=lambda b: b.name)
def test_importing_a_front_end_does_not_import_numpy(backend: Any) -> None:
    """numpy costs tens of milliseconds to import: a front end imports it only when an array
    is needed (then it is, and the array functions work). Nor do they import ``typing`` or
    ``pathlib`` (milliseconds each), except UniFFI's generated module, which imports typing."""
    slow = ["pathlib"] if backend.name == "uniffi" else ["pathlib", "typing"]
    script = (
        "import sys\n"
        f"before = {{m for m in {slow!r} if m in sys.modules}}\n"
        f"import {backend.module} as m\n"
        "assert 'numpy' not in sys.modules, sorted(k for k in sys.modules if 'numpy' in k)[:5]\n"
        f"assert not {{m for m in {slow!r} if m in sys.modules}} - before, 'imported on import'\n"
        "assert m.step(27) == 82 and m.walk(27, bool) == 112 and list(m.Trajectory(4)) == [4, 2, 1]\n"
        "assert 'numpy' not in sys.modules\n"
        "assert m.stopping_times([27]).tolist() == [111]\n"
        "assert 'numpy' in sys.modules\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


DISTRIBUTIONS = {
    "collatz_pyo3": "collatz-pyo3",
    "collatz_cabi": "collatz-cabi",
    "collatz_uniffi": "collatz-uniffi",
    "collatz_contract": "collatz-contract",
}


@pytest.mark.parametrize(("package", "distribution"), DISTRIBUTIONS.items())
def test_every_package_says_what_it_is(package: str, distribution: str) -> None:
    from importlib import metadata

    module = importlib.import_module(package)
    assert module.__version__ == metadata.version(distribution)
    meta = metadata.metadata(distribution)
    assert meta["License-Expression"] == "MIT OR Apache-2.0"
    assert "Repository, https://github.com/collatz-ffi/collatz-ffi" in (meta.get_all("Project-URL") or [])
    assert meta["Description-Content-Type"].startswith("text/markdown")
    assert len(meta.get_payload() or "") > 100, "the package's readme is its long description"
    files = {str(f) for f in metadata.files(distribution) or []}
    for license_file in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert any(f.endswith(f"licenses/{license_file}") for f in files), (distribution, license_file)


@pytest.mark.parametrize("distribution", ["collatz-pyo3", "collatz-cabi", "collatz-uniffi"])
def test_shared_libraries_ship_without_debug_info(distribution: str) -> None:
    from importlib import metadata

    libraries = [f for f in metadata.files(distribution) or [] if str(f).endswith(".so")]
    assert libraries
    for library in libraries:
        sections = elf_section_names(Path(str(library.locate())))
        assert ".text" in sections, "the reader works"
        assert not [s for s in sections if s.startswith(".debug")], (library, sections)


def elf_section_names(path: Path) -> list[str]:
    """The section names of a 64-bit little-endian ELF file (what `readelf -S` lists)."""
    import struct

    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "64-bit little-endian ELF"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_at = headers[shstrndx][4]  # sh_offset of the section-name table
    return [data[names_at + h[0] : data.index(b"\0", names_at + h[0])].decode() for h in headers]


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.native], ids=lambda b: b.name)
def test_front_ends_show_only_the_contract(backend: Any) -> None:
    module = backend.load()
    assert set(dir(module)) - {"__version__"} == set(FUNCTIONS), sorted(dir(module))


def test_via_ctypes_imports_without_cffi() -> None:
    script = (
        "import sys\n"
        "sys.modules['cffi'] = sys.modules['_cffi_backend'] = None  # as if cffi were not installed\n"
        "from collatz_cabi import via_ctypes\n"
        "assert via_ctypes.step(27) == 82\n"
        "try:\n"
        "    from collatz_cabi import via_cffi\n"
        "except ImportError:\n"
        "    print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
