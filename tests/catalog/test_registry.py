from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from frictionless import Schema

from treasury.catalog import Catalog, DefinitionError, load_catalog, where_sql
from treasury.catalog.models import Range
from treasury.catalog.registry import DEFINITIONS, read_definitions

KNOWN = {
    "apbd-belanja-2023": ("APBD BELANJA 2023", "PENGELUARAN"),
    "apbd-dipa-2023": ("APBD DIPA 2023", "PAGU"),
    "apbn-belanja-2023": ("APBN BELANJA 2023", "PENGELUARAN"),
    "apbn-dipa-2023": ("APBN DIPA 2023", "PAGU"),
    "bansos-2022": ("BANSOS 2022", "PENGELUARAN"),
    "bansos-2023": ("BANSOS 2023", "PENGELUARAN"),
    "bps-angka-harapan-hidup": ("BPS ANGKA HARAPAN HIDUP", "BPS"),
    "bps-ekspor-impor-nasional": ("BPS EKSPOR IMPOR NASIONAL", "BPS"),
    "bps-gini-rasio": ("BPS GINI RASIO", "BPS"),
    "bps-indeks-pembangunan-manusia": ("BPS INDEKS PEMBANGUNAN MANUSIA", "BPS"),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_at_least_44_datasets(catalog: Catalog) -> None:
    assert len(catalog) >= 44
    assert len({d.slug for d in catalog}) == len(catalog)


@pytest.mark.parametrize("slug", sorted(KNOWN))
def test_the_ten_known_datasets(catalog: Catalog, slug: str) -> None:
    title, category = KNOWN[slug]
    dataset = catalog.get(slug)
    assert (dataset.title, dataset.category) == (title, category)
    assert dataset.status == "published"


def test_known_sources(catalog: Catalog) -> None:
    assert catalog.get("apbn-belanja-2023").sql_source() == (
        "mart_belanja_satker_bulanan",
        {"tahun": 2023},
    )
    assert catalog.get("apbn-dipa-2023").sql_source() == ("clean_span_dipa", {"tahun": 2023})
    assert catalog.get("bansos-2022").sql_source()[1] == {"tahun": 2022, "jenis_belanja": "57"}
    assert catalog.get("bps-ekspor-impor-nasional").sql_source() == (
        "clean_bps_indikator_provinsi",
        {"indikator": ["ekspor", "impor"]},
    )
    assert catalog.get("bps-gini-rasio").sql_source()[1] == {"indikator": "gini"}
    apbd = catalog.get("apbd-belanja-2023")
    assert apbd.sql_source()[0] == "mart_apbd_belanja"
    assert not apbd.available
    assert not catalog.get("apbd-dipa-2023").available


def test_every_mart_has_a_dataset(catalog: Catalog) -> None:
    tables = {d.source.table for d in catalog}
    marts = {
        "mart_apbn_bulanan",
        "mart_belanja_satker_bulanan",
        "mart_belanja_wilayah_bulanan",
        "mart_penerimaan_harian",
        "mart_kas_harian",
        "mart_tkd_bulanan",
        "mart_dana_desa_tahap",
        "mart_subsidi_bulanan",
        "mart_sla_sp2d",
    }
    assert marts <= tables


def test_classifications(catalog: Catalog) -> None:
    counts = Counter(d.classification for d in catalog)
    assert counts["restricted"] >= 1 and counts["internal"] >= 4
    assert catalog.get("kas-harian").classification == "internal"
    assert catalog.get("sla-sp2d").classification == "internal"
    assert catalog.get("spm-pengajuan").classification == "internal"
    assert catalog.get("mpn-penerimaan").classification == "internal"
    assert catalog.get("daftar-satker").classification == "public"
    for d in catalog:
        assert (d.license == "internal") == (d.classification != "public")


def test_sp2d_lines_are_restricted_row_scoped_and_personal(catalog: Catalog) -> None:
    info = catalog.get("sp2d-rincian").policy_info()
    assert info.classification == "restricted"
    assert info.row_scoped == ("kode_kppn", "kode_provinsi")
    assert info.personal == ("rekening_penerima",)
    assert "analyst" in info.allowed_roles and "external" not in info.allowed_roles
    assert catalog.get("sp2d-rincian").sql_source() == ("clean_span_sp2d", {})


def test_personal_data_only_in_restricted_datasets(catalog: Catalog) -> None:
    for d in catalog:
        if d.classification != "restricted":
            assert d.personal_columns == ()


def test_bookkeeping_columns_never_exposed(catalog: Catalog) -> None:
    for d in catalog:
        assert not [c for c in d.columns if c.startswith("_")], d.slug


def test_every_table_schema_is_valid(catalog: Catalog) -> None:
    for d in catalog:
        descriptor = d.table_schema()
        report = Schema.validate_descriptor(descriptor)
        assert report.valid, (d.slug, report.flatten(["note"]))
        schema = Schema.from_descriptor(descriptor)
        assert schema.field_names == list(d.columns)
        for field in descriptor["fields"]:
            assert field["title"] and field["title_en"] and field["type"]


def test_units_and_flags_in_schema(catalog: Catalog) -> None:
    fields = {f["name"]: f for f in catalog.get("sp2d-rincian").table_schema()["fields"]}
    assert fields["nilai"]["unit"] == "rupiah"
    assert fields["rekening_penerima"]["personal"] is True
    assert fields["kode_kppn"]["row_scoped"] is True
    assert "row_scoped" not in fields["kode_satker"]
    ahh = {f["name"]: f for f in catalog.get("bps-angka-harapan-hidup").table_schema()["fields"]}
    assert ahh["nilai"]["type"] == "number" and ahh["nilai"]["unit"] == "tahun"


def test_catalog_lookups(catalog: Catalog) -> None:
    categories = catalog.categories()
    assert list(categories)[:2] == ["PENGELUARAN", "PAGU"]
    assert sum(categories.values()) == len(catalog)
    assert catalog.organization("dit-pkn").name == "Direktorat Pengelolaan Kas Negara"
    assert {o.code for o in catalog.organizations()} >= {"DIT-PA", "DIT-PKN", "BPS"}
    assert catalog.tags()["bansos"] == 2
    assert {g.name for g in catalog.groups()} >= {"apbn", "referensi"}
    assert [d.slug for d in catalog.list(category="BPS")][:1] == ["bps-angka-harapan-hidup"]
    assert all(d.classification == "public" for d in catalog.list(classification="public"))
    with pytest.raises(KeyError):
        catalog.get("tidak-ada")


def test_check_sources_reports_missing_tables_and_columns(catalog: Catalog) -> None:
    tables = {
        "mart_belanja_satker_bulanan": catalog.get("apbn-belanja-2023").columns,
        "clean_bps_indikator_provinsi": ("tahun", "kode_provinsi", "indikator", "nilai"),
    }
    problems = {p.slug: p for p in catalog.check_sources(tables)}
    assert "apbn-belanja-2023" not in problems and "bansos-2023" not in problems
    assert problems["bps-gini-rasio"].missing_columns == ("satuan",)
    assert problems["apbd-belanja-2023"].missing_table
    assert problems["apbd-belanja-2023"].declared_unavailable
    assert problems["kas-harian"].table == "mart_kas_harian"


def test_where_sql() -> None:
    sql, params = where_sql({"tanggal": Range(min="2023-01-01", max="2023-12-31"), "x": "a"})
    assert sql == '"tanggal" >= ? AND "tanggal" <= ? AND "x" = ?'
    assert params == ["2023-01-01", "2023-12-31", "a"]
    assert where_sql({}) == ("TRUE", [])


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS, folder)
    return folder


def test_bad_definition_names_file_and_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kas.yaml"
    path.write_text(path.read_text().replace("frequency: harian", "frequency: sekali"))
    with pytest.raises(
        DefinitionError, match=r"kas\.yaml: datasets\[0\] \(kas-harian\).*frequency"
    ):
        read_definitions(folder)


def test_unknown_column_names_file_and_column(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kas.yaml"
    path.write_text(
        path.read_text().replace("kelompok, uraian, nilai]", "kelompok, uraiann, nilai]")
    )
    with pytest.raises(DefinitionError, match=r"kas\.yaml.*source\.columns\[6\].*'uraiann'"):
        read_definitions(folder)


def test_personal_column_in_public_dataset_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kas.yaml"
    text = path.read_text().replace(
        "[tanggal, penerimaan,", "[tanggal, rekening_penerima, penerimaan,"
    )
    path.write_text(text)
    with pytest.raises(DefinitionError, match="personal columns"):
        read_definitions(folder)


def test_duplicate_slug_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kas.yaml"
    path.write_text(path.read_text().replace("slug: transaksi-pembiayaan", "slug: kas-harian"))
    with pytest.raises(DefinitionError, match="already defined"):
        read_definitions(folder)


def test_unknown_organization_is_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "kas.yaml"
    path.write_text(path.read_text().replace("organization: DIT-SMI", "organization: DIT-XYZ"))
    with pytest.raises(DefinitionError, match=r"kas\.yaml: transaksi-pembiayaan: organization"):
        read_definitions(folder)
