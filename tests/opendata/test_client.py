"""The Python client against the real app under uvicorn: rows and to_pandas equal the API."""

from __future__ import annotations

import httpx
import pytest

from treasury.client import OpenData, OpenDataError

SP2D = "sp2d-rincian"
PUBLIC = "bansos-2023"


def api_rows(url: str, slug: str, token: str | None, **params: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    rows: list[dict] = []
    query = {"limit": "1000", **params}
    while True:
        body = httpx.get(f"{url}/api/v1/datasets/{slug}/rows", params=query, headers=headers).json()
        rows.extend(body["data"])
        if not body["meta"]["next"]:
            return rows
        query["next"] = body["meta"]["next"]


def test_to_pandas_equals_the_api_rows(live_url: str, tokens: dict[str, str]) -> None:
    token = tokens["analis.jatim"]
    with OpenData(live_url, token=token) as od:
        frame = od.dataset(SP2D).to_pandas(page_size=300, nilai__gt=1_000_000)
    expected = api_rows(live_url, SP2D, token, nilai__gt="1000000")
    assert len(frame) == len(expected) > 300
    assert frame.to_dict("records") == expected
    assert set(frame["kode_provinsi"]) == {"35"}


def test_rows_iterates_every_page(live_url: str) -> None:
    with OpenData(live_url) as od:
        rows = list(od.dataset(PUBLIC).rows(page_size=100, bulan__in=[1, 2, 3], sort="-realisasi"))
        metadata = od.dataset(PUBLIC).metadata()
        found = od.datasets("bansos")
    assert rows == api_rows(live_url, PUBLIC, None, bulan__in="1,2,3", sort="-realisasi")
    assert {r["bulan"] for r in rows} <= {1, 2, 3}
    assert metadata["slug"] == PUBLIC
    assert PUBLIC in {d["slug"] for d in found}


def test_errors_raise(live_url: str) -> None:
    with OpenData(live_url) as od:
        with pytest.raises(OpenDataError) as info:
            list(od.dataset(SP2D).rows())
        assert info.value.status == 401
        with pytest.raises(OpenDataError) as info:
            od.dataset(PUBLIC).to_pandas(nope="1")
        assert (info.value.status, info.value.code) == (400, "unknown_column")
