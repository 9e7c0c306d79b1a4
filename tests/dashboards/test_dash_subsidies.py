"""The subsidy dashboard: programs, map, per capita and trend equal the subsidy mart."""

from __future__ import annotations

import json

from treasury.dashboards.outline import OUTLINE, outline_lines

USER = "analis.pusat"


def test_programs_equal_the_mart(get_as, snapshot) -> None:
    expected = dict(
        snapshot.execute(
            "select program, sum(realisasi)::BIGINT from mart_subsidi_bulanan where tahun = 2023 "
            "group by program"
        ).fetchall()
    )
    rows = get_as.figure(USER, "subsidies", "program", "?year=2023&month_to=12")["rows"]
    assert {r["program"]: r["realisasi"] for r in rows} == expected
    assert {r["program"] for r in rows if r["kelompok"] == "energi"} == {
        "bbm",
        "lpg_3kg",
        "listrik",
    }
    kpis = get_as.kpis(USER, "subsidies", "?year=2023&month_to=12")
    assert kpis["total"]["value"] == sum(expected.values())
    assert kpis["energi"]["value"] == expected["bbm"] + expected["lpg_3kg"] + expected["listrik"]
    budget = snapshot.execute(
        "select max(pagu) from mart_apbn_bulanan where tahun = 2023 "
        "and subkelompok = 'subsidi_energi'"
    ).fetchone()[0]
    assert kpis["energi"]["budget"] == budget


def test_map_has_38_provinces_at_their_centroids_over_the_outline(get_as, snapshot) -> None:
    data = get_as.figure(USER, "subsidies", "peta", "?year=2023&month_to=12")
    rows = data["rows"]
    assert len(rows) == 38
    total = snapshot.execute(
        "select sum(realisasi)::BIGINT from mart_subsidi_bulanan where tahun = 2023"
    ).fetchone()[0]
    assert sum(r["realisasi"] for r in rows) == total
    jatim = next(r for r in rows if r["kode_provinsi"] == "35")
    assert (jatim["lat"], jatim["lon"]) == snapshot.execute(
        "select lat, lon from ref_provinsi where kode_provinsi = '35'"
    ).fetchone()
    outline, bubbles = data["plot"]["data"]
    assert outline["mode"] == "lines" and len(outline["x"]) > 1000
    assert bubbles["customdata"] == [r["kode_provinsi"] for r in rows]
    assert bubbles["marker"]["size"] == [r["realisasi"] for r in rows]
    assert data["plot"]["drill"] == "province"
    # every bubble lies inside the outline's bounding box
    lons = [x for x in outline_lines()[0] if x is not None]
    lats = [y for y in outline_lines()[1] if y is not None]
    assert all(min(lons) - 1 < r["lon"] < max(lons) + 1 for r in rows)
    assert all(min(lats) - 1 < r["lat"] < max(lats) + 1 for r in rows)


def test_outline_file_is_indonesia() -> None:
    feature = json.loads(OUTLINE.read_text(encoding="utf-8"))
    assert feature["properties"]["name"] == "Indonesia"
    assert len(feature["geometry"]["coordinates"]) > 50  # islands
    assert OUTLINE.stat().st_size < 200_000


def test_per_capita_is_realisation_over_population(get_as, snapshot) -> None:
    rows = get_as.figure(USER, "subsidies", "per_kapita", "?year=2023&month_to=12")["rows"]
    population = dict(
        snapshot.execute(
            "select kode_provinsi, arg_max(nilai, tahun) from clean_bps_indikator_provinsi "
            "where indikator = 'penduduk' and tahun <= 2023 group by 1"
        ).fetchall()
    )
    for r in rows:
        assert r["penduduk"] == round(population[r["kode_provinsi"]])
        assert r["per_kapita"] == round(r["realisasi"] / population[r["kode_provinsi"]])
    assert [r["per_kapita"] for r in rows] == sorted(r["per_kapita"] for r in rows)


def test_province_filter_narrows_every_figure(get_as, snapshot) -> None:
    rows = get_as.figure(USER, "subsidies", "program", "?year=2023&province=35")["rows"]
    expected = snapshot.execute(
        "select sum(realisasi)::BIGINT from mart_subsidi_bulanan "
        "where tahun = 2023 and kode_provinsi = '35'"
    ).fetchone()[0]
    assert sum(r["realisasi"] for r in rows) == expected
    trend = get_as.figure(USER, "subsidies", "tren", "?year=2023&province=35")
    assert all(r["pagu"] is None for r in trend["rows"])  # the budget is national only


def test_trend_projects_the_open_year(get_as, snapshot) -> None:
    year, last = snapshot.execute(
        "select tahun, max(bulan) from mart_subsidi_bulanan group by 1 order by 1 desc limit 1"
    ).fetchone()
    data = get_as.figure(USER, "subsidies", "tren", f"?year={year}")
    energy = [r for r in data["rows"] if r["kelompok"] == "energi"]
    assert [r["bulan"] for r in energy if r["jenis"] == "realisasi"] == list(range(1, last + 1))
    assert [r["bulan"] for r in energy if r["jenis"] == "proyeksi"] == list(range(last + 1, 13))
