"""dbt models over hand-made raw rows: every counting rule of reporting-contract.md and
docs/contract-readings.md, worked out by hand for a small province ('94'), then an incremental
night (late day, re-sent day, changed dossiers) that must equal a --full-refresh build.

Agencies: A (000.00.16.H60), B (000.00.17.H60, merged into D then A on 20/12), C (000.00.18.H60).
Export days: onestop 20/11 and 20/12 (+ an unpublished 21/12), docmgmt 20/12, portal 10/12, 13/12,
20/12 (no 14/12: the catalogue at the end of nd09 year 2021 is the one of 13/12). as_of = 20/12/2021.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from cchc_warehouse import warehouse
from cchc_warehouse.dbt import run_dbt

A = "000.00.16.H60"
B = "000.00.17.H60"
C = "000.00.18.H60"
D = "000.00.20.H60"
EXT = "000.00.01.G01"

PII_KEY = "test-pii-key-ÿ"
FIRST_NIGHT = datetime(2021, 12, 21, 1, 0, tzinfo=UTC)
SECOND_NIGHT = datetime(2021, 12, 22, 1, 0, tzinfo=UTC)


def add_batch(
    conn,
    system: str,
    export_date: str,
    status: str = "published",
    published_at: datetime | None = None,
    province: str = "94",
) -> int:
    published_at = published_at or FIRST_NIGHT
    row = conn.execute(
        """insert into audit.load_batches (system, export_date, province_code, manifest, status,
               loaded_at, published_at)
           values (%s, %s, %s, %s, %s, now(), %s) returning batch_id""",
        (
            system,
            export_date,
            province,
            json.dumps({"system": system, "export_date": export_date}),
            status,
            published_at if status == "published" else None,
        ),
    ).fetchone()
    return row[0]


def insert_rows(
    conn, table: str, batch_id: int, export_date: str, rows: list[dict], file_name: str = "f"
) -> None:
    for line, row in enumerate(rows, start=1):
        cols = list(row) + ["_batch_id", "_export_date", "_file", "_line"]
        vals = list(row.values()) + [batch_id, export_date, file_name, line]
        conn.execute(
            psycopg.sql.SQL("insert into raw.{} ({}) values ({})").format(
                psycopg.sql.Identifier(table),
                psycopg.sql.SQL(", ").join(map(psycopg.sql.Identifier, cols)),
                psycopg.sql.SQL(", ").join(psycopg.sql.Placeholder() * len(vals)),
            ),
            vals,
        )
    conn.execute(
        """insert into audit.batch_files (batch_id, file_name, raw_table, rows_declared, rows_loaded,
               rows_quarantined, sha256, bytes)
           values (%s, %s, %s, %s, %s, 0, 'x', 0)""",
        (batch_id, f"{table}.{file_name}", table, len(rows), len(rows)),
    )


def hoso(
    ma,
    agency,
    status,
    *,
    proc="1.000001",
    channel="1",
    submitted="",
    accepted="",
    due="",
    ended="",
    returned="",
    post="0",
    updated="20211201000000",
    name="Nguyễn Văn A",
    id_no="001099000001",
    phone="0912345678",
    fee="0",
) -> dict:
    return {
        "ma_ho_so": ma,
        "ma_tthc": proc,
        "ma_linh_vuc": "G01",
        "ma_co_quan": agency,
        "kenh_thuc_hien": channel,
        "loai_doi_tuong": "1",
        "chu_ho_so": name,
        "so_giay_to": id_no,
        "so_dien_thoai": phone,
        "ngay_nop_ho_so": submitted or accepted,
        "ngay_tiep_nhan": accepted,
        "ngay_hen_tra": due,
        "ngay_ket_thuc_xu_ly": ended,
        "ngay_tra": returned,
        "hinh_thuc_tra": post,
        "trang_thai_ho_so": str(status),
        "duoc_thanh_toan_truc_tuyen": "0",
        "le_phi": fee,
        "ho_so_co_thanh_phan_so_hoa": "1",
        "ngay_cap_nhat": updated,
    }


def vanban(
    ma,
    direction,
    agency,
    sent,
    *,
    form="DIEN_TU",
    signed="1",
    axis="0",
    deadline="",
    sender="",
    updated="20/12/2021 08:00:00",
) -> dict:
    return {
        "ma_van_ban": ma,
        "so_ky_hieu": f"{ma}/CV-X",
        "loai_van_ban": "CV",
        "trich_yeu": "Về việc báo cáo cải cách hành chính",
        "huong": direction,
        "ma_co_quan": agency,
        "ma_co_quan_gui": sender,
        "ngay_van_ban": sent[:10],
        "thoi_diem_gui": sent,
        "hinh_thuc_gui": form,
        "ky_so": signed,
        "lien_thong": axis,
        "han_xu_ly": deadline,
        "ngay_cap_nhat": updated,
    }


def status(ma, agency, code, when) -> dict:
    return {
        "ma_van_ban": ma,
        "ma_co_quan_bao_cao": agency,
        "ma_trang_thai": code,
        "thoi_diem": when,
        "ghi_chu": "",
    }


def coquan(code, name, cap="SO", parent="", successor=None, until=None) -> dict:
    return {
        "ma_co_quan": code,
        "ten_co_quan": name,
        "cap": cap,
        "ma_co_quan_cha": parent,
        "ma_don_vi_hanh_chinh": "94",
        "hieu_luc_tu": "2015-01-01",
        "hieu_luc_den": until,
        "ma_co_quan_ke_thua": successor,
    }


def thutuc(
    code, level, agencies, *, in_force=True, fees=False, pay=False, bcci=False, national=False
) -> dict:
    b = lambda v: "true" if v else "false"  # noqa: E731 - JSON booleans as the loader stores them
    return {
        "ma_tthc": code,
        "ten_tthc": f"Thủ tục {code}",
        "ma_linh_vuc": "G01",
        "ten_linh_vuc": "Lĩnh vực",
        "cap_thuc_hien": "TINH",
        "co_quan_thuc_hien": json.dumps(agencies),
        "muc_do": level,
        "tich_hop_dvcqg": b(national),
        "co_phi_le_phi": b(fees),
        "thanh_toan_truc_tuyen": b(pay),
        "co_bcci": b(bcci),
        "thoi_han_ngay": "10",
        "hieu_luc": b(in_force),
        "ngay_cong_bo": "2020-01-01",
    }


def excel_serial(dt: datetime) -> str:
    delta = dt - datetime(1899, 12, 30)
    return repr(delta.days + delta.seconds / 86400)


def load_base(conn) -> None:
    """The first state of the warehouse (see test_dbt_marts.py for the figures)."""
    # --- onestop: an early day with D8's first version, the main day, and an unpublished day
    b1 = add_batch(conn, "onestop", "2021-11-20")
    insert_rows(
        conn,
        "onestop_hoso",
        b1,
        "2021-11-20",
        [
            hoso(
                "D8",
                A,
                5,
                accepted="20211118090000",
                due="20211130170000",
                updated="20211120080000",
            ),
        ],
    )
    b2 = add_batch(conn, "onestop", "2021-12-20")
    insert_rows(
        conn,
        "onestop_hoso",
        b2,
        "2021-12-20",
        [
            hoso(
                "D1",
                A,
                10,
                accepted="20211110090000",
                due="20211125170000",
                ended="20211120100000",
                returned="20211121100000",
                post="1",
                updated="20211121100000",
            ),
            hoso(
                "D1",
                A,
                10,
                accepted="20211110090000",
                due="20211125170000",
                ended="20211120100000",
                returned="20211121100000",
                post="1",
                updated="20211121100000",
            ),  # exact repeat
            hoso(
                "D2",
                A,
                4,
                proc="1.000002",
                channel="2",
                accepted="20211116090000",
                due="20211201170000",
            ),
            hoso(
                "D3", A, 9, accepted="20211201090000", due="20211214170000", ended="20211214230000"
            ),
            hoso(
                "D4",
                A,
                7,
                proc="2.000003",
                accepted="20211202090000",
                due="20211205170000",
                ended="20211210090000",
            ),
            hoso("D5", A, 3, submitted="20211120090000"),
            hoso("D6", A, 1, submitted="20211121090000"),
            hoso(
                "D7",
                A,
                10,
                proc="1.000005",
                accepted="20211205090000",
                due="20211204170000",
                ended="20211203090000",
            ),
            hoso(
                "D8",
                A,
                10,
                accepted="20211118090000",
                due="20211210170000",
                ended="20211208090000",
                updated="20211208090000",
            ),
            hoso(
                "D9",
                A,
                10,
                proc="X.999",
                accepted="20211203090000",
                ended="20211212090000",
                returned="20211213090000",
            ),
            hoso(
                "D10",
                " 000.00.16.h60 ",
                4,
                channel="2",
                accepted="20211206090000",
                due="20211230170000",
            ),
            hoso("D11", "XYZ.99", 2, proc="2.000003", channel="3", accepted="20211207090000"),
            hoso("D12", B, 2, proc="2.000003", accepted="20211215003000"),
            hoso(
                "D13",
                B,
                10,
                proc="1.000002",
                channel="2",
                accepted="20211001090000",
                due="20211215170000",
                ended="20211216090000",
            ),
        ],
    )
    insert_rows(
        conn,
        "onestop_quatrinh",
        b2,
        "2021-12-20",
        [
            {
                "ma_ho_so": "D1",
                "thu_tu": "1",
                "ma_trang_thai": "2",
                "thoi_diem": "2021-11-10 09:00:00",
                "ma_co_quan_xu_ly": A,
                "ghi_chu": "",
            },
            {
                "ma_ho_so": "D1",
                "thu_tu": "2",
                "ma_trang_thai": "9",
                "thoi_diem": "2021-11-20 10:00:00",
                "ma_co_quan_xu_ly": A,
                "ghi_chu": "",
            },
            {
                "ma_ho_so": "D1",
                "thu_tu": "2",
                "ma_trang_thai": "9",
                "thoi_diem": "2021-11-20 10:00:00",
                "ma_co_quan_xu_ly": A,
                "ghi_chu": "re-exported",
            },
        ],
    )
    # not published: must change nothing
    b3 = add_batch(conn, "onestop", "2021-12-21", status="loaded")
    insert_rows(
        conn,
        "onestop_hoso",
        b3,
        "2021-12-21",
        [
            hoso(
                "D1",
                A,
                8,
                accepted="20211110090000",
                ended="20211215090000",
                updated="20211221000000",
            ),
            hoso("D99", A, 2, accepted="20211220090000", updated="20211221000000"),
        ],
    )

    # --- docmgmt
    d1 = add_batch(conn, "docmgmt", "2021-12-20")
    insert_rows(
        conn,
        "docmgmt_vanban",
        d1,
        "2021-12-20",
        [
            vanban("DOC1", "DI", A, "10/12/2021 09:00", axis="1"),
            vanban("DOC1", "DEN", B, "10/12/2021 09:05", deadline="13/12/2021", sender=A),
            vanban("DOC1", "DEN", C, "10/12/2021 09:06", deadline="20/12/2021", sender=A),
            vanban("DOC2", "DI", A, "14/12/2021 23:30", form="GIAY", signed="0"),
            vanban("DOC2", "DEN", B, "14/12/2021 23:40", sender=A),
            vanban("DOC3", "DI", B, "01/12/2021 08:00", form="SONG_SONG"),
            vanban("DOC3", "DEN", A, "01/12/2021 08:10", deadline="05/12/2021", sender=B),
            vanban("DOC4", "DI", B, "02/12/2021 08:00"),
            vanban("DOC4", "DEN", A, "02/12/2021 08:10", deadline="10/12/2021", sender=B),
            vanban("DOC5", "DI", A, "03/12/2021 08:00"),
            vanban("DOC5", "DEN", B, "03/12/2021 08:05", sender=A),
        ],
    )
    insert_rows(
        conn,
        "docmgmt_noinhan",
        d1,
        "2021-12-20",
        [
            {"ma_van_ban": "DOC1", "ma_co_quan_nhan": B, "thu_tu": "1"},
            {"ma_van_ban": "DOC1", "ma_co_quan_nhan": C, "thu_tu": "2"},
            {"ma_van_ban": "DOC1", "ma_co_quan_nhan": EXT, "thu_tu": "3"},
            {"ma_van_ban": "DOC2", "ma_co_quan_nhan": B, "thu_tu": "1"},
            {"ma_van_ban": "DOC3", "ma_co_quan_nhan": A, "thu_tu": "1"},
            {"ma_van_ban": "DOC4", "ma_co_quan_nhan": A, "thu_tu": "1"},
            {"ma_van_ban": "DOC5", "ma_co_quan_nhan": B, "thu_tu": "1"},
        ],
    )
    insert_rows(
        conn,
        "docmgmt_trangthai",
        d1,
        "2021-12-20",
        [
            status("DOC1", B, "01", "2021-12-10T09:05:00+07:00"),
            status("DOC1", B, "03", "2021-12-10T10:00:00+07:00"),
            status("DOC1", B, "06", "2021-12-12T08:00:00Z"),
            status("DOC1", B, "06", "2021-12-12T08:00:00Z"),  # exact repeat
            status("DOC1", C, "01", "2021-12-10T09:06:00+07:00"),
            status("DOC1", C, "02", "2021-12-10T10:00:00+07:00"),
            status("DOC1", C, "03", "2021-12-11T08:00:00+07:00"),
            status("DOC1", EXT, "01", "2021-12-10T09:07:00+07:00"),
            status("DOC1", EXT, "02", "2021-12-10T11:00:00+07:00"),
            status("DOC3", A, "06", "2021-12-08T10:00:00+07:00"),
            status("DOC5", B, "02", "2021-12-03T09:00:00+07:00"),
            status("DOC5", B, "03", "2021-12-03T10:00:00+07:00"),
        ],
    )

    # --- portal: directory and catalogue snapshots on 10/12, 13/12 and 20/12 (14/12 missing)
    def directory(day_no: int) -> list[dict]:
        rows = [coquan(A, "Sở Thông tin và Truyền thông"), coquan(C, "Sở Nội vụ")]
        if day_no < 3:
            rows.append(coquan(B, "Sở Tư pháp"))
        else:
            rows.append(coquan(B, "Sở Tư pháp (đã hợp nhất)", successor=D, until="2021-12-19"))
            rows.append(coquan(D, "Sở Tư pháp mới", successor=A))
        return rows

    def catalogue(day_no: int) -> list[dict]:
        rows = [
            thutuc(
                "1.000001",
                "2" if day_no == 1 else "3",
                [A],
                fees=True,
                pay=True,
                bcci=True,
                national=True,
            ),
            thutuc("1.000002", "TOAN_TRINH", [A, B], national=True),
            thutuc("2.000003", "4", [" 000.00.17.h60 "], fees=True, bcci=True),
            thutuc("2.000004", "3", [A], in_force=False),
            thutuc("1.000005", "THONG_TIN", [A, B], fees=True),
        ]
        if day_no == 3:
            rows.append(thutuc("1.000006", "MOT_PHAN", [A]))
        return rows

    for day_no, day in enumerate(["2021-12-10", "2021-12-13", "2021-12-20"], start=1):
        p = add_batch(conn, "portal", day)
        insert_rows(conn, "portal_coquan", p, day, directory(day_no))
        insert_rows(conn, "portal_thutuc", p, day, catalogue(day_no))
        if day_no == 3:
            insert_rows(
                conn,
                "portal_danhgia",
                p,
                day,
                [
                    {
                        "ma_ho_so": "D1",
                        "kenh_danh_gia": "Cổng DVC",
                        "muc_do_hai_long": "Rất hài lòng",
                        "thoi_diem": "2021-11-22 10:00:00",
                    },
                    {
                        "ma_ho_so": "D3",
                        "kenh_danh_gia": "Kiosk",
                        "muc_do_hai_long": "Không hài lòng",
                        "thoi_diem": excel_serial(datetime(2021, 12, 14, 20, 0)),
                    },
                    {
                        "ma_ho_so": "D12",
                        "kenh_danh_gia": "Kiosk",
                        "muc_do_hai_long": "Hài lòng",
                        "thoi_diem": "2021-12-16 10:00:00",
                    },
                    {
                        "ma_ho_so": "UNKNOWN-1",
                        "kenh_danh_gia": "Kiosk",
                        "muc_do_hai_long": "Hài lòng",
                        "thoi_diem": "2021-12-01 09:00:00",
                    },
                    {
                        "ma_ho_so": "D1",
                        "kenh_danh_gia": "Cổng DVC",
                        "muc_do_hai_long": "Rất hài lòng",
                        "thoi_diem": "2021-11-22 10:00:00",
                    },  # exact repeat
                ],
            )
            insert_rows(
                conn,
                "portal_thanhtoan",
                p,
                day,
                [
                    {
                        "ma_giao_dich": "GD1",
                        "ma_ho_so": "D1",
                        "so_tien": "50000",
                        "kenh": "PAYGOV",
                        "trang_thai": "THAT_BAI",
                        "thoi_diem": "2021-11-10 09:10:00",
                    },
                    {
                        "ma_giao_dich": "GD1",
                        "ma_ho_so": "D1",
                        "so_tien": "50000",
                        "kenh": "PAYGOV",
                        "trang_thai": "THANH_CONG",
                        "thoi_diem": "2021-11-10 09:20:00",
                    },
                ],
            )


def load_second_night(conn) -> None:
    """The next night: a late onestop day, a new day that changes dossiers (D2 ends late, D11's
    unknown agency corrected to C and its acceptance day to the next day), and the docmgmt day 20/12 re-sent without DOC2."""
    conn.execute("update audit.load_batches set status = 'abandoned' where status = 'loaded'")
    # stamped before the first night's batches (its publication committed late): the models read
    # the batches they have not read, whatever their published_at
    late = add_batch(conn, "onestop", "2021-11-25", published_at=FIRST_NIGHT - timedelta(hours=1))
    insert_rows(
        conn,
        "onestop_hoso",
        late,
        "2021-11-25",
        [
            hoso(
                "D14",
                A,
                10,
                accepted="20211125090000",
                due="20211130170000",
                ended="20211126090000",
                updated="20211126090000",
            ),
        ],
    )
    day = add_batch(conn, "onestop", "2021-12-21", published_at=SECOND_NIGHT)
    insert_rows(
        conn,
        "onestop_hoso",
        day,
        "2021-12-21",
        [
            hoso(
                "D2",
                A,
                10,
                proc="1.000002",
                channel="2",
                accepted="20211116090000",
                due="20211201170000",
                ended="20211220090000",
                updated="20211220090000",
            ),
            hoso(
                "D11",
                C,
                2,
                proc="2.000003",
                channel="3",
                accepted="20211208090000",  # and its acceptance day corrected
                updated="20211220100000",
            ),
        ],
    )
    # re-sent day: the loader replaces the day's rows and supersedes its batch
    old = conn.execute(
        "select batch_id from audit.load_batches where system = 'docmgmt' and export_date = '2021-12-20'"
        " and status = 'published'"
    ).fetchone()[0]
    rows = {}
    for table in ("docmgmt_vanban", "docmgmt_noinhan", "docmgmt_trangthai"):
        rows[table] = [r for r in raw_rows(conn, table, old) if r["ma_van_ban"] != "DOC2"]
        conn.execute(
            psycopg.sql.SQL("delete from raw.{} where _batch_id = %s").format(
                psycopg.sql.Identifier(table)
            ),
            (old,),
        )
    conn.execute("update audit.load_batches set status = 'superseded' where batch_id = %s", (old,))
    new = add_batch(conn, "docmgmt", "2021-12-20", published_at=SECOND_NIGHT)
    for table, table_rows in rows.items():
        insert_rows(conn, table, new, "2021-12-20", table_rows, file_name="resent")


def add_portal_day(conn, day: str, added: dict[str, dict]) -> None:
    """A portal day with the latest day's directory and catalogue, plus a row per raw table of
    `added`."""
    latest = conn.execute(
        "select batch_id from audit.load_batches where system = 'portal' and status = 'published'"
        " order by export_date desc limit 1"
    ).fetchone()[0]
    batch = add_batch(conn, "portal", day, published_at=datetime.now(UTC))
    for name in ("portal_coquan", "portal_thutuc"):
        rows = raw_rows(conn, name, latest) + ([added[name]] if name in added else [])
        insert_rows(conn, name, batch, day, rows)


def raw_rows(conn, table: str, batch_id: int) -> list[dict]:
    """The data fields of a raw table's rows of one batch, in line order."""
    cols = [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'raw'"
            " and table_name = %s and column_name not like '\\_%%' order by ordinal_position",
            (table,),
        )
    ]
    result = conn.execute(
        psycopg.sql.SQL("select {} from raw.{} where _batch_id = %s order by _line").format(
            psycopg.sql.SQL(", ").join(map(psycopg.sql.Identifier, cols)),
            psycopg.sql.Identifier(table),
        ),
        (batch_id,),
    )
    return [dict(zip(cols, r, strict=True)) for r in result]


MARTS = {
    "rpt_dossier_resolution": "period_convention, period_type, period_label, agency_code",
    "rpt_document_exchange": "period_convention, period_type, period_label, agency_code",
    "rpt_cchc_indicators": "report_year, scope_level, scope_code, indicator_code",
    "fct_dossiers_received": "dossier_id",
    "fct_documents_exchanged": "document_id, recipient_agency_code",
    "fct_dossiers_daily": "agency_code, accepted_date",
    "fct_documents_daily": "sender_agency_code, sent_date",
    "dim_agency": "agency_version_key",
    "dim_procedure": "procedure_version_key",
}


def snapshot(url: str) -> dict[str, list[tuple]]:
    with warehouse.connect(url) as conn:
        return {
            name: conn.execute(f"select * from marts.{name} order by {order}").fetchall()
            for name, order in MARTS.items()
        }


def build(url: str, *extra: str) -> None:
    run_dbt(["build", *extra], url)


@pytest.fixture(scope="module")
def first_build(module_db):
    old = os.environ.get("CCHC_PII_KEY")
    os.environ["CCHC_PII_KEY"] = PII_KEY
    with warehouse.connect(module_db) as conn:
        load_base(conn)
    build(module_db)
    yield module_db
    if old is None:
        os.environ.pop("CCHC_PII_KEY", None)
    else:
        os.environ["CCHC_PII_KEY"] = old


def query(url: str, sql: str, *params) -> list[tuple]:
    with warehouse.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


RES_COLS = (
    "carried_over, received, received_online, received_in_person_or_post, received_by_post,"
    " resolved_early, resolved_on_time, resolved_late, resolved, withdrawn_or_stopped,"
    " pending_within_deadline, pending_overdue, pending, not_accepted, on_time_rate"
)


def resolution(url: str, convention: str, ptype: str, label: str) -> dict[str, tuple]:
    rows = query(
        url,
        f"select agency_code, {RES_COLS} from marts.rpt_dossier_resolution"
        " where period_convention = %s and period_type = %s and period_label = %s",
        convention,
        ptype,
        label,
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def indicators(url: str, year: int, scope: str) -> dict[str, tuple]:
    rows = query(
        url,
        "select indicator_code, value, numerator, denominator"
        " from marts.rpt_cchc_indicators where report_year = %s and scope_code = %s",
        year,
        scope,
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def test_dossier_resolution_nd09_month(first_build):
    got = resolution(first_build, "nd09", "month", "2021-12")
    # A: carried over D1; received D2 D3 D4 D7 D8 D9 D10 (D2, D10 online; D10's messy code);
    # early D1, D7 (clock error: counted on acceptance, classed by its exported end), D8 (due
    # moved by a supplement); on the day D3 (23:00 local on the 14th), D9 (no due date);
    # D4 withdrawn after its due date; pending D2 (overdue), D10 (within); not accepted D5.
    assert got[A] == (1, 7, 2, 5, 0, 3, 2, 0, 5, 1, 1, 1, 2, 1, Decimal(100))
    # B: D13 carried over and still open on 14/12 (due 15/12: within); D12 accepted 00:30 on
    # 15/12 local time belongs to the next month
    assert got[B] == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, None)
    # unknown agency kept under its code; received by post
    assert got["XYZ.99"] == (0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, None)
    assert set(got) == {A, B, "XYZ.99"}  # status 1 (D6) counted nowhere, nothing else appears


def test_dossier_resolution_other_periods(first_build):
    nxt = resolution(first_build, "nd09", "month", "2022-01")  # starts 15/12 <= as_of 20/12
    assert nxt[A] == (2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, None)
    assert nxt[B] == (1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, Decimal(0))
    cal = resolution(first_build, "calendar", "month", "2021-12")
    assert cal[A] == (2, 5, 1, 4, 0, 2, 2, 0, 4, 1, 0, 2, 2, 0, Decimal(100))
    year = resolution(first_build, "nd09", "year", "2021")
    assert year[A] == (0, 8, 2, 6, 0, 3, 2, 0, 5, 1, 1, 1, 2, 1, Decimal(100))
    assert query(
        first_build,
        "select count(*) from marts.rpt_dossier_resolution where period_start > '2021-12-20'",
    ) == [(0,)]
    labels = {
        r[0]
        for r in query(
            first_build,
            "select distinct period_type || ':' || period_label"
            " from marts.rpt_dossier_resolution"
            " where period_convention = 'nd09'",
        )
    }
    assert {"quarter:2021-Q4", "half_year:2022-H1", "nine_months:2022-9M", "year:2022"} <= labels
    assert "half_year:2021-H2" not in labels


def test_fact_dossiers(first_build):
    rows = query(
        first_build,
        "select dossier_id, agency_code, channel, timeliness, outcome,"
        " has_clock_error, due_date::text from marts.fct_dossiers_received",
    )
    by_id = {r[0]: r[1:] for r in rows}
    assert set(by_id) == {f"D{i}" for i in (1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13)}
    assert by_id["D10"][:2] == (A, "truc_tuyen")
    assert by_id["D7"][2:5] == ("truoc_han", "resolved", True)
    assert by_id["D4"][2:4] == (None, "withdrawn_or_stopped")
    assert by_id["D8"][2] == "truoc_han" and by_id["D8"][5] == "2021-12-10"
    assert by_id["D9"][2] == "dung_han"
    assert by_id["D13"][2] == "qua_han"
    assert by_id["D11"][:2] == ("XYZ.99", "buu_chinh")
    # the unpublished batch of 21/12 changed nothing (D1 would be status 8, D99 new)
    assert query(
        first_build, "select status_code from marts.fct_dossiers_received where dossier_id = 'D1'"
    ) == [(10,)]


def test_personal_data_is_hashed_in_staging_and_absent_from_marts(first_build):
    expected = hmac.new(PII_KEY.encode(), "Nguyễn Văn A".encode(), hashlib.sha256).hexdigest()
    rows = query(
        first_build,
        "select applicant_name_hash, applicant_id_number_hash"
        " from staging.stg_onestop__dossiers where dossier_id = 'D1'",
    )
    assert rows == [
        (expected, hmac.new(PII_KEY.encode(), b"001099000001", hashlib.sha256).hexdigest())
    ]
    cols = query(
        first_build,
        "select table_name, column_name from information_schema.columns"
        " where table_schema in ('staging', 'intermediate', 'marts')"
        " and column_name in ('chu_ho_so', 'so_giay_to', 'so_dien_thoai')",
    )
    assert cols == []
    leaked = query(
        first_build,
        "select count(*) from marts.fct_dossiers_received as f"
        " where f::text like '%%Nguyễn%%' or f::text like '%%0912345678%%'",
    )
    assert leaked == [(0,)]


def test_documents(first_build):
    got = {
        r[0]: r[1:]
        for r in query(
            first_build,
            "select agency_code, outgoing, outgoing_electronic, outgoing_parallel, outgoing_paper,"
            " outgoing_signed, outgoing_via_axis, incoming, with_deadline, processed_on_time,"
            " processed_late, overdue_open, processing_on_time_rate from marts.rpt_document_exchange"
            " where period_convention = 'nd09' and period_type = 'month' and period_label = '2021-12'",
        )
    }
    # A: DOC1 (3 recipients, counted once), DOC2 (paper, 23:30 local on 14/12), DOC5; incoming
    # DOC3 (completed after its deadline: late), DOC4 (never completed: overdue_open)
    assert got[A] == (3, 2, 0, 1, 2, 1, 2, 2, 0, 1, 1, Decimal(0))
    assert got[B] == (2, 1, 1, 0, 2, 0, 3, 1, 1, 0, 0, Decimal(100))
    assert got[C] == (0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, None)  # its deadline 20/12 is next month
    nxt = query(
        first_build,
        "select with_deadline, overdue_open from marts.rpt_document_exchange"
        " where period_convention = 'nd09' and period_label = '2022-01'"
        " and period_type = 'month' and agency_code = %s",
        C,
    )
    assert nxt == [(1, 1)]
    ex = {
        r[0]: r[1:]
        for r in query(
            first_build,
            "select recipient_agency_code, recipient_in_province, refused, deadline::text,"
            " processed_on_time, completed_at is not null from marts.fct_documents_exchanged"
            " where document_id = 'DOC1'",
        )
    }
    assert ex == {
        B: (True, False, "2021-12-13", True, True),  # 06 at 08:00Z = 15:00 local on 12/12
        C: (True, False, "2021-12-20", False, False),  # refused, then received: not refused
        EXT: (False, True, None, None, False),  # outside the province, refused
    }
    assert query(
        first_build, "select refused from marts.fct_documents_exchanged where document_id = 'DOC5'"
    ) == [(False,)]


def test_indicators_agency_and_province(first_build):
    a = indicators(first_build, 2021, A)
    assert a["III.7.1"] == (8, None, None)
    assert a["III.7.2"] == (2, None, None)
    assert a["III.7.3"] == (100, 5, 5)
    assert a["VII.2.1"] == (3, None, None) and a["VII.2.4"] == (1, 1, 3)
    # catalogue of 13/12 (14/12 missing; 20/12 is after the year): P1 level 3 (level 2 on 10/12)
    assert a["VII.3.1"] == (1, None, None) and a["VII.3.2"] == (1, 1, 1)
    assert a["VII.3.3"] == (1, None, None) and a["VII.3.4"] == (1, 1, 1)
    assert a["VII.3.5"] == (2, None, None)
    assert a["VII.3.6"] == (6, None, None) and a["VII.3.7"] == (2, 2, 6)
    assert a["VII.3.8"] == (2, None, None) and a["VII.3.9"] == (1, 1, 2)
    assert a["VII.9.1"] == (1, None, None) and a["VII.9.2"] == (1, 1, 1)
    assert a["VII.9.3"] == (0, None, None) and a["VII.9.4"] == (1, None, None)
    assert a["I.7.1"] == (2, None, None) and a["I.7.2"] == (50, 1, 2)  # Excel serial time read
    p = indicators(first_build, 2021, "94")
    assert len(p) == 22
    assert p["III.7.1"] == (10, None, None)
    # distinct procedures: P2 is offered by A and B and counts once
    assert p["VII.3.3"] == (2, None, None) and p["VII.3.4"] == (1, 1, 2)
    assert p["VII.9.1"] == (2, None, None) and p["VII.9.2"] == (2, 2, 2)
    assert p["VII.3.8"] == (3, None, None)
    assert p["VII.2.1"] == (5, None, None) and p["VII.2.2"] == (3, 3, 5)
    # the unknown dossier's rating counts at province scope only
    assert p["I.7.1"][0] == 3 and p["I.7.2"][1:] == (2, 3)
    b = indicators(first_build, 2021, B)
    assert b["VII.3.3"] == (2, None, None)  # P3 lists B with a messy code
    assert b["I.7.2"] == (None, 0, 0)
    years = {
        r[0]
        for r in query(first_build, "select distinct report_year from marts.rpt_cchc_indicators")
    }
    assert years == {2021, 2022}


def test_dimensions_and_restatement(first_build):
    b = query(
        first_build,
        "select valid_from::text, valid_to::text, is_current, current_agency_code"
        " from marts.dim_agency where agency_code = %s order by valid_from",
        B,
    )
    assert b == [("2021-12-10", "2021-12-19", False, A), ("2021-12-20", None, True, A)]
    p1 = query(
        first_build,
        "select online_level, online_level_raw, valid_to::text"
        " from marts.dim_procedure where procedure_code = '1.000001'"
        " order by valid_from",
    )
    assert p1 == [(2, "2", "2021-12-12"), (3, "3", None)]
    restated = query(
        first_build,
        "select received, carried_over, source_agency_codes"
        " from marts.rpt_dossier_resolution_restated"
        " where period_convention = 'nd09' and period_type = 'month'"
        " and period_label = '2022-01' and agency_code = %s",
        A,
    )
    assert restated == [(1, 3, f"{A}, {B}")]  # B's history under A, via D; B's rows untouched
    assert resolution(first_build, "nd09", "month", "2022-01")[B][1] == 1
    periods = query(
        first_build,
        "select period_start::text, period_end::text"
        " from marts.dim_reporting_period where period_key in"
        " ('nd09:quarter:2021-Q1', 'nd09:nine_months:2021-9M',"
        "  'calendar:half_year:2021-H2')"
        " order by period_key",
    )
    assert periods == [
        ("2021-07-01", "2021-12-31"),
        ("2020-12-15", "2021-09-14"),
        ("2020-12-15", "2021-03-14"),
    ]


def test_bi_reader_reads_marts(first_build):
    from sqlalchemy.engine import make_url

    bi = make_url(first_build).set(username="bi_reader").render_as_string(hide_password=False)
    with psycopg.connect(warehouse.conninfo(bi), autocommit=True) as conn:
        assert conn.execute("select count(*) from marts.rpt_cchc_indicators").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select 1 from staging.stg_onestop__dossiers limit 1")


@pytest.fixture(scope="module")
def second_night(first_build):
    untouched_sql = (
        "select period_key, ctid::text from marts.rpt_dossier_resolution"
        " where agency_code = %s order by 1"
    )
    before = query(first_build, untouched_sql, B)
    with warehouse.connect(first_build) as conn:
        load_second_night(conn)
    build(first_build)
    incremental = snapshot(first_build)
    untouched = before == query(first_build, untouched_sql, B)
    build(first_build, "--full-refresh")
    full = snapshot(first_build)
    return first_build, incremental, full, untouched


def test_incremental_night_updates_touched_periods(second_night):
    url, _, _, untouched = second_night
    got = resolution(url, "nd09", "month", "2021-12")
    # late day: D14 received and resolved early in an old period
    assert got[A] == (1, 8, 2, 6, 0, 4, 2, 0, 6, 1, 1, 1, 2, 1, Decimal(100))
    # D11 moved from the unknown code to C: its old agency's rows are gone everywhere
    assert "XYZ.99" not in got and got[C][:5] == (0, 1, 0, 1, 1)
    assert query(
        url, "select count(*) from marts.rpt_dossier_resolution where agency_code = 'XYZ.99'"
    ) == [(0,)]
    nxt = resolution(url, "nd09", "month", "2022-01")
    assert nxt[A] == (2, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, Decimal(0))  # D2 ended late
    # the re-sent docmgmt day dropped DOC2
    out = query(
        url,
        "select outgoing, outgoing_paper from marts.rpt_document_exchange"
        " where period_key = 'nd09:month:2021-12' and agency_code = %s",
        A,
    )
    assert out == [(2, 0)]
    assert query(
        url, "select count(*) from marts.fct_documents_exchanged where document_id = 'DOC2'"
    ) == [(0,)]
    assert daily_marts(url) == daily_from_facts(url)
    assert query(
        url, "select count(*) from marts.fct_dossiers_daily where agency_code = 'XYZ.99'"
    ) == [(0,)]
    p = indicators(url, 2021, "94")
    assert p["III.7.1"][0] == 11 and p["VII.2.1"][0] == 4
    assert indicators(url, 2021, "XYZ.99") == {}
    assert indicators(url, 2021, C)["III.7.1"][0] == 1


def daily_from_facts(url: str) -> tuple[dict, dict]:
    """fct_dossiers_daily and fct_documents_daily recomputed in Python from the facts' rows."""
    dossiers: dict[tuple, list] = {}
    rows = query(
        url,
        "select agency_code, accepted_date, channel, outcome, timeliness, fee_vnd"
        " from marts.fct_dossiers_received",
    )
    for agency, day, channel, outcome, timeliness, fee in rows:
        d = dossiers.setdefault((agency, day), [0, 0, 0, 0, 0, 0])
        d[0] += 1
        d[1] += channel == "truc_tuyen"
        d[2] += outcome == "resolved"
        d[3] += timeliness in ("truoc_han", "dung_han")
        d[4] += outcome == "pending"
        d[5] += fee or 0
    documents: dict[tuple, list] = {}
    rows = query(
        url,
        "select sender_agency_code, (sent_at at time zone 'Asia/Ho_Chi_Minh')::date, document_id,"
        " sending_form, processed_on_time from marts.fct_documents_exchanged"
        " where has_outgoing_row and sender_agency_code is not null and sent_at is not null",
    )
    for agency, day, doc, form, on_time in rows:
        d = documents.setdefault((agency, day), [0, set(), 0, 0])
        d[0] += 1
        d[1].add(doc)
        d[2] += form == "DIEN_TU"
        d[3] += on_time is True
    return (
        {k: tuple(v) for k, v in dossiers.items()},
        {k: (v[0], len(v[1]), v[2], v[3]) for k, v in documents.items()},
    )


def daily_marts(url: str) -> tuple[dict, dict]:
    dossiers = query(
        url,
        "select agency_code, accepted_date, received, received_online, resolved,"
        " resolved_early + resolved_on_time, pending, fees_vnd from marts.fct_dossiers_daily",
    )
    documents = query(
        url,
        "select sender_agency_code, sent_date, exchanges, documents, exchanges_electronic,"
        " processed_on_time from marts.fct_documents_daily",
    )
    return (
        {(r[0], r[1]): tuple(r[2:]) for r in dossiers},
        {(r[0], r[1]): tuple(r[2:]) for r in documents},
    )


def test_daily_marts_sum_the_facts(first_build):
    """Every agency-day of the daily marts holds what the facts' rows add up to, and no other
    agency-day is there (test_incremental_night_updates_touched_periods checks the same after
    the incremental night: a dossier moved to another agency, a late day, a re-sent day that
    dropped a document)."""
    expected = daily_from_facts(first_build)
    assert daily_marts(first_build) == expected
    assert sum(v[0] for v in expected[0].values()) > 5 and expected[1]


def test_incremental_equals_full_refresh(second_night):
    _, incremental, full, untouched = second_night
    assert untouched, "rows of an agency the night did not touch were rewritten"
    for name in MARTS:
        assert incremental[name] == full[name], name


def test_a_build_with_nothing_new_reads_nothing(second_night):
    url = second_night[0]
    stamps_sql = (
        "select (select max(changed_at) from intermediate.int_dossier_footprints),"
        " (select max(changed_at) from intermediate.int_document_footprints)"
    )
    before = query(url, stamps_sql), snapshot(url)
    build(url)
    assert (query(url, stamps_sql), snapshot(url)) == before  # no footprint rewritten
    # every incremental model has read exactly the published batches
    read = query(
        url,
        "select model_name, array_agg(batch_id order by batch_id) from intermediate.cchc_batches_read"
        " group by 1 order by 1",
    )
    published = query(
        url,
        "select array_agg(batch_id order by batch_id) from audit.load_batches"
        " where status = 'published'",
    )[0][0]
    assert len(read) >= 15 and all(ids == published for _, ids in read), read


def test_nightly_row_checks_look_at_the_batches_the_run_builds_from(second_night):
    """rows_match_batch_files checks the batches the last build read for the first time; with
    all_batch_checks (as on --full-refresh) every published batch."""
    url = second_night[0]
    check = ["test", "--select", "source:raw.onestop_hoso"]
    with warehouse.connect(url) as conn:
        batch = conn.execute(
            "select min(_batch_id) from raw.onestop_hoso r join audit.load_batches b"
            " on b.batch_id = r._batch_id where b.status = 'published'"
        ).fetchone()[0]
        conn.execute(  # a row more in raw than the loader counted (a negative _line)
            "create temporary table extra as select * from raw.onestop_hoso"
            " where _batch_id = %s limit 1",
            (batch,),
        )
        conn.execute("update extra set _line = -1")
        conn.execute("insert into raw.onestop_hoso select * from extra")
    try:
        run_dbt(check, url)  # read by the builds before: not a night's check
        with pytest.raises(Exception, match="rows_match_batch_files"):
            run_dbt([*check, "--vars", "{all_batch_checks: true}"], url)
        with warehouse.connect(url) as conn:  # a model has not read it yet: the run builds from it
            conn.execute(
                "delete from intermediate.cchc_batches_read"
                " where batch_id = %s and model_name = 'stg_onestop__dossiers'",
                (batch,),
            )
        run_dbt(["run", "--select", "stg_audit__published_batches"], url)
        with pytest.raises(Exception, match="rows_match_batch_files"):
            run_dbt(check, url)
    finally:
        with warehouse.connect(url) as conn:
            conn.execute(
                "delete from raw.onestop_hoso where _batch_id = %s and _line = -1", (batch,)
            )
        run_dbt(["build", "--select", "stg_audit__published_batches+"], url)


def test_a_portal_day_that_lists_unknown_codes_re_derives_their_rows(second_night):
    """No dossier or document changes, only the directory (now listing DOC1's recipient EXT)
    and the catalogue (now listing X.999, D9's procedure): the rows that held those codes as
    unknown are re-derived by the nightly build, as a full refresh would."""
    url = second_night[0]
    in_province = (
        "select recipient_in_province from marts.fct_documents_exchanged"
        " where document_id = 'DOC1' and recipient_agency_code = %s"
    )
    known = "select is_known_procedure from staging.stg_onestop__dossiers where dossier_id = 'D9'"
    assert (query(url, in_province, EXT), query(url, known)) == ([(False,)], [(False,)])
    with warehouse.connect(url) as conn:
        add_portal_day(
            conn,
            "2021-12-22",
            {
                "portal_coquan": coquan(EXT, "Bộ Thông tin và Truyền thông"),
                "portal_thutuc": thutuc("X.999", "3", [A]),
            },
        )
    build(url)
    assert (query(url, in_province, EXT), query(url, known)) == ([(True,)], [(True,)])
    incremental = snapshot(url)
    build(url, "--full-refresh")
    assert snapshot(url) == incremental
