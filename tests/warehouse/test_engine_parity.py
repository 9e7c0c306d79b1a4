"""One behaviour suite, every engine: the marts give equal results on DuckDB and on Spark.

The ``engine`` fixture runs each test on DuckDB (the reference) and, under the ``spark`` marker,
on Spark in local mode; each result is compared with DuckDB's. Integers, decimals, strings,
dates and timestamps must be equal exactly; only float columns get a tolerance, declared below.
Engine differences are declared in ``KNOWN_DIFFERENCES`` with a reason (strict xfail), never
skipped silently. Spark is skipped only when PySpark cannot be imported.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from treasury.config import Settings
from treasury.sources.generate import generate
from treasury.warehouse import dimensions, lake, marts
from treasury.warehouse.contracts import contracts
from treasury.warehouse.engines import Engine, TableLike, get_engine
from treasury.warehouse.engines.duckdb import connect
from treasury.warehouse.engines.spark import _local_parquet_files
from treasury.warehouse.pipeline import clean_table, run_pipeline

MARTS_DIR = Path(__file__).parents[2] / "src" / "treasury" / "warehouse" / "marts"

#: Relative tolerance for float columns (double arithmetic in a different order).
FLOAT_RTOL = 1e-9

ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------

SPARK_TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def reference() -> Iterator[Engine]:
    """The DuckDB engine: the reference every engine's results are compared with."""
    engine = get_engine("duckdb")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    pytest.importorskip(
        "pyspark", reason="PySpark not installed: pip install 'treasury-bigdata[spark]'"
    )
    engine = get_engine("spark")
    started = time.perf_counter()
    engine.session  # noqa: B018 - start the JVM once, here, not inside the first test
    SPARK_TIMINGS["session_start_s"] = time.perf_counter() - started
    yield engine
    engine.close()


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, reference: Engine) -> Engine:
    if request.param == "duckdb":
        return reference
    engine: Engine = request.getfixturevalue("spark_engine")
    return engine


# --------------------------------------------------------------------------------------------
# Comparing results
# --------------------------------------------------------------------------------------------


def _is_float(t: pa.DataType) -> bool:
    return pa.types.is_floating(t)


def _sorted(table: pa.Table) -> pa.Table:
    """Rows in a canonical order: by every exact column, then by the float columns."""
    exact = [f.name for f in table.schema if not _is_float(f.type)]
    floats = [f.name for f in table.schema if _is_float(f.type)]
    keys = [(c, "ascending") for c in exact + floats]
    return table.sort_by(keys) if keys else table


def assert_same_table(expected: pa.Table, actual: pa.Table, rtol: float = FLOAT_RTOL) -> None:
    """Equal names, types and rows (any row order); floats within ``rtol``."""
    assert actual.schema.names == expected.schema.names
    assert actual.schema.types == expected.schema.types, (
        f"types differ:\n{actual.schema}\n!=\n{expected.schema}"
    )
    assert actual.num_rows == expected.num_rows
    expected, actual = _sorted(expected), _sorted(actual)
    for name in expected.column_names:
        want, got = expected[name].combine_chunks(), actual[name].combine_chunks()
        if _is_float(want.type):
            assert pc.is_null(want).equals(pc.is_null(got)), f"{name}: NULLs differ"
            w = want.fill_null(0).to_numpy(zero_copy_only=False)
            g = got.fill_null(0).to_numpy(zero_copy_only=False)
            assert np.allclose(g, w, rtol=rtol, atol=0, equal_nan=True), f"{name} differs"
        else:
            assert got.equals(want), f"{name} differs:\n{got}\n!=\n{want}"


def check_parity(
    request: pytest.FixtureRequest,
    engine: Engine,
    reference: Engine,
    name: str,
    sql: str,
    tables: Mapping[str, Any],
    rtol: float = FLOAT_RTOL,
) -> pa.Table:
    """Run ``sql`` on the engine under test and compare with the DuckDB reference."""
    reason = KNOWN_DIFFERENCES.get(name, {}).get(engine.name)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    expected = reference.run_mart(name, sql, tables)
    actual = engine.run_mart(name, sql, tables)
    assert_same_table(expected, actual, rtol=rtol)
    return actual


# --------------------------------------------------------------------------------------------
# Hand-made inputs shaped like the clean tables the marts read
# --------------------------------------------------------------------------------------------


def _handmade_tables() -> dict[str, pa.Table]:
    rng = np.random.default_rng(7)
    n = 400
    start = dt.datetime(2023, 12, 28, 7, 30, 0)
    unggah = [
        start + dt.timedelta(minutes=int(m), seconds=int(s))
        for m, s in zip(rng.integers(0, 60 * 24 * 40, n), rng.integers(0, 60, n), strict=True)
    ]
    selesai = [
        None if i % 17 == 0 else u + dt.timedelta(seconds=int(d))
        for i, (u, d) in enumerate(zip(unggah, rng.integers(30, 3 * 3600, n), strict=True))
    ]
    satker = [f"{x:06d}" for x in rng.choice([649688, 15001, 415230, 100042], n)]
    sp2d = pa.table(
        {
            "nomor_sp2d": [f"{230000000000000 + i:015d}" for i in range(n)],
            "baris": pa.array(rng.integers(1, 4, n), pa.int16()),
            "tanggal_sp2d": pa.array([u.date() for u in unggah], pa.date32()),
            "kode_satker": satker,
            "kode_kppn": [f"{x:03d}" for x in rng.choice([19, 88, 139], n)],
            "kode_akun": [f"{x:06d}" for x in rng.choice([511111, 521211, 532111, 571111], n)],
            "jenis_pembayaran": rng.choice(["LS", "UP", "GUP", "TUP"], n).tolist(),
            "nilai": pa.array(rng.integers(1, 5_000_000_000, n), pa.int64()),
            "waktu_unggah": pa.array(unggah, pa.timestamp("us")),
            "waktu_sp2d": pa.array(selesai, pa.timestamp("us")),
            "bobot": pa.array(
                [None if i % 23 == 0 else float(x) for i, x in enumerate(rng.random(n))]
            ),
        }
    )
    pagu = pa.table(
        {
            "tahun": pa.array([2023, 2023, 2024, 2024, 2024], pa.int16()),
            "kode_satker": ["649688", "015001", "649688", "015001", "999999"],
            "pagu": pa.array([10**12, 5 * 10**11, 12 * 10**11, 0, 7], pa.int64()),
        }
    )
    return {"sp2d": sp2d, "pagu": pagu}


@pytest.fixture(scope="session")
def handmade() -> dict[str, pa.Table]:
    return _handmade_tables()


#: SQL constructs the marts use (and portable alternatives), each checked on every engine.
CASES: dict[str, str] = {
    "monthly_sum_by_key": """
        select year(tanggal_sp2d) as tahun, month(tanggal_sp2d) as bulan, kode_satker,
               left(kode_akun, 2) as jenis_belanja, sum(nilai) as realisasi, count(*) as n
        from sp2d group by all""",
    "join_pagu_left": """
        with r as (select year(tanggal_sp2d)::smallint as tahun, kode_satker, sum(nilai) as realisasi
                   from sp2d group by 1, 2)
        select p.tahun, p.kode_satker, p.pagu, coalesce(r.realisasi, 0) as realisasi,
               case when p.pagu > 0 then r.realisasi / p.pagu end as persen
        from pagu p left join r using (tahun, kode_satker)""",
    "date_trunc_month": """
        select date_trunc('month', tanggal_sp2d) as bulan, cast(date_trunc('month', tanggal_sp2d) as date) as awal,
               last_day(tanggal_sp2d) as akhir, sum(nilai) as nilai from sp2d group by all""",
    "sla_minutes_date_diff": """
        select nomor_sp2d, waktu_unggah, waktu_sp2d,
               date_diff('minute', waktu_unggah, waktu_sp2d) as menit,
               date_diff('minute', waktu_unggah, waktu_sp2d) <= 60 as dalam_sla
        from sp2d""",
    "sla_minutes_epoch": """
        select nomor_sp2d, epoch(waktu_sp2d - waktu_unggah) / 60 as menit,
               floor((epoch(waktu_sp2d) - epoch(waktu_unggah)) / 60) as menit_bulat from sp2d""",
    "day_of_week": """
        select tanggal_sp2d, dayofweek(tanggal_sp2d) as dow, isodow(tanggal_sp2d) as isodow,
               dayofweek(tanggal_sp2d) in (0, 6) as akhir_pekan from sp2d""",
    "running_balance_window": """
        with h as (select tanggal_sp2d as tanggal, sum(nilai) as keluar from sp2d group by 1)
        select tanggal, keluar, sum(keluar) over (order by tanggal) as kumulatif,
               lag(keluar) over (order by tanggal) as kemarin from h""",
    "row_number_nulls": """
        select nomor_sp2d, row_number() over (partition by kode_kppn order by waktu_sp2d, nomor_sp2d) as urut
        from sp2d""",
    "qualify_latest": """
        select kode_satker, nomor_sp2d, nilai from sp2d
        qualify row_number() over (partition by kode_satker order by nilai desc, nomor_sp2d) = 1""",
    "integer_division_and_modulo": """
        select nilai // 1000 as ribu, nilai % 1000 as sisa, nilai / 1000 as bagi,
               (nilai - 2500000000) // 7 as selisih_div, (nilai - 2500000000) % 7 as selisih_mod
        from sp2d""",
    "casts_and_strings": """
        select cast(baris as varchar) as baris_teks, lpad(cast(baris as varchar), 3, '0') as baris3,
               kode_kppn || '-' || kode_satker as kunci, substring(kode_akun, 1, 3) as akun3,
               strftime(tanggal_sp2d, '%Y-%m') as periode, cast(nilai as decimal(20, 2)) as nilai_desimal
        from sp2d""",
    "boolean_and_filtered_aggregates": """
        select kode_kppn, bool_and(nilai > 0) as semua_positif, bool_or(jenis_pembayaran = 'LS') as ada_ls,
               count(*) filter (where jenis_pembayaran = 'UP') as n_up,
               sum(nilai) filter (where waktu_sp2d is null) as belum_cair, count(distinct kode_satker) as n_satker
        from sp2d group by kode_kppn""",
    "float_aggregates": """
        select kode_satker, avg(bobot) as rata, sum(bobot * nilai) as tertimbang, stddev_samp(bobot) as sd,
               round(avg(nilai) / 1e9, 3) as rata_miliar
        from sp2d group by kode_satker""",
    "union_and_in_subquery": """
        select kode_satker from sp2d where kode_satker in (select kode_satker from pagu where pagu > 0)
        union select kode_satker from pagu order by 1""",
    "date_arithmetic": """
        select tanggal_sp2d + interval 1 day as besok, tanggal_sp2d - interval 1 month as bulan_lalu,
               date_diff('day', tanggal_sp2d, date '2024-12-31') as sisa_hari,
               make_date(year(tanggal_sp2d), month(tanggal_sp2d), 1) as awal_bulan
        from sp2d""",
    "timestamp_to_date": """
        select cast(waktu_unggah as date) as tanggal, date_trunc('hour', waktu_unggah) as jam,
               extract(hour from waktu_unggah) as jam_ke from sp2d""",
    "median": "select kode_kppn, median(nilai) as tengah from sp2d group by 1",
    "round_then_cast": "select cast(round(bobot * 10) as integer) as skor from sp2d",
    "avg_of_decimal": """
        select kode_kppn, avg(cast(bobot as decimal(10, 2))) as rata from sp2d group by 1""",
    # Declared differences (see KNOWN_DIFFERENCES): constructs mart SQL must not use.
    "date_minus_date": "select tanggal_sp2d - date '2024-01-01' as hari from sp2d",
    "quantile_cont": "select kode_kppn, quantile_cont(nilai, 0.9) as p90 from sp2d group by 1",
    "range_table_function": "select * from range(1, 13) as r(bulan)",
    "cast_fraction_to_int": "select cast(bobot * 10 as integer) as skor from sp2d",
}

#: Float tolerances wider than FLOAT_RTOL, each with its reason.
CASE_RTOL: dict[str, float] = {
    # Spark averages a DECIMAL in DECIMAL (scale + 4 digits); DuckDB in DOUBLE.
    "avg_of_decimal": 1e-6,
}

#: Constructs whose results differ by engine, with the reason and the portable spelling.
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "date_minus_date": {
        "spark": "date - date is an INTEGER of days in DuckDB, an INTERVAL in Spark; "
        "write date_diff('day', a, b)",
    },
    "quantile_cont": {
        "spark": "SQLGlot writes quantile_cont(x, p) as PERCENTILE_CONT(x, p), which Spark "
        "rejects; use median(x), or compute quantiles in the product",
    },
    "range_table_function": {
        "spark": "SQLGlot writes range()/generate_series() in FROM as EXPLODE(..., _u(r)), "
        "invalid in Spark; build calendars from reference data or a real table",
    },
    "cast_fraction_to_int": {
        "spark": "CAST(double AS INTEGER) rounds in DuckDB and truncates in Spark; "
        "write CAST(ROUND(x) AS INTEGER)",
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_construct_gives_equal_results(
    request: pytest.FixtureRequest,
    engine: Engine,
    reference: Engine,
    handmade: dict[str, pa.Table],
    case: str,
) -> None:
    rtol = CASE_RTOL.get(case, FLOAT_RTOL)
    check_parity(request, engine, reference, case, CASES[case], handmade, rtol=rtol)


def test_lake_files_read_like_arrow(
    request: pytest.FixtureRequest,
    engine: Engine,
    reference: Engine,
    handmade: dict[str, pa.Table],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A Delta table's current Parquet files (several commits) give the Arrow table's answer."""
    from deltalake import write_deltalake

    path = tmp_path_factory.mktemp("lake") / "sp2d"
    sp2d = handmade["sp2d"]
    write_deltalake(path, sp2d.slice(0, 150))
    write_deltalake(path, sp2d.slice(150), mode="append")
    data = lake.read(path)
    assert data is not None and len(data.files) == 2
    assert _local_parquet_files(data) == data.files  # Spark reads the files, not Arrow copies
    sql = CASES["monthly_sum_by_key"]
    from_lake = check_parity(request, engine, reference, "lake", sql, {"sp2d": data})
    assert_same_table(reference.run_mart("arrow", sql, handmade), from_lake)


def test_empty_inputs_keep_types(
    request: pytest.FixtureRequest, engine: Engine, reference: Engine, handmade: dict[str, pa.Table]
) -> None:
    empty = {name: table.schema.empty_table() for name, table in handmade.items()}
    result = check_parity(request, engine, reference, "empty", CASES["join_pagu_left"], empty)
    assert result.num_rows == 0


@pytest.mark.spark
def test_spark_session_is_shared(spark_engine: Engine) -> None:
    """One SparkSession for the whole test run; its start-up time is reported."""
    assert SPARK_TIMINGS["session_start_s"] > 0
    print(f"Spark session start: {SPARK_TIMINGS['session_start_s']:.1f}s")


# --------------------------------------------------------------------------------------------
# Every mart file, on every engine
# --------------------------------------------------------------------------------------------

MART_FILES = sorted(MARTS_DIR.glob("*.sql"))
MART_NAMES = [m.stem for m in MART_FILES]
#: As-of date of the generated lake (fixed, so the inputs never change with the calendar).
AS_OF = dt.date(2024, 3, 31)


@pytest.fixture(scope="session")
def lake_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home whose lake holds the tiny synthetic extracts (seed 7), loaded by the pipeline."""
    home = tmp_path_factory.mktemp("parity-home")
    settings = Settings(home=home, database_url="", as_of=AS_OF, engine="duckdb")
    generate(settings.landing, scale="tiny", seed=7, as_of=AS_OF)
    result = run_pipeline(settings, engine="duckdb")
    assert result.status == "succeeded", result.message
    return settings


@pytest.fixture(scope="session")
def mart_inputs(lake_settings: Settings) -> dict[str, TableLike]:
    """The ``clean_*`` and ``ref_*`` inputs as the runner gives them to the marts
    (lake tables as Delta datasets; a ``latest`` one whose keys repeat as an Arrow table)."""
    con = connect(lake_settings)
    try:
        tables: dict[str, TableLike] = dict(dimensions.reference_tables())
        for name, contract in contracts().items():
            tables[f"clean_{name}"] = clean_table(con, lake_settings, contract)
    finally:
        con.close()
    assert any(isinstance(t, ds.Dataset) for t in tables.values())
    return tables


@pytest.fixture(scope="session")
def reference_marts(reference: Engine, mart_inputs: dict[str, TableLike]) -> dict[str, pa.Table]:
    return marts.build(reference, mart_inputs)


@pytest.fixture(scope="session")
def engine_marts(engine: Engine, mart_inputs: dict[str, TableLike]) -> dict[str, pa.Table]:
    """Every mart built on the engine under test, in dependency order, as the runner does."""
    return marts.build(engine, mart_inputs)


def test_every_mart_file_is_checked() -> None:
    """The parity test below enumerates ``marts/*.sql``: a new mart is checked automatically."""
    assert MART_NAMES
    assert set(MART_NAMES) == {m.name for m in marts.load_marts()}


@pytest.mark.parametrize("mart", MART_NAMES)
def test_mart_gives_equal_results(
    request: pytest.FixtureRequest,
    engine: Engine,
    reference_marts: dict[str, pa.Table],
    engine_marts: dict[str, pa.Table],
    mart: str,
) -> None:
    reason = KNOWN_DIFFERENCES.get(mart, {}).get(engine.name)
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    expected = reference_marts[mart]
    assert expected.num_rows > 0, f"{mart} is empty on the tiny lake: parity would prove nothing"
    assert_same_table(expected, engine_marts[mart])


@pytest.mark.spark
def test_pipeline_runs_the_marts_on_spark(
    spark_engine: Engine, lake_settings: Settings, reference_marts: dict[str, pa.Table]
) -> None:
    """``treasury pipeline run --engine spark``: the runner builds every mart on Spark."""
    result = run_pipeline(lake_settings, engine="spark")
    assert result.status == "succeeded", result.message
    assert result.engine == "spark"
    for name, expected in reference_marts.items():
        data = lake.read(lake.table_path(lake_settings.lake, "mart", name))
        assert data is not None
        written = data.to_table().drop_columns(["_batch", "_run_id"])
        assert_same_table(expected, written)
