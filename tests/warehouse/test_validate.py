"""Validation of one batch: cleanse, type, check, foreign keys, uniqueness, conform."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from treasury.warehouse.contracts import load_contract
from treasury.warehouse.validate import KeyIndex, Validator

AS_OF = dt.date(2024, 6, 30)

GOOD: dict[str, Any] = {
    "nomor_sp2d": "230000000000001",
    "baris": "1",
    "tanggal_sp2d": "2023-03-02",
    "nomor_spm": "00001/SPM",
    "tanggal_spm": "2023-03-01",
    "kode_satker": "649688",
    "kode_kppn": "019",
    "kode_ba": "015",
    "kode_program": "01501WA",
    "kode_kegiatan": "3987",
    "kode_output": "EBA994",
    "kode_akun": "511111",
    "sumber_dana": "A",
    "jenis_pembayaran": "LS",
    "jenis_penerima": "pegawai",
    "rekening_penerima": "1234567890",
    "uraian": "gaji",
    "nilai": "1000",
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("ref_kppn", pa.table({"kode_kppn": ["019", "088"]}))
    con.register("ref_ba", pa.table({"kode_ba": ["015", "023"]}))
    con.register(
        "ref_akun",
        pa.table(
            {
                "kode_akun": ["511111", "521211"],
                "kode_akun_3": ["511", "521"],
                "kode_akun_2": ["51", "52"],
                "pos": ["belanja", "belanja"],
                "kelompok": ["belanja_pegawai", "belanja_barang"],
                "subkelompok": ["gaji_tunjangan", "barang_operasional"],
            }
        ),
    )
    con.register(
        "span_satker",
        pa.table({"kode_satker": ["649688"], "kode_provinsi": ["35"], "kode_kabkota": ["3578"]}),
    )
    return con


def _validator(con: duckdb.DuckDBPyConnection, **kw: Any) -> Validator:
    names = ["ref_kppn", "ref_ba", "ref_akun", "span_satker"]
    return Validator(con, load_contract("span_sp2d"), AS_OF, {n: n for n in names}, **kw)


def _run(validator: Validator, rows: list[dict[str, Any]] | pa.Table) -> Any:
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows)
    n = table.num_rows
    table = table.append_column("_i", pa.array(np.arange(1, n + 1)))
    validator.con.register("src", table)

    def records(ids: list[int]) -> list[dict[str, Any]]:
        return table.take(pa.array([i - 1 for i in ids])).to_pylist()

    relation = "(SELECT _i, * EXCLUDE (_i) FROM src)"
    return validator.run(relation, table.schema, records)


def _reasons(result: Any) -> dict[int, tuple[str, str, str]]:
    return {r["_i"]: (r["rule"], r["column"], r["value"]) for r in result.quarantine.to_pylist()}


def test_text_extract_is_cleansed_typed_and_conformed(con: duckdb.DuckDBPyConnection) -> None:
    messy = dict(
        GOOD,
        kode_ba=" 15",
        kode_kppn="19",
        kode_program="01501wa",
        uraian=" gaji ",
        jenis_pembayaran="ls",
        jenis_penerima="Pegawai",
    )
    result = _run(_validator(con), [messy])
    assert result.quarantine.num_rows == 0
    [row] = result.clean.to_pylist()
    assert (row["kode_ba"], row["kode_kppn"], row["kode_program"]) == ("015", "019", "01501WA")
    assert (row["uraian"], row["jenis_pembayaran"], row["jenis_penerima"]) == (
        "gaji",
        "LS",
        "pegawai",
    )
    assert row["nilai"] == 1000 and row["baris"] == 1
    assert row["tanggal_sp2d"] == dt.date(2023, 3, 2)
    assert (row["tahun"], row["bulan"], row["kelompok"], row["kode_kabkota"]) == (
        2023,
        3,
        "belanja_pegawai",
        "3578",
    )
    assert result.cleansed == 1
    assert result.clean.schema.field("baris").type == pa.int16()


def test_bad_rows_are_quarantined_with_rule_column_and_value(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = [
        GOOD,
        dict(GOOD, nomor_sp2d="230000000000002", nilai="abc"),
        dict(GOOD, nomor_sp2d="230000000000003", tanggal_spm="2022-12-30"),
        dict(GOOD, nomor_sp2d="230000000000004", kode_satker="999999"),
        dict(GOOD, nomor_sp2d="230000000000005", kode_akun="511x11"),
        dict(
            GOOD, nomor_sp2d="230000000000006", tanggal_sp2d="2024-07-01", tanggal_spm="2024-07-01"
        ),
        dict(GOOD, nomor_sp2d="230000000000007", nilai="0"),
        dict(GOOD, nomor_sp2d="230000000000008", jenis_pembayaran="XX"),
        dict(GOOD, nomor_sp2d="230000000000009", tanggal_sp2d="02/03/2023"),
        dict(GOOD),
        dict(GOOD, uraian="another text"),
        dict(GOOD, nomor_sp2d="23000000000001X"),
        dict(GOOD, nomor_sp2d="230000000000013", rekening_penerima="12345"),
        dict(GOOD, nomor_sp2d="230000000000014", rekening_penerima=" 1234567890"),
    ]
    result = _run(_validator(con), rows)
    assert result.clean.num_rows == 2  # row 14: the account number is trimmed
    assert _reasons(result) == {
        2: ("type", "nilai", "abc"),
        3: ("same_fiscal_year", "tanggal_spm", "2022-12-30"),
        4: ("foreign_key", "kode_satker", "999999"),
        5: ("pattern", "kode_akun", "511x11"),
        6: ("date_range", "tanggal_sp2d", "2024-07-01"),
        7: ("minimum", "nilai", "0"),
        8: ("enum", "jenis_pembayaran", "XX"),
        9: ("type", "tanggal_sp2d", "02/03/2023"),
        10: ("duplicate_exact", "nomor_sp2d, baris", "230000000000001, 1"),
        11: ("primary_key", "nomor_sp2d, baris", "230000000000001, 1"),
        12: ("pattern", "nomor_sp2d", "23000000000001X"),
        13: ("pattern", "rekening_penerima", "12345"),
    }
    assert result.raw.num_rows == len(rows)
    record = result.quarantine.filter(pa.compute.equal(result.quarantine["_i"], 2))
    assert '"nilai": "abc"' in record["record"][0].as_py()


def test_keys_already_loaded_are_rejected_and_hash_hits_verified(
    con: duckdb.DuckDBPyConnection,
) -> None:
    index = KeyIndex()
    loaded: dict[tuple[Any, ...], str] = {}
    validator = _validator(con, existing=index, lookup=lambda origin, hashes: loaded)
    first = _run(validator, [GOOD])
    assert first.clean.num_rows == 1 and len(index) == 1
    # A hash hit whose real key is not loaded (a collision) keeps the row ...
    again = _run(validator, [GOOD])
    assert again.clean.num_rows == 1
    # ... a real one is rejected.
    loaded[("230000000000001", 1)] = "2023-03"
    third = _run(validator, [GOOD, dict(GOOD, nomor_sp2d="230000000000002")])
    assert _reasons(third) == {1: ("primary_key", "nomor_sp2d, baris", "230000000000001, 1")}
    assert "already loaded in batch 2023-03" in third.quarantine["message"][0].as_py()


def test_typed_extract_passes_through_untouched(con: duckdb.DuckDBPyConnection) -> None:
    schema = load_contract("span_sp2d").schema()
    row = dict(
        GOOD, baris=1, nilai=1000, tanggal_sp2d=dt.date(2023, 3, 2), tanggal_spm=dt.date(2023, 3, 1)
    )
    table = pa.Table.from_pylist([row], schema=schema)
    result = _run(_validator(con), table)
    assert result.clean.select(schema.names).cast(schema).equals(table)
    assert result.cleansed == 0


def test_key_index_membership() -> None:
    index = KeyIndex()
    index.add(np.array([5, 1, 9], dtype=np.uint64), "lake")
    index.add(np.array([7], dtype=np.uint64), "2024-01")
    found = index.find(np.array([9, 2, 7, 1], dtype=np.uint64))
    assert [index.origins[i] if i >= 0 else None for i in found] == [
        "lake",
        None,
        "2024-01",
        "lake",
    ]
    assert len(index) == 4
    for k in range(10):  # runs merge and keep their origins
        index.add(np.array([100 + k], dtype=np.uint64), f"b{k}")
    assert len(index.levels) < 10
    assert index.origins[index.find(np.array([105], dtype=np.uint64))[0]] == "b5"
