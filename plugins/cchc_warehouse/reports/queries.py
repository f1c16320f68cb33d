"""Reading a report's data: figures from `marts` only; provenance (as-of days, missing days,
quarantine counts, build time) from `audit` and the marts' build stamps. SQL as named constants
with parameters; every query returns a few hundred rows at most (marts are pre-aggregated)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import psycopg
from psycopg.rows import dict_row

from cchc_warehouse.errors import CchcError
from cchc_warehouse.reports.layout import nfc
from cchc_warehouse.reports.model import (
    DOCUMENT_COUNTS,
    RESOLUTION_COUNTS,
    Agency,
    DocumentRow,
    IndicatorRow,
    MonthPoint,
    Period,
    Provenance,
    ReportData,
    ResolutionRow,
    SystemStatus,
)

log = logging.getLogger(__name__)

SYSTEMS = ("onestop", "docmgmt", "portal")


class ReportError(CchcError):
    """The report cannot be written as asked (unknown scope or period, no figures for the year)."""


# ---- scope and period ------------------------------------------------------------------

PROVINCE_SCOPES_SQL = """
select distinct scope_code
from marts.rpt_cchc_indicators
where scope_level = 'province'
  and (%(year)s::integer is null or report_year = %(year)s)
order by scope_code
"""

SCOPE_KNOWN_SQL = """
select
    exists (
        select 1 from marts.rpt_cchc_indicators
        where scope_code = %(scope)s and scope_level = 'province'
    ) as is_province,
    exists (select 1 from marts.dim_agency where agency_code = %(scope)s) as in_directory,
    exists (
        select 1 from marts.rpt_dossier_resolution where agency_code = %(scope)s
        union all
        select 1 from marts.rpt_document_exchange where agency_code = %(scope)s
    ) as has_rows
"""

PERIOD_SQL = """
select period_convention, period_type, period_label, period_year, period_start, period_end
from marts.dim_reporting_period
where period_convention = %(convention)s and period_label = %(label)s
"""

MONTHS_SQL = """
select period_convention, period_type, period_label, period_year, period_start, period_end
from marts.dim_reporting_period
where period_convention = %(convention)s
  and period_type = 'month'
  and period_start >= %(start)s
  and period_end <= %(end)s
order by period_start
"""

# The version of each agency in force at the period's end; an agency first seen later gets its
# first version (so a name is always shown when the directory has one).
AGENCIES_SQL = """
select distinct on (agency_code)
    agency_code,
    agency_name,
    agency_level,
    parent_agency_code
from marts.dim_agency
order by agency_code, (valid_from <= %(end)s) desc, valid_from desc
"""

# The root of the directory in force at the period's end: the provincial people's committee.
PROVINCE_NAME_SQL = """
select agency_name
from marts.dim_agency
where parent_agency_code is null
  and agency_level = 'TINH'
  and valid_from <= %(end)s
  and (valid_to is null or valid_to >= %(end)s)
order by agency_code
"""

# ---- figures ---------------------------------------------------------------------------

INDICATORS_SQL = """
select
    ref.indicator_code,
    coalesce(i.indicator_name_vi, ref.indicator_name_vi) as indicator_name_vi,
    coalesce(i.unit_vi, ref.unit_vi) as unit_vi,
    i.value,
    i.numerator,
    i.denominator,
    coalesce(i.sort_order, ref.sort_order) as sort_order,
    ref.indicator_kind,
    ref.parent_indicator_code,
    i.indicator_code is not null as in_mart
from marts.ref_cchc_indicators as ref
left join marts.rpt_cchc_indicators as i
    on i.indicator_code = ref.indicator_code
    and i.report_year = %(year)s
    and i.scope_code = %(scope)s
    and i.scope_level = %(level)s
order by coalesce(i.sort_order, ref.sort_order), ref.indicator_code
"""

# Indicator rows the catalogue does not know (a mart ahead of the seed): shown, never dropped.
EXTRA_INDICATORS_SQL = """
select i.indicator_code, i.indicator_name_vi, i.unit_vi, i.value, i.numerator, i.denominator,
       i.sort_order
from marts.rpt_cchc_indicators as i
where i.report_year = %(year)s and i.scope_code = %(scope)s and i.scope_level = %(level)s
  and not exists (
      select 1 from marts.ref_cchc_indicators as ref where ref.indicator_code = i.indicator_code
  )
order by i.sort_order
"""

INDICATOR_YEAR_SQL = """
select min(period_start) as period_start, max(period_end) as period_end
from marts.rpt_cchc_indicators
where report_year = %(year)s and scope_code = %(scope)s and scope_level = %(level)s
"""

# The count columns are the dataclass's fields (constants, never data), so a column added to
# ResolutionRow / DocumentRow is read without a second list to keep in step.
RESOLUTION_SQL = """
select agency_code, {counts}, on_time_rate
from marts.rpt_dossier_resolution
where period_convention = %(convention)s
  and period_type = %(period_type)s
  and period_label = %(label)s
  and (%(agency)s::text is null or agency_code = %(agency)s)
order by agency_code
""".format(counts=", ".join(RESOLUTION_COUNTS))

DOCUMENTS_SQL = """
select agency_code, {counts}, processing_on_time_rate
from marts.rpt_document_exchange
where period_convention = %(convention)s
  and period_type = %(period_type)s
  and period_label = %(label)s
  and (%(agency)s::text is null or agency_code = %(agency)s)
order by agency_code
""".format(counts=", ".join(DOCUMENT_COUNTS))

RESOLUTION_MONTHS_SQL = """
select
    period_label,
    sum(received_online) as online,
    sum(received_in_person_or_post - received_by_post) as in_person,
    sum(received_by_post) as by_post,
    sum(received) as received
from marts.rpt_dossier_resolution
where period_convention = %(convention)s
  and period_type = 'month'
  and period_start >= %(start)s
  and period_end <= %(end)s
  and (%(agency)s::text is null or agency_code = %(agency)s)
group by period_label
"""

DOCUMENT_MONTHS_SQL = """
select
    period_label,
    sum(outgoing_electronic) as electronic,
    sum(outgoing_parallel) as parallel,
    sum(outgoing_paper) as paper,
    sum(outgoing) as outgoing
from marts.rpt_document_exchange
where period_convention = %(convention)s
  and period_type = 'month'
  and period_start >= %(start)s
  and period_end <= %(end)s
  and (%(agency)s::text is null or agency_code = %(agency)s)
group by period_label
"""

# ---- provenance (audit) ----------------------------------------------------------------

AS_OF_SQL = """
select
    system,
    min(export_date) as first_day,
    max(export_date) as last_day
from audit.load_batches
where status = 'published'
group by system
"""

PROBLEM_DAYS_SQL = """
select system, export_date, status
from audit.day_status
where export_date between %(start)s and %(end)s
  and status <> 'published'
order by system, export_date
"""

QUARANTINE_SQL = """
select
    b.system,
    coalesce(sum(f.rows_loaded), 0) as rows_loaded,
    coalesce(sum(f.rows_quarantined), 0) as rows_quarantined
from audit.current_batches as b
join audit.batch_files as f using (batch_id)
where b.status = 'published'
  and b.export_date between %(start)s and %(end)s
group by b.system
"""

# The report marts stamp their build in dbt's watermark table (macro record_watermark, a
# post-hook of each mart): the time the figures were computed.
BUILD_TABLE_SQL = "select to_regclass('intermediate.cchc_build_watermarks') is not null"
BUILD_SQL = """
select max(updated_at) as built_at, max(as_of_date) as as_of_date
from intermediate.cchc_build_watermarks
where model_name in ('rpt_cchc_indicators', 'rpt_dossier_resolution', 'rpt_document_exchange')
"""


def _period(row: tuple) -> Period:
    return Period(row[0], row[1], row[2], int(row[3]), row[4], row[5])


def find_period(conn: psycopg.Connection, convention: str, label: str) -> Period:
    row = conn.execute(PERIOD_SQL, {"convention": convention, "label": label}).fetchone()
    if row is None:
        raise ReportError(
            f"no {convention} period labelled {label!r} in marts.dim_reporting_period "
            "(labels look like 2021, 2021-Q4, 2021-H1, 2021-9M, 2021-12)"
        )
    return _period(row)


def province_scope(conn: psycopg.Connection, year: int) -> str:
    codes = [r[0] for r in conn.execute(PROVINCE_SCOPES_SQL, {"year": year})]
    if not codes:
        codes = [r[0] for r in conn.execute(PROVINCE_SCOPES_SQL, {"year": None})]
    if not codes:
        raise ReportError("marts.rpt_cchc_indicators has no province rows: build the marts first")
    if len(codes) > 1:
        raise ReportError(
            f"several province scopes in the marts ({', '.join(codes)}): pass --scope"
        )
    return codes[0]


def scope_level(conn: psycopg.Connection, scope: str) -> str:
    is_province, in_directory, has_rows = conn.execute(SCOPE_KNOWN_SQL, {"scope": scope}).fetchone()
    if is_province:
        return "province"
    if in_directory or has_rows:
        return "agency"
    raise ReportError(
        f"scope {scope!r} is neither a province code of marts.rpt_cchc_indicators nor an agency "
        "of marts.dim_agency"
    )


def read_agencies(conn: psycopg.Connection, period: Period) -> dict[str, Agency]:
    rows = conn.execute(AGENCIES_SQL, {"end": period.end}).fetchall()
    return {r[0]: Agency(r[0], nfc(r[1]) if r[1] else None, r[2], r[3]) for r in rows}


def scope_name(
    conn: psycopg.Connection, scope: str, level: str, period: Period, agencies: dict[str, Agency]
) -> str:
    if level == "agency":
        agency = agencies.get(scope)
        return agency.name if agency and agency.name else f"cơ quan mã {scope}"
    names = [r[0] for r in conn.execute(PROVINCE_NAME_SQL, {"end": period.end})]
    if len(names) == 1:
        return nfc(names[0])
    return f"tỉnh (mã {scope})"


def read_indicators(
    conn: psycopg.Connection, year: int, scope: str, level: str
) -> list[IndicatorRow]:
    params = {"year": year, "scope": scope, "level": level}
    rows = [
        IndicatorRow(
            code=r[0],
            name_vi=nfc(r[1]),
            unit_vi=nfc(r[2] or ""),
            value=r[3],
            numerator=r[4],
            denominator=r[5],
            sort_order=int(r[6]),
            kind=r[7],
            parent_code=r[8],
            in_mart=bool(r[9]),
        )
        for r in conn.execute(INDICATORS_SQL, params)
    ]
    for r in conn.execute(EXTRA_INDICATORS_SQL, params):
        log.warning("indicator %s is in the mart but not in ref_cchc_indicators", r[0])
        rows.append(
            IndicatorRow(
                r[0],
                nfc(r[1] or r[0]),
                nfc(r[2] or ""),
                r[3],
                r[4],
                r[5],
                int(r[6] or 999),
                "count",
                None,
            )
        )
    rows.sort(key=lambda r: (r.sort_order, r.code))
    return rows


def indicator_period(conn: psycopg.Connection, year: int, scope: str, level: str) -> Period | None:
    start, end = conn.execute(
        INDICATOR_YEAR_SQL, {"year": year, "scope": scope, "level": level}
    ).fetchone()
    if start is None:
        return None
    return Period("nd09", "year", str(year), year, start, end)


def read_resolution(
    conn: psycopg.Connection, period: Period, agency: str | None
) -> list[ResolutionRow]:
    params = _period_params(period, agency)
    out = []
    for r in conn.execute(RESOLUTION_SQL, params):
        counts = dict(zip(RESOLUTION_COUNTS, (int(v) for v in r[1:-1]), strict=True))
        out.append(ResolutionRow(r[0], **counts, on_time_rate=r[-1]))
    return out


def read_documents(
    conn: psycopg.Connection, period: Period, agency: str | None
) -> list[DocumentRow]:
    params = _period_params(period, agency)
    out = []
    for r in conn.execute(DOCUMENTS_SQL, params):
        counts = dict(zip(DOCUMENT_COUNTS, (int(v) for v in r[1:-1]), strict=True))
        out.append(DocumentRow(r[0], **counts, processing_on_time_rate=r[-1]))
    return out


def _period_params(period: Period, agency: str | None) -> dict:
    return {
        "convention": period.convention,
        "period_type": period.period_type,
        "label": period.label,
        "agency": agency,
    }


def read_months(
    conn: psycopg.Connection, period: Period, agency: str | None, sql: str, series: tuple[str, ...]
) -> list[MonthPoint]:
    """Every month of the period (zeros for a month without rows), summed over the scope."""
    params = {
        "convention": period.convention,
        "start": period.start,
        "end": period.end,
        "agency": agency,
    }
    months = [_period(r) for r in conn.execute(MONTHS_SQL, params)]
    with conn.cursor(row_factory=dict_row) as cur:
        found = {r["period_label"]: r for r in cur.execute(sql, params)}
    points = []
    for m in months:
        r = found.get(m.label, {})
        points.append(MonthPoint(m.label, m.start, m.end, {s: int(r.get(s) or 0) for s in series}))
    return points


def read_provenance(conn: psycopg.Connection, period: Period) -> Provenance:
    params = {"start": period.start, "end": period.end}
    as_of = {r[0]: (r[1], r[2]) for r in conn.execute(AS_OF_SQL)}
    statuses = {s: SystemStatus(s, *as_of.get(s, (None, None))) for s in SYSTEMS}
    for system, day, status in conn.execute(PROBLEM_DAYS_SQL, params):
        statuses.setdefault(system, SystemStatus(system, None, None)).problem_days.append(
            (day, status)
        )
    for system, loaded, quarantined in conn.execute(QUARANTINE_SQL, params):
        st = statuses.setdefault(system, SystemStatus(system, None, None))
        st.rows_loaded, st.rows_quarantined = int(loaded), int(quarantined)
    built_at = marts_as_of = None
    if conn.execute(BUILD_TABLE_SQL).fetchone()[0]:
        built_at, marts_as_of = conn.execute(BUILD_SQL).fetchone()
    return Provenance(
        systems=list(statuses.values()),
        built_at=built_at,
        marts_as_of=marts_as_of,
        generated_at=datetime.now(UTC),
    )


def read_report(
    conn: psycopg.Connection,
    *,
    year: int,
    scope: str | None,
    period_label: str | None,
    convention: str,
) -> ReportData:
    """Read everything one report shows (figures from marts, provenance from audit)."""
    scope = scope.strip().upper() if scope else province_scope(conn, year)
    level = scope_level(conn, scope)
    agency = scope if level == "agency" else None
    annual = period_label is None
    period = find_period(conn, convention, period_label or str(year))
    if period.year != year:
        raise ReportError(f"period {period.label} belongs to {period.year}, not to --year {year}")
    nd09_year = find_period(conn, "nd09", str(year))
    indicators: list[IndicatorRow] = []
    ind_period = None
    if annual:
        ind_period = indicator_period(conn, year, scope, level)
        if ind_period is None and level == "province":
            raise ReportError(
                f"marts.rpt_cchc_indicators has no figures for {year} (scope {scope}): "
                "is the year loaded and the marts built?"
            )
        indicators = read_indicators(conn, year, scope, level)
        ind_period = ind_period or nd09_year
    agencies = read_agencies(conn, period)
    data = ReportData(
        year=year,
        scope_code=scope,
        scope_level=level,
        scope_name=scope_name(conn, scope, level, period, agencies),
        period=period,
        annual=annual,
        indicators=indicators,
        indicator_period=ind_period,
        resolution=read_resolution(conn, period, agency),
        documents=read_documents(conn, period, agency),
        agencies=agencies,
        resolution_months=read_months(
            conn,
            period,
            agency,
            RESOLUTION_MONTHS_SQL,
            ("online", "in_person", "by_post", "received"),
        ),
        document_months=read_months(
            conn,
            period,
            agency,
            DOCUMENT_MONTHS_SQL,
            ("electronic", "parallel", "paper", "outgoing"),
        ),
        year_resolution=read_resolution(conn, nd09_year, agency) if annual else [],
        year_documents=read_documents(conn, nd09_year, agency) if annual else [],
        provenance=read_provenance(conn, _covering(period, ind_period)),
    )
    return data


def _covering(period: Period, other: Period | None) -> Period:
    """The span the provenance covers: the forms' period and the appendix year together."""
    if other is None:
        return period
    return Period(
        period.convention,
        period.period_type,
        period.label,
        period.year,
        min(period.start, other.start),
        max(period.end, other.end),
    )
