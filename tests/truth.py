"""Compare the marts with the simulator's ground truth (`<landing>/_truth/*.csv`), which the
simulator computes from its own objects under reporting-contract.md + docs/contract-readings.md."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from cchc_warehouse.simulate.truth import DOCUMENT_COLUMNS, DOSSIER_COLUMNS
from cchc_warehouse.warehouse import connect

RESOLUTION_KEYS = ("period_convention", "period_type", "period_label", "agency_code")
# the count columns of the two report marts, as the simulator's truth files name them
RESOLUTION_COUNTS = DOSSIER_COLUMNS
EXCHANGE_COUNTS = DOCUMENT_COLUMNS
INDICATOR_KEYS = ("report_year", "scope_code", "scope_level", "indicator_code")
INDICATOR_VALUES = ("value", "numerator", "denominator")


def read_truth(landing: Path, name: str) -> list[dict[str, str]]:
    with (Path(landing) / "_truth" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _num(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return (a or 0) == (b or 0)
    return abs(a - b) <= Decimal("0.0001") * max(1, abs(a))


def compare(
    expected: list[dict], actual: list[dict], keys: tuple[str, ...], values: tuple[str, ...]
) -> list[str]:
    """Differences as readable lines; rows missing on one side count as all zeros."""
    exp = {tuple(str(r[k]) for k in keys): r for r in expected}
    act = {tuple(str(r[k]) for k in keys): r for r in actual}
    diffs = []
    for key in sorted(set(exp) | set(act)):
        e, a = exp.get(key, {}), act.get(key, {})
        for col in values:
            ev, av = _num(e.get(col)), _num(a.get(col))
            if not _close(ev, av):
                diffs.append(f"{'/'.join(key)} {col}: truth {ev}, mart {av}")
    return diffs


def mart_rows(url: str, table: str, columns: tuple[str, ...]) -> list[dict]:
    with connect(url) as conn:
        cur = conn.execute(f"select {', '.join(columns)} from marts.{table}")  # noqa: S608 - fixed names
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def compare_marts(url: str, landing: Path) -> dict[str, list[str]]:
    """Every report mart against its truth file: {mart: [differences]}."""
    out = {}
    out["rpt_dossier_resolution"] = compare(
        read_truth(landing, "rpt_dossier_resolution.csv"),
        mart_rows(url, "rpt_dossier_resolution", RESOLUTION_KEYS + RESOLUTION_COUNTS),
        RESOLUTION_KEYS,
        RESOLUTION_COUNTS,
    )
    out["rpt_document_exchange"] = compare(
        read_truth(landing, "rpt_document_exchange.csv"),
        mart_rows(url, "rpt_document_exchange", RESOLUTION_KEYS + EXCHANGE_COUNTS),
        RESOLUTION_KEYS,
        EXCHANGE_COUNTS,
    )
    out["rpt_cchc_indicators"] = compare(
        read_truth(landing, "rpt_cchc_indicators.csv"),
        mart_rows(url, "rpt_cchc_indicators", INDICATOR_KEYS + INDICATOR_VALUES),
        INDICATOR_KEYS,
        INDICATOR_VALUES,
    )
    return out


def summary(diffs: dict[str, list[str]], limit: int = 15) -> str:
    lines = []
    for mart, d in diffs.items():
        if d:
            lines.append(f"{mart}: {len(d)} differences")
            lines += [f"  {x}" for x in d[:limit]]
    return "\n".join(lines)
