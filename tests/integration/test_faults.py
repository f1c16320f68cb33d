"""Faults survived: the warehouse restarted in the middle of a load fails it with a clear message,
nothing partial is kept, and the retry succeeds."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from cchc_warehouse import load, warehouse
from cchc_warehouse.errors import WarehouseError

from tests.landing_builder import hoso, jsonl, write_day

pytestmark = pytest.mark.slow
DAY = date(2021, 12, 14)


def test_warehouse_restarted_mid_load_fails_clearly_and_the_retry_succeeds(
    pg_server, fresh_db, tmp_path
):
    if not warehouse.is_embedded() and "CCHC_TEST_SERVER_URL" in __import__("os").environ:
        pytest.skip(
            "restarts the embedded test server; an external server cannot be restarted here"
        )
    n = 150_000
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl([hoso(f"X-211214-{i:06d}", DAY) for i in range(n)])},
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.time() + 60
    while time.time() < deadline:
        with warehouse.connect(fresh_db) as conn:
            copying = conn.execute(
                "select count(*) from pg_stat_activity where query ilike 'copy %%raw%%' and state = 'active'"
            ).fetchone()[0]
        if copying:
            break
        time.sleep(0.05)
    # restart the server under the running COPY (fast shutdown ends every session)
    warehouse.stop_embedded()
    warehouse.start_embedded()
    worker.join(60)
    assert errors and isinstance(errors[0], WarehouseError), errors
    message = str(errors[0])
    assert "lost the connection to the warehouse" in message and "retry" in message
    assert "\n" not in message
    with warehouse.connect(fresh_db) as conn:
        assert conn.execute("select count(*) from raw.onestop_hoso").fetchone()[0] == 0
    result = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert result.status == "published" and result.rows_loaded == n
