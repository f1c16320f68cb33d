"""Great Expectations on load batches, in the database: the suites of expectations/ per raw table.

`validate_batch` runs the checkpoint of the batch's system on that batch's rows (a GX table asset
per raw table, narrowed to the batch by a row condition `_batch_id == id`, so PostgreSQL does the
work through the `_batch_id` index and no row leaves the database), records `gx_success` and
`gx_summary` in audit.load_batches and returns a `QualityResult`; the loader publishes or rejects.
`validate_batches` is the backfill path: one GX validation per raw table over many batches, then
split per batch. Validation results are stored under `.cchc/gx/validations/`;
`build_data_docs` renders them to `.cchc/gx/data_docs/local_site/index.html`.

GX runs in an ephemeral context built once per process (datasource, assets, suites from code; the
connection string lives in memory only), with file-backed validation results and Data Docs.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import sys
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from cchc_warehouse import warehouse
from cchc_warehouse.errors import CchcError, QualityError

log = logging.getLogger(__name__)

EXPECTATIONS_DIR = warehouse.PROJECT_ROOT / "expectations"
PACKAGE = "cchc_expectations"
DATASOURCE = "warehouse"
SITE = "local_site"
#: the validation results already rendered into the site (kept in the site: delete both together)
RENDERED_FILE = "rendered-results.json"
CRITICAL = "critical"
WARNING = "warning"
#: map expectations that GX judges over all rows, not over the non-null values
ROW_WORDS = {
    "expect_column_values_to_not_be_null": "rows null",
    "expect_column_values_to_be_null": "rows not null",
}
ROW_DENOMINATOR = frozenset(ROW_WORDS)
#: meta key marking an expectation re-run by the backfill's split pass
SPLIT_TAG = "cchc_split_index"
#: lines kept in gx_summary per list (the full detail is in the stored GX result / Data Docs)
MAX_SUMMARY_LINES = 50


# --------------------------------------------------------------------------- the suites (code)
def expectations_package() -> ModuleType:
    """expectations/ as the package `cchc_expectations` (it is not on sys.path by itself)."""
    module = sys.modules.get(PACKAGE)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(
        PACKAGE,
        EXPECTATIONS_DIR / "__init__.py",
        submodule_search_locations=[str(EXPECTATIONS_DIR)],
    )
    if spec is None or spec.loader is None:
        raise CchcError(f"cannot load the expectation suites from {EXPECTATIONS_DIR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


# quiet GX (loggers, analytics) before anything imports it
expectations_package().quiet_gx()


def expectations_module(name: str) -> ModuleType:
    """A module of expectations/ (`volume`, `checkpoints`, `onestop_hoso`, ...)."""
    expectations_package()
    return importlib.import_module(f"{PACKAGE}.{name}")


@dataclass(frozen=True)
class Suite:
    """One raw table's suite, as its module in expectations/ declares it."""

    table: str  # raw.onestop_hoso
    system: str
    file: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    volume_band: tuple[float, float]
    expectations: tuple[Any, ...]  # GX Expectation objects, without a row condition

    @property
    def name(self) -> str:
        return short_name(self.table)


_suites: dict[str, Suite] | None = None


def suites() -> dict[str, Suite]:
    """All table suites by raw table name (imports GX on first call)."""
    global _suites
    if _suites is None:
        package = expectations_package()
        loaded = {}
        for module_name in package.TABLE_MODULES:
            m = expectations_module(module_name)
            loaded[m.TABLE] = Suite(
                table=m.TABLE,
                system=m.SYSTEM,
                file=m.FILE,
                columns=tuple(m.COLUMNS),
                keys=tuple(m.KEYS),
                volume_band=tuple(m.VOLUME_BAND),
                expectations=tuple(m.expectations()),
            )
        _suites = loaded
    return _suites


def checkpoints() -> dict:
    """CheckpointSpec per system (expectations/checkpoints.py)."""
    return expectations_module("checkpoints").CHECKPOINTS


def short_name(table: str) -> str:
    return table.split(".")[-1]


def qualified(table: str) -> str:
    return table if "." in table else f"raw.{table}"


# --------------------------------------------------------------------------- results
@dataclass
class QualityResult:
    """The verdict on one load batch: `success` is False iff a critical expectation failed."""

    batch_id: int
    success: bool
    critical_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def raise_for_critical(self) -> None:
        """QualityError naming the failed checks, if any critical one failed."""
        if not self.success:
            raise QualityError(
                f"critical quality check failed, batch {self.batch_id} not publishable: "
                + "; ".join(self.critical_failures),
                system=self.summary.get("system"),
                export_date=self.summary.get("export_date"),
            )


@dataclass
class Check:
    """One expectation's outcome on one batch, in the words the failure line uses."""

    table: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    observed: str
    label: str = ""

    def line(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        label = f" ({self.label})" if self.label else ""
        return f"{where}: {self.expectation}{label}: {self.observed}"


@dataclass
class BatchInfo:
    """What audit.load_batches / audit.batch_files say about a batch."""

    batch_id: int
    system: str
    export_date: date
    status: str
    expected_rows: dict[str, int]  # raw table -> rows_loaded (manifest rows - quarantined)
    declared_rows: dict[str, int]
    quarantined_rows: dict[str, int]


# --------------------------------------------------------------------------- pure helpers
def mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's rule for map expectations: vacuously true on nothing, else share expected >= mostly."""
    if considered <= 0:
        return True
    return (considered - unexpected) / considered >= mostly


def fmt_pct(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    pct = 100 * part / whole
    return f"{pct:.2f}%" if pct < 10 else f"{pct:.1f}%"


def map_observed(
    expectation: str,
    *,
    unexpected: int,
    considered: int,
    mostly: float,
    samples: Sequence[Any] = (),
) -> str:
    """'3 of 1 500 values unexpected (0.20%, allowed 0%), e.g. ...' for a map expectation."""
    what = ROW_WORDS.get(expectation, "values unexpected")
    allowed = 100 * (1 - mostly)
    text = (
        f"{unexpected} of {considered} {what} ({fmt_pct(unexpected, considered)}, "
        f"allowed {allowed:.3g}%)"
    )
    shown: list[str] = []
    for sample in samples:
        text_sample = repr(sample)
        text_sample = text_sample if len(text_sample) <= 60 else text_sample[:57] + "..."
        if sample is not None and text_sample not in shown:
            shown.append(text_sample)
    if shown:
        text += ", e.g. " + ", ".join(shown[:3])
    return text


def row_count_observed(rows: int, low: int | None, high: int | None, what: str) -> str:
    if low is not None and low == high:
        return f"{rows} rows, expected {low} ({what})"
    if high is None:
        return f"{rows} rows, expected at least {low or 0} ({what})"
    return f"{rows} rows, expected {low or 0}-{high} ({what})"


def expected_rows_for(
    files: Iterable[tuple[str | None, str, int]], table_files: dict[str, str]
) -> dict[str, int]:
    """Sum rows_loaded per raw table from (raw_table, file_name, rows_loaded) rows.

    `table_files` maps a file name to its raw table, for rows whose raw_table is not recorded.
    """
    out: dict[str, int] = defaultdict(int)
    for raw_table, file_name, rows in files:
        table = qualified(raw_table) if raw_table else table_files.get(file_name)
        if table:
            out[table] += rows
    return dict(out)


def parameter_names(table: str) -> tuple[str, str, str]:
    """The expectation parameters a suite declares: expected rows, volume min, volume max."""
    name = short_name(table)
    return f"expected_rows__{name}", f"volume_min__{name}", f"volume_max__{name}"


def cap_lines(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_SUMMARY_LINES:
        return lines
    return [*lines[:MAX_SUMMARY_LINES], f"... and {len(lines) - MAX_SUMMARY_LINES} more"]


def _severity(config: Any) -> str:
    value = getattr(config, "severity", None) or CRITICAL
    return str(getattr(value, "value", value)).lower()


def check_from_result(table: str, result: Any, parameters: dict[str, Any]) -> Check:
    """A GX ExpectationValidationResult -> Check (observed text, severity, label)."""
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    column = kwargs.get("column")
    label = (config.meta or {}).get("label", "")
    severity = _severity(config)
    info = result.result or {}
    exception = exception_message(result)
    if exception:
        observed = f"could not be evaluated: {exception}"
    elif "unexpected_count" in info:
        nonnull = info.get("element_count", 0) - info.get("missing_count", 0)
        considered = info.get("element_count", 0) if config.type in ROW_DENOMINATOR else nonnull
        observed = map_observed(
            config.type,
            unexpected=info.get("unexpected_count") or 0,
            considered=considered,
            mostly=float(kwargs.get("mostly") or 1.0),
            samples=info.get("partial_unexpected_list") or (),
        )
    elif config.type == "expect_table_row_count_to_equal":
        value = _param(kwargs.get("value"), parameters)
        observed = row_count_observed(
            info.get("observed_value", 0), value, value, "manifest rows - quarantined"
        )
    elif config.type == "expect_table_row_count_to_be_between":
        low = _param(kwargs.get("min_value"), parameters)
        high = _param(kwargs.get("max_value"), parameters)
        observed = row_count_observed(
            info.get("observed_value", 0), low, high, "volume vs previous published days"
        )
    elif config.type == "expect_table_columns_to_match_set":
        missing = (info.get("details") or {}).get("mismatched", {}).get("missing") or []
        observed = f"missing columns: {', '.join(missing)}" if missing else "all columns present"
    else:
        observed = json.dumps(info.get("observed_value"), default=str)[:300]
    return Check(table, config.type, column, severity, bool(result.success), observed, label)


def exception_message(result: Any) -> str | None:
    """The first line of the error that stopped an expectation, if one did.

    GX reports it either flat ({raised_exception, exception_message}) or, when a metric could
    not be computed (a missing column, an SQL error), per metric as ExceptionInfo objects.
    """
    if result.success:
        return None
    info = result.exception_info or {}
    messages: list[str] = []
    if info.get("raised_exception"):
        messages.append(str(info.get("exception_message") or ""))
    for value in info.values():
        message = getattr(value, "exception_message", None)
        if message is None and isinstance(value, dict) and value.get("raised_exception"):
            message = value.get("exception_message")
        if message:
            messages.append(str(message))
    for message in messages:
        first = message.strip().splitlines()[0] if message.strip() else ""
        if first:
            return first[:300]
    return None


def _param(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return parameters.get(value["$PARAMETER"])
    return value


def verdict(
    batch: BatchInfo, checks: list[Check], tables: dict[str, dict], extra: dict
) -> QualityResult:
    """Checks of one batch -> QualityResult with its JSON summary."""
    critical = [c.line() for c in checks if not c.success and c.severity == CRITICAL]
    warned = [c.line() for c in checks if not c.success and c.severity != CRITICAL]
    success = not critical
    summary = {
        "batch_id": batch.batch_id,
        "system": batch.system,
        "export_date": batch.export_date.isoformat(),
        "success": success,
        "evaluated": len(checks),
        "failed_critical": len(critical),
        "failed_warning": len(warned),
        "tables": tables,
        "critical_failures": cap_lines(critical),
        "warnings": cap_lines(warned),
        **extra,
    }
    return QualityResult(batch.batch_id, success, critical, warned, summary)


# --------------------------------------------------------------------------- audit reads/writes
def read_batches(conn: Any, batch_ids: Sequence[int]) -> dict[int, BatchInfo]:
    """The batches' system, day and rows per raw table (CchcError if one does not exist)."""
    table_files = {s.file: s.table for s in suites().values()}
    rows = conn.execute(
        "select batch_id, system, export_date, status from audit.load_batches "
        "where batch_id = any(%s)",
        (list(batch_ids),),
    ).fetchall()
    info = {r[0]: BatchInfo(r[0], r[1], r[2], r[3], {}, {}, {}) for r in rows}
    missing = sorted(set(batch_ids) - set(info))
    if missing:
        raise CchcError(f"no such load batch: {', '.join(map(str, missing))}")
    files = conn.execute(
        "select batch_id, raw_table, file_name, rows_loaded, rows_declared, rows_quarantined "
        "from audit.batch_files where batch_id = any(%s)",
        (list(batch_ids),),
    ).fetchall()
    by_batch: dict[int, list] = defaultdict(list)
    for f in files:
        by_batch[f[0]].append(f)
    for batch_id, b in info.items():
        fs = by_batch.get(batch_id, [])
        b.expected_rows = expected_rows_for(((f[1], f[2], f[3]) for f in fs), table_files)
        b.declared_rows = expected_rows_for(((f[1], f[2], f[4]) for f in fs), table_files)
        b.quarantined_rows = expected_rows_for(((f[1], f[2], f[5]) for f in fs), table_files)
    return info


def read_history(
    conn: Any, system: str, start: date, end: date
) -> dict[str, list[tuple[date, int]]]:
    """(export day, rows_loaded) per raw table: `system`'s published batches in [start, end)."""
    table_files = {s.file: s.table for s in suites().values()}
    rows = conn.execute(
        "select b.export_date, f.raw_table, f.file_name, f.rows_loaded "
        "from audit.load_batches as b join audit.batch_files as f using (batch_id) "
        "where b.system = %s and b.status = 'published' "
        "and b.export_date >= %s and b.export_date < %s",
        (system, start, end),
    ).fetchall()
    out: dict[str, dict[date, int]] = defaultdict(dict)
    for day, raw_table, file_name, n in rows:
        table = qualified(raw_table) if raw_table else table_files.get(file_name)
        if table:
            out[table][day] = out[table].get(day, 0) + n
    return {t: sorted(days.items()) for t, days in out.items()}


def write_summary(conn: Any, result: QualityResult) -> None:
    conn.execute(
        "update audit.load_batches set gx_success = %s, gx_summary = %s where batch_id = %s",
        (result.success, json.dumps(result.summary, default=str), result.batch_id),
    )


def volume_bounds(
    table: str, day: date, history: Iterable[tuple[date, int]]
) -> tuple[int, int | None, dict | None]:
    """(min, max, description) of the volume check for `table` on `day`."""
    volume = expectations_module("volume")
    suite = suites()[table]
    ref = volume.reference_rows(day, history)
    if ref is None:
        return 0, None, None
    median_rows, days = ref
    low, high = volume.bounds(median_rows, suite.volume_band)
    return (
        low,
        high,
        {
            "kind": volume.day_kind(day),
            "reference_median": median_rows,
            "reference_days": [d.isoformat() for d in days],
            "min": low,
            "max": high,
        },
    )


# --------------------------------------------------------------------------- the GX runtime
class _Gx:
    """The per-process GX set-up: ephemeral context, file-backed results and Data Docs."""

    def __init__(self, root: Path) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self.gx = gx
        self.root = root
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        )
        config.stores[config.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(root / "validations"),
            },
        }
        config.data_docs_sites = {
            SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(self.site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self.url: str | None = None
        self.batch_definitions: dict[str, Any] = {}
        self.register_templates()

    @property
    def site_dir(self) -> Path:
        return self.root / "data_docs" / SITE

    def register_templates(self) -> None:
        """The suites as written in expectations/ (what Data Docs shows as the suite pages)."""
        for suite in suites().values():
            self.context.suites.add_or_update(
                self.gx.ExpectationSuite(
                    name=suite.table,
                    expectations=[e.copy(update={"id": None}) for e in suite.expectations],
                    meta={"system": suite.system, "file": suite.file},
                )
            )

    def bind(self, url: str) -> None:
        """Point the datasource at `url` (assets: one per raw table, whole-table definitions)."""
        if url == self.url:
            return
        from great_expectations.datasource.fluent.sql_datasource import GxDatasourceWarning
        from sqlalchemy.engine import make_url

        self.unbind()
        sa_url = make_url(warehouse.conninfo(url)).set(drivername="postgresql+psycopg2")
        # tables are named without schema (the deprecated schema_name is not needed)
        options = " ".join(filter(None, [sa_url.query.get("options"), "-c search_path=raw"]))
        with warnings.catch_warnings():
            # the generic SQL datasource is deliberate: add_postgres rejects unix-socket URLs
            warnings.simplefilter("ignore", GxDatasourceWarning)
            datasource = self.context.data_sources.add_sql(
                DATASOURCE,
                connection_string=sa_url.render_as_string(hide_password=False),
                kwargs={"connect_args": {"application_name": "cchc-quality", "options": options}},
            )
        for suite in suites().values():
            asset = datasource.add_table_asset(suite.table, table_name=suite.name)
            self.batch_definitions[suite.table] = asset.add_batch_definition_whole_table(
                "whole table (narrowed to a load batch by row condition)"
            )
        self.url = url

    def unbind(self) -> None:
        if self.url is None:
            return
        try:
            self.context.data_sources.get(DATASOURCE).get_engine().dispose()
        except Exception as exc:  # a dead server must not stop us from rebinding
            log.debug("disposing the GX engine failed: %s", exc)
        self.context.data_sources.delete(DATASOURCE)
        self.batch_definitions.clear()
        self.url = None

    def conditioned(self, expectations: Iterable[Any], condition: Any) -> list[Any]:
        """Copies narrowed to the load batch(es); table-level ones without row conditions as is."""
        out = []
        for e in expectations:
            update: dict[str, Any] = {"id": None}
            if "row_condition" in type(e).domain_keys:
                update["row_condition"] = condition
            out.append(e.copy(update=update))
        return out

    def run_checkpoint(
        self,
        spec: Any,
        condition: Any,
        parameters: dict[str, Any],
        run_id: Any,
        result_format: dict,
        batch_label: str,
    ) -> dict[str, Any]:
        """Run a system's checkpoint (expectations/checkpoints.py) on the rows matching `condition`.

        Each raw table's suite, narrowed to the load batch(es), is validated with
        `Batch.validate` and its result stored under one run id, as `gx.Checkpoint.run` would;
        the checkpoint is not a stored GX object because row conditions cannot take run-time
        parameters, and re-saving suite, validation definition and checkpoint per batch (plus
        GX's freshness checks) cost more than the validation itself on a small batch.
        """
        return {
            table: self.validate(
                table,
                suites()[table].expectations,
                condition,
                result_format,
                parameters=parameters,
                store=(run_id, batch_label, spec.name),
            )
            for table in spec.tables
        }

    def validate(
        self,
        table: str,
        expectations: Iterable[Any],
        condition: Any,
        result_format: dict,
        *,
        parameters: dict[str, Any] | None = None,
        store: tuple[Any, str, str] | None = None,
    ) -> Any:
        """Validate `expectations` on `table`'s rows matching `condition`; store if asked.

        `store` = (run id, batch label, checkpoint name): the result goes to the file-backed
        validation results store, keyed like a checkpoint's, so Data Docs render it.
        """
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        suite = self.gx.ExpectationSuite(
            name=table, expectations=self.conditioned(expectations, condition)
        )
        batch = self.batch_definitions[table].get_batch()
        result = batch.validate(
            suite, result_format=result_format, expectation_parameters=parameters or {}
        )
        if store is not None:
            run_id, batch_label, checkpoint = store
            result.meta["run_id"] = run_id
            result.meta["validation_time"] = run_id.run_time
            result.meta["checkpoint_name"] = checkpoint
            result.meta["load_batches"] = batch_label
            suite_id = ExpectationSuiteIdentifier(name=table)
            self.context.validation_results_store.store_validation_results(
                suite_validation_result=result,
                suite_validation_result_identifier=ValidationResultIdentifier(
                    expectation_suite_identifier=suite_id,
                    run_id=run_id,
                    batch_identifier=batch_label,
                ),
                expectation_suite_identifier=suite_id,
            )
        return result

    def build_docs(self, *, full: bool = False) -> Path:
        """Render the suites, the results not rendered yet (all of them if `full`), the index.

        GX re-renders every stored result on each build unless told which ones; a year of
        nightly loads is thousands of results, so the rendered ones are remembered in the site.
        """
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
        )

        self.register_templates()
        rendered_file = self.site_dir / RENDERED_FILE
        rendered: set[str] = set()
        if not full and rendered_file.exists() and (self.site_dir / "index.html").exists():
            rendered = set(json.loads(rendered_file.read_text(encoding="utf-8")))
        keys = self.context.validation_results_store.list_keys()
        new = [k for k in keys if _key_text(k) not in rendered]
        identifiers = [ExpectationSuiteIdentifier(name=t) for t in suites()] + new
        self.context.build_data_docs(site_names=[SITE], resource_identifiers=identifiers)
        rendered |= {_key_text(k) for k in new}
        rendered_file.write_text(json.dumps(sorted(rendered)), encoding="utf-8")
        log.debug("Data Docs: %d new results rendered, %d in all", len(new), len(keys))
        return self.site_dir / "index.html"


def _key_text(key: Any) -> str:
    return "/".join(map(str, key.to_tuple()))


_lock = threading.RLock()
_runtime: _Gx | None = None


def _gx(url: str | None = None) -> _Gx:
    """The cached GX runtime for this process (rebuilt if CCHC_HOME changed), bound to `url`."""
    global _runtime
    root = warehouse.home() / "gx"
    if _runtime is None or _runtime.root != root:
        started = time.perf_counter()
        root.mkdir(parents=True, exist_ok=True)
        if _runtime is not None:
            _runtime.unbind()
        _runtime = _Gx(root)
        log.debug("GX context ready in %.2f s (%s)", time.perf_counter() - started, root)
    if url is not None:
        _runtime.bind(url)
    return _runtime


def new_run_id(run_name: str) -> Any:
    """A GX run id: the run name Data Docs list (system, day(s), batch ids) and the time."""
    from great_expectations.core.run_identifier import RunIdentifier

    return RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))


def condition_for(batch_ids: Sequence[int]) -> Any:
    from great_expectations.expectations.row_conditions import Column

    ids = sorted(batch_ids)
    return Column("_batch_id") == ids[0] if len(ids) == 1 else Column("_batch_id").is_in(ids)


# --------------------------------------------------------------------------- validate one batch
def validate_batch(
    batch_id: int, url: str | None = None, *, expected_rows: dict[str, int] | None = None
) -> QualityResult:
    """Run the batch's system checkpoint on its rows; record gx_success/gx_summary; no publish.

    Expected rows per raw table are audit.batch_files.rows_loaded (manifest rows minus
    quarantined) unless `expected_rows` (keys `raw.<table>` or `<table>`) says otherwise.
    """
    url = url or warehouse.warehouse_url()
    started = time.perf_counter()
    with _lock:
        gx = _gx(url)
        with warehouse.connect(url) as conn:
            batch = read_batches(conn, [batch_id])[batch_id]
            if expected_rows:
                batch.expected_rows.update({qualified(k): v for k, v in expected_rows.items()})
            spec = checkpoints()[batch.system]
            window = timedelta(days=expectations_module("volume").REFERENCE_WINDOW)
            history = read_history(
                conn, batch.system, batch.export_date - window, batch.export_date
            )
        parameters: dict[str, Any] = {}
        volumes: dict[str, dict | None] = {}
        for table in spec.tables:
            rows_name, min_name, max_name = parameter_names(table)
            parameters[rows_name] = batch.expected_rows.get(table, 0)
            low, high, described = volume_bounds(table, batch.export_date, history.get(table, []))
            parameters[min_name], parameters[max_name] = low, high
            volumes[table] = described
        rows = sum(batch.expected_rows.get(t, 0) for t in spec.tables)
        run_name = f"{batch.system} {batch.export_date} batch {batch_id}"
        results = gx.run_checkpoint(
            spec,
            condition_for([batch_id]),
            parameters,
            new_run_id(run_name),
            spec.result_format(rows),
            f"load-batch-{batch_id}",
        )
        checks: list[Check] = []
        tables: dict[str, dict] = {}
        for table in spec.tables:
            table_checks = [check_from_result(table, r, parameters) for r in results[table].results]
            checks += table_checks
            tables[table] = _table_summary(
                table, batch, table_checks, volumes[table], observed_rows(results[table])
            )
        outcome = verdict(
            batch,
            checks,
            tables,
            {
                "mode": "batch",
                "gx_run": run_name,
                "seconds": round(time.perf_counter() - started, 3),
                "validated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "data_docs": str(gx.site_dir / "index.html"),
            },
        )
        with warehouse.connect(url) as conn:
            write_summary(conn, outcome)
    _log_outcome(outcome)
    return outcome


def _table_summary(
    table: str, batch: BatchInfo, checks: list[Check], volume: dict | None, rows: int | None
) -> dict:
    return {
        "rows": rows,
        "expected_rows": batch.expected_rows.get(table, 0),
        "declared_rows": batch.declared_rows.get(table, 0),
        "quarantined_rows": batch.quarantined_rows.get(table, 0),
        "evaluated": len(checks),
        "failed_critical": sum(1 for c in checks if not c.success and c.severity == CRITICAL),
        "failed_warning": sum(1 for c in checks if not c.success and c.severity != CRITICAL),
        "volume": volume,
    }


def observed_rows(suite_result: Any) -> int | None:
    """The batch's row count as GX counted it (the row-count expectation's observed value)."""
    for r in suite_result.results:
        if r.expectation_config.type == "expect_table_row_count_to_equal":
            value = (r.result or {}).get("observed_value")
            return int(value) if value is not None else None
    return None


def _log_outcome(outcome: QualityResult) -> None:
    s = outcome.summary
    took = f", {s['seconds']:.2f} s" if "seconds" in s else ""
    log.info(
        "quality %s %s batch %s: %s (%d checks, %d critical failed, %d warnings%s)",
        s.get("system"),
        s.get("export_date"),
        outcome.batch_id,
        "passed" if outcome.success else "FAILED",
        s.get("evaluated", 0),
        len(outcome.critical_failures),
        len(outcome.warnings),
        took,
    )
    for line in outcome.warnings:
        log.warning("quality batch %s warning: %s", outcome.batch_id, line)
    for line in outcome.critical_failures:
        log.error("quality batch %s critical: %s", outcome.batch_id, line)


# --------------------------------------------------------------------------- many batches
def grouped_counts(
    conn: Any, table: str, batch_ids: Sequence[int], columns: Sequence[str]
) -> dict[int, dict[str, int]]:
    """Per batch: rows ('*') and non-null values per column, in one pass over the batches' rows."""
    from psycopg import sql

    query = sql.SQL(
        "select _batch_id, count(*) {} from {} where _batch_id = any(%s) group by 1"
    ).format(
        sql.SQL("").join(sql.SQL(", count({})").format(sql.Identifier(c)) for c in columns),
        sql.Identifier(*table.split(".")),
    )
    out: dict[int, dict[str, int]] = {b: {"*": 0, **dict.fromkeys(columns, 0)} for b in batch_ids}
    for row in conn.execute(query, (list(batch_ids),)):
        out[row[0]] = {"*": row[1], **dict(zip(columns, row[2:], strict=True))}
    return out


def table_columns(conn: Any, table: str) -> list[str]:
    schema, name = qualified(table).split(".")
    return [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s",
            (schema, name),
        )
    ]


@dataclass
class _Pending:
    """A map expectation whose per-batch outcome the combined run could not settle."""

    index: int  # position in the suite
    expectation: Any
    batches: list[int]


def split_map_result(
    mostly: float,
    total_unexpected: int,
    considered: dict[int, int],
) -> tuple[dict[int, bool], list[int]]:
    """Which batches surely pass given only the combined unexpected count, and which need counts.

    A batch passes whatever its share of `total_unexpected` when even all of it would be allowed.
    """
    settled: dict[int, bool] = {}
    pending: list[int] = []
    for batch_id, n in considered.items():
        worst = min(total_unexpected, n)
        if mostly_success(n, worst, mostly):
            settled[batch_id] = True
        else:
            pending.append(batch_id)
    return settled, pending


def validate_batches(batch_ids: list[int], url: str | None = None) -> dict[int, QualityResult]:
    """Backfill path: one GX validation per raw table over all the batches, split per batch.

    The combined run gives each expectation's unexpected count over all batches; a per-batch
    row and non-null count (one grouped query per table) settles every batch that would pass
    even with all of them; only the batches left open get a second pass, each on its own with
    the expectations left open for it. Each batch gets gx_success/gx_summary.
    """
    url = url or warehouse.warehouse_url()
    ids = sorted(set(batch_ids))
    if not ids:
        return {}
    started = time.perf_counter()
    out: dict[int, QualityResult] = {}
    with _lock:
        gx = _gx(url)
        with warehouse.connect(url) as conn:
            batches = read_batches(conn, ids)
            by_system: dict[str, list[BatchInfo]] = defaultdict(list)
            for b in batches.values():
                by_system[b.system].append(b)
            for system, group in sorted(by_system.items()):
                out.update(_validate_group(gx, conn, system, group, started))
            for result in out.values():
                write_summary(conn, result)
    for result in out.values():
        _log_outcome(result)
    log.info(
        "quality: %d batches validated in %.1f s (%d failed a critical check)",
        len(out),
        time.perf_counter() - started,
        sum(1 for r in out.values() if not r.success),
    )
    return out


def _validate_group(
    gx: _Gx, conn: Any, system: str, group: list[BatchInfo], started: float
) -> dict[int, QualityResult]:
    volume = expectations_module("volume")
    spec = checkpoints()[system]
    group.sort(key=lambda b: (b.export_date, b.batch_id))
    ids = [b.batch_id for b in group]
    first, last = group[0].export_date, group[-1].export_date
    history = read_history(conn, system, first - timedelta(days=volume.REFERENCE_WINDOW), last)
    parameters: dict[str, Any] = {}
    for table in spec.tables:
        rows_name, min_name, max_name = parameter_names(table)
        parameters[rows_name] = sum(b.expected_rows.get(table, 0) for b in group)
        parameters[min_name], parameters[max_name] = 0, None  # judged per batch below
    run_name = f"{system} {first}..{last} {len(ids)} batches {ids[0]}..{ids[-1]}"
    run_id = new_run_id(run_name)
    results = gx.run_checkpoint(
        spec,
        condition_for(ids),
        parameters,
        run_id,
        spec.result_format(10**12),
        f"load-batches-{ids[0]}-{ids[-1]}",
    )
    checks: dict[int, list[Check]] = {b: [] for b in ids}
    tables: dict[int, dict[str, dict]] = {b: {} for b in ids}
    for table in spec.tables:
        per_table = _split_table(
            gx, conn, table, group, results[table], parameters, history, (run_id, spec.name), spec
        )
        for b in group:
            table_checks, volume_info, rows = per_table[b.batch_id]
            checks[b.batch_id] += table_checks
            tables[b.batch_id][table] = _table_summary(table, b, table_checks, volume_info, rows)
    extra = {
        "mode": "backfill",
        "gx_run": run_name,
        "seconds_for_all": round(time.perf_counter() - started, 3),
        "validated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_docs": str(gx.site_dir / "index.html"),
    }
    return {b.batch_id: verdict(b, checks[b.batch_id], tables[b.batch_id], extra) for b in group}


def _split_table(
    gx: _Gx,
    conn: Any,
    table: str,
    group: list[BatchInfo],
    combined: Any,
    parameters: dict[str, Any],
    history: dict[str, list[tuple[date, int]]],
    run: tuple[Any, str],
    spec: Any,
) -> dict[int, tuple[list[Check], dict | None, int]]:
    """Per batch: the checks of `table` from the combined result (plus a split pass if needed).

    `run` = (run id, checkpoint name) of the combined run, under which the split pass's results
    are stored too, one per open batch, so Data Docs show each batch's unexpected rows.
    """
    ids = [b.batch_id for b in group]
    columns = sorted(
        {
            r.expectation_config.kwargs["column"]
            for r in combined.results
            if "column" in r.expectation_config.kwargs
        }
    )
    present = set(table_columns(conn, table))
    counts = grouped_counts(conn, table, ids, [c for c in columns if c in present])
    # volume reference: published days before, plus this run's earlier days (rows_loaded);
    # a day of this run replaces that day's published batch, as publishing it will
    known = dict(history.get(table, []))
    volumes: dict[int, tuple[int, int | None, dict | None]] = {}
    for b in group:
        volumes[b.batch_id] = volume_bounds(table, b.export_date, known.items())
        known[b.export_date] = b.expected_rows.get(table, 0)
    per_batch: dict[int, list[Check | None]] = {b: [] for b in ids}
    pending: list[_Pending] = []
    for index, r in enumerate(combined.results):
        config = r.expectation_config
        kwargs = config.kwargs
        column = kwargs.get("column")
        label = (config.meta or {}).get("label", "")
        severity = _severity(config)
        info = r.result or {}
        exception = exception_message(r)
        for b in group:
            bid = b.batch_id
            rows = counts[bid]["*"]
            if exception:
                check = check_from_result(table, r, parameters)
            elif config.type == "expect_table_row_count_to_equal":
                expected = b.expected_rows.get(table, 0)
                check = Check(
                    table,
                    config.type,
                    None,
                    severity,
                    rows == expected,
                    row_count_observed(rows, expected, expected, "manifest rows - quarantined"),
                    label,
                )
            elif config.type == "expect_table_row_count_to_be_between":
                low, high, _ = volumes[bid]
                ok = rows >= low and (high is None or rows <= high)
                check = Check(
                    table,
                    config.type,
                    None,
                    severity,
                    ok,
                    row_count_observed(rows, low, high, "volume vs previous published days"),
                    label,
                )
            elif "unexpected_count" in info:
                check = None  # settled below
            else:  # table-level, the same for every batch (columns)
                check = check_from_result(table, r, parameters)
            per_batch[bid].append(check)
        if exception or "unexpected_count" not in info:
            continue
        mostly = float(kwargs.get("mostly") or 1.0)
        considered = {
            b.batch_id: counts[b.batch_id]["*" if config.type in ROW_DENOMINATOR else column]
            for b in group
        }
        settled, open_batches = split_map_result(
            mostly, info.get("unexpected_count") or 0, considered
        )
        for bid, ok in settled.items():
            per_batch[bid][index] = Check(
                table,
                config.type,
                column,
                severity,
                ok,
                f"passed (at most {info.get('unexpected_count') or 0} unexpected over the run)",
                label,
            )
        if open_batches:
            # rebuilt from the result's configuration (GX need not keep the suite's order),
            # tagged so that its split result can be found again
            expectation = config.to_domain_obj()
            expectation = expectation.copy(
                update={"meta": {**(expectation.meta or {}), SPLIT_TAG: index}}
            )
            pending.append(_Pending(index, expectation, open_batches))
    if pending:
        _settle(gx, table, pending, per_batch, counts, run, spec)
    return {
        b.batch_id: (
            [c for c in per_batch[b.batch_id] if c is not None],
            volumes[b.batch_id][2],
            counts[b.batch_id]["*"],
        )
        for b in group
    }


def _settle(
    gx: _Gx,
    table: str,
    pending: list[_Pending],
    per_batch: dict[int, list[Check | None]],
    counts: dict[int, dict[str, int]],
    run: tuple[Any, str],
    spec: Any,
) -> None:
    """The split pass: each open batch on its own, with the expectations left open for it.

    One validation per batch, in the nightly path's result format, gives each batch its own
    unexpected count and a few samples (with their `_batch_id`). Not one run over all open
    batches listing every unexpected row: a month of a defective source is hundreds of thousands
    of rows, which GX would hold in memory (hundreds of MB) and write into the stored result.
    """
    open_ids = sorted({b for p in pending for b in p.batches})
    started = time.perf_counter()
    run_id, checkpoint = run
    for bid in open_ids:
        todo = [p for p in pending if bid in p.batches]
        result_format = {
            **spec.result_format(counts[bid]["*"]),
            "unexpected_index_column_names": ["_batch_id"],
            "return_unexpected_index_query": False,
        }
        split = gx.validate(
            table,
            [p.expectation for p in todo],
            condition_for([bid]),
            result_format,
            store=(run_id, f"per-batch-split-{bid}", checkpoint),
        )
        by_index = {r.expectation_config.meta[SPLIT_TAG]: r for r in split.results}
        for p in todo:
            per_batch[bid][p.index] = _split_check(table, by_index[p.index], counts[bid])
    log.debug(
        "%s: split pass over %d expectations x %d batches in %.2f s",
        table,
        len(pending),
        len(open_ids),
        time.perf_counter() - started,
    )


def _split_check(table: str, r: Any, counts: dict[str, int]) -> Check:
    """One open expectation's verdict on one batch, from its own validation result."""
    config = r.expectation_config
    column = config.kwargs.get("column")
    mostly = float(config.kwargs.get("mostly") or 1.0)
    label = (config.meta or {}).get("label", "")
    severity = _severity(config)
    exception = exception_message(r)
    if exception:
        return Check(
            table,
            config.type,
            column,
            severity,
            False,
            f"could not be evaluated: {exception}",
            label,
        )
    info = r.result or {}
    unexpected = info.get("unexpected_count") or 0
    considered = counts["*" if config.type in ROW_DENOMINATOR else column]
    return Check(
        table,
        config.type,
        column,
        severity,
        mostly_success(considered, unexpected, mostly),
        map_observed(
            config.type,
            unexpected=unexpected,
            considered=considered,
            mostly=mostly,
            samples=(info.get("partial_unexpected_list") or [])[:5],
        ),
        label,
    )


# --------------------------------------------------------------------------- Data Docs
def build_data_docs(url: str | None = None, *, full: bool = False) -> Path:
    """Render the stored validation results (and the suites) to .cchc/gx/data_docs/local_site/.

    Results rendered by an earlier build are not rendered again unless `full`. `url` is
    accepted for symmetry with the other entry points; rendering reads no warehouse data.
    """
    del url
    started = time.perf_counter()
    with _lock:
        index = _gx().build_docs(full=full)
    log.info("Data Docs built in %.1f s: %s", time.perf_counter() - started, index)
    return index


def data_docs_index() -> Path:
    """Where build_data_docs writes the site's index.html (without building it)."""
    return warehouse.home() / "gx" / "data_docs" / SITE / "index.html"
