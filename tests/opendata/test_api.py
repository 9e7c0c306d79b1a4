"""Native API v1 over the real app: envelope shapes, search, rows, policies, SQL, rate limits."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

SP2D = "sp2d-rincian"
INTERNAL = "kas-harian"
PUBLIC = "bansos-2023"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_success(body: dict) -> None:
    assert set(body) == {"ok", "data", "meta"}
    assert body["ok"] is True
    assert isinstance(body["meta"], dict)


def assert_error(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"ok", "error"}
    assert body["ok"] is False
    assert set(body["error"]) == {"status", "code", "message", "hint"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# -- success shapes --------------------------------------------------------------------------


def test_search_with_facets_and_paging(api_client: TestClient) -> None:
    first = api_client.get("/api/v1/datasets", params={"limit": 5}).json()
    assert_success(first)
    assert len(first["data"]) == 5
    assert first["meta"]["count"] > 5 and first["meta"]["next_offset"] == 5
    assert "category" in first["meta"]["facets"]
    assert {d["classification"] for d in first["data"]} == {"public"}  # anonymous: public only
    following = api_client.get("/api/v1/datasets", params={"limit": 5, "offset": 5}).json()
    assert not {d["slug"] for d in first["data"]} & {d["slug"] for d in following["data"]}
    found = api_client.get("/api/v1/datasets", params={"q": "bansos"}).json()
    assert PUBLIC in [d["slug"] for d in found["data"]]
    pagu = api_client.get("/api/v1/datasets", params={"category": "PAGU", "limit": 100}).json()
    assert pagu["data"] and {d["category"] for d in pagu["data"]} == {"PAGU"}


def test_search_shows_what_the_user_may_read(
    api_client: TestClient, tokens: dict[str, str]
) -> None:
    params = {"limit": 100}
    steward = api_client.get("/api/v1/datasets", params=params, headers=bearer(tokens["steward"]))
    analyst = api_client.get(
        "/api/v1/datasets", params=params, headers=bearer(tokens["analis.pusat"])
    )
    slugs = {d["slug"] for d in analyst.json()["data"]}
    assert {SP2D, INTERNAL, PUBLIC} <= slugs
    assert INTERNAL in {d["slug"] for d in steward.json()["data"]}


def test_dataset_metadata_with_table_schema(api_client: TestClient) -> None:
    body = api_client.get(f"/api/v1/datasets/{PUBLIC}").json()
    assert_success(body)
    data = body["data"]
    assert data["slug"] == PUBLIC and data["title"] == "BANSOS 2023"
    assert [f["name"] for f in data["schema"]["fields"]][:2] == ["tahun", "bulan"]
    assert data["links"]["export_csv"].endswith(f"/api/v1/datasets/{PUBLIC}/export.csv")


def test_rows_pages_to_the_end(
    api_client: TestClient, tokens: dict[str, str], snapshot: duckdb.DuckDBPyConnection
) -> None:
    params: dict[str, str | int] = {"limit": 1000, "sort": "-nilai", "nilai__gt": 0}
    seen: list[tuple[str, int]] = []
    while True:
        body = api_client.get(
            f"/api/v1/datasets/{SP2D}/rows", params=params, headers=bearer(tokens["admin"])
        ).json()
        assert_success(body)
        seen.extend((r["nomor_sp2d"], r["baris"]) for r in body["data"])
        if not body["meta"]["next"]:
            break
        assert "next=" in body["meta"]["next_url"]
        params["next"] = body["meta"]["next"]
    expected = snapshot.execute("select count(*) from clean_span_sp2d where nilai > 0").fetchone()
    assert len(seen) == len(set(seen)) == expected[0]


def test_rows_columns_filters_total_and_schema(api_client: TestClient) -> None:
    params = {"columns": "bulan,realisasi", "bulan__in": "1,2,3", "total": "true", "limit": 3}
    body = api_client.get(f"/api/v1/datasets/{PUBLIC}/rows", params=params).json()
    assert_success(body)
    assert body["meta"]["columns"] == ["bulan", "realisasi"]
    assert all(set(r) == {"bulan", "realisasi"} and r["bulan"] in (1, 2, 3) for r in body["data"])
    assert body["meta"]["total"] >= len(body["data"]) == 3
    assert [f["name"] for f in body["meta"]["schema"]["fields"]] == ["bulan", "realisasi"]


def test_row_policies_per_role(api_client: TestClient, tokens: dict[str, str]) -> None:
    def rows(user: str) -> list[dict]:
        response = api_client.get(
            f"/api/v1/datasets/{SP2D}/rows", params={"limit": 1000}, headers=bearer(tokens[user])
        )
        assert response.status_code == 200, response.text
        return response.json()["data"]

    assert {r["kode_provinsi"] for r in rows("analis.jatim")} == {"35"}
    assert len({r["kode_kppn"] for r in rows("analis.surabaya")}) == 1
    assert {r["rekening_penerima"] for r in rows("analis.pusat")} <= {"***", None}
    assert "***" not in {r["rekening_penerima"] for r in rows("steward")}
    assert_error(
        api_client.get(f"/api/v1/datasets/{INTERNAL}/rows", headers=bearer(tokens["eksternal"])),
        403,
        "forbidden",
    )
    assert_error(api_client.get(f"/api/v1/datasets/{INTERNAL}/rows"), 401, "unauthorized")
    assert_error(api_client.get(f"/api/v1/datasets/{INTERNAL}"), 401, "unauthorized")


def test_datapackage(api_client: TestClient) -> None:
    package = api_client.get(f"/api/v1/datasets/{PUBLIC}/datapackage.json").json()
    assert package["name"] == PUBLIC
    assert package["resources"][0]["path"].endswith(f"/api/v1/datasets/{PUBLIC}/export.csv")


def test_sql(api_client: TestClient, tokens: dict[str, str]) -> None:
    sql = "select kode_provinsi, count(*) as n from sp2d_rincian group by 1"
    body = api_client.post(
        "/api/v1/sql", json={"sql": sql, "limit": 10}, headers=bearer(tokens["analis.jatim"])
    ).json()
    assert_success(body)
    assert [r["kode_provinsi"] for r in body["data"]] == ["35"]
    assert body["meta"]["columns"] == ["kode_provinsi", "n"] and body["meta"]["truncated"] is False
    capped = api_client.post(
        "/api/v1/sql",
        json={"sql": "select nomor_sp2d from sp2d_rincian", "limit": 5},
        headers=bearer(tokens["admin"]),
    ).json()
    assert capped["meta"]["count"] == 5 and capped["meta"]["truncated"] is True


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH 'x.duckdb' AS x",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "PRAGMA database_list",
        "SET threads = 1",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SELECT * FROM clean_span_sp2d",
    ],
)
def test_sql_refusals_are_400(api_client: TestClient, tokens: dict[str, str], sql: str) -> None:
    response = api_client.post("/api/v1/sql", json={"sql": sql}, headers=bearer(tokens["admin"]))
    assert_error(response, 400, "bad_sql")


# -- error shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (f"/api/v1/datasets/{PUBLIC}/rows", {"nope__eq": "1"}, 400, "unknown_column"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"bulan__between": "1"}, 400, "bad_filter"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"bulan__gt": "januari"}, 400, "bad_filter"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"limit": "5000"}, 400, "bad_request"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"limit": "lots"}, 400, "bad_request"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"next": "not-a-token"}, 400, "bad_token"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"sort": "-nope"}, 400, "unknown_column"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"version": "-1"}, 400, "bad_request"),
        (f"/api/v1/datasets/{PUBLIC}/rows", {"columns": "bulan,bulan"}, 400, "bad_columns"),
        ("/api/v1/datasets", {"sort": "nonsense desc"}, 400, "bad_search"),
        ("/api/v1/datasets", {"offset": "-1"}, 400, "bad_request"),
        ("/api/v1/datasets/no-such-dataset", {}, 404, "not_found"),
        ("/api/v1/datasets/no-such-dataset/rows", {}, 404, "not_found"),
        ("/api/v1/datasets/BAD_SLUG!/rows", {}, 400, "bad_request"),
        (f"/api/v1/datasets/{SP2D}/rows", {}, 401, "unauthorized"),
        (f"/api/v1/datasets/{SP2D}/export.csv", {}, 401, "unauthorized"),
        (f"/api/v1/datasets/{SP2D}/export.xlsx", {}, 401, "unauthorized"),
        (f"/api/v1/datasets/{PUBLIC}/export.exe", {}, 400, "bad_request"),
    ],
)
def test_error_shapes(
    api_client: TestClient, path: str, params: dict, status: int, code: str
) -> None:
    assert_error(api_client.get(path, params=params), status, code)


def test_error_shapes_for_bodies_and_tokens(api_client: TestClient, tokens: dict[str, str]) -> None:
    assert_error(api_client.post("/api/v1/sql", json={}), 400, "bad_request")
    assert_error(api_client.post("/api/v1/sql", content=b"{not json"), 400, "bad_request")
    assert_error(api_client.post("/api/v1/sql", json={"sql": "select 1"}), 401, "unauthorized")
    eksternal = bearer(tokens["eksternal"])
    assert_error(api_client.post("/api/v1/sql", json={"sql": "select 1"}, headers=eksternal), 403)
    bad = {"Authorization": "Bearer tbd_00000000_nope"}
    error = assert_error(api_client.get("/api/v1/datasets", headers=bad), 401, "invalid_token")
    assert error["message"]
    for headers in (
        {"Authorization": tokens["analis.pusat"]},
        {"X-CKAN-API-Key": tokens["analis.pusat"]},
    ):
        response = api_client.get(f"/api/v1/datasets/{INTERNAL}", headers=headers)
        assert response.status_code == 200


def test_format_not_offered_is_404(
    api_client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.catalog import load_catalog

    catalog = load_catalog()
    csv_only = catalog.get(SP2D).model_copy(update={"formats": ("csv",)})
    monkeypatch.setitem(catalog._datasets, SP2D, csv_only)  # a dataset offered as CSV only
    response = api_client.get(
        f"/api/v1/datasets/{SP2D}/export.xlsx", headers=bearer(tokens["admin"])
    )
    assert_error(response, 404, "format_unavailable")
    assert "csv" in response.json()["error"]["hint"]


def test_masked_column_filter_is_refused(api_client: TestClient, tokens: dict[str, str]) -> None:
    response = api_client.get(
        f"/api/v1/datasets/{SP2D}/rows",
        params={"rekening_penerima__startswith": "1"},
        headers=bearer(tokens["analis.pusat"]),
    )
    assert_error(response, 403, "masked_column")


def test_rate_limit_is_429_with_retry_after(od_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from treasury.access import get_access_settings
    from treasury.web.app import create_app

    monkeypatch.setenv("TREASURY_RATELIMIT_ADDRESS_PER_MINUTE", "3")
    get_access_settings.cache_clear()  # type: ignore[attr-defined]
    with TestClient(create_app()) as client:
        statuses = [client.get("/api/v1/datasets").status_code for _ in range(5)]
        response = client.get("/api/v1/datasets")
    get_access_settings.cache_clear()  # type: ignore[attr-defined]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1
