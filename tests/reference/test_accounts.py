from __future__ import annotations

from collections import Counter

from treasury.reference import KELOMPOK, POS, accounts, bun_sections, ministries

SUBKELOMPOK_PENDAPATAN = {
    "perpajakan": {"pph", "ppn", "pbb", "cukai", "pajak_lainnya", "bea_masuk", "bea_keluar"},
    "pnbp": {"sda_migas", "sda_nonmigas", "knd", "blu", "pnbp_lainnya"},
    "hibah": {"hibah"},
}
JENIS_TKD = {"dbh", "dau", "dak_fisik", "dak_nonfisik", "otsus", "insentif_fiskal", "dana_desa"}
BELANJA_BY_GROUP = {
    "51": "belanja_pegawai",
    "52": "belanja_barang",
    "53": "belanja_modal",
    "54": "bunga",
    "55": "subsidi",
    "56": "hibah",
    "57": "bansos",
    "58": "belanja_lain",
}


def test_chart_of_accounts_hierarchy() -> None:
    table = accounts()
    rows = {r["kode_akun"]: r for r in table.to_pylist()}
    assert len(rows) == table.num_rows
    leaves = [r for r in rows.values() if r["level"] == 6]
    assert len(leaves) >= 150
    assert set(Counter(r["level"] for r in rows.values())) == {1, 2, 3, 4, 6}
    for r in rows.values():
        assert len(r["kode_akun"]) == r["level"]
        if r["level"] == 1:
            assert r["kode_induk"] is None
            continue
        parent = rows[r["kode_induk"]]
        assert r["kode_akun"].startswith(parent["kode_akun"])
        assert parent["level"] == {2: 1, 3: 2, 4: 3, 6: 4}[r["level"]]
        assert parent["pos"] == r["pos"]
    for r in leaves:
        assert r["kode_akun_3"] == r["kode_akun"][:3] and r["kode_akun_3"] in rows
        assert r["kode_akun_2"] == r["kode_akun"][:2] and r["kode_akun_2"] in rows
        assert r["kode_akun_1"] == r["kode_akun"][:1] and r["kode_akun_1"] in rows
    assert rows["511"]["kode_akun_3"] == "511" and rows["51"]["kode_akun_3"] is None


def test_classification_follows_the_mart_contract() -> None:
    leaves = [r for r in accounts().to_pylist() if r["level"] == 6]
    for r in leaves:
        assert r["pos"] in POS
        assert r["kelompok"] in KELOMPOK[r["pos"]], r
        assert r["subkelompok"], r
        first2 = r["kode_akun"][:2]
        if r["pos"] == "pendapatan":
            assert r["kelompok"] == {"41": "perpajakan", "42": "pnbp", "43": "hibah"}[first2]
            assert r["subkelompok"] in SUBKELOMPOK_PENDAPATAN[r["kelompok"]]
        elif first2 in BELANJA_BY_GROUP:
            assert r["kelompok"] == BELANJA_BY_GROUP[first2]
        elif r["kode_akun"][0] == "6":
            assert (r["pos"], r["kelompok"]) == ("belanja", "tkd")
            assert r["subkelompok"] in JENIS_TKD
        else:
            assert r["pos"] == "pembiayaan" and r["kode_akun"][0] == "7"
    seen_tkd = {r["subkelompok"] for r in leaves if r["kelompok"] == "tkd"}
    assert seen_tkd == JENIS_TKD
    subs = {(r["kelompok"], r["subkelompok"]) for r in leaves if r["pos"] == "pendapatan"}
    assert subs == {(k, s) for k, ss in SUBKELOMPOK_PENDAPATAN.items() for s in ss}


def test_known_accounts() -> None:
    rows = {r["kode_akun"]: r for r in accounts().to_pylist()}
    assert rows["511111"]["nama"] == "Belanja Gaji Pokok PNS"
    assert rows["511111"]["subkelompok"] == "gaji_tunjangan"
    assert rows["524111"]["subkelompok"] == "perjalanan_dinas"
    assert rows["532111"]["subkelompok"] == "peralatan_mesin"
    assert rows["411121"]["nama"] == "Pendapatan PPh Pasal 21"
    assert (rows["411211"]["kelompok"], rows["411211"]["subkelompok"]) == ("perpajakan", "ppn")
    assert rows["411111"]["subkelompok"] == "pph"
    for code in ("511121", "511122", "511129", "521111", "521211", "522191", "523111"):
        assert rows[code]["level"] == 6


def test_ministries() -> None:
    table = ministries()
    rows = {r["kode_ba"]: r for r in table.to_pylist()}
    assert len(rows) == table.num_rows
    kl = [r for r in rows.values() if r["jenis"] == "kl"]
    assert 80 <= len(kl) <= 90
    assert rows["999"]["jenis"] == "bun"
    assert all(len(c) == 3 and c.isdigit() for c in rows)
    assert rows["015"]["nama"] == "Kementerian Keuangan"
    assert abs(sum(r["bobot_belanja"] for r in kl) - 1) < 1e-3
    top = sorted(kl, key=lambda r: -r["bobot_belanja"])[:8]
    assert {"033", "012", "060"} <= {r["kode_ba"] for r in top}
    assert {r["kode_bun"] for r in bun_sections().to_pylist()} >= {"999.01", "999.05", "999.07"}
