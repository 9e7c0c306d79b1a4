"""The satker master: unique codes, realistic names and places, KPPN of its kab/kota."""

from __future__ import annotations

import pyarrow.compute as pc

from treasury import reference
from treasury.sources.satker import build_satker
from treasury.sources.scale import get_scale


def test_satker_master() -> None:
    satker = build_satker(get_scale("tiny"), 7)
    table = satker.table
    assert table.num_rows == 300
    codes = table["kode_satker"].to_pylist()
    assert len(set(codes)) == 300 and all(len(c) == 6 and c.isdigit() for c in codes)
    assert pc.all(pc.equal(pc.utf8_length(table["kode_eselon1"]), 2)).as_py()
    mapping = dict(
        zip(
            reference.kppn_kabkota()["kode_kabkota"].to_pylist(),
            reference.kppn_kabkota()["kode_kppn"].to_pylist(),
            strict=True,
        )
    )
    for row in table.to_pylist():
        assert row["kode_kabkota"].startswith(row["kode_provinsi"])
        if row["kode_ba"] != "999":
            assert row["kode_kppn"] == mapping[row["kode_kabkota"]]
        else:
            assert row["kode_provinsi"] == "31"
    names = table["nama_satker"].to_pylist()
    assert any(n.startswith("KANTOR PELAYANAN PAJAK PRATAMA") for n in names)
    assert any(n.startswith("DINAS ") for n in names)


def test_satker_is_deterministic_and_dense_in_java() -> None:
    a = build_satker(get_scale("small"), 1).table
    assert a.equals(build_satker.__wrapped__(get_scale("small"), 1).table)
    assert not a.equals(build_satker.__wrapped__(get_scale("small"), 2).table)
    province = a["kode_provinsi"].to_pylist()
    java = sum(p in {"31", "32", "33", "34", "35", "36"} for p in province) / len(province)
    assert 0.3 < java < 0.6
    assert len(set(a["kode_satker"].to_pylist())) == a.num_rows == 19_000
