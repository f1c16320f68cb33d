"""Building blocks shared by the table suites: severities, code and date patterns, checks.

Every check runs in PostgreSQL (GX compiles `~` for regexes), so patterns are POSIX AREs:
`(?i)` at the very start makes one case-insensitive, which together with `\\s*` at both ends is
how a value set is checked "after trim/upper" without a derived column. The critical checks are
the ones that make a batch unpublishable: the table's columns, its keys, and its row count
against the manifest (minus what the loader quarantined). Everything that the contract's known
defects can produce (messy codes, odd dates, unknown codes, volume swings) is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

CRITICAL = "critical"
WARNING = "warning"
SEVERITIES = (CRITICAL, WARNING)

#: what load.py adds to every raw table
LOAD_COLUMNS: tuple[str, ...] = ("_extra", "_batch_id", "_export_date", "_file", "_line")

#: default band for the day-over-day volume check (rows vs the reference days' median)
EVENT_VOLUME_BAND: tuple[float, float] = (0.2, 5.0)
#: complete-every-day snapshots should hardly move
SNAPSHOT_VOLUME_BAND: tuple[float, float] = (0.8, 1.25)

# --- patterns ---------------------------------------------------------------------------------
# QĐ 20/2020/QĐ-TTg agency code shape ABC.DE.FG.Hxx (000.00.16.H56, 000.03.33.H60, 000.00.00.G01)
AGENCY = r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}"
PROCEDURE = r"[0-9]\.[0-9]{6}"
DOSSIER = AGENCY + r"-[0-9]{6}-[0-9]{4}"

_YYYY = r"(19|20)[0-9]{2}"
_MM = r"(0[1-9]|1[0-2])"
_DD = r"(0[1-9]|[12][0-9]|3[01])"
_HH = r"([01][0-9]|2[0-3])"
_MI = r"[0-5][0-9]"
NULL_DATE = "0{14}"  # the one-stop-shop's spelling of "no date" (defect 4): parseable as null

#: yyyyMMddHHmmss (the one-stop-shop), or its null spelling
YMDHMS = f"{_YYYY}{_MM}{_DD}{_HH}{_MI}{_MI}|{NULL_DATE}"
#: the same as LIKE shapes: empty, the null spelling, or 14 characters from 19xx/20xx
YMDHMS_SHAPES: tuple[str, ...] = ("", "0" * 14, "19" + "_" * 12, "20" + "_" * 12)
#: yyyy-MM-dd HH:mm:ss (quatrinh.csv, thanhtoan.csv)
ISO_DATETIME = f"{_YYYY}-{_MM}-{_DD} {_HH}:{_MI}:{_MI}"
#: yyyy-MM-dd (coquan.json)
ISO_DATE = f"{_YYYY}-{_MM}-{_DD}"
#: dd/MM/yyyy, dd/MM/yyyy HH:mm, dd/MM/yyyy HH:mm:ss (the document-management CSV)
VN_DATE = f"{_DD}/{_MM}/{_YYYY}"
VN_DATETIME_MIN = f"{VN_DATE} {_HH}:{_MI}"
VN_DATETIME_SEC = f"{VN_DATE} {_HH}:{_MI}:{_MI}"
#: ISO 8601 with an optional offset (trangthai.xml's ThoiDiem)
ISO_8601 = f"{_YYYY}-{_MM}-{_DD}T{_HH}:{_MI}(:{_MI}(\\.[0-9]+)?)?(Z|[+-][0-9]{{2}}:?[0-9]{{2}})?"
#: an Excel date-time cell as the loader writes it (isoformat with a space), or a bare date
EXCEL_DATETIME = f"{ISO_DATE}( {_HH}:{_MI}(:{_MI})?)?"

#: the share of values that must parse / have the canonical form before a warning
PARSE_RATE = 0.99
#: codes as exported: a few with spaces or lower case are expected (defect 5), a wave is not
CLEAN_CODE_RATE = 0.95


def exact(pattern: str) -> str:
    """The whole value matches `pattern`, as exported."""
    return f"^({pattern})$"


def exact_or_empty(pattern: str) -> str:
    """The whole value matches `pattern`, or is empty (defect 4: empty strings for missing)."""
    return f"^({pattern})?$"


def normalised(pattern: str, *, empty: bool = False) -> str:
    """After trim and upper-casing, the value matches `pattern` (letters in it are upper case)."""
    return f"(?i)^\\s*({pattern}){'?' if empty else ''}\\s*$"


def one_of(values: Iterable[str]) -> str:
    """An alternation of literal codes (escaped for a regex)."""
    specials = set(r"\.^$|?*+()[]{}")
    return "|".join("".join(f"\\{c}" if c in specials else c for c in v) for v in values)


def _note(text: str, severity: str) -> str:
    return f"[{severity}] {text}"


# --- critical: structure, keys, rows vs manifest -------------------------------------------------
def structure(table: str, columns: Sequence[str], keys: Sequence[str]) -> list[Expectation]:
    """The critical checks every raw table has: columns, keys, rows = manifest - quarantined."""
    name = table.split(".")[-1]
    checks: list[Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[*columns, *LOAD_COLUMNS],
            exact_match=False,
            severity=CRITICAL,
            meta={"label": "the contract's columns and the load columns are present"},
            notes=_note(
                "A missing column is a schema break: the raw table no longer matches the "
                "source contract the loader and staging are written against.",
                CRITICAL,
            ),
        ),
        gxe.ExpectTableRowCountToEqual(
            value={"$PARAMETER": f"expected_rows__{name}"},
            severity=CRITICAL,
            meta={"label": "rows = manifest rows - quarantined (audit.batch_files.rows_loaded)"},
            notes=_note(
                "The expected count is passed at run time: the manifest's rows for the file "
                "minus the records the loader quarantined.",
                CRITICAL,
            ),
        ),
    ]
    checks.append(
        gxe.ExpectColumnValuesToBeNull(
            column="_extra",
            severity=WARNING,
            meta={"label": "no fields outside the contract (schema drift)"},
            notes=_note(
                "The loader keeps fields the contract does not name in _extra (defect 7): "
                "accepted and kept, but someone should update the contract and staging.",
                WARNING,
            ),
        )
    )
    for key in keys:
        checks += [
            gxe.ExpectColumnValuesToNotBeNull(
                column=key,
                severity=CRITICAL,
                meta={"label": "key present"},
                notes=_note(f"{key} is part of the record's key.", CRITICAL),
            ),
            gxe.ExpectColumnValuesToMatchRegex(
                column=key,
                regex=r"\S",
                severity=CRITICAL,
                meta={"label": "key not blank"},
                notes=_note(
                    f"{key} is part of the record's key: blank is as bad as null.", CRITICAL
                ),
            ),
        ]
    return checks


# --- warnings ------------------------------------------------------------------------------------
def volume(table: str, band: tuple[float, float]) -> Expectation:
    """Day-over-day volume: rows within `band` x the reference days' median (set at run time)."""
    name = table.split(".")[-1]
    low, high = band
    return gxe.ExpectTableRowCountToBeBetween(
        min_value={"$PARAMETER": f"volume_min__{name}"},
        max_value={"$PARAMETER": f"volume_max__{name}"},
        severity=WARNING,
        meta={"label": f"volume within {low:g}x-{high:g}x of the previous published days"},
        notes=_note(
            f"Bounds = {low:g}x and {high:g}x the median row count of up to 5 previous "
            "published days of the same kind (working day, Saturday, Sunday/holiday) within 5 "
            "weeks; no bounds when there is no such day or it had under 20 rows.",
            WARNING,
        ),
    )


def required(columns: Iterable[str]) -> list[Expectation]:
    """Fields the contract always sends are present in (almost) every record."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column=c,
            mostly=PARSE_RATE,
            severity=WARNING,
            meta={"label": "required field present"},
        )
        for c in columns
    ]


def matches(
    column: str, regex: str, label: str, *, mostly: float = PARSE_RATE, notes: str | None = None
) -> Expectation:
    """A warning-level regex check (formats, parse rates, value sets after trim/upper)."""
    return gxe.ExpectColumnValuesToMatchRegex(
        column=column,
        regex=regex,
        mostly=mostly,
        severity=WARNING,
        meta={"label": label},
        notes=_note(notes, WARNING) if notes else None,
    )


def code_set(column: str, values: Sequence[str], label: str, *, empty: bool = False) -> Expectation:
    """Value set compared after trim/upper; any code outside it after that is a warning."""
    return matches(
        column,
        normalised(one_of(values), empty=empty),
        label,
        mostly=1.0,
        notes=f"Known codes: {', '.join(values)}"
        + (" (or empty)" if empty else "")
        + ". Compared after trim/upper: spaces and lower case are a known defect, not an "
        "unknown code.",
    )


def agency_codes(
    column: str, *, empty: bool = False, as_exported: bool = False
) -> list[Expectation]:
    """Agency code form after trim/upper (and, optionally, how many arrive clean)."""
    checks = [
        matches(
            column,
            normalised(AGENCY, empty=empty),
            "agency code form ABC.DE.FG.Hxx after trim/upper",
        )
    ]
    if as_exported:
        checks.append(clean_codes(column, AGENCY, empty=empty))
    return checks


def clean_codes(column: str, pattern: str, *, empty: bool = False) -> Expectation:
    """Codes exactly as exported: a few messy ones are normal (defect 5), many are a warning."""
    return matches(
        column,
        exact_or_empty(pattern) if empty else exact(pattern),
        "codes arrive trimmed and upper-case",
        mostly=CLEAN_CODE_RATE,
        notes="Messy codes are cleaned by staging; a high share means the source changed.",
    )


def dates(columns: Iterable[str], pattern: str, label: str, *, empty: bool = False) -> list:
    """Parse rate of date columns: at least PARSE_RATE match `pattern`."""
    regex = exact_or_empty(pattern) if empty else exact(pattern)
    return [matches(c, regex, label) for c in columns]


def date_shapes(columns: Iterable[str], like_patterns: Sequence[str], label: str) -> list:
    """A cheap shape check (SQL LIKE) where a full date regex costs too much per row.

    PostgreSQL evaluates a date regex at about 1 us a row; on the largest tables the optional
    date columns get this LIKE check (length, century, the null spelling) instead, at 1/50 of
    that, while the columns every record must fill keep the full regex.
    """
    return [
        gxe.ExpectColumnValuesToMatchLikePatternList(
            column=c,
            like_pattern_list=list(like_patterns),
            match_on="any",
            mostly=PARSE_RATE,
            severity=WARNING,
            meta={"label": label},
        )
        for c in columns
    ]


def flags(columns: Iterable[str], values: Sequence[str] = ("0", "1")) -> list[Expectation]:
    """0/1 (or true/false) flags, empty allowed, after trim/upper."""
    return [code_set(c, values, f"flag {'/'.join(values)}", empty=True) for c in columns]
