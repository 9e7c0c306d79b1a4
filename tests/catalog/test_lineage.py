from __future__ import annotations

from pathlib import Path

import pytest

from treasury.catalog import Catalog, load_catalog
from treasury.catalog.lineage import lineage, mart_inputs


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def marts(tmp_path: Path) -> Path:
    folder = tmp_path / "marts"
    folder.mkdir()
    (folder / "mart_belanja_satker_bulanan.sql").write_text(
        """
        with realisasi as (
            select tahun, bulan, kode_satker, kode_akun_2 as jenis_belanja, sum(nilai) as realisasi
            from clean_span_sp2d group by all
        ), pagu as (
            select tahun, kode_satker, kode_akun_2 as jenis_belanja, sum(pagu) as pagu
            from clean_span_dipa group by all
        )
        select r.*, p.pagu, s.kode_kppn
        from realisasi r
        left join pagu p using (tahun, kode_satker, jenis_belanja)
        join clean_span_satker s using (kode_satker)
        """
    )
    (folder / "belanja_wilayah_bulanan.sql").write_text(
        "select tahun, bulan, kode_provinsi, sum(realisasi) as realisasi "
        "from mart_belanja_satker_bulanan group by all"
    )
    (folder / "mart_tkd_bulanan.sql").write_text("select from where (((")
    return folder


def test_sql_inputs_exclude_ctes(marts: Path) -> None:
    found = mart_inputs(marts / "mart_belanja_satker_bulanan.sql")
    assert found == {"clean_span_sp2d", "clean_span_dipa", "clean_span_satker"}
    assert mart_inputs(marts / "missing.sql") is None


def test_lineage_from_mart_sql(catalog: Catalog, marts: Path) -> None:
    flow = lineage(catalog.get("bansos-2023"), marts=marts)
    assert not flow.declared
    assert flow.extracts() == ["span_dipa", "span_satker", "span_sp2d"]
    assert flow.tables("mart") == ["mart_belanja_satker_bulanan"]
    assert ("clean_span_sp2d", "mart_belanja_satker_bulanan") in flow.edges
    assert ("span_sp2d", "clean_span_sp2d") in flow.edges
    assert flow.edges[-1] == ("mart_belanja_satker_bulanan", "bansos-2023")
    assert flow.nodes[-1].layer == "dataset"


def test_mart_reading_a_mart(catalog: Catalog, marts: Path) -> None:
    flow = lineage(catalog.get("belanja-wilayah-bulanan"), marts=marts)
    assert flow.tables("mart") == ["mart_belanja_satker_bulanan", "mart_belanja_wilayah_bulanan"]
    assert ("mart_belanja_satker_bulanan", "mart_belanja_wilayah_bulanan") in flow.edges
    assert "span_sp2d" in flow.extracts()


def test_declared_lineage_is_the_fallback(catalog: Catalog, marts: Path) -> None:
    broken = lineage(catalog.get("tkd-2023"), marts=marts)  # its SQL does not parse
    assert broken.declared and broken.extracts() == ["tkd_penyaluran"]
    missing = lineage(catalog.get("dana-desa-2023"), marts=marts)
    assert missing.declared and missing.extracts() == ["tkd_dana_desa"]
    assert missing.tables("clean") == ["clean_tkd_dana_desa"]


def test_clean_and_reference_sources(catalog: Catalog, marts: Path) -> None:
    flow = lineage(catalog.get("apbn-dipa-2023"), marts=marts)
    assert flow.extracts() == ["span_dipa"] and flow.tables("clean") == ["clean_span_dipa"]
    ref = lineage(catalog.get("ref-provinsi"), marts=marts)
    assert ref.tables("reference") == ["ref_provinsi"] and ref.extracts() == []


def test_every_dataset_has_a_lineage(catalog: Catalog) -> None:
    for dataset in catalog:
        flow = lineage(dataset)
        assert flow.nodes[-1].name == dataset.slug
        if dataset.source.table.startswith(("mart_", "clean_")):
            assert flow.extracts(), dataset.slug
