"""The CPython interpreters the Makefile builds and tests with (standard library only: it runs
before any environment exists).

``python tools/pythons.py resolve SPEC`` prints the absolute path of one interpreter, given by
path (``/usr/bin/python3.12``), by command name (``python3.12``, ``python3``), or by version
(``3.12`` or ``3.12.1``: pyenv's installation of it, else ``python3.12`` on ``PATH``).
``python tools/pythons.py version SPEC`` prints its ``major.minor``.

``python tools/pythons.py find`` prints one path per line: every CPython >= 3.10 this machine
has (pyenv's installations, then ``python3.N`` on ``PATH``), the newest patch release of each
minor version; on standard error, one line per interpreter it skipped and why (too old, not
CPython, a free-threaded build, a duplicate of one already listed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

OLDEST = (3, 10)
"""The oldest CPython the project supports (``requires-python`` of every package)."""

_PROBE = (
    "import sys, sysconfig, platform;"
    "print(platform.python_implementation(), '%d.%d.%d' % sys.version_info[:3],"
    " int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), sys.executable)"
)


def describe(path: str) -> tuple[str, tuple[int, ...], bool, str] | None:
    """(implementation, version, free-threaded, executable) of the interpreter at ``path``."""
    try:
        out = subprocess.run(
            [path, "-I", "-c", _PROBE], capture_output=True, text=True, timeout=30, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    implementation, version, free_threaded, executable = out
    return implementation, tuple(int(p) for p in version.split(".")), free_threaded == "1", executable


def _pyenv_versions() -> list[Path]:
    """The interpreters pyenv installed (``$PYENV_ROOT/versions/X.Y.Z/bin/python3``)."""
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return []
    return sorted(p / "bin" / "python3" for p in versions.iterdir() if (p / "bin" / "python3").exists())


def resolve(spec: str) -> str:
    """The absolute path of the interpreter ``spec`` names (see the module's docstring)."""
    if os.sep in spec:
        return str(Path(spec).absolute())
    if spec[:1].isdigit():
        parts = spec.split(".")
        for candidate in reversed(_pyenv_versions()):
            if candidate.parent.parent.name.split(".")[: len(parts)] == parts:
                return str(candidate)
        spec = "python" + ".".join(parts[:2])
    found = shutil.which(spec)
    if found is None:
        raise SystemExit(f"pythons.py: no interpreter {spec!r} on PATH or in pyenv")
    return found


def find() -> list[str]:
    """Every CPython >= 3.10 found, newest patch of each minor version (see the docstring)."""
    candidates = [str(p) for p in _pyenv_versions()]
    for minor in range(OLDEST[1], 30):
        found = shutil.which(f"python3.{minor}")
        if found:
            candidates.append(found)
    chosen: dict[tuple[int, int], tuple[tuple[int, ...], str]] = {}
    for path in candidates:
        described = describe(path)
        if described is None:
            print(f"skipped {path}: does not run", file=sys.stderr)
            continue
        implementation, version, free_threaded, _ = described
        series = (version[0], version[1])
        name = f"{path} ({implementation} {'.'.join(map(str, version))})"
        if implementation != "CPython":
            print(f"skipped {name}: not CPython", file=sys.stderr)
        elif series < OLDEST:
            print(
                f"skipped {name}: older than {OLDEST[0]}.{OLDEST[1]}, which the project supports",
                file=sys.stderr,
            )
        elif free_threaded:
            print(f"skipped {name}: a free-threaded build (docs/interpreters.md)", file=sys.stderr)
        elif series in chosen and chosen[series][0] >= version:
            print(f"skipped {name}: {chosen[series][1]} is as new", file=sys.stderr)
        else:
            if series in chosen:
                print(f"skipped {chosen[series][1]}: {name} is newer", file=sys.stderr)
            chosen[series] = (version, path)
    return [chosen[m][1] for m in sorted(chosen)]


def main(argv: list[str]) -> int:
    if argv[:1] == ["find"]:
        print("\n".join(find()))
        return 0
    if len(argv) == 2 and argv[0] in ("resolve", "version"):
        path = resolve(argv[1])
        if argv[0] == "resolve":
            print(path)
            return 0
        described = describe(path)
        if described is None:
            print(f"pythons.py: {path} does not run", file=sys.stderr)
            return 1
        print(f"{described[1][0]}.{described[1][1]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
