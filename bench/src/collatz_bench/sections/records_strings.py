"""Call shapes: a record out, a string out, a string in, and 128-bit integers.

- ``stats(27)`` per call, and what reading its five fields costs (per field): a
  ``#[pyclass]``'s getters, a tuple subclass's properties, a dataclass-like record.
- ``stats`` with a 63-bit argument and with a 100-bit one: the same trajectory after 37 more
  halvings (the wide start is the narrow one times ``2**37``), so the difference is what a wide
  integer costs each binding, both ways (``n`` and ``peak`` cross the boundary), plus the
  native work of those 37 steps.
- ``parity_vector`` per call and per character, for a short string (the 70 parities of 27)
  and a long one (``k = LONG_PARITIES``): a string built by Rust, copied out.
- ``residue`` per call and per character, for 8 and 127 parities: a string passed in.
- The failing call of each: ``residue("2")`` (``ValueError``) against ``residue("0")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..context import FLOOR, Context, floor_case
from ..render.plots import color, machine
from ..section import timed
from ..table import Table, ns
from ..timing import Case, Summary, ratio_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

NARROW = 27 << 58
"""A 63-bit start (fits a ``uint64``)."""
WIDE = NARROW << 37
"""A 100-bit start with the same trajectory after 37 halvings."""
LONG_PARITIES = 100_000
SHORT_VECTOR = "01101101"
LONG_VECTOR = ("0110111" * 19)[:127]
FAILING = "try:\n    f(a)\nexcept ValueError:\n    pass"
FIELDS = "r.n; r.total_stopping_time; r.stopping_time; r.peak; r.odd_steps"

CALLS: dict[str, tuple[str, str, Any, int]] = {
    # key: (function, statement, argument, units of the per-unit figure)
    "stats": ("stats", "f(a)", 27, 1),
    "stats_narrow": ("stats", "f(a)", NARROW, 1),
    "stats_wide": ("stats", "f(a)", WIDE, 1),
    "parity_short": ("parity_vector", "f(a)", 27, 70),
    "parity_long": ("parity_vector", "f(27, a)", LONG_PARITIES, LONG_PARITIES),
    "residue_short": ("residue", "f(a)", SHORT_VECTOR, len(SHORT_VECTOR)),
    "residue_long": ("residue", "f(a)", LONG_VECTOR, len(LONG_VECTOR)),
    "residue_fails": ("residue", FAILING, "2", 1),
}


def cases(ctx: Context) -> list[Case]:
    out = [floor_case()]
    for backend, module in ctx.backends.items():
        for key, (function, stmt, argument, units) in CALLS.items():
            f = getattr(module, function)
            out.append(Case(f"{key}/{backend.name}", stmt, {"f": f, "a": argument}, units=units))
        out.append(Case(f"fields/{backend.name}", FIELDS, {"r": module.stats(27)}, units=5))
    return out


def summary(ctx: Context, measured: dict[str, Case]) -> dict[str, Any]:
    floor = measured[FLOOR].samples
    result: dict[str, Any] = {
        "narrow": NARROW,
        "wide": WIDE,
        "long_parities": LONG_PARITIES,
        "vectors": [len(SHORT_VECTOR), len(LONG_VECTOR)],
        "backends": {},
    }
    for backend in ctx.backends:
        entry: dict[str, Any] = {}
        for key in (*CALLS, "fields"):
            case = measured[f"{key}/{backend.name}"]
            entry[key] = {
                "ns_per_call": Summary.of(case.samples).as_dict(),
                "ns_per_unit": Summary.of(case.samples, case.units).as_dict(),
                "ratio_to_floor": ratio_summary(case.samples, floor).as_dict(),
            }
        narrow, wide = measured[f"stats_narrow/{backend.name}"], measured[f"stats_wide/{backend.name}"]
        entry["wide_over_narrow"] = ratio_summary(wide.samples, narrow.samples).as_dict()
        result["backends"][backend.name] = entry
    return result


def _call(entry: dict[str, Any], key: str, per_unit: bool = False) -> str:
    call = ns(entry[key]["ns_per_call"]["median"])
    return f"{call} [{ns(entry[key]['ns_per_unit']['median'])}]" if per_unit else call


def tables(own: dict[str, Any]) -> list[Table]:
    short, long = own["vectors"]
    record = Table(
        "A record out, with 128-bit integers: stats(n), per call; per field read; a 63-bit "
        "against a 100-bit n on the same trajectory",
        [
            "backend",
            "stats(27)",
            "× floor",
            "per field read",
            "stats(63-bit n)",
            "stats(100-bit n)",
            "100-bit / 63-bit",
        ],
    )
    strings = Table(
        "Strings: parity_vector out, residue in, per call (per character in brackets); the failing residue",
        [
            "backend",
            "parity_vector(27): 70",
            f"parity_vector(27, {own['long_parities']:,})",
            f"residue: {short}",
            f"residue: {long}",
            "residue('2') fails",
        ],
    )
    for name, entry in own["backends"].items():
        record.rows.append(
            [
                name,
                _call(entry, "stats"),
                f"{entry['stats']['ratio_to_floor']['median']:.1f}",
                ns(entry["fields"]["ns_per_unit"]["median"]),
                _call(entry, "stats_narrow"),
                _call(entry, "stats_wide"),
                f"{entry['wide_over_narrow']['median']:.2f}",
            ]
        )
        strings.rows.append(
            [
                name,
                _call(entry, "parity_short", per_unit=True),
                _call(entry, "parity_long", per_unit=True),
                _call(entry, "residue_short", per_unit=True),
                _call(entry, "residue_long", per_unit=True),
                _call(entry, "residue_fails"),
            ]
        )
    return [record, strings]


def plot(results: dict[str, Any], fig: Figure, ax: Axes) -> None:
    own = results["records_strings"]
    names = list(own["backends"])
    kinds = [
        ("stats", "stats(27): a record out"),
        ("stats_wide", "stats(100-bit n)"),
        ("parity_short", "parity_vector(27): a string out"),
        ("residue_long", "residue(127 parities): a string in"),
    ]
    width = 0.8 / len(kinds)
    for i, (key, label) in enumerate(kinds):
        xs = [j + (i - (len(kinds) - 1) / 2) * width for j in range(len(names))]
        ax.bar(
            xs,
            [own["backends"][n][key]["ns_per_call"]["median"] for n in names],
            width,
            label=label,
            color=["#4c72b0", "#8172b3", "#dd8452", "#55a868"][i],
        )
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    for tick in ax.get_xticklabels():
        tick.set_color(color(tick.get_text()))
    ax.set_yscale("log")
    ax.set_ylabel("ns per call (log scale)")
    ax.set_title(f"Records, strings and 128-bit integers, per call\n{machine(results)}", fontsize=10)
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)


SECTION = timed(
    "records_strings",
    "records and strings",
    cases,
    summary,
    tables,
    plots={"records_strings.png": plot},
)
