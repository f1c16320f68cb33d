"""The lines of a form as both writers print them: the total first, then each agency group
(cấp tỉnh, cấp huyện, cấp xã, unknown codes) with its subtotal and its agencies."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cchc_warehouse.reports.layout import AGENCY_GROUPS, TOTAL_LABEL, roman
from cchc_warehouse.reports.model import Agency

Row = TypeVar("Row")

UNKNOWN_AGENCY = "(mã không có trong danh mục cơ quan)"


@dataclass(frozen=True)
class FormLine:
    """kind: `total` (the scope's total), `group` (a subtotal of one agency level), `agency`."""

    kind: str
    stt: str
    name: str
    code: str
    row: object
    known: bool = True  # False: an agency code the directory does not list


def group_key(agency: Agency) -> str:
    for key, _title, levels in AGENCY_GROUPS:
        if agency.level in levels or (agency.level is None and None in levels):
            return key
    return "khac"


def form_lines(
    rows: Sequence[Row],
    agencies: dict[str, Agency],
    summed: Callable[[str, list[Row]], Row],
    total_name: str = TOTAL_LABEL,
) -> list[FormLine]:
    """Total, then groups with their subtotal, agencies ordered by parent then name."""
    by_code = {getattr(r, "agency_code"): r for r in rows}  # noqa: B009 - generic row types
    lines = [FormLine("total", "", total_name, "", summed("", list(rows)))]
    groups: dict[str, list[Agency]] = {}
    for code in by_code:
        agency = agencies.get(code) or Agency(code, None, None, None)
        groups.setdefault(group_key(agency), []).append(agency)
    n = 0
    for key, title, _levels in AGENCY_GROUPS:
        members = groups.get(key)
        if not members:
            continue
        n += 1
        members.sort(key=lambda a: (a.parent_code or "", a.name or "", a.code))
        group_rows = [by_code[a.code] for a in members]
        lines.append(FormLine("group", roman(n), title, "", summed("", group_rows)))
        for i, agency in enumerate(members, start=1):
            lines.append(
                FormLine(
                    "agency",
                    str(i),
                    agency.name or UNKNOWN_AGENCY,
                    agency.code,
                    by_code[agency.code],
                    agency.known,
                )
            )
    return lines
