"""The APBN leadership dashboard: its numbers equal the marts, downloads equal the figures."""

from __future__ import annotations

import io
from typing import Any

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from treasury.dashboards.filters import FilterError, Filters
from treasury.dashboards.projection import project_year_end, seasonal_norm

USER = "analis.pusat"


def _kpis(body: dict[str, Any]) -> dict[str, Any]:
    return {k["id"]: k for k in body["data"]["kpis"]}


def _one(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None
    return row[0]


def test_2023_totals_equal_the_sums_of_mart_apbn_bulanan(get_as, snapshot) -> None:
    r = get_as(USER, "/api/v1/dashboards/apbn?year=2023&month_to=12")
    assert r.status_code == 200, r.text
    kpis = _kpis(r.json())
    total = {
        pos: int(
            _one(
                snapshot,
                "select sum(realisasi) from mart_apbn_bulanan where tahun = 2023 and pos = ?",
                pos,
            )
        )
        for pos in ("pendapatan", "belanja", "pembiayaan")
    }
    interest = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_apbn_bulanan where tahun = 2023 and kelompok = 'bunga'",
        )
    )
    assert total["belanja"] > 0 and total["pendapatan"] > 0
    assert kpis["pendapatan"]["value"] == total["pendapatan"]
    assert kpis["belanja"]["value"] == total["belanja"]
    assert kpis["pembiayaan"]["value"] == total["pembiayaan"]
    assert kpis["defisit"]["value"] == total["belanja"] - total["pendapatan"]
    assert kpis["keseimbangan_primer"]["value"] == total["pendapatan"] - total["belanja"] + interest
    # the budget is the annual ceiling, taken once (January's rows carry every subgroup)
    budget = int(
        _one(
            snapshot,
            "select sum(pagu) from mart_apbn_bulanan where tahun = 2023 and bulan = 1 "
            "and pos = 'belanja'",
        )
    )
    assert kpis["belanja"]["budget"] == budget
    assert kpis["belanja"]["share"] == round(100 * total["belanja"] / budget, 2)
    before = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_apbn_bulanan where tahun = 2022 and pos = 'belanja'",
        )
    )
    assert kpis["belanja"]["change"] == round(100 * (total["belanja"] - before) / before, 2)


def test_2023_figures_add_up_to_the_mart(get_as, snapshot) -> None:
    def rows(figure: str, query: str = "?year=2023&month_to=12") -> list[dict[str, Any]]:
        r = get_as(USER, f"/api/v1/dashboards/apbn/figures/{figure}{query}")
        assert r.status_code == 200, r.text
        return r.json()["data"]["rows"]

    spending = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_apbn_bulanan where tahun=2023 and pos='belanja'",
        )
    )
    revenue = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_apbn_bulanan where tahun=2023 and pos='pendapatan'",
        )
    )
    assert sum(r["realisasi"] for r in rows("belanja_jenis")) == spending
    assert sum(r["realisasi"] for r in rows("pendapatan_jenis")) == revenue
    curve = rows("kumulatif_belanja")
    december = [r for r in curve if r["tahun"] == 2023 and r["bulan"] == 12]
    assert december[0]["kumulatif"] == spending and december[0]["jenis"] == "realisasi"
    assert {r["tahun"] for r in curve} == {2020, 2021, 2022, 2023}
    tkd = int(_one(snapshot, "select sum(realisasi) from mart_tkd_bulanan where tahun = 2023"))
    assert sum(r["realisasi"] for r in rows("tkd_jenis")) == tkd
    deficit = rows("defisit_pdb")
    assert deficit[-1]["bulan"] == 12 and deficit[-1]["defisit"] == spending - revenue
    assert deficit[-1]["persen_pdb"] == round(100 * (spending - revenue) / 20892.4e12, 3)


def test_the_current_year_is_projected_to_december(get_as, snapshot) -> None:
    year, last = snapshot.execute(
        "select tahun, max(bulan) from mart_apbn_bulanan group by tahun order by tahun desc limit 1"
    ).fetchone()
    r = get_as(USER, "/api/v1/dashboards/apbn/figures/kumulatif_belanja")
    body = r.json()["data"]
    ahead = [row for row in body["rows"] if row["jenis"] == "proyeksi"]
    if last < 12:
        assert [row["bulan"] for row in ahead] == list(range(last + 1, 13))
        assert all(row["tahun"] == year for row in ahead)
        assert "proyeksi" in body["note"]
    names = [t["name"] for t in body["plot"]["data"]]
    assert any("proyeksi" in n for n in names) == (last < 12)


def test_drill_down_goes_national_province_kabkota_satker(get_as, snapshot) -> None:
    national = get_as(USER, "/api/v1/dashboards/apbn/figures/wilayah?year=2023").json()["data"]
    assert national["plot"]["drill"] == "province"
    province = max(national["rows"], key=lambda r: r["realisasi"])["kode"]
    expected = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_belanja_satker_bulanan where tahun=2023 "
            "and kode_provinsi = ?",
            province,
        )
    )
    assert max(r["realisasi"] for r in national["rows"]) == expected
    down = get_as(USER, f"/api/v1/dashboards/apbn/figures/wilayah?year=2023&province={province}")
    data = down.json()["data"]
    assert data["plot"]["drill"] == "kabkota"
    assert data["rows"] and all(r["kode"].startswith(province) for r in data["rows"])
    assert sum(r["realisasi"] for r in data["rows"]) == expected
    kabkota = data["rows"][-1]["kode"]
    satkers = get_as(
        USER,
        f"/api/v1/dashboards/apbn/figures/wilayah?year=2023&province={province}&kabkota={kabkota}",
    ).json()["data"]
    assert satkers["plot"]["drill"] == "satker" and len(satkers["rows"][0]["kode"]) == 6
    satker = satkers["rows"][-1]["kode"]
    types = get_as(
        USER,
        f"/api/v1/dashboards/apbn/figures/wilayah?year=2023&kabkota={kabkota}&satker={satker}",
    ).json()["data"]
    assert types["plot"]["drill"] is None
    assert {r["kode"] for r in types["rows"]} <= {str(c) for c in range(51, 59)}
    assert sum(r["realisasi"] for r in types["rows"]) == satkers["rows"][-1]["realisasi"]


def test_ministry_filter_and_top_15(get_as, snapshot) -> None:
    data = get_as(USER, "/api/v1/dashboards/apbn/figures/belanja_kl?year=2023").json()["data"]
    assert len(data["rows"]) == min(
        15,
        int(
            _one(
                snapshot,
                "select count(distinct kode_ba) from mart_belanja_satker_bulanan where tahun=2023",
            )
        ),
    )
    assert data["plot"]["drill"] == "ministry"
    top = data["rows"][-1]  # drawn bottom-up: the largest is last
    expected = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_belanja_satker_bulanan where tahun=2023 and kode_ba=?",
            top["kode_ba"],
        )
    )
    assert top["realisasi"] == expected == max(r["realisasi"] for r in data["rows"])
    chosen = get_as(
        USER, f"/api/v1/dashboards/apbn/figures/wilayah?year=2023&ministry={top['kode_ba']}"
    ).json()["data"]
    assert sum(r["realisasi"] for r in chosen["rows"]) == expected


def test_csv_and_xlsx_are_exactly_the_figure_numbers(get_as) -> None:
    query = "?year=2023&month_from=2&month_to=6"
    api = get_as(USER, f"/api/v1/dashboards/apbn/figures/belanja_jenis{query}").json()["data"]
    csv = get_as(USER, f"/dashboards/apbn/figures/belanja_jenis.csv{query}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().split("\n")
    assert lines[0] == "kode,nama,pagu,realisasi,persen"
    assert [int(line.split(",")[3]) for line in lines[1:]] == [r["realisasi"] for r in api["rows"]]
    bars = next(t for t in api["plot"]["data"] if t["name"] in ("Realisasi", "Realization"))
    assert bars["x"] == [r["realisasi"] for r in api["rows"]]
    xlsx = get_as(USER, f"/dashboards/apbn/figures/belanja_jenis.xlsx{query}")
    assert xlsx.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
    table = sheet.to_python()
    assert table[0] == ["kode", "nama", "pagu", "realisasi", "persen"]
    assert [int(row[3]) for row in table[1:]] == [r["realisasi"] for r in api["rows"]]


def test_month_range_changes_the_numbers(get_as, snapshot) -> None:
    r = get_as(USER, "/api/v1/dashboards/apbn?year=2023&month_from=4&month_to=6")
    expected = int(
        _one(
            snapshot,
            "select sum(realisasi) from mart_apbn_bulanan where tahun=2023 and pos='belanja' "
            "and bulan between 4 and 6",
        )
    )
    assert _kpis(r.json())["belanja"]["value"] == expected
    assert r.json()["data"]["filters"] == {"year": "2023", "month_from": "4", "month_to": "6"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=23", "year"),
        ("month_from=0", "month_from"),
        ("month_from=7&month_to=3", "month_from"),
        ("province=JATIM", "province"),
        ("ministry=15", "ministry"),
        ("province=35&kabkota=3101", "kabkota"),
    ],
)
def test_bad_filters_answer_per_field(get_as, query: str, field: str) -> None:
    r = get_as(USER, f"/api/v1/dashboards/apbn?{query}")
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "bad_filter" and error["message"].startswith(f"{field}:")
    assert get_as(USER, f"/dashboards/apbn?{query}").status_code == 400


def test_who_may_see_dashboards(get_as) -> None:
    assert get_as(None, "/api/v1/dashboards/apbn").status_code == 401
    assert get_as("eksternal", "/api/v1/dashboards/apbn").status_code == 403
    assert get_as("eksternal", "/dashboards/apbn").status_code == 403
    page = get_as(None, "/dashboards/apbn?year=2023")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/dashboards/apbn%3Fyear%3D2023"
    missing = get_as(USER, "/api/v1/dashboards/apbn/figures/nope")
    assert missing.status_code == 404 and "belanja_kl" in missing.json()["error"]["hint"]
    assert get_as(USER, "/api/v1/dashboards/nope").status_code == 404


def test_page_shows_as_of_alert_actions_and_links(get_as) -> None:
    r = get_as(USER, "/dashboards/apbn?year=2023&month_to=6&province=35")
    assert r.status_code == 200
    html = r.text
    assert 'id="asof"' in html and "UTC" in html
    for figure in ("kumulatif_belanja", "belanja_jenis", "belanja_kl", "tkd_jenis", "wilayah"):
        assert f'id="fig-{figure}"' in html
        assert (
            f"/dashboards/apbn/figures/{figure}.csv?year=2023&amp;month_to=6&amp;province=35"
            in html
        )
    english = get_as(USER, "/dashboards/apbn?year=2023&lang=en")
    assert "Download data" in english.text and "Spending by economic type" in english.text


def test_filters_round_trip() -> None:
    params = {
        "year": "2023",
        "month_from": "2",
        "month_to": "6",
        "ministry": "015",
        "province": "35",
    }
    f = Filters.parse(params)
    assert f.params() == params
    assert Filters.parse(dict(x.split("=") for x in f.query()[1:].split("&"))) == f
    with pytest.raises(FilterError) as info:
        Filters.parse({"satker": "12"})
    assert info.value.field == "satker" and "6" in info.value.message("id")


def test_seasonal_projection() -> None:
    history = {
        2021: {m: 10.0 * (2 if m == 12 else 1) for m in range(1, 13)},
        2022: {m: 20.0 * (2 if m == 12 else 1) for m in range(1, 13)},
    }
    norm = seasonal_norm(history)
    assert norm[11] == pytest.approx(11 / 13) and norm[12] == 1.0
    p = project_year_end(dict.fromkeys(range(1, 12), 5.0), history)
    assert p.last_month == 11 and p.total == pytest.approx(55 * 13 / 11)
    assert p.cumulative[11] == 55 and p.cumulative[12] == pytest.approx(65)
    assert project_year_end({}, history).total == 0
    # an incomplete history year is ignored; without history the norm is an even spread
    assert seasonal_norm({2023: {1: 5.0}})[6] == 0.5
