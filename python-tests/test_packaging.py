"""What the wheels ship: type information for every package, and stubs that match the
compiled module (mypy.stubtest)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collatz_contract.backends import BACKENDS, FUNCTIONS
from collatz_contract.packages import PACKAGES

IMPORT_NAMES = [p.import_name for p in PACKAGES] + ["collatz_contract"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", IMPORT_NAMES)
def test_py_typed(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / "py.typed").is_file()


def test_the_registry_lists_every_package_of_the_tree() -> None:
    """Every directory with a Python package build beside core/ is in the registry, and every
    registry entry is such a directory with its crate in the workspace."""
    pure = {"contract", "bench"}
    found = {p.parent.name for p in ROOT.glob("*/pyproject.toml")} - pure
    assert found == {p.directory for p in PACKAGES}
    workspace = (ROOT / "Cargo.toml").read_text()
    for package in PACKAGES:
        manifest = (ROOT / package.source / "Cargo.toml").read_text()
        assert f'name = "{package.crate}"' in manifest, package
        assert f'"{package.source}"' in workspace, f"{package.source} is not a workspace member"
        pyproject = (ROOT / package.directory / "pyproject.toml").read_text()
        assert f'name = "{package.distribution}"' in pyproject, package
        assert package.build in pyproject, f"{package.directory} does not build with {package.build}"
        assert (ROOT / package.directory / "python" / package.import_name / "py.typed").is_file()


def test_the_makefile_reads_the_registry() -> None:
    """The Makefile's list of packages is the registry's (it runs packages.py)."""
    run = subprocess.run(
        ["make", "--no-print-directory", "-s", "-f", "Makefile", "-f", "-", "show-packages"],
        input="show-packages:\n\t@echo $(PACKAGES)\n",
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == [p.directory for p in PACKAGES]


def test_every_backend_exposes_exactly_the_contract() -> None:
    for backend in BACKENDS:
        module = backend.load()
        assert set(getattr(module, "__all__", [])) == set(FUNCTIONS), backend.name
        for name in FUNCTIONS:
            assert callable(getattr(module, name)), (backend.name, name)


def _glue_users() -> list[str]:
    return [
        p.import_name
        for p in PACKAGES
        if (ROOT / p.directory / "python" / p.import_name / "_glue.py").exists()
    ]


def test_the_shared_glue_is_one_file() -> None:
    """The Python glue (glue/_glue.py) exists once: each package that ships it has a symbolic
    link to it, and its installed copy is that file, byte for byte."""
    source = (ROOT / "glue" / "_glue.py").read_bytes()
    users = _glue_users()
    assert users, "some front end uses the shared glue"
    for name in users:
        package = next(p for p in PACKAGES if p.import_name == name)
        link = ROOT / package.directory / "python" / name / "_glue.py"
        assert link.is_symlink(), f"{link} must be a link to glue/_glue.py, not a copy"
        assert link.resolve() == (ROOT / "glue" / "_glue.py").resolve()
        installed = importlib.import_module(f"{name}._glue")
        assert installed.__file__ is not None
        assert Path(installed.__file__).read_bytes() == source, f"{installed.__file__} is stale: rebuild"


@pytest.mark.parametrize("package", [*(p.directory for p in PACKAGES), "contract", "bench"])
def test_every_package_carries_the_licence_texts(package: str) -> None:
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        assert (ROOT / package / name).read_bytes() == (ROOT / name).read_bytes(), (
            f"{package}/{name} differs from the root's: run `make licences`"
        )


def stubtest_allowlists() -> list[Path]:
    """Every package's ``stubtest-allowlist.txt``, and its ``stubtest-allowlist-py3XY.txt``
    from CPython 3.XY on (findings that only a newer interpreter or mypy's model of it shows)."""
    found = []
    for p in PACKAGES:
        for path in sorted((ROOT / p.directory).glob("stubtest-allowlist*.txt")):
            since = path.stem.removeprefix("stubtest-allowlist").removeprefix("-py")
            if not since or sys.version_info[:2] >= (int(since[0]), int(since[1:])):
                found.append(path)
    return found


def test_stubs_and_annotations_match_the_run_time() -> None:
    """mypy.stubtest over every module of every package (compiled ones through their stubs,
    generated ones as they are), in one run, with no blanket ignore: each package's allowlist
    names findings in its generated code one by one (stubtest fails on an entry nothing
    matches)."""
    allowlists = [arg for path in stubtest_allowlists() for arg in ("--allowlist", str(path))]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            *IMPORT_NAMES,
            "--mypy-config-file",
            str(Path(__file__).with_name("stubtest.ini")),
            *allowlists,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_front_end_types_the_same(tmp_path: Path) -> None:
    """mypy --strict on a script that uses every front end of the registry the same way
    (python-tests/typing/front_end.py), and reads every package's ``__version__`` as a ``str``."""
    lines = ["from front_end import use", ""]
    for i, backend in enumerate(BACKENDS):
        lines += [f"import {backend.module} as m{i}", f"use(m{i})"]
    for name in IMPORT_NAMES:
        lines += [f"import {name}", f"version_of_{name}: str = {name}.__version__"]
    script = tmp_path / "use_every_front_end.py"
    script.write_text("\n".join(lines) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--warn-unused-ignores",
            "--no-incremental",
            "--config-file",
            str(Path(__file__).with_name("stubtest.ini")),
            str(script),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(Path(__file__).parent / "typing")},
    )
    assert result.returncode == 0, script.read_text() + result.stdout + result.stderr


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b.native], ids=lambda b: b.name)
def test_importing_a_front_end_does_not_import_numpy(backend: Any) -> None:
    """numpy costs tens of milliseconds to import: a front end imports it only when an array
    is needed (then it is, and the array functions work). Nor do they import ``typing`` or
    ``pathlib`` (milliseconds each), except where a generated module does (the registry's
    ``generated_imports``: UniFFI's imports typing, BoltFFI's pathlib)."""
    slow = sorted({"pathlib", "typing"} - set(backend.package.generated_imports))
    script = (
        "import sys\n"
        f"before = {{m for m in {slow!r} if m in sys.modules}}\n"
        f"import {backend.module} as m\n"
        "assert 'numpy' not in sys.modules, sorted(k for k in sys.modules if 'numpy' in k)[:5]\n"
        f"assert not {{m for m in {slow!r} if m in sys.modules}} - before, 'imported on import'\n"
        "assert m.step(27) == 82 and m.walk(27, bool) == 112 and list(m.Trajectory(4)) == [4, 2, 1]\n"
        "assert 'numpy' not in sys.modules\n"
        "assert m.total_stopping_times([27]).tolist() == [111]\n"
        "assert 'numpy' in sys.modules\n"
        "print('ok')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


DISTRIBUTIONS = {p.import_name: p.distribution for p in PACKAGES} | {"collatz_contract": "collatz-contract"}


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


@pytest.mark.parametrize("distribution", [p.distribution for p in PACKAGES])
def test_shared_libraries_ship_without_debug_info(distribution: str) -> None:
    from importlib import metadata

    libraries = [f for f in metadata.files(distribution) or [] if str(f).endswith(".so")]
    assert libraries
    for library in libraries:
        sections = elf_section_names(Path(str(library.locate())))
        assert ".text" in sections, "the reader works"
        assert not [s for s in sections if s.startswith(".debug")], (library, sections)


@pytest.mark.parametrize("distribution", [p.distribution for p in PACKAGES])
def test_installed_wheels_have_no_panic_hooks(distribution: str) -> None:
    """The test-only functions that panic on purpose (`test-hooks`) are in no wheel: their panic
    messages, "forced panic from ...", appear in no installed shared library."""
    from importlib import metadata

    libraries = [f for f in metadata.files(distribution) or [] if str(f).endswith(".so")]
    assert libraries
    for library in libraries:
        assert b"forced panic from" not in Path(str(library.locate())).read_bytes(), library


def elf_section_names(path: Path) -> list[str]:
    """The section names of a 64-bit little-endian ELF file (what `readelf -S` lists)."""
    import struct

    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "64-bit little-endian ELF"
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
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


def _contributor_page_grep() -> str:
    """The ``git grep`` command of ``docs/adding-a-front-end.md`` (its one ``sh`` block)."""
    page = (ROOT / "docs" / "adding-a-front-end.md").read_text()
    blocks = [b.split("```", 1)[0] for b in page.split("```sh\n")[1:]]
    (command,) = [b for b in blocks if b.startswith("git grep")]
    return command.replace("\\\n", " ").strip()


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.directory)
def test_nothing_outside_a_package_needs_its_name(package: Any) -> None:
    """The contributor page's check, run as it says for every package of the registry: a new
    front end touches only its package, the registries, the workspace and the documentation
    (and optionally the benchmark's probes)."""
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    command = _contributor_page_grep().replace("bind-foo", package.directory)
    # A second build of another package's crate is named in that crate's directory, and names it.
    related = {package.crate_directory} | {
        p.directory for p in PACKAGES if p.crate_directory == package.directory
    }
    command += "".join(f" ':!{d}'" for d in sorted(related - {""}))
    run = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 1 and not run.stderr, f"{command}\n{run.stdout}{run.stderr}"


def test_the_registry_says_what_each_build_passes_to_cargo() -> None:
    """``cargo_features`` (what ``make lint`` checks a crate with) is what the package's
    maturin configuration passes."""
    tomllib = pytest.importorskip("tomllib")
    for package in PACKAGES:
        if package.build != "maturin":
            continue
        maturin = tomllib.loads((ROOT / package.directory / "pyproject.toml").read_text())["tool"]["maturin"]
        passed = []
        if maturin.get("no-default-features"):
            passed.append("--no-default-features")
        if maturin.get("features"):
            passed += ["--features", ",".join(maturin["features"])]
        assert " ".join(passed) == package.cargo_features, package.directory
