"""Marts: columns exactly as the data contract, unique grain, exact sums against the clean data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from treasury.config import Settings
from treasury.warehouse import lake, marts
from treasury.warehouse.engines import get_engine
from treasury.warehouse.pipeline import run_pipeline
from treasury.warehouse.query import run_query

DOC = (Path(marts.MARTS_DIR).parents[3] / "docs" / "datasets.md").read_text(encoding="utf-8")


def _documented_marts() -> dict[str, list[str]]:
    """Mart name -> columns, from docs/datasets.md (bullets may wrap onto indented lines)."""
    found: dict[str, str] = {}
    current = None
    for line in DOC.splitlines():
        start = re.match(r"^- `(mart_\w+)`: (.+)$", line)
        if start:
            current = start.group(1)
            found[current] = start.group(2)
        elif current and line.startswith("  ") and not line.lstrip().startswith("- "):
            found[current] += " " + line.strip()
        else:
            current = None
    return {
        name: [c.split("(")[0].strip() for c in text.split(",")] for name, text in found.items()
    }


CONTRACT = _documented_marts()


@pytest.fixture
def built(landed: Settings) -> Settings:
    result = run_pipeline(landed)
    assert result.status == "succeeded", result.message
    return landed


def _one(settings: Settings, sql: str) -> object:
    return run_query(sql, settings=settings).column(0)[0].as_py()


def _clean(settings: Settings, con: duckdb.DuckDBPyConnection) -> None:
    for dataset in (
        "span_sp2d",
        "tkd_penyaluran",
        "mpn_penerimaan",
        "span_pembiayaan",
        "span_dipa",
    ):
        con.register(dataset, lake.read(lake.table_path(settings.lake, "clean", dataset)))


def test_every_mart_of_the_contract_exists_with_its_columns(built: Settings) -> None:
    assert set(CONTRACT) == {m.name for m in marts.load_marts()}
    for name, columns in CONTRACT.items():
        table = run_query(f"select * from {name}", limit=1, settings=built)
        assert table.column_names == columns, name


def test_grain_is_unique(built: Settings) -> None:
    for mart in marts.load_marts():
        assert mart.grain, f"{mart.name} has no -- grain: comment"
        keys = ", ".join(mart.grain)
        dupes = _one(
            built,
            f"select count(*) from (select {keys} from {mart.name} group by all having count(*) > 1)",
        )
        assert dupes == 0, mart.name


def test_marts_run_in_dependency_order() -> None:
    order = [m.name for m in marts.load_marts()]
    assert order.index("mart_belanja_satker_bulanan") < order.index("mart_belanja_wilayah_bulanan")
    assert (
        "mart_belanja_satker_bulanan"
        in marts.load_marts()[order.index("mart_belanja_wilayah_bulanan")].depends_on
    )


def test_apbn_realisasi_equals_the_clean_sums(built: Settings) -> None:
    con = duckdb.connect()
    _clean(built, con)
    expected = dict(
        con.execute(
            "select tahun, sum(n) from (select tahun, nilai as n from span_sp2d union all "
            "select tahun, nilai from tkd_penyaluran) group by 1"
        ).fetchall()
    )
    got = dict(
        run_query(
            "select tahun, sum(realisasi) from mart_apbn_bulanan where pos = 'belanja' group by 1",
            settings=built,
        )
        .to_pylist()[i]
        .values()
        for i in range(len(expected))
    )
    assert {int(k): int(v) for k, v in got.items()} == {int(k): int(v) for k, v in expected.items()}
    mpn = con.execute("select sum(nilai) from mpn_penerimaan").fetchone()[0]
    assert (
        _one(built, "select sum(realisasi) from mart_apbn_bulanan where pos = 'pendapatan'") == mpn
    )
    net = con.execute("select sum(nilai) from span_pembiayaan").fetchone()[0]
    assert (
        _one(built, "select sum(realisasi) from mart_apbn_bulanan where pos = 'pembiayaan'") == net
    )
    # pagu: the annual ceiling on every month row of its year
    pagu = _one(
        built,
        "select count(distinct pagu) from mart_apbn_bulanan where tahun = 2024 and subkelompok = 'pph'",
    )
    assert pagu == 1
    assert (
        _one(
            built,
            "select max(pagu) from mart_apbn_bulanan where tahun = 2024 and subkelompok = 'pph'",
        )
        == 10**14
    )


def test_satker_and_region_marts_add_up(built: Settings) -> None:
    con = duckdb.connect()
    _clean(built, con)
    sp2d = con.execute("select sum(nilai) from span_sp2d").fetchone()[0]
    dipa = con.execute("select sum(pagu) from span_dipa").fetchone()[0]
    assert _one(built, "select sum(realisasi) from mart_belanja_satker_bulanan") == sp2d
    assert _one(built, "select sum(realisasi) from mart_belanja_wilayah_bulanan") == sp2d
    once = "select sum(pagu) from (select distinct tahun, kode_satker, jenis_belanja, pagu from mart_belanja_satker_bulanan)"
    assert _one(built, once) == dipa
    once = "select sum(pagu) from (select distinct tahun, kode_kabkota, jenis_belanja, pagu from mart_belanja_wilayah_bulanan)"
    assert _one(built, once) == dipa


def test_cash_balance_is_the_running_net_flow(built: Settings) -> None:
    con = duckdb.connect()
    _clean(built, con)
    inflow = con.execute(
        "select (select sum(nilai) from mpn_penerimaan) + (select sum(nilai) from span_pembiayaan where nilai > 0)"
    ).fetchone()[0]
    outflow = con.execute(
        "select (select sum(nilai) from span_sp2d) + (select sum(nilai) from tkd_penyaluran)"
        " - (select sum(nilai) from span_pembiayaan where nilai < 0)"
    ).fetchone()[0]
    assert _one(built, "select sum(penerimaan) from mart_kas_harian") == inflow
    assert _one(built, "select sum(pengeluaran) from mart_kas_harian") == outflow
    assert (
        _one(built, "select saldo from mart_kas_harian order by tanggal desc limit 1")
        == inflow - outflow
    )


@pytest.mark.parametrize(
    ("unggah", "sp2d", "menit"),
    [
        ("2024-03-04 09:00", "2024-03-04 09:45", 45),  # Monday, same day
        ("2024-03-08 15:30", "2024-03-11 08:20", 50),  # Friday afternoon to Monday morning
        ("2024-03-05 07:00", "2024-03-05 08:30", 30),  # before opening: counts from 08:00
        ("2024-03-09 10:00", "2024-03-11 08:10", 10),  # uploaded on Saturday
        ("2024-03-05 15:00", "2024-03-06 15:00", 480),  # one full service day
    ],
)
def test_sla_counts_service_minutes_only(unggah: str, sp2d: str, menit: int) -> None:
    spm = pa.table(
        {
            "nomor_sp2d": ["230000000000001"],
            "nomor_spm": ["S1"],
            "kode_kppn": ["019"],
            "waktu_unggah": pa.array([dt.datetime.fromisoformat(unggah)], pa.timestamp("us")),
            "waktu_sp2d": pa.array([dt.datetime.fromisoformat(sp2d)], pa.timestamp("us")),
        }
    )
    [mart] = [m for m in marts.load_marts() if m.name == "mart_sla_sp2d"]
    row = (
        get_engine("duckdb").run_mart(mart.name, mart.sql, {"clean_sakti_spm": spm}).to_pylist()[0]
    )
    assert (row["menit"], row["dalam_sla"]) == (menit, menit <= 60)
