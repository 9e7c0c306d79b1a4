"""The policy-enforcing query builder: filters, keyset pages, policies, versions, SQL, audit."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import replace

import duckdb
import pytest

from treasury.access import ANONYMOUS_INTERNET, Principal
from treasury.catalog import load_catalog
from treasury.config import Settings
from treasury.warehouse.reader import Filter, Reader, ReadError, ReadRequest, parse_filters

SP2D = "sp2d-rincian"  # restricted to admin, steward, analyst; row scoped; a personal column
INTERNAL = "kas-harian"
PUBLIC = "bansos-2023"


@pytest.fixture
def reader(od_settings: Settings) -> Reader:
    return Reader(od_settings)


def _all(reader: Reader, who: Principal, slug: str, request: ReadRequest) -> list[dict]:
    rows: list[dict] = []
    token = None
    while True:
        page = reader.page(who, slug, replace(request, after=token))
        rows.extend(page.rows.to_pylist())
        token = page.next
        if token is None:
            return rows


def _count(con: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list | None = None) -> int:
    return con.execute(
        f"select count(*) from clean_span_sp2d where {where}", params or []
    ).fetchone()[0]


# -- filters ---------------------------------------------------------------------------------


def test_parse_filters_types_and_ops() -> None:
    d = load_catalog().get(SP2D)
    filters = parse_filters(
        [
            ("nilai__gt", "1000"),
            ("kode_kppn__in", "086,087"),
            ("tanggal_sp2d__lte", "2024-03-01"),
            ("uraian__isnull", "false"),
            ("kode_akun", "521211"),
            ("limit", "10"),
            ("_ignored", "x"),
        ],
        d,
    )
    assert filters == (
        Filter("nilai", "gt", 1000),
        Filter("kode_kppn", "in", ("086", "087")),
        Filter("tanggal_sp2d", "lte", dt.date(2024, 3, 1)),
        Filter("uraian", "isnull", False),
        Filter("kode_akun", "eq", "521211"),
    )


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("nope__eq", "1", "unknown_column"),
        ("nilai__like", "1", "bad_filter"),
        ("nilai__gt", "satu", "bad_filter"),
        ("tanggal_sp2d__gte", "2024-13-45", "bad_filter"),
        ("nilai__contains", "1", "bad_filter"),
        ("uraian__isnull", "maybe", "bad_filter"),
    ],
)
def test_bad_filters_are_400(key: str, value: str, code: str) -> None:
    with pytest.raises(ReadError) as info:
        parse_filters({key: value}, load_catalog().get(SP2D))
    assert (info.value.status, info.value.code) == (400, code)


@pytest.mark.parametrize(
    ("op", "value", "where", "params"),
    [
        ("eq", "086", "kode_kppn = ?", ["086"]),
        ("ne", "086", "kode_kppn <> ?", ["086"]),
        ("gt", "50000000", "nilai > ?", [50_000_000]),
        ("gte", "50000000", "nilai >= ?", [50_000_000]),
        ("lt", "1000000", "nilai < ?", [1_000_000]),
        ("lte", "1000000", "nilai <= ?", [1_000_000]),
        ("in", "086,087,001", "kode_kppn in (?, ?, ?)", ["086", "087", "001"]),
        ("contains", "ATK", "contains(lower(uraian), lower(?))", ["ATK"]),
        ("startswith", "52", "starts_with(kode_akun, ?)", ["52"]),
        ("isnull", "true", "uraian is null", []),
    ],
)
def test_each_operator_matches_duckdb(
    reader: Reader,
    principals: dict[str, Principal],
    snapshot: duckdb.DuckDBPyConnection,
    op: str,
    value: str,
    where: str,
    params: list,
) -> None:
    column = where.split()[0].removeprefix("contains(lower(").removeprefix("starts_with(")
    column = column.rstrip("),")
    d = load_catalog().get(SP2D)
    filters = parse_filters({f"{column}__{op}": value}, d)
    page = reader.page(principals["admin"], SP2D, ReadRequest(filters=filters, limit=1), True)
    assert page.total == _count(snapshot, where, params)


# -- keyset pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sort", [(), (("nilai", True),), (("tanggal_sp2d", False), ("kode_akun", True))]
)
def test_keyset_pages_reach_the_end_without_duplicates_or_gaps(
    reader: Reader,
    principals: dict[str, Principal],
    snapshot: duckdb.DuckDBPyConnection,
    sort: tuple,
) -> None:
    request = ReadRequest(columns=("nomor_sp2d", "baris", "nilai"), sort=sort, limit=997)
    rows = _all(reader, principals["admin"], SP2D, request)
    keys = [(r["nomor_sp2d"], r["baris"]) for r in rows]
    assert len(keys) == len(set(keys)) == _count(snapshot)
    if sort == (("nilai", True),):
        values = [r["nilai"] for r in rows]
        assert values == sorted(values, reverse=True)


def test_keyset_pages_with_nulls_in_the_sort_column(
    reader: Reader, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    request = ReadRequest(columns=("nomor_sp2d", "baris", "uraian"), sort=(("uraian", True),))
    rows = _all(reader, principals["admin"], SP2D, replace(request, limit=500))
    assert len({(r["nomor_sp2d"], r["baris"]) for r in rows}) == len(rows) == _count(snapshot)


def test_page_of_a_dataset_without_primary_key(
    reader: Reader, principals: dict[str, Principal]
) -> None:
    dataset = load_catalog().get("belanja-wilayah-bulanan")
    assert not dataset.primary_key
    rows = _all(reader, principals["admin"], dataset.slug, ReadRequest(limit=50))
    total = reader.page(principals["admin"], dataset.slug, ReadRequest(limit=1), True).total
    assert len(rows) == total
    assert len({tuple(r.values()) for r in rows}) == total


def test_tokens_are_checked(reader: Reader, principals: dict[str, Principal]) -> None:
    admin = principals["admin"]
    page = reader.page(admin, SP2D, ReadRequest(limit=5))
    assert page.next is not None
    raw = base64.urlsafe_b64decode(page.next + "=" * (-len(page.next) % 4))
    body, _, mac = raw.rpartition(b".")
    data = json.loads(body)
    data["v"][0] = "0"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode() + b"." + mac).decode()
    for token in ("garbage", page.next[:-3], forged):
        with pytest.raises(ReadError) as info:
            reader.page(admin, SP2D, ReadRequest(limit=5, after=token))
        assert (info.value.status, info.value.code) == (400, "bad_token")
    other = ReadRequest(limit=5, after=page.next, sort=(("nilai", False),))
    with pytest.raises(ReadError) as info:
        reader.page(admin, SP2D, other)
    assert info.value.code == "bad_token"


@pytest.mark.parametrize("limit", [0, 32_001])
def test_limits(reader: Reader, principals: dict[str, Principal], limit: int) -> None:
    with pytest.raises(ReadError) as info:
        reader.page(principals["admin"], SP2D, ReadRequest(limit=limit))
    assert info.value.status == 400


# -- policies --------------------------------------------------------------------------------


def test_kanwil_analyst_sees_only_its_province(
    reader: Reader, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    page = reader.page(principals["analis.jatim"], SP2D, ReadRequest(limit=1000), True)
    assert page.total == _count(snapshot, "kode_provinsi = '35'") > 0
    assert set(page.rows.column("kode_provinsi").to_pylist()) == {"35"}


def test_kppn_analyst_sees_only_its_office(
    reader: Reader, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    who = principals["analis.surabaya"]
    page = reader.page(who, SP2D, ReadRequest(limit=1000), True)
    assert page.total == _count(snapshot, "kode_kppn = ?", [who.org_code]) > 0
    assert set(page.rows.column("kode_kppn").to_pylist()) == {who.org_code}
    filtered = parse_filters({"kode_provinsi__ne": "35"}, load_catalog().get(SP2D))
    assert reader.page(who, SP2D, ReadRequest(filters=filtered), True).total == 0


def test_masks_for_analysts_not_for_stewards(
    reader: Reader, principals: dict[str, Principal]
) -> None:
    request = ReadRequest(columns=("nomor_sp2d", "rekening_penerima"), limit=50)
    for analyst in ("analis.pusat", "analis.jatim", "analis.surabaya"):
        page = reader.page(principals[analyst], SP2D, request)
        assert set(page.rows.column("rekening_penerima").to_pylist()) <= {"***", None}
        assert page.schema["fields"][1]["masked"] is True
    page = reader.page(principals["steward"], SP2D, request)
    values = page.rows.column("rekening_penerima").to_pylist()
    assert "***" not in values and any(v and v.isdigit() for v in values)


def test_masked_column_cannot_be_filtered_or_sorted(
    reader: Reader, principals: dict[str, Principal]
) -> None:
    probe = Filter("rekening_penerima", "startswith", "1")
    for request in (
        ReadRequest(filters=(probe,)),
        ReadRequest(sort=(("rekening_penerima", False),)),
    ):
        with pytest.raises(ReadError) as info:
            reader.page(principals["analis.pusat"], SP2D, request)
        assert (info.value.status, info.value.code) == (403, "masked_column")


def test_refusals(reader: Reader, principals: dict[str, Principal]) -> None:
    cases = [
        (principals["eksternal"], INTERNAL, 403),
        (principals["eksternal"], SP2D, 403),
        (ANONYMOUS_INTERNET, INTERNAL, 401),
        (ANONYMOUS_INTERNET, SP2D, 401),
    ]
    for who, slug, status in cases:
        with pytest.raises(ReadError) as info:
            reader.page(who, slug, ReadRequest())
        assert info.value.status == status
        with pytest.raises(ReadError):
            reader.stream(who, slug, ReadRequest())
    assert reader.page(ANONYMOUS_INTERNET, PUBLIC, ReadRequest(limit=3)).rows.num_rows == 3
    with pytest.raises(ReadError) as info:
        reader.dataset(ANONYMOUS_INTERNET, "no-such-dataset")
    assert info.value.status == 404


def test_unpublished_datasets_are_404_except_for_stewards(
    od_settings: Settings, principals: dict[str, Principal], tmp_path
) -> None:
    from treasury.catalog.workflow import transition
    from treasury.db import migrate
    from treasury.db.session import session_scope

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    with session_scope(url) as session:
        transition(session, load_catalog(), PUBLIC, "retired", "steward", "steward", "old")
    reader = Reader(od_settings, session_factory=lambda: session_scope(url))
    with pytest.raises(ReadError) as info:
        reader.page(ANONYMOUS_INTERNET, PUBLIC, ReadRequest())
    assert info.value.status == 404
    with pytest.raises(ReadError):
        reader.page(principals["analis.pusat"], PUBLIC, ReadRequest())
    assert reader.page(principals["steward"], PUBLIC, ReadRequest(limit=2)).rows.num_rows == 2
    assert PUBLIC not in {d.slug for d in reader.readable(ANONYMOUS_INTERNET)}


# -- versions and streams ------------------------------------------------------------------


def test_version_reads_the_lake(reader: Reader, principals: dict[str, Principal]) -> None:
    admin = principals["admin"]
    current = reader.page(admin, SP2D, ReadRequest(limit=1), True).total
    first = reader.page(admin, SP2D, ReadRequest(limit=1, version=0), True)
    assert first.total == current  # one pipeline run: one version of the clean table
    with pytest.raises(ReadError) as info:
        reader.page(admin, SP2D, ReadRequest(version=999))
    assert info.value.status == 404
    with pytest.raises(ReadError) as info:
        reader.page(admin, "ref-provinsi", ReadRequest(version=0))
    assert info.value.status == 400


def test_stream_yields_every_row_in_batches(
    reader: Reader, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    schema, batches = reader.stream(
        principals["analis.jatim"], SP2D, ReadRequest(), batch_rows=1000
    )
    sizes = [b.num_rows for b in batches]
    assert max(sizes) <= 1000 and len(sizes) > 1
    assert sum(sizes) == _count(snapshot, "kode_provinsi = '35'")
    assert "rekening_penerima" in schema.names


def test_an_export_closed_part_way_is_audited_as_interrupted(
    od_settings: Settings, reader: Reader, principals: dict[str, Principal]
) -> None:
    """The audit of an export closed part-way counts the rows actually handed out."""
    from treasury.access import audit
    from treasury.db.session import session_scope

    jatim = principals["analis.jatim"]
    _, batches = reader.stream(jatim, SP2D, ReadRequest(), batch_rows=100)
    first = next(batches)
    assert first.num_rows == 100
    batches.close()
    with session_scope(od_settings.app_database_url) as session:
        events = audit.recent(session, principals["admin"], limit=5)
    export = next(e for e in events if e.action == "export")
    assert (export.user_name, export.status, export.rows) == ("analis.jatim", "error", 100)


# -- SQL -------------------------------------------------------------------------------------


def test_sql_applies_row_filters_and_masks(
    reader: Reader, principals: dict[str, Principal], snapshot: duckdb.DuckDBPyConnection
) -> None:
    sql = "select kode_provinsi, count(*) n, max(rekening_penerima) r from sp2d_rincian group by 1"
    rows = reader.sql(principals["analis.jatim"], sql).to_pylist()
    assert rows == [
        {"kode_provinsi": "35", "n": _count(snapshot, "kode_provinsi = '35'"), "r": "***"}
    ]
    total = reader.sql(principals["steward"], "select count(*) n from sp2d_rincian").to_pylist()
    assert total == [{"n": _count(snapshot)}]
    joined = reader.sql(
        principals["analis.pusat"],
        "with t as (select * from bansos_2023) select count(*) n from t join ref_provinsi p "
        "using (kode_provinsi)",
    )
    assert joined.num_rows == 1


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH 'x.duckdb' AS x",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "PRAGMA database_list",
        "SET threads = 1",
        "INSTALL httpfs",
        "LOAD httpfs",
        "EXPORT DATABASE '/tmp/x'",
        "SELECT * FROM clean_span_sp2d",
        "SELECT * FROM mart_kas_harian",
        "SELECT 1; SELECT 2",
        "SELEC nonsense",
        # a WITH name shadowing a table would reach the real table past the policies
        "WITH clean_span_sp2d AS (SELECT * FROM clean_span_sp2d) SELECT * FROM clean_span_sp2d",
        "WITH Clean_Span_Sp2d AS (SELECT * FROM CLEAN_SPAN_SP2D) SELECT * FROM clean_span_sp2d",
        "WITH sp2d_rincian AS (SELECT * FROM sp2d_rincian) SELECT * FROM sp2d_rincian",
        "SELECT * FROM SP2D_RINCIAN s, clean_span_sp2d",
    ],
)
def test_sql_sandbox_refusals(reader: Reader, principals: dict[str, Principal], sql: str) -> None:
    with pytest.raises(ReadError) as info:
        reader.sql(principals["analis.pusat"], sql)
    assert info.value.status == 400


def test_sql_needs_an_internal_user(reader: Reader, principals: dict[str, Principal]) -> None:
    for who, status in ((ANONYMOUS_INTERNET, 401), (principals["eksternal"], 403)):
        with pytest.raises(ReadError) as info:
            reader.sql(who, "select 1")
        assert info.value.status == status


def test_sql_hides_datasets_the_user_cannot_read(
    reader: Reader, principals: dict[str, Principal]
) -> None:
    from treasury.catalog.models import Range  # noqa: F401  (fixed filters render as literals)

    result = reader.sql(principals["analis.pusat"], "select count(*) n from kas_harian")
    assert result.num_rows == 1
    with pytest.raises(ReadError):
        reader.sql(principals["eksternal"], "select count(*) from bansos_2023")


# -- audit -----------------------------------------------------------------------------------


def test_reads_exports_sql_and_refusals_are_audited(
    od_settings: Settings, reader: Reader, principals: dict[str, Principal]
) -> None:
    from treasury.access import audit
    from treasury.db.session import session_scope

    jatim = principals["analis.jatim"]
    reader.page(jatim, SP2D, ReadRequest(limit=7, filters=(Filter("nilai", "gt", 5),)))
    _, batches = reader.stream(jatim, SP2D, ReadRequest())
    streamed = sum(b.num_rows for b in batches)
    reader.sql(jatim, "select 1 as x from sp2d_rincian limit 2")
    with pytest.raises(ReadError):
        reader.page(principals["eksternal"], SP2D, ReadRequest())
    with session_scope(od_settings.app_database_url) as session:
        events = audit.recent(session, principals["admin"], limit=10)
    kinds = {(e.user_name, e.action, e.status, e.rows) for e in events}
    assert ("analis.jatim", "read", "ok", 7) in kinds
    assert ("analis.jatim", "export", "ok", streamed) in kinds
    assert ("analis.jatim", "sql", "ok", 2) in kinds
    assert ("eksternal", "read", "denied", None) in kinds
    read = next(e for e in events if e.action == "read" and e.user_name == "analis.jatim")
    assert read.dataset == SP2D and read.filters["filters"] == [["nilai", "gt", "5"]]
