"""The PEP 517 build of ``collatz-boltffi``: BoltFFI's own ``boltffi pack python``, then the
facade around what it generated.

BoltFFI's CLI is the build tool here, as maturin is for PyO3: ``boltffi pack python
--release`` (run in this directory, configured by ``boltffi.toml``) compiles the crate,
generates a CPython extension and a Python module for it, and builds them into a wheel of
their own (``collatz_boltffi_native``). This backend takes that wheel apart and writes the
``collatz-boltffi`` wheel: the generated package moved, unchanged, to
``collatz_boltffi/_native/`` (its imports are relative), under the hand-written facade
``python/collatz_boltffi/``, with this project's metadata. No file BoltFFI generated is edited.

The CLI is found as ``$BOLTFFI``, or ``boltffi`` on ``PATH``; ``make`` installs the pinned
version (``cargo install boltffi_cli --version 0.32.1 --locked``) under ``target/tools``.

The crate belongs to the repository's Cargo workspace; an sdist carries a copy of the
workspace's Rust sources under ``rust/`` (as the C ABI package's does), and a build from the sdist
packs that copy.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent.parent
SHIPPED = HERE / "rust"
WORKSPACE = SHIPPED if SHIPPED.is_dir() else HERE.parent
PACKAGE = "collatz_boltffi"
GENERATED = "collatz_boltffi_native"
"""The package ``boltffi.toml`` names: what BoltFFI generates, shipped as ``collatz_boltffi._native``."""
PINNED = "0.32.1"
# What a workspace member needs to be built (cargo loads every member's manifest and targets).
CRATE_FILES = (
    "Cargo.toml",
    "build.rs",
    "cbindgen.toml",
    "boltffi.toml",
    "src",
    "tests",
    "benches",
    "include",
)
SDIST_FILES = (
    "pyproject.toml",
    "boltffi.toml",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "build_support",
    "python",
)


def _project() -> dict[str, object]:
    with open(HERE / "pyproject.toml", "rb") as f:
        project: dict[str, object] = tomllib.load(f)["project"]
    return project


def _name_version() -> tuple[str, str]:
    project = _project()
    return str(project["name"]), str(project["version"])


# --- the hooks pip calls ---------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


def get_requires_for_build_sdist(config_settings: object = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: object = None) -> str:
    """The metadata alone, without building: pip asks for it before the wheel."""
    name, version = _name_version()
    info = f"{name.replace('-', '_')}-{version}.dist-info"
    os.makedirs(Path(metadata_directory) / info, exist_ok=True)
    (Path(metadata_directory) / info / "METADATA").write_text(_metadata())
    return info


def build_wheel(
    wheel_directory: str, config_settings: object = None, metadata_directory: object = None
) -> str:
    native = _boltffi_wheel()
    name, version = _name_version()
    distribution = name.replace("-", "_")
    with zipfile.ZipFile(native) as source:
        tag = _wheel_tag(source)
        files: dict[str, bytes] = {}
        for item in source.infolist():
            top, _, rest = item.filename.partition("/")
            if top == GENERATED and rest and not item.is_dir():
                files[f"{PACKAGE}/_native/{rest}"] = source.read(item)
    if not any(path.endswith(".so") or path.endswith(".pyd") for path in files):
        raise RuntimeError(f"{native.name} holds no compiled module under {GENERATED}/")
    for path in sorted((HERE / "python" / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"{PACKAGE}/{path.relative_to(HERE / 'python' / PACKAGE).as_posix()}"] = path.read_bytes()
    info = f"{distribution}-{version}.dist-info"
    files[f"{info}/METADATA"] = _metadata().encode()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: collatz_boltffi_build\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    for licence in ("LICENSE-MIT", "LICENSE-APACHE"):
        files[f"{info}/licenses/{licence}"] = (HERE / licence).read_bytes()
    record = f"{info}/RECORD"
    lines = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[record] = ("\n".join([*lines, f"{record},,"]) + "\n").encode()
    wheel_name = f"{distribution}-{version}-{tag}.whl"
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as out:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if path.endswith((".so", ".pyd")) else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(entry, data)
    return wheel_name


def build_sdist(sdist_directory: str, config_settings: object = None) -> str:
    name, version = _name_version()
    base = f"{name.replace('-', '_')}-{version}"
    os.makedirs(sdist_directory, exist_ok=True)
    archive = f"{base}.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / base
        root.mkdir()
        for item in SDIST_FILES:
            _copy(HERE / item, root / item)
        (root / "PKG-INFO").write_text(_metadata())
        rust = root / "rust"
        rust.mkdir()
        for manifest in ("Cargo.toml", "Cargo.lock"):
            shutil.copy2(WORKSPACE / manifest, rust / manifest)
        for member in _members():
            for item in CRATE_FILES:
                if (WORKSPACE / member / item).exists():
                    _copy(WORKSPACE / member / item, rust / member / item)
        with tarfile.open(Path(sdist_directory) / archive, "w:gz") as tar:
            tar.add(root, arcname=base)
    return archive


# --- BoltFFI ---------------------------------------------------------------------------------


def _boltffi() -> str:
    found = os.environ.get("BOLTFFI") or shutil.which("boltffi")
    if not found:
        raise RuntimeError(
            "collatz-boltffi is built by BoltFFI's CLI, which was not found (set $BOLTFFI or put "
            f"`boltffi` on PATH): cargo install boltffi_cli --version {PINNED} --locked"
        )
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout
    if PINNED not in version:
        raise RuntimeError(f"collatz-boltffi needs boltffi {PINNED}, {found} is {version.strip()!r}")
    return found


def _crate() -> Path:
    """The crate's directory: this one, or in an sdist the member of the workspace copy that
    has the ``boltffi.toml`` (the unpacked sdist's own name is arbitrary)."""
    if not SHIPPED.is_dir():
        return HERE
    found = [WORKSPACE / m for m in _members() if (WORKSPACE / m / "boltffi.toml").is_file()]
    if len(found) != 1:
        raise RuntimeError(f"expected one workspace member with a boltffi.toml, found {found}")
    return found[0]


def _boltffi_wheel() -> Path:
    """Run ``boltffi pack python --release`` for this interpreter; the wheel it wrote."""
    crate = _crate()
    output = crate / "dist" / "python"
    shutil.rmtree(output, ignore_errors=True)
    # Not the variables of the PEP 517 hook this runs in (pip's runner puts this backend's
    # directory in them): BoltFFI's own `pip wheel` is a build of its own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEP517_", "_PYPROJECT_HOOKS"))}
    # BoltFFI's own wheel is built by `pip wheel` with the build tools of this (build)
    # environment rather than an isolated one fetched again (pip reads 0 here as "off").
    env["PIP_NO_BUILD_ISOLATION"] = "0"
    # Wheels carry no debug info (the release profile keeps line tables for profiling).
    env["CARGO_PROFILE_RELEASE_STRIP"] = "debuginfo"
    if sys.platform.startswith("linux"):  # nor the C extension (Python's own CFLAGS add -g)
        env["LDFLAGS"] = (env.get("LDFLAGS", "") + " -Wl,--strip-debug").strip()
    command = [_boltffi(), "pack", "python", "--release", "--python", sys.executable]
    completed = subprocess.run(command, cwd=crate, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise RuntimeError(f"{' '.join(command)} failed with exit status {completed.returncode}")
    wheels = sorted((output / "wheelhouse").glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel from boltffi in {output / 'wheelhouse'}, found {wheels}")
    return wheels[0]


def _wheel_tag(native: zipfile.ZipFile) -> str:
    for item in native.namelist():
        if item.endswith(".dist-info/WHEEL"):
            tags = re.findall(r"^Tag: (\S+)$", native.read(item).decode(), re.M)
            if len(tags) == 1:
                return tags[0]
            raise RuntimeError(f"BoltFFI's wheel has tags {tags}; expected one")
    raise RuntimeError("BoltFFI's wheel has no WHEEL file")


# --- metadata and files ----------------------------------------------------------------------


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project['description']}",
        f"Requires-Python: {project['requires-python']}",
        f"License-Expression: {project['license']}",
        *(f"License-File: {f}" for f in project.get("license-files", [])),  # type: ignore[attr-defined]
        *(f"Classifier: {c}" for c in project.get("classifiers", [])),  # type: ignore[attr-defined]
        *(f"Requires-Dist: {d}" for d in project.get("dependencies", [])),  # type: ignore[attr-defined]
        *(f"Project-URL: {k}, {v}" for k, v in project.get("urls", {}).items()),  # type: ignore[attr-defined]
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + (HERE / "README.md").read_text()


def _members() -> list[str]:
    manifest = (WORKSPACE / "Cargo.toml").read_text()
    block = re.search(r"members\s*=\s*\[(.*?)\]", manifest, re.S)
    if block is None:
        raise RuntimeError("no [workspace] members in the workspace's Cargo.toml")
    return re.findall(r'"([^"]+)"', block.group(1))


def _copy(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    else:
        shutil.copy2(source, destination)  # a symbolic link (the licences, _glue.py): its file


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
