"""raw.docmgmt_noinhan (noinhan.csv): one row per recipient of an outgoing document."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import EVENT_VOLUME_BAND, agency_codes, matches, structure, volume

TABLE = "raw.docmgmt_noinhan"
SYSTEM = "docmgmt"
FILE = "noinhan.csv"
COLUMNS: tuple[str, ...] = ("ma_van_ban", "ma_co_quan_nhan", "thu_tu")
KEYS: tuple[str, ...] = ("ma_van_ban", "ma_co_quan_nhan")
VOLUME_BAND = EVENT_VOLUME_BAND


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *agency_codes("ma_co_quan_nhan", as_exported=True),
        matches("thu_tu", r"^\s*[0-9]*\s*$", "recipient order is an integer or empty"),
    ]
