"""Typical BI queries on the marts, as the read-only bi_reader role: one agency-year, the
province-year and twelve months of one agency, each from the report marts (what the dashboards
read) and from the facts (an analyst's ad-hoc slice), plus the Metabase dashboard's questions
(docker/metabase/queries). Each query: one cold run, then the median of warm runs."""

from __future__ import annotations

import os
import re
import statistics
import time

from bench.common import ROOT, connect

WARM_RUNS = 7

QUERIES: dict[str, tuple[str, str]] = {
    # name: (what, sql) - %(agency)s, %(year)s, %(start)s, %(end)s
    "agency_year_mart": (
        "one agency-year: the agency's row of the year's resolution form",
        """
        select r.*, a.agency_name
        from marts.rpt_dossier_resolution r
        left join marts.dim_agency a on a.agency_code = r.agency_code and a.is_current
        where r.period_convention = 'nd09' and r.period_type = 'year'
          and r.period_label = %(year)s and r.agency_code = %(agency)s
        """,
    ),
    "agency_year_fact": (
        "one agency-year from fct_dossiers_received: received by channel, outcome and timeliness",
        """
        select channel, outcome, timeliness, count(*) as dossiers, sum(fee_vnd) as fees_vnd
        from marts.fct_dossiers_received
        where agency_code = %(agency)s and accepted_date between %(start)s and %(end)s
        group by 1, 2, 3 order by 1, 2, 3
        """,
    ),
    "province_year_mart": (
        "province-year: every agency's row of the year's resolution form, with names",
        """
        select r.agency_code, a.agency_name, r.received, r.resolved, r.resolved_early,
               r.resolved_on_time, r.resolved_late, r.pending, r.on_time_rate
        from marts.rpt_dossier_resolution r
        left join marts.dim_agency a on a.agency_code = r.agency_code and a.is_current
        where r.period_convention = 'nd09' and r.period_type = 'year' and r.period_label = %(year)s
        order by r.received desc
        """,
    ),
    "province_year_indicators": (
        "province-year: the year's CCHC indicators at province scope",
        """
        select indicator_code, indicator_name_vi, value, numerator, denominator
        from marts.rpt_cchc_indicators
        where report_year = %(year_int)s and scope_level = 'province'
        order by sort_order
        """,
    ),
    "province_year_fact": (
        "province-year from fct_dossiers_received: received, resolved on time, online, per agency",
        """
        select agency_code, count(*) as received,
               count(*) filter (where outcome = 'resolved') as resolved,
               count(*) filter (where timeliness in ('truoc_han', 'dung_han')) as in_time,
               count(*) filter (where channel = 'truc_tuyen') as online
        from marts.fct_dossiers_received
        where accepted_date between %(start)s and %(end)s
        group by 1 order by 2 desc
        """,
    ),
    "province_year_documents_fact": (
        "province-year from fct_documents_exchanged: exchanges by sending form and signature",
        """
        select sending_form, digitally_signed, count(*) as exchanges,
               count(*) filter (where processed_on_time) as processed_on_time
        from marts.fct_documents_exchanged
        where sent_at >= (%(start)s::date::timestamp at time zone 'Asia/Ho_Chi_Minh')
          and sent_at < ((%(end)s::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh')
        group by 1, 2 order by 1, 2
        """,
    ),
    "province_year_daily": (
        "province-year from fct_dossiers_daily: the province_year_fact figures per agency",
        """
        select agency_code, sum(received) as received, sum(resolved) as resolved,
               sum(resolved_early + resolved_on_time) as in_time,
               sum(received_online) as online
        from marts.fct_dossiers_daily
        where accepted_date between %(start)s and %(end)s
        group by 1 order by 2 desc
        """,
    ),
    "province_year_documents_daily": (
        "province-year from fct_documents_daily: exchanges by sending form, signed, on time",
        """
        select sum(exchanges) as exchanges, sum(exchanges_electronic) as electronic,
               sum(exchanges_parallel) as parallel, sum(exchanges_paper) as paper,
               sum(exchanges_signed) as signed, sum(processed_on_time) as processed_on_time
        from marts.fct_documents_daily
        where sent_date between %(start)s and %(end)s
        """,
    ),
    "agency_12_months_mart": (
        "twelve months of one agency: the monthly resolution form rows",
        """
        select period_label, received, resolved, resolved_late, pending, on_time_rate
        from marts.rpt_dossier_resolution
        where period_convention = 'nd09' and period_type = 'month' and agency_code = %(agency)s
          and period_start between %(start)s and %(end)s
        order by period_start
        """,
    ),
    "agency_12_months_daily": (
        "twelve months of one agency from fct_dossiers_daily: received and late per month",
        """
        select date_trunc('month', accepted_date) as month, sum(received) as received,
               sum(resolved_late) as late
        from marts.fct_dossiers_daily
        where agency_code = %(agency)s and accepted_date between %(start)s and %(end)s
        group by 1 order by 1
        """,
    ),
    "agency_12_months_fact": (
        "twelve months of one agency from fct_dossiers_received: received and late per month",
        """
        select date_trunc('month', accepted_date) as month, count(*) as received,
               count(*) filter (where timeliness = 'qua_han') as late
        from marts.fct_dossiers_received
        where agency_code = %(agency)s and accepted_date between %(start)s and %(end)s
        group by 1 order by 1
        """,
    ),
}

DASHBOARD_DIR = ROOT / "docker" / "metabase" / "queries"


def dashboard_queries() -> dict[str, tuple[str, str]]:
    """The Metabase questions with their filters set to nd09 months."""
    out = {}
    if not DASHBOARD_DIR.is_dir():
        return out
    for path in sorted(DASHBOARD_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{\{\s*period_convention\s*\}\}", "'nd09'", text)
        text = re.sub(r"\{\{\s*period_type\s*\}\}", "'month'", text)
        if "{{" in text:
            continue
        out[f"dashboard_{path.stem}"] = (
            f"Metabase question {path.name} (nd09, months)",
            text.replace("%", "%%"),
        )
    return out


def pick_agency_and_year(url: str, year: int) -> dict:
    """The year's bounds and its busiest agency (the heaviest agency slice)."""
    with connect(url) as conn:
        start, end = conn.execute(
            "select period_start, period_end from marts.dim_reporting_period "
            "where period_convention = 'nd09' and period_type = 'year' and period_label = %s",
            (str(year),),
        ).fetchone()
        agency = conn.execute(
            "select agency_code from marts.rpt_dossier_resolution where period_convention = 'nd09' "
            "and period_type = 'year' and period_label = %s order by received desc limit 1",
            (str(year),),
        ).fetchone()[0]
        rows = conn.execute(
            "select count(*) from marts.fct_dossiers_received where accepted_date between %s and %s",
            (start, end),
        ).fetchone()[0]
    return {
        "year": str(year),
        "year_int": year,
        "start": start,
        "end": end,
        "agency": agency,
        "fact_rows_in_year": rows,
    }


def run_queries(bi_url: str, params: dict, warm_runs: int = WARM_RUNS) -> dict:
    """Latency of each query as bi_reader (a new connection, kept for the query's runs)."""
    out = {}
    for name, (what, text) in {**QUERIES, **dashboard_queries()}.items():
        with connect(bi_url) as conn:
            conn.execute("select 1")
            times = []
            rows = 0
            for _ in range(1 + warm_runs):
                load = os.getloadavg()[0]
                started = time.perf_counter()
                rows = len(conn.execute(text, params).fetchall())
                times.append((time.perf_counter() - started) * 1000)
            conn.rollback()
        out[name] = {
            "what": what,
            "rows": rows,
            "cold_ms": round(times[0], 1),
            "median_ms": round(statistics.median(times[1:]), 1),
            "max_ms": round(max(times[1:]), 1),
            "load": round(load, 2),
        }
    return out


def explain(bi_url: str, name: str, params: dict) -> str:
    """EXPLAIN ANALYZE of one query (for findings)."""
    text = {**QUERIES, **dashboard_queries()}[name][1]
    with connect(bi_url) as conn:
        plan = conn.execute("explain (analyze, buffers) " + text, params).fetchall()
        conn.rollback()
    return "\n".join(r[0] for r in plan)
