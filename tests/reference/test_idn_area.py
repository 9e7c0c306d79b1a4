from __future__ import annotations

from pathlib import Path

from treasury import reference
from treasury.reference.idn_area import convert, kabkota_jenis, title_case

DATA = Path(reference.__file__).parent / "data"


def test_names_and_kinds() -> None:
    assert title_case("KOTA BAU-BAU") == "Kota Bau-Bau"
    assert kabkota_jenis("3578", "KOTA SURABAYA") == "kota"
    assert kabkota_jenis("3101", "KABUPATEN ADMINISTRASI KEPULAUAN SERIBU") == (
        "kabupaten_administrasi"
    )
    assert kabkota_jenis("3171", "KOTA ADMINISTRASI JAKARTA PUSAT") == "kota_administrasi"


def test_convert_matches_shipped_rows(tmp_path: Path) -> None:
    source = tmp_path / "idn"
    source.mkdir()
    (source / "regencies.csv").write_text(
        "code,province_code,name\n35.78,35,KOTA SURABAYA\n11.01,11,KABUPATEN ACEH SELATAN\n"
    )
    (source / "districts.csv").write_text("code,regency_code,name\n11.01.01,11.01,Bakongan\n")
    (source / "villages.csv").write_text(
        "code,district_code,name\n11.01.01.2001,11.01.01,Keude Bakongan\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    assert convert(source, out) == {"kabkota": 2, "kecamatan": 1, "villages": 1}
    shipped = set((DATA / "kabkota.csv").read_text().splitlines())
    assert set((out / "kabkota.csv").read_text().splitlines()) <= shipped
    assert "3578,35,Kota Surabaya,kota" in shipped
    shipped_kec = set((DATA / "kecamatan.csv").read_text().splitlines())
    assert set((out / "kecamatan.csv").read_text().splitlines()) <= shipped_kec


def test_odbl_attribution_is_shipped() -> None:
    text = (DATA / "ATTRIBUTION.md").read_text()
    assert "idn-area-data" in text and "Open Database License" in text
    readme = (DATA.parent / "README.md").read_text()
    assert "ODbL" in readme and "idn-area-data" in readme
