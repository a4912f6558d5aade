"""Read valgrind memcheck's XML report (``make memcheck``) and fail on the project's errors.

An error counts when it is an invalid read, write or free (or a mismatched free, an overlap,
a conditional jump on uninitialised memory), or a definite leak of memory lost per call, and
one of its stack frames is in one of the project's libraries: the Rust libraries and the
compiled modules of the binding packages. ``memcheck.py`` exercises every front end
``ROUNDS`` times, so memory lost per call is at least that many blocks; a single block is a
module's once-per-process state, which the interpreter never frees at exit (cffi's module
objects, made by ``PyInit__api``; numpy's borrow-checking capsule, made on PyO3's first array
call). Those, and CPython's own findings, are counted and listed as context, never failed on.

    python memcheck_report.py REPORT.xml
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from collatz_contract.packages import PACKAGES

ROUNDS = 3
"""How many times memcheck.py exercises each front end (keep the two equal)."""

FAILING = {
    "InvalidRead",
    "InvalidWrite",
    "InvalidFree",
    "MismatchedFree",
    "Overlap",
    "UninitCondition",
    "UninitValue",
    "SyscallParam",
    "Leak_DefinitelyLost",
}
"""memcheck's error kinds that fail the run when the project's code is on the stack."""


def ours(path: str) -> bool:
    """Whether a shared object belongs to a binding package (its Rust library or modules)."""
    return any(f"/{p.import_name}/" in path for p in PACKAGES)


def main(report: Path) -> int:
    root = ET.parse(report).getroot()
    failures: list[str] = []
    context: Counter[str] = Counter()
    for error in root.iter("error"):
        kind = error.findtext("kind") or "?"
        frames = [
            (frame.findtext("obj") or "", frame.findtext("fn") or "?", frame.findtext("file") or "")
            for frame in error.iter("frame")
        ]
        blocks = int(error.findtext("xwhat/leakedblocks") or 0)
        once = kind.startswith("Leak_") and blocks < ROUNDS
        if kind in FAILING and not once and any(ours(obj) for obj, _, _ in frames):
            what = error.findtext("what") or error.findtext("xwhat/text") or kind
            stack = "\n".join(f"    {fn} ({Path(obj).name})" for obj, fn, _ in frames[:12])
            failures.append(f"{kind}: {what}\n{stack}")
        else:
            context[f"{kind} (once, ours)" if once and any(ours(o) for o, _, _ in frames) else kind] += 1
    print(f"memcheck: {sum(context.values())} findings outside the project's code ({dict(context)})")
    if failures:
        print(f"memcheck: {len(failures)} errors in the project's code:")
        for failure in failures:
            print(failure)
        return 1
    print("memcheck: no error in the project's code")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
