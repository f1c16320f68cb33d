"""The findings section of RESULTS.md: for each area, what missed its target and where the time
goes, computed from the run's own measurements, with what was or should be done about it. The
sentences are fixed; every number is taken from results.json."""

from __future__ import annotations

import statistics

NIGHTLY_S = 90
BUILD_S = 60
RAW_RATE = 100_000
RAW_VS_COPY = 0.5
QUERY_MS = 100
STEP_MB = 1024  # any step


def _stage(r: dict, years: int) -> dict | None:
    return next((s for s in r.get("stages", []) if s["years"] == years), None)


def _nights(s: dict, key: str) -> list[dict]:
    return ((s.get(key) or {}).get("result") or {}).get("nights", [])


def _med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _s(x) -> str:
    if x is None:
        return "–"
    return f"{x / 60:.1f} min" if x >= 120 else (f"{x:.1f} s" if x >= 10 else f"{x:.2f} s")


def _ms(x) -> str:
    """Seconds, as milliseconds below one second."""
    return _s(x) if x is None or x >= 1 else f"{x * 1000:.0f} ms"


def _n(x) -> str:
    return "–" if x is None else f"{int(round(x)):,}".replace(",", " ")


def ingestion(r: dict) -> list[str]:
    s1 = _stage(r, 1) or {}
    ing = s1.get("ingest")
    if not ing:
        return []
    out = []
    for b in ing.get("big", {}).values():
        load = b["load"]["result"]
        records = load["rows_loaded"] + load["rows_quarantined"]
        rate = records / load["seconds"] if load["seconds"] else None
        main = next((f for f in load["files"] if f["file"] == b["file"]["file"]), None)
        if main is None or rate is None:
            continue
        parse = b["parse_only"]["result"]
        copy = b["plain_copy"]["result"]
        other_files = sum(f["seconds"] for f in load["files"] if f is not main)
        prescan_etc = load["seconds"] - sum(f["seconds"] for f in load["files"])
        verdict = "meets" if rate >= RAW_RATE else "misses"
        out.append(
            f"- **Raw load, {b['file']['file']} ({_n(b['file']['rows'])} rows in one file): {_n(rate)} rows/s"
            f" end to end, {verdict} the 100 000 rows/s target; plain COPY of the same rows"
            f" {_n(copy['rows_per_s'])} rows/s (ratio {rate / copy['rows_per_s']:.0%}).** Where the"
            f" {_s(load['seconds'])} go: reading and parsing {_s(parse['seconds'])} (the parse-only run,"
            f" {_n(parse['rows_per_s'])} rows/s with no database: pyarrow blocks for runs of"
            " well-formed records, the line reader for the rest); the parse overlaps the server's"
            f" COPY, and the file's audited time is {_s(main['seconds'])} in all (blocks as CSV through"
            " a writer thread, the server's COPY, the reconciliation `count(*)`); the sha256 + UTF-8"
            f" pre-scan (`landing._scan`, a second full read of the file), manifest, audit rows and"
            f" commit {_s(prescan_etc)}; the day's other files {_s(other_files)}. Peak RSS of the loader"
            f" {b['load']['max_rss_mb']:.0f} MB."
        )
    sizes = [
        (b["file"]["rows"], b["load"]["max_rss_mb"])
        for k, b in ing.get("big", {}).items()
        if b["file"]["file"] == "hoso.jsonl"
    ]
    if len(sizes) == 2:
        (n1, m1), (n2, m2) = sorted(sizes)
        out.append(
            f"- **Streaming holds:** loading {_n(n1)} and {_n(n2)} hoso rows peaked at {m1:.0f} MB and"
            f" {m2:.0f} MB: the loader's memory does not grow with the file (it streams records into"
            " COPY; only quarantined records are kept, in a list, until the file ends)."
        )
    slow_types = [
        ft
        for ft in s1.get("file_types", [])
        if ft.get("rows_per_s") and ft["rows_declared"] > 10_000
    ]
    slow_types.sort(key=lambda ft: ft["rows_per_s"])
    if slow_types:
        worst = slow_types[0]
        out.append(
            f"- **Per file type, daily files:** the slowest parser with real volume is"
            f" {worst['system']}/{worst['file_name']} at {_n(worst['rows_per_s'])} rows/s over"
            f" {_n(worst['files'])} files; the fastest {slow_types[-1]['file_name']} at"
            f" {_n(slow_types[-1]['rows_per_s'])} rows/s. A province day is small (a few thousand"
            " records a file), so per-file costs (transaction, advisory lock, reconciliation query,"
            " audit insert) weigh as much as throughput: the backfill's load phase is"
            f" {_s(s1['backfill']['load_s'])} for the year."
        )
    plain = (ing.get("plain_copy_batches") or {}).get("result") or {}
    below = []
    for ft in s1.get("file_types", []):
        p = plain.get(ft["raw_table"], {})
        if ft.get("rows_per_s") and p.get("rows_per_s"):
            ratio = ft["rows_per_s"] / p["rows_per_s"]
            if ratio < RAW_VS_COPY:
                below.append(f"{ft['file_name']} {ratio:.0%}")
    if below:
        out.append(
            f"- *Below half of plain COPY per file type: {', '.join(below)}.* JSON lines and CSV are"
            " read in pyarrow blocks (`sources/blocks.py`): runs of well-formed records parsed in C"
            " and sent to COPY as CSV, the line reader only for the lines pyarrow would read"
            " differently. The XML, JSON-array and XLSX readers are still Python, record by record:"
            " trangthai.xml is the one with volume (a fast span path already hands whole runs of"
            " records to the C XML parser; each record is still built in Python). What would lift"
            " them is the same move, a columnar reader per format (lxml or a Rust reader feeding"
            " Arrow arrays), left open in issue 8. On a province day these files are small, so"
            " per-file costs weigh as much as throughput."
        )
    gx = [(k, b["gx"]["result"]) for k, b in ing.get("big", {}).items() if b.get("gx")]
    for k, g in gx:
        out.append(
            f"- **GX on one batch of {_n(g['rows'])} rows ({k}):** {_s(g['first_s'])} the first time in a"
            f" process, {_s(g['second_s'])} again; importing GX and the suites {_s(g['import_s'])} more."
            " The checks run in PostgreSQL (row conditions on `_batch_id`), so the time is the database's"
            " scans, not Python."
        )
    return out


def model(r: dict) -> list[str]:
    out = []
    stages = r.get("stages", [])
    if not stages:
        return out
    s1 = stages[0]
    fb = (s1.get("full_build") or {}).get("result") or {}
    slow = (fb.get("dbt") or {}).get("slowest", [])[:5]
    if slow:
        out.append(
            f"- **Full build, {s1['years']} year:** {_s(fb['seconds'])}; the slowest nodes: "
            + ", ".join(f"`{x['node']}` {_s(x['seconds'])}" for x in slow)
            + f"; models {_s(fb['dbt']['seconds_by_type'].get('model'))} and tests"
            f" {_s(fb['dbt']['seconds_by_type'].get('test'))} in total (dbt's own node times)."
        )
    fi = (s1.get("first_incremental") or {}).get("result")
    nb = (s1.get("noop_build") or {}).get("result")
    if fi and nb:
        slow3 = ", ".join(f"`{x['node']}` {_s(x['seconds'])}" for x in fi["dbt"]["slowest"][:3])
        if fi["seconds"] > 2 * nb["seconds"] + 10:
            out.append(
                f"- **The first incremental build after the backfill re-derived it:**"
                f" {_s(fi['seconds'])} with nothing new, against {_s(nb['seconds'])} for the"
                f" next no-op build (and {_s(fb.get('seconds'))} for `--full-refresh`); slowest"
                f" nodes: {slow3}. The models should read only the published batches not in"
                " `intermediate.cchc_batches_read` (`unread_batches` in"
                " `dbt_project/macros/incremental.sql`): look for a model whose post-hook did not"
                " record its batches."
            )
        else:
            out.append(
                f"- **The first incremental build after the backfill reads nothing again:**"
                f" {_s(fi['seconds'])} with nothing new (the next no-op build {_s(nb['seconds'])},"
                f" `--full-refresh` {_s(fb.get('seconds'))}): each model reads the published"
                " batches it has not read (`intermediate.cchc_batches_read`), not a time window"
                f" (before: a 30-minute window re-read the whole backfill). Slowest nodes: {slow3}."
            )
    # what grows with history: the no-op build node by node
    if len(stages) > 1:
        first = (stages[0].get("noop_build") or {}).get("result", {}).get("node_seconds", {})
        last = (stages[-1].get("noop_build") or {}).get("result", {}).get("node_seconds", {})
        growth = sorted(((last[n] - first.get(n, 0), n) for n in last if n in first), reverse=True)[
            :6
        ]
        total_first = (stages[0].get("noop_build") or {}).get("result", {}).get("seconds")
        total_last = (stages[-1].get("noop_build") or {}).get("result", {}).get("seconds")
        if growth:
            out.append(
                f"- **What grows with history (a `dbt build` with nothing new):** {_s(total_first)} with"
                f" {stages[0]['years']} year, {_s(total_last)} with {stages[-1]['years']} years. The nodes"
                " that grew most: "
                + ", ".join(
                    f"`{n.split('.')[-1] if not n.startswith('test.') else n.split('.')[2]}`"
                    f" {_s(first.get(n))} → {_s(last.get(n))}"
                    for g, n in growth
                    if g > 0
                )
                + ". A node whose time grows with history reads more than the night's batches:"
                " its incremental filter (`dbt_project/macros/touched.sql`, `published.sql`) or a"
                " test over a whole table."
            )
        cli = [_med([n["build_s"] for n in _nights(s, "nights_cli")]) for s in stages]
        if all(c is not None for c in cli):
            flat = cli[-1] <= 1.25 * cli[0]
            out.append(
                "- **Nightly incremental build against history (CLI path, median per stage):** "
                + ", ".join(f"{s['years']} y {_s(c)}" for s, c in zip(stages, cli, strict=True))
                + (
                    ": flat within the night-to-night spread (a night reads its own batches and"
                    " recomputes the periods they touch)."
                    if flat
                    else ": it grows with history; the nodes above are where."
                )
            )
    return out


def orchestration(r: dict) -> list[str]:
    out = []
    for s in r.get("stages", []):
        dag = _nights(s, "nights_dag")
        cli = _nights(s, "nights_cli")
        if not dag:
            continue
        d = dag[0]
        dbt_task = next(
            (t["seconds"] for t in d["build_slowest_tasks"] if t["task"] == "dbt_build"), None
        )
        cli_build = _med([n["build_s"] for n in cli])
        out.append(
            f"- **Build DAG, {s['years']} year(s) loaded:** {_s(d['build_s'])} for {d['day']}, of which"
            f" the `dbt_build` task (one Cosmos `DbtBuildLocalOperator`, the whole project's `dbt"
            f" build`) {_s(dbt_task)}, against {_s(cli_build)} for the same `dbt build` run by the"
            " CLI path (median of the other nights); the rest is Airflow starting the run and its"
            " two tasks. Until commit 09c9898 Cosmos rendered one task per model (53 tasks), each"
            " paying a task start and a dbt parse: 9-15 min a night on this machine"
            " (bench/RESULTS.md of 2026-12-03)."
        )
        break
    s1 = _stage(r, 1)
    if s1:
        bf = s1["backfill"]
        out.append(
            f"- **Backfill of the year:** {_s(bf['wall_s'])} = load {_s(bf['load_s'])} + GX checks"
            f" {_s(bf['check_s'])} + dbt build {_s(bf['build_s'])} (+ start-up). Peak RSS of the command"
            f" {bf['max_rss_mb']:.0f} MB. Outcomes: "
            + ", ".join(f"{n} {k}" for k, n in sorted(bf.get("batches", {}).items()))
            + f"; failed days {', '.join(bf.get('failed_days', [])) or 'none'} (the simulator's"
            f" never-fixed sends: {', '.join(bf.get('expected_failed_days', [])) or 'none'})."
        )
    gx = r.get("experiments", {}).get("gx_backfill")
    if s1 and gx and gx.get("result"):
        fb = (s1.get("full_build") or {}).get("max_rss_mb")
        out.append(
            f"- **Where the backfill's memory goes:** `cchc backfill` peaked at"
            f" {s1['backfill']['max_rss_mb']:.0f} MB. Run alone over the same"
            f" {gx['result']['batches']} batches, its GX pass (`quality.validate_batches`, a month"
            f" of batches per validation, then the open batches one by one) took"
            f" {_s(gx['result']['seconds'])} and peaked at {gx['max_rss_mb']:.0f} MB; a full dbt build"
            f" in its own process peaks at {fb:.0f} MB."
        )
    if s1 and s1["backfill"]["max_rss_mb"] <= STEP_MB:
        out.append(
            f"- **The backfill stays under 1 GB ({s1['backfill']['max_rss_mb']:.0f} MB):** until commit"
            " b037d0f the GX split pass re-ran the open expectations over a whole month of batches"
            " with GX's COMPLETE result format, which lists every unexpected row (hundreds of"
            " thousands for a defective source): 1.7 GB for a province-year backfill, 1.2 GB for a"
            " quarter. Each open batch is now validated on its own in the nightly result format"
            " (its unexpected count and a few samples): a quarter's GX pass 1.2 GB → 276 MB and"
            " 111 s → 41 s on this machine."
        )
    return out


def queries(r: dict) -> list[str]:
    out = []
    for s in r.get("stages", []):
        slow = {n: q for n, q in (s.get("queries") or {}).items() if q["median_ms"] > QUERY_MS}
        if not slow:
            continue
        for name, q in slow.items():
            plan = (s.get("query_plans") or {}).get(name, "")
            first = plan.splitlines()[0] if plan else ""
            out.append(
                f"- **Query `{name}`, {s['years']} year(s): {q['median_ms']:.0f} ms** (warm median)."
                + (f" Plan: `{first.strip()}`" if first else "")
            )
    if out:
        out.append(
            "- *Why, and what would lift it:* a slice of a fact over a whole province-year reads"
            " every one of its ~500 000 rows' index entries (a parallel index-only scan of the"
            " covering index, no heap fetches since commit fcfd49b): about 100 ms on these 2 cores,"
            " on either side of the target from run to run (at one year the year is the whole"
            " table and the planner scans it in parallel instead). The report marts answer the"
            " period questions in a few ms, and the daily marts `fct_dossiers_daily` /"
            " `fct_documents_daily` (one row per agency and day, the facts' counts) answer the same"
            " province-year and twelve-month slices (the `*_daily` queries above) for dashboards;"
            " a per-row scan of the facts stays an analyst's ad-hoc query."
        )
    return out


def partitioning(r: dict) -> list[str]:
    out = []
    resent = [(s["years"], (s.get("resend") or {}).get("result")) for s in r.get("stages", [])]
    resent = [(k, x) for k, x in resent if x]
    if resent:
        x0 = resent[0][1]
        same = all(not x["marts_differing"] for _, x in resent)
        out.append(
            f"- **A re-sent old day against history:** {x0['system']} {x0['day']}"
            f" ({_n(x0['rows_replaced'])} rows replaced) took "
            + ", ".join(
                f"{_s(x['total_s'])} with {k} year(s) loaded (dbt build {_s(x['build_s'])})"
                for k, x in resent
            )
            + (
                "; the marts came out identical every time (checksums of every mart before and"
                " after)."
                if same
                else "; **the marts differed after it**: "
                + "; ".join(f"{k} y: {', '.join(x['marts_differing'])}" for k, x in resent)
            )
        )
    exp = ((r.get("experiments") or {}).get("partitions") or {}).get("result")
    if not exp:
        return out
    gains, costs = [], []
    for name, t in exp["tables"].items():
        a, b, ret = t["resend_plain"], t["resend_partitioned"], t["retention"]
        saved = (a["replace_s"] + a["vacuum_s"]) - (b["replace_s"] + b["vacuum_s"])
        gains.append(
            f"`{name}` ({_n(t['rows'])} rows): re-send + vacuum {_ms(a['replace_s'] + a['vacuum_s'])}"
            f" → {_ms(b['replace_s'] + b['vacuum_s'])} ({'saves' if saved >= 0 else 'costs'}"
            f" {_ms(abs(saved))}); dropping a month {_ms(ret['delete_s'] + ret['vacuum_after_delete_s'])}"
            f" → {_ms(ret['detach_drop_s'])}"
        )
        costs.append(f"`{name}` {a['read_new_batch_ms']:.2f} → {b['read_new_batch_ms']:.2f} ms")
    tables = exp["tables"].values()
    resend_gain = max(
        (t["resend_plain"]["replace_s"] + t["resend_plain"]["vacuum_s"])
        - (t["resend_partitioned"]["replace_s"] + t["resend_partitioned"]["vacuum_s"])
        for t in tables
    )
    retention = max(
        t["retention"]["delete_s"] + t["retention"]["vacuum_after_delete_s"] for t in tables
    )
    verdict = (
        " So partitioning does not pay for re-sent days here (a day's batch is found through the"
        " `_batch_id` index either way, and the vacuum after it is as short); it pays for"
        f" retention (a month dropped in milliseconds instead of {_ms(retention)} of delete and"
        " vacuum per table, growing with the month's rows), which runs once a month at most. The"
        " raw tables stay unpartitioned; partitioning by `_export_date` needs no loader change"
        " (every raw row has the column) when retention or national volume make it worth it."
        if resend_gain < 1
        else f" Partitioning saves up to {_ms(resend_gain)} per re-sent day: worth doing."
    )
    out.append(
        "- **Partitioning raw by export month (measured beside the tables as they are):** "
        + "; ".join(gains)
        + ". The nightly read of a new batch by `_batch_id`, which a partition by export month"
        " cannot prune: " + ", ".join(costs) + "." + verdict
    )
    fq = exp.get("fact_queries") or {}
    if fq:
        out.append(
            "- **The dossier fact partitioned by year:** "
            + ", ".join(
                f"`{q}` {v['table']:.1f} → {v['partitioned']:.1f} ms" for q, v in fq.items()
            )
            + ": the covering indexes already confine a period's slice to its index range, so"
            " pruning partitions adds nothing a BI query would notice."
            if all(v["partitioned"] >= 0.8 * v["table"] for v in fq.values())
            else "- **The dossier fact partitioned by year:** "
            + ", ".join(
                f"`{q}` {v['table']:.1f} → {v['partitioned']:.1f} ms" for q, v in fq.items()
            )
            + ": partition pruning speeds the period slices up."
        )
    return out


def memory(r: dict) -> list[str]:
    over = []
    for s in r.get("stages", []):
        for key in ("backfill", "full_build", "noop_build", "nights_dag", "nights_cli"):
            m = s.get(key)
            if m and m.get("max_rss_mb", 0) > STEP_MB:
                over.append(f"{key} after {s['years']} year(s) {m['max_rss_mb']:.0f} MB")
    if not over:
        return []
    return [
        "- **Steps above 1 GB:** "
        + "; ".join(over)
        + ". The figure is the largest single process of the step (ru_maxrss of its children)."
    ]


def section(results: dict) -> list[str]:
    lines = ["## Findings", ""]
    for part in (ingestion, model, orchestration, queries, partitioning, memory):
        found = part(results)
        if found:
            lines += found
    if len(lines) == 2:
        lines.append("(none)")
    lines.append("")
    return lines
