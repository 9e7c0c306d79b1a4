"""The definitions agree with the data they describe: contracts, reference tables, DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from treasury import reference
from treasury.catalog import Catalog, load_catalog
from treasury.catalog.availability import snapshot_columns, unavailable
from treasury.catalog.dataset import where_sql

CONTRACTS = Path(__file__).parents[2] / "src" / "treasury" / "warehouse" / "contracts"
# Columns the warehouse adds to clean tables when it conforms them (docs/datasets.md).
CONFORMED = {
    "tahun",
    "bulan",
    "kode_akun_3",
    "kode_akun_2",
    "pos",
    "kelompok",
    "subkelompok",
    "kode_provinsi",
    "kode_kabkota",
    "kode_kppn",
}
REFERENCE = {
    "ref_provinsi": reference.provinces,
    "ref_kabkota": reference.kabkota,
    "ref_kecamatan": reference.kecamatan,
    "ref_desa": reference.villages,
    "ref_pemda": reference.pemda,
    "ref_kppn": reference.kppn,
    "ref_kanwil": reference.kanwil,
    "ref_ba": reference.ministries,
    "ref_akun": reference.accounts,
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_clean_datasets_expose_contract_or_conformed_columns(catalog: Catalog) -> None:
    if not CONTRACTS.is_dir() or not any(CONTRACTS.glob("*.json")):
        pytest.skip("the warehouse contracts are not there yet")
    for dataset in catalog:
        table, filters = dataset.sql_source()
        if not table.startswith("clean_"):
            continue
        contract = CONTRACTS / f"{table.removeprefix('clean_')}.json"
        fields = {f["name"] for f in json.loads(contract.read_text())["fields"]}
        extra = set(dataset.columns) | set(filters)
        assert extra <= fields | CONFORMED, (dataset.slug, extra - fields - CONFORMED)


def test_reference_datasets_match_the_reference_loaders(catalog: Catalog) -> None:
    for dataset in catalog:
        table = dataset.source.table
        if table.startswith("ref_"):
            loaded = REFERENCE[table]()
            assert set(dataset.columns) <= set(loaded.column_names), dataset.slug
            for key in dataset.primary_key:
                assert len(set(loaded[key].to_pylist())) == loaded.num_rows, dataset.slug


def test_fixed_filters_run_on_duckdb(catalog: Catalog) -> None:
    con = duckdb.connect()
    con.register("ref_provinsi_arrow", reference.provinces())
    con.execute("CREATE TABLE ref_provinsi AS SELECT * FROM ref_provinsi_arrow")
    bps = pa.table(
        {
            "tahun": pa.array([2023] * 4, pa.int16()),
            "kode_provinsi": ["35", "35", "35", "11"],
            "indikator": ["gini", "ekspor", "impor", "angka_harapan_hidup"],
            "nilai": [0.38, 10.0, 12.0, 70.1],
            "satuan": ["rasio", "juta_usd", "juta_usd", "tahun"],
        }
    )
    con.register("bps_arrow", bps)
    con.execute("CREATE TABLE clean_bps_indikator_provinsi AS SELECT * FROM bps_arrow")
    counts = {}
    for slug in ("bps-gini-rasio", "bps-ekspor-impor-nasional", "bps-angka-harapan-hidup"):
        table, filters = catalog.get(slug).sql_source()
        condition, params = where_sql(filters)
        counts[slug] = con.execute(
            f'SELECT count(*) FROM "{table}" WHERE {condition}', params
        ).fetchone()[0]  # type: ignore[index]
    assert counts == {
        "bps-gini-rasio": 1,
        "bps-ekspor-impor-nasional": 2,
        "bps-angka-harapan-hidup": 1,
    }
    columns = snapshot_columns(con)
    assert columns["ref_provinsi"][:2] == ["kode_provinsi", "kode_bps"]
    problems = {p.slug for p in unavailable(catalog, con)}
    assert "ref-provinsi" not in problems and "bps-gini-rasio" not in problems
    assert {"apbd-belanja-2023", "apbn-belanja-2023", "kas-harian"} <= problems


def test_mart_datasets_expose_the_mart_columns(catalog: Catalog) -> None:
    import sqlglot

    marts = CONTRACTS.parent / "marts"
    checked = 0
    for dataset in catalog:
        path = marts / f"{dataset.source.table}.sql"
        if not path.is_file():
            continue
        outputs = sqlglot.parse_one(path.read_text(), read="duckdb").named_selects
        assert set(dataset.columns) <= set(outputs), (
            dataset.slug,
            set(dataset.columns) - set(outputs),
        )
        assert set(dataset.source.filter) <= set(outputs), dataset.slug
        checked += 1
    if not checked:
        pytest.skip("the mart SQL files are not there yet")
