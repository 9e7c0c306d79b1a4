from __future__ import annotations

import datetime as dt

import pytest

from treasury.catalog import Catalog, load_catalog
from treasury.catalog.search import Clause, SearchIndex, parse_fq, search
from treasury.catalog.text import analyze, stem


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def slugs(catalog: Catalog, q: str, **options: object) -> list[str]:
    return [h.dataset.slug for h in search(catalog, q, **options).hits]


def test_indonesian_stemming() -> None:
    assert stem("penerimaan") == stem("diterima") == "terima"
    assert stem("perpajakan") == stem("pajak")
    assert analyze("Penyaluran Dana Desa dan BANSOS") == ["salur", "dana", "desa", "bansos"]
    assert stem("taxes") == "tax" and stem("villages") == "village"


def test_belanja_bansos_finds_bansos_first(catalog: Catalog) -> None:
    assert slugs(catalog, "belanja bansos")[:2] == ["bansos-2023", "bansos-2022"]


def test_penerimaan_pajak_finds_revenue(catalog: Catalog) -> None:
    top = slugs(catalog, "penerimaan pajak")[:4]
    assert top[0] == "penerimaan-perpajakan-2023"
    assert {catalog.get(s).category for s in top} == {"PENERIMAAN"}


def test_harapan_hidup_and_gini(catalog: Catalog) -> None:
    assert slugs(catalog, "harapan hidup")[0] == "bps-angka-harapan-hidup"
    assert slugs(catalog, "gini")[0] == "bps-gini-rasio"
    assert slugs(catalog, "angka harapan hidup provinsi")[0] == "bps-angka-harapan-hidup"


def test_english_queries(catalog: Catalog) -> None:
    assert slugs(catalog, "life expectancy")[0] == "bps-angka-harapan-hidup"
    assert slugs(catalog, "village funds")[0].startswith("dana-desa")
    assert slugs(catalog, "social assistance")[:2] == ["bansos-2023", "bansos-2022"]


def test_typos_are_tolerated(catalog: Catalog) -> None:
    assert slugs(catalog, "bansoss")[:2] == ["bansos-2023", "bansos-2022"]
    assert slugs(catalog, "pnerimaan pajak")[0] == "penerimaan-perpajakan-2023"
    assert slugs(catalog, "harapn hidup")[0] == "bps-angka-harapan-hidup"


def test_words_in_organisation_and_columns_are_found(catalog: Catalog) -> None:
    assert "kas-harian" in slugs(catalog, "Direktorat Pengelolaan Kas Negara", rows=5)
    assert slugs(catalog, "jenis penerima payee")[0] == "sp2d-rincian"


def test_nothing_matches_nonsense(catalog: Catalog) -> None:
    result = search(catalog, "qwxz zzyzx")
    assert result.count == 0 and result.hits == []


def test_facets_count_all_matches(catalog: Catalog) -> None:
    result = search(catalog, "", rows=5)
    assert result.count == len(catalog) and len(result.hits) == 5
    assert result.facets["category"] == dict(
        sorted(catalog.categories().items(), key=lambda kv: (-kv[1], kv[0]))
    )
    assert sum(result.facets["classification"].values()) == len(catalog)
    assert result.facets["classification"]["restricted"] == 1
    assert result.facets["format"]["CSV"] == len(catalog)
    assert result.facets["format"]["XLSX"] == len(catalog)  # every dataset, detail included
    assert result.facets["tags"]["bansos"] == 2
    assert "dit-pa" in result.facets["organization"]


def test_filters_and_facets_follow_the_filter(catalog: Catalog) -> None:
    result = search(catalog, "", filters={"category": "BPS"}, rows=100)
    assert result.count == len(catalog.list(category="BPS"))
    assert result.facets["category"] == {"BPS": result.count}
    both = search(catalog, "", filters={"category": ["BPS", "MAKRO"]})
    assert both.count == result.count + len(catalog.list(category="MAKRO"))
    public = search(catalog, "sp2d", filters={"classification": "public"})
    assert "sp2d-rincian" not in [h.dataset.slug for h in public.hits]
    by_org = search(catalog, "", filters={"organization": "DIT-PKN"})
    assert {h.dataset.organization for h in by_org.hits} == {"DIT-PKN"}
    spatial = search(catalog, "", filters={"spatial": "desa"})
    assert {h.dataset.spatial for h in spatial.hits} == {"desa"}
    frequency = search(catalog, "", filters={"frequency": "harian"})
    assert all(h.dataset.frequency == "harian" for h in frequency.hits) and frequency.count


def test_fq_clauses(catalog: Catalog) -> None:
    clauses = parse_fq('tags:bansos +category:PENGELUARAN -res_format:"XLSX"')
    assert clauses[2] == Clause("format", ("XLSX",), negate=True)
    assert search(catalog, "", filters=clauses).count == 0
    assert search(catalog, "", filters=parse_fq("tags:bansos tags:2022")).count == 1
    with pytest.raises(ValueError, match="unknown facet"):
        search(catalog, "", filters={"warna": "merah"})


def test_only_limits_to_visible_datasets(catalog: Catalog) -> None:
    visible = [d.slug for d in catalog.list(classification="public")]
    result = search(catalog, "sp2d", only=visible, rows=100)
    assert all(h.dataset.classification == "public" for h in result.hits)
    assert sum(result.facets["classification"].values()) == result.count


def test_sorting(catalog: Catalog) -> None:
    titles = [h.dataset.title.lower() for h in search(catalog, "", sort="title asc", rows=100).hits]
    assert titles == sorted(titles)
    names = slugs(catalog, "", sort="name desc", rows=100)
    assert names == sorted(names, reverse=True)
    now = dt.datetime(2030, 1, 1)
    newest = slugs(catalog, "", sort="metadata_modified desc", modified={"ref-akun": now})
    assert newest[0] == "ref-akun"
    scored = search(catalog, "subsidi", sort="score desc, title asc", rows=100).hits
    assert [h.score for h in scored] == sorted((h.score for h in scored), reverse=True)
    with pytest.raises(ValueError, match="cannot sort"):
        search(catalog, "", sort="warna asc")


def test_paging(catalog: Catalog) -> None:
    everything = slugs(catalog, "belanja", rows=100)
    pages = slugs(catalog, "belanja", start=0, rows=3) + slugs(catalog, "belanja", start=3, rows=3)
    assert pages == everything[:6]
    assert slugs(catalog, "belanja", start=1000) == []


def test_index_adds_runtime_datasets(catalog: Catalog) -> None:
    index = SearchIndex(catalog)
    assert len(index.datasets) == len(catalog)
    assert "bansos" in index.vocabulary
