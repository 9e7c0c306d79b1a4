"""The dashboards in Debian's Chromium: figures drawn with data, drill-down, filters, downloads."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

USER = "analis.pusat"
PAGES = [
    "/dashboards/apbn",
    "/dashboards/subsidies",
    "/analytics/expenditure",
    "/analytics/cash",
    "/analytics/investment",
    "/regions/35",
    "/regions/kppn/086",
]


@pytest.fixture
def signed_in(page: Any, live_url: str, od_home: Any) -> Any:
    """The page with a login session of ``analis.pusat`` (the server shares the home's key)."""
    from treasury.access.http import SESSION_COOKIE, sign_session

    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": sign_session(USER), "url": live_url}]
    )
    return page


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-figures-drawn]", timeout=20_000)


def _traces(page: Any, figure: str) -> list[dict[str, Any]]:
    return page.evaluate(
        """id => document.getElementById('fig-' + id).data.map(t => ({
              name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []),
              customdata: t.customdata ? Array.from(t.customdata) : null}))""",
        figure,
    )


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.strip("/").replace("/", "-"))
def test_every_page_draws_every_figure_with_data(signed_in: Any, live_url: str, path: str) -> None:
    page = signed_in
    _open(page, live_url + path)
    figures = page.eval_on_selector_all(
        ".plot[data-figure]", "els => els.map(e => e.dataset.figure)"
    )
    assert figures
    for figure in figures:
        traces = _traces(page, figure)
        assert any(len(t["x"]) > 0 and len(t["y"]) > 0 for t in traces), figure
    assert page.locator("#asof time").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # no sideways scroll
    assert page.console_errors == []


def test_drill_down_click_changes_url_and_figure(signed_in: Any, live_url: str) -> None:
    page = signed_in
    _open(page, live_url + "/dashboards/apbn?year=2023")
    before = _traces(page, "wilayah")[0]
    title = page.locator("#card-wilayah figcaption").inner_text()
    bar = page.locator("#fig-wilayah .bars .point path").last
    with page.expect_navigation():
        bar.click(force=True)
    page.wait_for_selector("body[data-figures-drawn]")
    query = parse_qs(urlparse(page.url).query)
    assert query["year"] == ["2023"] and len(query["province"][0]) == 2
    assert query["province"][0] in before["customdata"]
    after = _traces(page, "wilayah")[0]
    assert after["customdata"] != before["customdata"]
    assert all(code.startswith(query["province"][0]) for code in after["customdata"])
    assert page.locator("#card-wilayah figcaption").inner_text() != title
    assert page.console_errors == []


def test_url_filters_round_trip_through_the_form(signed_in: Any, live_url: str) -> None:
    page = signed_in
    query = "year=2023&month_from=2&month_to=6&province=35"
    _open(page, f"{live_url}/dashboards/apbn?{query}")
    assert page.locator("select[name=year]").input_value() == "2023"
    assert page.locator("select[name=month_from]").input_value() == "2"
    assert page.locator("select[name=month_to]").input_value() == "6"
    assert page.locator("select[name=province]").input_value() == "35"
    with page.expect_navigation():
        page.locator("#filters button[type=submit]").click()
    got = parse_qs(urlparse(page.url).query)
    assert {k: v[0] for k, v in got.items() if v[0]} == {
        "year": "2023",
        "month_from": "2",
        "month_to": "6",
        "province": "35",
    }


def test_figure_csv_equals_what_the_chart_shows(signed_in: Any, live_url: str) -> None:
    page = signed_in
    _open(page, live_url + "/dashboards/apbn?year=2023&month_to=9")
    shown = next(
        t for t in _traces(page, "belanja_kl") if t["customdata"] and t["name"] == "Realisasi"
    )
    href = page.locator("#card-belanja_kl a.dl-csv").get_attribute("href")
    assert href == "/dashboards/apbn/figures/belanja_kl.csv?year=2023&month_to=9"
    response = page.request.get(live_url + href)
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [int(r["realisasi"]) for r in rows] == shown["x"]
    assert [r["kode_ba"] for r in rows] == shown["customdata"]


def test_login_lands_a_kanwil_user_on_its_region(page: Any, live_url: str) -> None:
    page.goto(live_url + "/")
    with page.expect_navigation():
        page.locator("#nav-login").click()
    page.fill("#name", "analis.jatim")
    page.fill("#password", "analis.jatim-demo-2024")
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    page.wait_for_selector("body[data-figures-drawn]", timeout=20_000)
    assert urlparse(page.url).path == "/regions/35"
    assert "Jawa Timur" in page.locator("h1").inner_text()
    assert page.console_errors == []


def test_tablet_width_and_print_layout(signed_in: Any, live_url: str) -> None:
    page = signed_in
    page.set_viewport_size({"width": 768, "height": 1024})
    _open(page, live_url + "/dashboards/apbn?year=2023")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 768
    boxes = page.eval_on_selector_all(
        ".plot[data-figure]", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert all(300 < w <= 768 for w in boxes)
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    assert page.locator("header.topbar nav").is_hidden()
    assert page.locator("#asof").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
