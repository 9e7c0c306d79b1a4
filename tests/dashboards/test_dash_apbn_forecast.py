"""The APBN dashboard's revenue projection from the published ML forecast (and its fallback).

``treasury models train forecasting`` publishes the model's monthly forecast as the table
``mart_proyeksi_pendapatan`` (dataset ``proyeksi-pendapatan-ml``). These tests publish on a
private copy of the session platform (the shared one keeps serving no forecast, so its
dashboard shows the seasonal projection) and check the table through the Reader, the
dashboard's numbers against the table and the model's own landing, and a pipeline run after it.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from tests.testkit import bearer, copy_platform, platform_env
from typer.testing import CliRunner

from treasury.config import Settings, get_settings

USER = "analis.pusat"
TABLE = "mart_proyeksi_pendapatan"
SLUG = "proyeksi-pendapatan-ml"


@pytest.fixture(scope="module")
def forecast_home(
    tmp_path_factory: pytest.TempPathFactory, platform_home: Path, tokens: dict[str, str]
) -> Iterator[Path]:
    """A private copy of the platform (SQLite app database, the demo users' tokens), the
    environment pointing at it; its snapshot views read the copy's own lake."""
    from treasury.dashboards.source import clear_cache

    del tokens  # created before the copy, so the copy knows them
    home = copy_platform(platform_home, tmp_path_factory.mktemp("forecast-platform") / "home")
    with platform_env(home):
        clear_cache()
        yield home
    clear_cache()


@pytest.fixture(scope="module")
def published(forecast_home: Path) -> dict[str, Any]:
    """Train the revenue model on the copy through the CLI (which publishes it)."""
    from treasury.cli import app
    from treasury.ml import registry

    result = CliRunner().invoke(app, ["models", "train", "forecasting"])
    assert result.exit_code == 0, result.output
    assert "proyeksi-pendapatan-ml" in result.output
    settings = get_settings()
    version = registry.versions("forecasting", settings)[-1]
    return {"settings": settings, "version": version}


@pytest.fixture
def client(forecast_home: Path) -> Iterator[TestClient]:
    from treasury.web.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


def _get(client: TestClient, tokens: dict[str, str], url: str) -> Any:
    response = client.get(url, headers=bearer(tokens[USER]))
    assert response.status_code == 200, response.text
    return response


def _published_rows(settings: Settings) -> list[dict[str, Any]]:
    from treasury.warehouse.serving import open_snapshot

    con = open_snapshot(settings)
    try:
        return (
            con.sql(f"select * from {TABLE} order by tahun, bulan, kelompok")
            .to_arrow_table()
            .to_pylist()
        )
    finally:
        con.close()


def test_without_a_published_forecast_the_projection_is_seasonal(get_as, snapshot) -> None:
    # the shared platform has never published: the table is served empty, the dashboard
    # projects revenue with the seasonal method and says so
    assert snapshot.execute(f"select count(*) from {TABLE}").fetchone() == (0,)
    year, last = snapshot.execute(
        "select tahun, max(bulan) from mart_apbn_bulanan group by tahun order by tahun desc limit 1"
    ).fetchone()
    assert last < 12
    body = get_as(USER, "/api/v1/dashboards/apbn/figures/kumulatif_pendapatan").json()["data"]
    assert [c["name"] for c in body["columns"]] == ["tahun", "bulan", "jenis", "kumulatif"]
    assert "musiman" in body["note"] and "model ML" not in body["note"]
    names = [t["name"] for t in body["plot"]["data"]]
    assert f"{year} proyeksi musiman" in names
    assert not any(t.get("fill") for t in body["plot"]["data"])
    kpis = {k["id"]: k for k in get_as(USER, "/api/v1/dashboards/apbn").json()["data"]["kpis"]}
    ahead = [r for r in body["rows"] if r["jenis"] == "proyeksi"]
    assert kpis["proyeksi_pendapatan"]["note"] == "proyeksi musiman"
    assert abs(kpis["proyeksi_pendapatan"]["value"] - ahead[-1]["kumulatif"]) <= 1


def test_publishing_makes_the_forecast_a_public_dataset(
    published: dict[str, Any], tokens: dict[str, str]
) -> None:
    from treasury.access import Zone, get_user, principal_for_user
    from treasury.access.principal import ANONYMOUS_INTERNET
    from treasury.db.session import session_scope
    from treasury.ml import registry
    from treasury.warehouse.reader import Reader, ReadRequest

    settings = published["settings"]
    rows = _published_rows(settings)
    model = registry.load("forecasting", settings=settings)
    # 24 months ahead x (total + 3 types), the latest version, the model's numbers in rupiah
    assert len(rows) == 24 * 4
    assert {r["versi_model"] for r in rows} == {published["version"]}
    assert {r["data_sampai"] for r in rows} == {model.last_day}
    first = model.periods[0]
    head = next(
        r
        for r in rows
        if r["kelompok"] == "total" and r["tahun"] == first.year and r["bulan"] == first.month
    )
    assert head["proyeksi"] == round(float(model.forecasts["total"]["mean"][0]))
    assert (
        head["bawah_95"]
        <= head["bawah_80"]
        <= head["proyeksi"]
        <= head["atas_80"]
        <= head["atas_95"]
    )

    reader = Reader(settings)
    anonymous = ANONYMOUS_INTERNET
    assert reader.dataset(anonymous, SLUG).classification == "public"
    page = reader.page(anonymous, SLUG, ReadRequest(limit=200))
    assert page.rows.num_rows == len(rows)
    with session_scope(settings.app_database_url) as session:
        analyst = principal_for_user(get_user(session, USER), Zone.internet)  # type: ignore[arg-type]
    total = reader.sql(
        analyst,
        "select sum(proyeksi) as s from proyeksi_pendapatan_ml where kelompok = 'total'",
    ).to_pylist()[0]["s"]
    assert total == sum(r["proyeksi"] for r in rows if r["kelompok"] == "total")
    # the open-data API serves it to anyone, like the APBN marts
    from treasury.web.app import create_app

    with TestClient(create_app()) as client:
        response = client.get(f"/api/v1/datasets/{SLUG}/rows?limit=5")
    assert response.status_code == 200, response.text


def test_the_dashboard_projects_revenue_with_the_published_forecast(
    published: dict[str, Any], client: TestClient, tokens: dict[str, str]
) -> None:
    from treasury.ml.forecasting import year_end_landing

    settings = published["settings"]
    rows = [r for r in _published_rows(settings) if r["kelompok"] == "total"]
    landing = year_end_landing(settings)
    year = landing["year"]
    body = _get(client, tokens, "/api/v1/dashboards/apbn/figures/kumulatif_pendapatan").json()[
        "data"
    ]
    assert [c["name"] for c in body["columns"]] == [
        "tahun",
        "bulan",
        "jenis",
        "kumulatif",
        "bawah_80",
        "atas_80",
    ]
    actual = [r for r in body["rows"] if r["tahun"] == year and r["jenis"] == "realisasi"]
    ahead = [r for r in body["rows"] if r["jenis"] == "proyeksi"]
    last = actual[-1]["bulan"]
    assert [r["bulan"] for r in ahead] == list(range(last + 1, 13))
    # each projected month adds exactly the published mean (and 80% bounds) of that month
    forecast = {r["bulan"]: r for r in rows if r["tahun"] == year}
    for before, after in itertools.pairwise(ahead):
        step = forecast[after["bulan"]]
        assert abs(after["kumulatif"] - before["kumulatif"] - step["proyeksi"]) <= 1
        assert abs(after["bawah_80"] - before["bawah_80"] - step["bawah_80"]) <= 1
        assert abs(after["atas_80"] - before["atas_80"] - step["atas_80"]) <= 1
    # the year-end landing is the model's own (realised months + forecast of the rest)
    assert abs(ahead[-1]["kumulatif"] - landing["landing"]["mean"]) <= 2
    assert abs(ahead[-1]["bawah_80"] - landing["landing"]["lo_80"]) <= 2
    assert abs(ahead[-1]["atas_80"] - landing["landing"]["hi_80"]) <= 2
    # drawn: the band (lower, then upper filled to it) and the labelled line, from those rows
    traces = body["plot"]["data"]
    line = next(t for t in traces if t["name"] == f"{year} proyeksi model ML")
    assert line["y"] == [actual[-1]["kumulatif"]] + [r["kumulatif"] for r in ahead]
    band = [t for t in traces if t.get("legendgroup") == "band80"]
    assert band[0]["y"][1:] == [r["bawah_80"] for r in ahead]
    assert band[1]["y"][1:] == [r["atas_80"] for r in ahead] and band[1]["fill"] == "tonexty"
    version = published["version"]
    assert f"versi {version}" in body["note"] and landing["as_of"] in body["note"]
    kpis = {
        k["id"]: k for k in _get(client, tokens, "/api/v1/dashboards/apbn").json()["data"]["kpis"]
    }
    assert abs(kpis["proyeksi_pendapatan"]["value"] - landing["landing"]["mean"]) <= 2
    assert f"proyeksi model ML versi {version}" in kpis["proyeksi_pendapatan"]["note"]

    # the downloads hold exactly the drawn numbers, band included
    csv = _get(client, tokens, "/dashboards/apbn/figures/kumulatif_pendapatan.csv").text
    lines = csv.strip().split("\n")
    assert lines[0] == "tahun,bulan,jenis,kumulatif,bawah_80,atas_80"
    projected = [line.split(",") for line in lines[1:] if ",proyeksi," in line]
    assert [[int(v) for v in p[3:]] for p in projected] == [
        [r["kumulatif"], r["bawah_80"], r["atas_80"]] for r in ahead
    ]
    xlsx = _get(client, tokens, "/dashboards/apbn/figures/kumulatif_pendapatan.xlsx").content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_index(0).to_python()
    assert [[int(v) for v in row[3:]] for row in sheet[1:] if row[2] == "proyeksi"] == [
        [r["kumulatif"], r["bawah_80"], r["atas_80"]] for r in ahead
    ]
    # spending keeps the seasonal projection, labelled as such
    spending = _get(client, tokens, "/api/v1/dashboards/apbn/figures/kumulatif_belanja").json()
    assert "musiman" in spending["data"]["note"]


def test_an_earlier_cutoff_falls_back_to_seasonal(
    published: dict[str, Any], client: TestClient, tokens: dict[str, str]
) -> None:
    # the forecast starts after the data; a cutoff months earlier cannot use it
    url = "/api/v1/dashboards/apbn/figures/kumulatif_pendapatan?month_to=3"
    body = _get(client, tokens, url).json()["data"]
    assert "musiman" in body["note"]
    assert [c["name"] for c in body["columns"]] == ["tahun", "bulan", "jenis", "kumulatif"]


def test_a_pipeline_run_keeps_the_published_forecast(
    published: dict[str, Any], client: TestClient, tokens: dict[str, str]
) -> None:
    from treasury.warehouse.pipeline import run_pipeline
    from treasury.warehouse.serving import current_snapshot

    settings = published["settings"]
    before = _published_rows(settings)
    snapshot = current_snapshot(settings)
    result = run_pipeline(settings)
    assert result.status == "succeeded", result.message
    assert current_snapshot(settings) != snapshot
    assert _published_rows(settings) == before
    body = _get(client, tokens, "/api/v1/dashboards/apbn/figures/kumulatif_pendapatan").json()
    assert "model ML" in body["data"]["note"]


def test_publish_forecast_command_republishes_a_version(published: dict[str, Any]) -> None:
    from treasury.cli import app
    from treasury.warehouse import lake
    from treasury.warehouse import published as tables

    settings = published["settings"]
    path = tables.table_path(settings, TABLE)

    before = lake.open_table(path)
    assert before is not None
    result = CliRunner().invoke(app, ["models", "publish-forecast", "--version", "1"])
    assert result.exit_code == 0, result.output
    after = lake.open_table(path)
    assert after is not None and after.version() == before.version() + 1
    assert {r["versi_model"] for r in _published_rows(settings)} == {1}
    missing = CliRunner().invoke(app, ["models", "publish-forecast", "--version", "99"])
    assert missing.exit_code == 2 and "treasury models train forecasting" in missing.output


def test_a_retired_forecast_falls_back_to_seasonal(
    published: dict[str, Any], client: TestClient, tokens: dict[str, str]
) -> None:
    # a steward retires the forecast dataset: the dashboard still answers, projecting revenue
    # with the seasonal method (the forecast is optional data, never a reason to fail the page)
    from treasury.catalog.workflow import transition
    from treasury.dashboards.source import clear_cache
    from treasury.db.session import session_scope
    from treasury.warehouse.reader import Reader

    settings = published["settings"]
    with session_scope(settings.app_database_url) as session:
        catalog = Reader(settings).catalog(session)
        transition(session, catalog, SLUG, "retired", "steward", "steward", comment="test")
    clear_cache()
    body = _get(client, tokens, "/api/v1/dashboards/apbn/figures/kumulatif_pendapatan").json()[
        "data"
    ]
    assert "musiman" in body["note"] and "model ML" not in body["note"]
    assert any(r["jenis"] == "proyeksi" for r in body["rows"])
    kpis = {
        k["id"]: k for k in _get(client, tokens, "/api/v1/dashboards/apbn").json()["data"]["kpis"]
    }
    assert kpis["proyeksi_pendapatan"]["note"] == "proyeksi musiman"
