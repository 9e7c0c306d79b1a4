"""The CKAN-compatible Action API over HTTP: envelopes, statuses, actions, datastore, dump.

The real app runs under uvicorn in a subprocess over the tiny platform of ``conftest.py``.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from treasury.catalog import load_catalog
from treasury.catalog.formats import resource_id

INTERNAL = "kas-harian"
RESTRICTED = "sp2d-rincian"
PUBLIC = "bansos-2023"


@dataclass(frozen=True)
class Served:
    """A running app: its URL, its home, and an analyst's API token."""

    url: str
    home: Path
    token: str


@pytest.fixture(scope="session")
def served(live_url: str, platform_home: Path, tokens: dict[str, str]) -> Served:
    """The real app under uvicorn over the shared open-data platform (``conftest.py``)."""
    return Served(live_url, platform_home, tokens["analis.pusat"])


@pytest.fixture(scope="session")
def api(served: Served) -> str:
    """The Action API base of the served app."""
    return f"{served.url}/api/3/action"


def rid(slug: str, key: str = "datastore") -> str:
    """A dataset's resource id."""
    return resource_id(slug, key)


# -- envelope and statuses ------------------------------------------------------------------


def test_success_envelope_is_ckans(api: str, served: Served) -> None:
    r = httpx.get(f"{api}/package_list")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"help", "success", "result"}
    assert body["success"] is True
    assert body["help"] == f"{served.url}/api/3/action/help_show?name=package_list"
    assert PUBLIC in body["result"]


@pytest.mark.parametrize(
    ("action", "payload", "status", "kind"),
    [
        ("no_such_action", {}, 400, "Bad request"),
        ("package_show", {"id": "tidak-ada"}, 404, "Not Found Error"),
        ("package_show", {}, 409, "Validation Error"),
        ("package_show", {"id": INTERNAL}, 403, "Authorization Error"),
        ("package_show", {"id": RESTRICTED}, 403, "Authorization Error"),
        ("package_search", {"sort": "bogus desc"}, 400, "Search Query Error"),
        ("package_search", {"fq": "nonsense:x"}, 400, "Search Query Error"),
        ("package_search", {"rows": "many"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": "tidak-ada"}, 404, "Not Found Error"),
        (
            "datastore_search",
            {"resource_id": rid(PUBLIC), "filters": {"x": 1}},
            409,
            "Validation Error",
        ),
        ("datastore_search", {"resource_id": rid(PUBLIC), "sort": "nope"}, 409, "Validation Error"),
        ("datastore_search", {"resource_id": rid(INTERNAL)}, 403, "Authorization Error"),
        ("datastore_search_sql", {"sql": "select 1"}, 403, "Authorization Error"),
    ],
)
def test_error_envelopes(api: str, action: str, payload: dict, status: int, kind: str) -> None:
    r = httpx.post(f"{api}/{action}", json=payload)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"help", "success", "error"}
    assert body["success"] is False
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    assert body["error"]["__type"] == kind
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_malformed_bodies_are_bad_requests(api: str) -> None:
    for content in (b"{not json", b"[1, 2]"):
        r = httpx.post(
            f"{api}/package_show", content=content, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400
        assert r.json()["error"]["__type"] == "Bad request"


def test_get_post_form_and_both_prefixes(api: str, served: Served) -> None:
    ways = [
        httpx.get(f"{api}/package_show", params={"id": PUBLIC}),
        httpx.get(f"{served.url}/api/action/package_show", params={"id": PUBLIC}),
        httpx.post(f"{served.url}/api/action/package_show", json={"id": PUBLIC}),
        httpx.post(f"{api}/package_show", data={"id": PUBLIC}),
        httpx.post(f"{api}/package_show", data={json.dumps({"id": PUBLIC}): ""}),
    ]
    for r in ways:
        assert r.status_code == 200, r.text
        assert r.json()["result"]["name"] == PUBLIC


def test_a_post_is_never_redirected(api: str) -> None:
    r = httpx.post(f"{api}/package_show/", json={"id": PUBLIC}, follow_redirects=False)
    assert r.status_code == 200
    assert r.json()["result"]["name"] == PUBLIC


# -- catalog actions ------------------------------------------------------------------------


def test_package_show_ignores_unknown_keys_and_accepts_the_id(api: str) -> None:
    by_name = httpx.post(f"{api}/package_show", json={"id": PUBLIC, "use_default_schema": True})
    package = by_name.json()["result"]
    by_id = httpx.post(f"{api}/package_show", json={"id": package["id"], "include_tracking": 1})
    assert by_id.json()["result"] == package
    assert [r["format"] for r in package["resources"]] == ["API", "CSV"]
    assert package["num_resources"] == 2
    assert all(r["url"].startswith("http://127.0.0.1:") for r in package["resources"])


def test_package_search_pages_facets_and_caps_rows(api: str) -> None:
    every = httpx.get(f"{api}/package_search", params={"rows": 5000}).json()["result"]
    public = [d.slug for d in load_catalog() if d.classification == "public"]
    assert every["count"] == len(public)
    assert sorted(p["name"] for p in every["results"]) == sorted(public)
    seen = []
    for start in range(0, every["count"], 7):
        page = httpx.get(f"{api}/package_search", params={"rows": 7, "start": start})
        seen += [p["name"] for p in page.json()["result"]["results"]]
    assert sorted(seen) == sorted(public)

    as_json = httpx.get(
        f"{api}/package_search",
        params={"q": "bansos", "facet.field": '["organization", "res_format"]', "facet.limit": 1},
    ).json()["result"]
    as_list = httpx.post(
        f"{api}/package_search",
        json={"q": "bansos", "facet.field": ["organization", "res_format"], "facet.limit": 1},
    ).json()["result"]
    assert as_json["facets"] == as_list["facets"]
    assert set(as_json["facets"]) == {"organization", "res_format"}
    assert all(len(v) == 1 for v in as_json["facets"].values())
    assert as_json["results"][0]["name"].startswith("bansos-")

    org = httpx.get(f"{api}/package_search", params={"fq": "organization:bps", "rows": 100})
    assert {p["organization"]["name"] for p in org.json()["result"]["results"]} == {"bps"}
    named = httpx.get(f"{api}/package_search", params={"fq": f"name:{PUBLIC}"}).json()
    assert [p["name"] for p in named["result"]["results"]] == [PUBLIC]


def test_private_datasets_need_a_token_and_include_private(api: str, served: Served) -> None:
    for header in (
        {"Authorization": served.token},
        {"Authorization": f"Bearer {served.token}"},
        {"X-CKAN-API-Key": served.token},
    ):
        r = httpx.post(f"{api}/package_show", json={"id": INTERNAL}, headers=header)
        assert r.status_code == 200, r.text
    found = httpx.post(
        f"{api}/package_search",
        json={"include_private": True, "rows": 1000},
        headers={"Authorization": served.token},
    ).json()["result"]
    assert {INTERNAL, RESTRICTED} <= {p["name"] for p in found["results"]}
    anonymous = httpx.post(f"{api}/package_search", json={"include_private": True, "rows": 1000})
    assert INTERNAL not in {p["name"] for p in anonymous.json()["result"]["results"]}
    bad = httpx.post(f"{api}/package_list", headers={"Authorization": "tbd_00000000_nope"})
    assert bad.status_code == 403
    assert bad.json()["error"]["__type"] == "Authorization Error"


def test_organizations_groups_tags_resources_status_help(api: str) -> None:
    names = httpx.get(f"{api}/organization_list").json()["result"]
    full = httpx.get(f"{api}/organization_list", params={"all_fields": "true"}).json()["result"]
    assert names == [o["name"] for o in full] and "bps" in names
    assert all("package_count" in o for o in full)
    org = httpx.get(f"{api}/organization_show", params={"id": "bps"}).json()["result"]
    assert org["title"] == "Badan Pusat Statistik"
    assert httpx.get(f"{api}/organization_show", params={"id": "x"}).status_code == 404
    assert "statistik" in httpx.get(f"{api}/group_list").json()["result"]
    assert "apbn" in httpx.get(f"{api}/tag_list").json()["result"]
    resource = httpx.get(f"{api}/resource_show", params={"id": rid(PUBLIC, "csv")}).json()
    assert resource["result"]["format"] == "CSV"
    status = httpx.get(f"{api}/status_show").json()["result"]
    assert status["ckan_version"].startswith("2.10") and "datastore" in status["extensions"]
    text = httpx.get(f"{api}/help_show", params={"name": "datastore_search"}).json()["result"]
    assert "records_format" in text


# -- datastore ------------------------------------------------------------------------------


def test_datastore_search_shape_and_limits(api: str) -> None:
    r = httpx.post(f"{api}/datastore_search", json={"resource_id": rid(PUBLIC)})
    result = r.json()["result"]
    assert result["limit"] == 100
    assert len(result["records"]) == min(100, result["total"])
    columns = load_catalog().get(PUBLIC).columns
    assert [f["id"] for f in result["fields"]] == list(columns)
    assert set(result["_links"]) == {"start", "next"}
    capped = httpx.post(
        f"{api}/datastore_search", json={"resource_id": rid(PUBLIC), "limit": 99999}
    ).json()["result"]
    assert capped["limit"] == 32000
    fields_only = httpx.post(
        f"{api}/datastore_search", json={"resource_id": rid(PUBLIC), "limit": 0}
    ).json()["result"]
    assert fields_only["records"] == [] and fields_only["total"] == result["total"]


def test_datastore_offset_paging_matches_one_page(api: str) -> None:
    base = {"resource_id": rid(PUBLIC), "sort": "kode_satker, bulan desc"}
    whole = httpx.post(f"{api}/datastore_search", json={**base, "limit": 1000}).json()["result"]
    pages = []
    for offset in range(0, whole["total"], 7):
        page = httpx.post(f"{api}/datastore_search", json={**base, "limit": 7, "offset": offset})
        pages += page.json()["result"]["records"]
    assert pages == whole["records"]

    keyset, body = [], {**base, "limit": 7, "include_next_page": True}
    while True:
        result = httpx.post(f"{api}/datastore_search", json=body).json()["result"]
        keyset += result["records"]
        if "next_page" not in result:
            break
        body = {**body, "next_page": result["next_page"]}
    assert keyset == whole["records"]


def test_datastore_filters_fields_and_formats(api: str) -> None:
    body = {
        "resource_id": rid(PUBLIC),
        "filters": json.dumps({"bulan": [1, 2]}),
        "fields": "bulan,kode_ba",
        "sort": "bulan desc",
        "limit": 5,
    }
    objects = httpx.get(f"{api}/datastore_search", params=body).json()["result"]
    assert objects["records"] and all(set(r) == {"bulan", "kode_ba"} for r in objects["records"])
    assert all(r["bulan"] in (1, 2) for r in objects["records"])
    lists = httpx.get(f"{api}/datastore_search", params={**body, "records_format": "lists"})
    assert lists.json()["result"]["records"] == [
        [r["bulan"], r["kode_ba"]] for r in objects["records"]
    ]
    text = httpx.get(f"{api}/datastore_search", params={**body, "records_format": "csv"})
    rows = list(csv.reader(io.StringIO(text.json()["result"]["records"])))
    assert rows == [[str(r["bulan"]), r["kode_ba"]] for r in objects["records"]]


def test_datastore_info_and_sql_for_an_internal_user(api: str, served: Served) -> None:
    info = httpx.post(f"{api}/datastore_info", json={"id": rid(PUBLIC)}).json()["result"]
    assert info["meta"]["count"] > 0
    token = {"Authorization": served.token}
    sql = f'SELECT count(*) AS n FROM "{rid(PUBLIC)}"'
    r = httpx.post(f"{api}/datastore_search_sql", json={"sql": sql}, headers=token)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["records"] == [{"n": info["meta"]["count"]}]
    refused = httpx.post(
        f"{api}/datastore_search_sql",
        json={"sql": "SELECT * FROM read_csv('/etc/passwd')"},
        headers=token,
    )
    assert refused.status_code in (403, 409)
    assert refused.json()["success"] is False


def test_datastore_dump_formats(served: Served, api: str) -> None:
    total = httpx.post(f"{api}/datastore_info", json={"id": rid(PUBLIC)}).json()["result"]
    count = total["meta"]["count"]
    url = f"{served.url}/datastore/dump/{rid(PUBLIC)}"
    r = httpx.get(url, params={"format": "csv", "bom": "true"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == count + 1
    tsv = httpx.get(url, params={"format": "tsv"}).text.splitlines()
    assert len(tsv) == count + 1 and "\t" in tsv[0]
    data = httpx.get(url, params={"format": "json"}).json()
    assert len(data["records"]) == count and data["fields"][0]["id"] == "tahun"
    root = ET.fromstring(httpx.get(url, params={"format": "xml"}).content)
    assert len(root.findall("row")) == count
    assert httpx.get(f"{served.url}/datastore/dump/{rid(INTERNAL)}").status_code == 403


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("datastore_search", {"filters": {"bulan": {"a": 1}}}),
        ("datastore_search", {"filters": {"bulan": "abc"}}),
        ("datastore_search", {"filters": {"bulan": [[1]]}}),
        ("datastore_search", {"filters": [1]}),
        ("datastore_search", {"fields": {"a": 1}}),
        ("datastore_search", {"sort": {"a": 1}}),
        ("datastore_search", {"q": ["x"]}),
        ("datastore_search", {"q": {"bulan": "1"}}),
        ("datastore_search", {"records_format": ["x"]}),
        ("datastore_search", {"limit": -1}),
        ("datastore_search", {"next_page": "garbage"}),
        ("organization_list", {"organizations": 5}),
        ("package_search", {"facet.field": [1]}),
        ("package_search", {"rows": 1.5}),
    ],
)
def test_bad_parameters_are_validation_errors_never_faults(
    api: str, action: str, payload: dict
) -> None:
    r = httpx.post(f"{api}/{action}", json={"resource_id": rid(PUBLIC), **payload})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["__type"] == "Validation Error"


def test_datastore_filters_are_typed_like_the_native_api(api: str) -> None:
    base = {"resource_id": rid(PUBLIC), "limit": 1000}
    as_text = httpx.post(f"{api}/datastore_search", json={**base, "filters": {"bulan": "3"}})
    as_number = httpx.post(f"{api}/datastore_search", json={**base, "filters": {"bulan": 3}})
    records = as_text.json()["result"]["records"]
    assert records and records == as_number.json()["result"]["records"]
    assert {r["bulan"] for r in records} == {3}
    code = records[0]["kode_ba"]
    text = httpx.post(f"{api}/datastore_search", json={**base, "q": {"kode_ba": code}})
    assert all(code in r["kode_ba"] for r in text.json()["result"]["records"])
    dump = httpx.get(
        api.replace("/api/3/action", f"/datastore/dump/{rid(PUBLIC)}"),
        params={"bom": "maybe"},
    )
    assert dump.status_code == 409
