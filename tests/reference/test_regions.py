from __future__ import annotations

from collections import Counter

import pyarrow.compute as pc

from treasury.reference import kabkota, kecamatan, pemda, provinces, villages


def test_provinces_keep_both_codes() -> None:
    table = provinces()
    assert table.num_rows == 38
    assert table.column_names == ["kode_provinsi", "kode_bps", "nama", "lat", "lon", "kode_kanwil"]
    rows = {r["nama"]: r for r in table.to_pylist()}
    assert rows["Aceh"]["kode_provinsi"] == "11"
    assert (rows["Papua"]["kode_provinsi"], rows["Papua"]["kode_bps"]) == ("91", "94")
    assert (rows["Papua Barat Daya"]["kode_provinsi"], rows["Papua Barat Daya"]["kode_bps"]) == (
        "96",
        "92",
    )
    differ = [r for r in table.to_pylist() if r["kode_provinsi"] != r["kode_bps"]]
    assert len(differ) == 6


def test_kabkota_counts_and_codes() -> None:
    table = kabkota()
    assert table.num_rows == 514
    assert len(set(table["kode_kabkota"].to_pylist())) == 514
    jenis = Counter(table["jenis"].to_pylist())
    assert jenis == {
        "kabupaten": 415,
        "kabupaten_administrasi": 1,
        "kota": 93,
        "kota_administrasi": 5,
    }
    assert jenis["kabupaten"] + jenis["kabupaten_administrasi"] == 416
    assert jenis["kota"] + jenis["kota_administrasi"] == 98
    rows = {r["kode_kabkota"]: r for r in table.to_pylist()}
    assert rows["3578"]["nama"] == "Kota Surabaya"
    assert rows["1101"]["kode_provinsi"] == "11"
    assert all(code[:2] == r["kode_provinsi"] for code, r in rows.items())
    assert set(table["kode_provinsi"].to_pylist()) == set(provinces()["kode_provinsi"].to_pylist())


def test_pemda_are_546_budgets() -> None:
    table = pemda()
    assert table.num_rows == 546
    assert Counter(table["jenis"].to_pylist()) == {"provinsi": 38, "kabupaten": 415, "kota": 93}
    rows = {r["kode_pemda"]: r for r in table.to_pylist()}
    assert rows["3500"] == {
        "kode_pemda": "3500",
        "nama": "Provinsi Jawa Timur",
        "jenis": "provinsi",
        "kode_provinsi": "35",
    }
    assert rows["3578"]["jenis"] == "kota"
    assert "3171" not in rows  # Jakarta's administrative cities have no budget
    assert "3100" in rows


def test_villages_desa_and_kelurahan() -> None:
    table = villages()
    assert 83_000 < table.num_rows < 85_000
    jenis = Counter(table["jenis"].to_pylist())
    assert 74_500 < jenis["desa"] < 76_000
    assert 8_300 < jenis["kelurahan"] < 8_700
    assert all(len(c) == 10 for c in table["kode_desa"].to_pylist())
    # The village number's first digit says it: 1 kelurahan, 2 desa (3 desa adat).
    digit = pc.utf8_slice_codeunits(table["kode_desa"], 6, 7)
    kel = table.filter(pc.equal(digit, "1"))
    assert set(kel["jenis"].to_pylist()) == {"kelurahan"}
    known_kabkota = set(kabkota()["kode_kabkota"].to_pylist())
    assert set(table["kode_kabkota"].to_pylist()) <= known_kabkota
    assert set(table["kode_kecamatan"].to_pylist()) <= set(
        kecamatan()["kode_kecamatan"].to_pylist()
    )
    # A city has no desa.
    surabaya = table.filter(pc.equal(table["kode_kabkota"], "3578"))
    assert set(surabaya["jenis"].to_pylist()) == {"kelurahan"}


def test_kecamatan() -> None:
    table = kecamatan()
    assert 7_000 < table.num_rows < 7_500
    assert table.column_names == ["kode_kecamatan", "kode_kabkota", "kode_provinsi", "nama"]
    assert set(table["kode_kabkota"].to_pylist()) == set(kabkota()["kode_kabkota"].to_pylist())
