from __future__ import annotations

from collections import Counter

from treasury.reference import kabkota, kanwil, kppn, kppn_kabkota, provinces


def test_34_kanwil_serve_38_provinces() -> None:
    table = kanwil()
    assert table.num_rows == 34
    assert table["kode_kanwil"].to_pylist() == [f"{i:02d}" for i in range(1, 35)]
    assert table["nama"][0].as_py() == "Kanwil DJPb Provinsi Aceh"
    codes = set(table["kode_kanwil"].to_pylist())
    prov = {r["kode_provinsi"]: r for r in provinces().to_pylist()}
    assert {r["kode_kanwil"] for r in prov.values()} == codes
    by_name = {r["nama"]: r["kode_kanwil"] for r in prov.values()}
    for new in ("Papua Selatan", "Papua Tengah", "Papua Pegunungan"):
        assert by_name[new] == by_name["Papua"]
    assert by_name["Papua Barat Daya"] == by_name["Papua Barat"]
    # A Kanwil sits in a province it serves.
    for r in table.to_pylist():
        assert prov[r["kode_provinsi"]]["kode_kanwil"] == r["kode_kanwil"]


def test_kppn_list() -> None:
    table = kppn()
    assert table.num_rows == 185
    rows = {r["kode_kppn"]: r for r in table.to_pylist()}
    assert len(rows) == 185
    assert all(len(code) == 3 and code.isdigit() for code in rows)
    assert rows["001"]["nama"] == "KPPN Banda Aceh"
    assert rows["037"]["nama"] == "KPPN Denpasar"
    assert rows["064"]["nama"] == "KPPN Jayapura"
    assert Counter(r["tipe"] for r in rows.values())["khusus"] == 3
    names = {r["nama"] for r in rows.values()}
    assert {f"KPPN Jakarta {n}" for n in ("I", "II", "III", "IV", "V", "VI", "VII")} <= names
    prov = {r["kode_provinsi"]: r["kode_kanwil"] for r in provinces().to_pylist()}
    kk = {r["kode_kabkota"]: r["kode_provinsi"] for r in kabkota().to_pylist()}
    for r in rows.values():
        assert kk[r["kode_kabkota"]] == r["kode_provinsi"]
        assert prov[r["kode_provinsi"]] == r["kode_kanwil"]
    per_province = Counter(r["kode_provinsi"] for r in rows.values())
    assert set(per_province) == set(prov)  # every province has at least one KPPN
    assert per_province.most_common(1)[0][0] in {"31", "32", "33", "35"}


def test_every_kabkota_has_one_kppn_in_its_province() -> None:
    table = kppn_kabkota()
    codes = table["kode_kabkota"].to_pylist()
    assert sorted(codes) == sorted(kabkota()["kode_kabkota"].to_pylist())
    assert len(set(codes)) == 514
    office = {r["kode_kppn"]: r for r in kppn().to_pylist()}
    for r in table.to_pylist():
        o = office[r["kode_kppn"]]
        assert o["kode_provinsi"] == r["kode_kabkota"][:2]
        assert o["tipe"] != "khusus"
    mapping = dict(zip(codes, table["kode_kppn"].to_pylist(), strict=True))
    assert mapping["1171"] == "001"  # a seat maps to its own KPPN
    assert mapping["5171"] == "037"
    assert mapping["9171"] == "064"
