"""Regional pages, role landing and the portal home."""

from __future__ import annotations

import pytest

USER = "analis.jatim"


def test_province_page_transfers_and_dana_desa_equal_the_marts(get_as, snapshot) -> None:
    page = get_as(USER, "/regions/35?year=2023")
    assert page.status_code == 200 and "Jawa Timur" in page.text
    assert "/dashboards/region/figures/tkd_pemda.csv?year=2023&amp;province=35" in page.text
    tkd = get_as.figure(USER, "region", "tkd_pemda", "?year=2023&province=35")["rows"]
    expected = snapshot.execute(
        "select sum(realisasi)::BIGINT from mart_tkd_bulanan where tahun = 2023 "
        "and kode_pemda like '35%'"
    ).fetchone()[0]
    assert sum(r["realisasi"] for r in tkd) == expected
    assert {r["kode_pemda"][:2] for r in tkd} == {"35"}
    stages = get_as.figure(USER, "region", "dana_desa", "?year=2023&province=35")["rows"]
    expected_stages = snapshot.execute(
        "select tahap, count(*), sum(realisasi)::BIGINT from mart_dana_desa_tahap "
        "where tahun = 2023 and kode_desa like '35%' group by 1 order by 1"
    ).fetchall()
    assert [(r["tahap"], r["desa"], r["realisasi"]) for r in stages] == [
        tuple(x) for x in expected_stages
    ]


def test_region_against_national_and_satker_rankings(get_as, snapshot) -> None:
    curve = get_as.figure(USER, "region", "vs_nasional", "?year=2023&month_to=12&province=35")[
        "rows"
    ]
    real, pagu = snapshot.execute(
        """select (select sum(realisasi) from mart_belanja_satker_bulanan
                   where tahun = 2023 and kode_provinsi = '35'), sum(pagu)
           from (select kode_satker, jenis_belanja, max(pagu) as pagu
                 from mart_belanja_satker_bulanan where tahun = 2023 and kode_provinsi = '35'
                 group by all)"""
    ).fetchone()
    assert curve[-1]["bulan"] == 12
    assert curve[-1]["serapan_wilayah"] == round(100 * real / pagu, 2)
    top = get_as.figure(USER, "region", "satker_teratas", "?year=2023&province=35")["rows"]
    bottom = get_as.figure(USER, "region", "satker_terbawah", "?year=2023&province=35")["rows"]
    satkers = {
        r[0]
        for r in snapshot.execute(
            "select distinct kode_satker from mart_belanja_satker_bulanan where kode_provinsi = '35'"
        ).fetchall()
    }
    assert top and {r["kode_satker"] for r in top + bottom} <= satkers
    assert top[-1]["persen"] >= bottom[0]["persen"]


def test_kppn_page_covers_its_satker(get_as, snapshot) -> None:
    code = snapshot.execute(
        "select kode_kppn from ref_kppn where nama = 'KPPN Surabaya I'"
    ).fetchone()[0]
    assert get_as("analis.surabaya", f"/regions/kppn/{code}?year=2023").status_code == 200
    top = get_as.figure("analis.surabaya", "kppn", "satker_teratas", f"?year=2023&kppn={code}")
    paid_here = {
        r[0]
        for r in snapshot.execute(
            "select distinct kode_satker from mart_belanja_satker_bulanan where kode_kppn = ?",
            [code],
        ).fetchall()
    }
    assert {r["kode_satker"] for r in top["rows"]} <= paid_here


def test_unknown_regions_and_missing_codes(get_as) -> None:
    assert get_as(USER, "/regions/99").status_code == 404
    assert get_as(USER, "/regions/kppn/999").status_code == 404
    r = get_as(USER, "/api/v1/dashboards/region/figures/tkd_pemda?year=2023")
    assert r.status_code == 400 and r.json()["error"]["message"].startswith("province:")


@pytest.mark.parametrize(
    ("user", "target"),
    [
        ("admin", "/dashboards/apbn"),
        ("analis.pusat", "/dashboards/apbn"),
        ("analis.jatim", "/regions/35"),
        ("eksternal", "/data"),
        (None, "/login?next=/portal"),
    ],
)
def test_each_role_lands_on_its_home(get_as, user: str | None, target: str) -> None:
    r = get_as(user, "/portal")
    assert r.status_code == 303 and r.headers["location"] == target


def test_kppn_user_lands_on_its_kppn(get_as, principals) -> None:
    code = principals["analis.surabaya"].org_code
    assert get_as("analis.surabaya", "/portal").headers["location"] == f"/regions/kppn/{code}"


def test_home_links_every_product(get_as) -> None:
    html = get_as("analis.pusat", "/").text
    for path in (
        "/dashboards/apbn",
        "/dashboards/subsidies",
        "/analytics/expenditure",
        "/analytics/cash",
        "/analytics/investment",
        "/regions/35",
        "/data",
        "/ml",
        "/simulation",
        "/assistant",
    ):
        assert f'href="{path}"' in html
    assert 'id="my-home" href="/dashboards/apbn"' in html
    assert 'href="/login?next=/portal"' in get_as(None, "/").text
