"""Authorization matrix: every role x endpoint family x classification x network zone.

The expected table below is written from the access rules (access/README.md), not read from the
code: public data is open to all; internal data to internal roles (analyst, steward, admin) from
anywhere and to anyone from the intranet; the restricted ``sp2d-rincian`` to the roles it names
(admin, steward, analyst) only, rows scoped to a Kanwil's provinces or a KPPN, the payee account
masked for analysts. SQL is for internal users only (anonymous 401, external 403). A refusal
leaks no row: no key value of the dataset appears in the answer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.production.pgtools import database_env
from tests.testkit import bearer, clear_caches

from treasury.catalog.ckan import resource_id

PUBLIC, INTERNAL, RESTRICTED = "bansos-2023", "kas-harian", "sp2d-rincian"
CLASSES = {"public": PUBLIC, "internal": INTERNAL, "restricted": RESTRICTED}
WHO = ("anonymous", "eksternal", "analis.pusat", "analis.jatim", "analis.surabaya", "steward")
WHO += ("admin",)
ZONES = {"internet": "203.0.113.9", "intranet": "10.20.30.40"}
FAMILIES = ("rows", "export", "sql", "ckan", "dcat", "page")
INTERNAL_ROLES = {"analis.pusat", "analis.jatim", "analis.surabaya", "steward", "admin"}
#: Rows of sp2d-rincian a scoped analyst may see (column, value).
SCOPE = {"analis.jatim": ("kode_provinsi", "35"), "analis.surabaya": ("kode_kppn", "086")}


def may_read(who: str, zone: str, classification: str) -> bool:
    """The expected read decision, from the rules in the module docstring."""
    if classification == "public":
        return True
    if classification == "internal":
        return who in INTERNAL_ROLES or zone == "intranet"
    return who in {"admin", "steward", "analis.pusat", "analis.jatim", "analis.surabaya"}


def expected(who: str, zone: str, classification: str, family: str) -> int:
    """The expected HTTP status of a family's read (200, or the refusal)."""
    allowed = may_read(who, zone, classification)
    if family == "sql":
        allowed = allowed and who in INTERNAL_ROLES
    if allowed:
        return 200
    if family == "ckan":
        return 403  # CKAN's "Authorization Error" for every refusal
    if family == "page":
        return 200  # the dataset's page shows its metadata and says why there is no preview
    return 401 if who == "anonymous" else 403


@pytest.fixture(scope="module")
def matrix_env(
    platform_home: Path, tokens: dict[str, str]
) -> Iterator[tuple[dict[str, TestClient], dict[str, str]]]:
    """Clients from each zone (intranet = 10.0.0.0/8) over the platform."""
    from tests.testkit import TEST_ENV

    from treasury.web.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TREASURY_HOME", str(platform_home))
        patch.delenv("TREASURY_DATABASE_URL", raising=False)
        for key, value in database_env(platform_home).items():
            patch.setenv(key, value)
        patch.setenv("TREASURY_INTRANET_RANGES", "10.0.0.0/8")
        patch.delenv("TREASURY_TRUSTED_PROXIES", raising=False)
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        clear_caches()
        app = create_app()
        clients = {z: TestClient(app, client=(host, 50000)) for z, host in ZONES.items()}
        for client in clients.values():
            client.__enter__()
        try:
            yield clients, tokens
        finally:
            for client in clients.values():
                client.__exit__(None, None, None)
    clear_caches()


@pytest.fixture(scope="module")
def truth(platform_home: Path) -> dict[str, object]:
    """Facts read straight from the snapshot: rows per scope and key values of each dataset."""
    from treasury.config import Settings
    from treasury.warehouse.engines.duckdb import connect
    from treasury.warehouse.serving import current_snapshot

    settings = Settings(home=platform_home, database_url="")
    path = current_snapshot(settings)
    con = connect(settings, path, read_only=True)  # the readers' configuration, or DuckDB refuses
    try:
        sp2d = con.execute(
            "SELECT nomor_sp2d, kode_provinsi, kode_kppn, rekening_penerima FROM clean_span_sp2d"
        ).fetchall()
    finally:
        con.close()
    return {
        "sp2d": sp2d,
        "keys": {r[0] for r in sp2d[:200]},
        "accounts": {r[3] for r in sp2d if r[3]},
    }


def call(client: TestClient, family: str, slug: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """One read of ``slug`` through an endpoint family."""
    if family == "rows":
        return client.get(f"/api/v1/datasets/{slug}/rows", params={"limit": 100}, headers=headers)
    if family == "export":
        return client.get(f"/api/v1/datasets/{slug}/export.csv", headers=headers)
    if family == "sql":
        table = slug.replace("-", "_")
        return client.post(
            "/api/v1/sql", json={"sql": f"SELECT * FROM {table} LIMIT 100"}, headers=headers
        )
    if family == "ckan":
        body = {"resource_id": resource_id(slug, "datastore"), "limit": 100}
        return client.post("/api/3/action/datastore_search", json=body, headers=headers)
    if family == "dcat":
        return client.get(f"/dataset/{slug}.jsonld", headers=headers)
    return client.get(f"/data/{slug}", headers=headers)


def rows_of(family: str, response) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """The data rows an allowed answer carries (empty for metadata families)."""
    if family in ("rows", "sql"):
        data = response.json()["data"]
        return list(data["rows"] if isinstance(data, dict) else data)
    if family == "export":
        return list(csv.DictReader(io.StringIO(response.text)))
    if family == "ckan":
        return list(response.json()["result"]["records"])
    return []


@pytest.mark.parametrize("classification", list(CLASSES))
@pytest.mark.parametrize("zone", list(ZONES))
@pytest.mark.parametrize("who", WHO)
def test_matrix(
    matrix_env: tuple[dict[str, TestClient], dict[str, str]],
    truth: dict[str, object],
    who: str,
    zone: str,
    classification: str,
) -> None:
    clients, tokens = matrix_env
    client = clients[zone]
    slug = CLASSES[classification]
    headers = {} if who == "anonymous" else bearer(tokens[who])
    keys: set[str] = truth["keys"]  # type: ignore[assignment]
    accounts: set[str] = truth["accounts"]  # type: ignore[assignment]
    for family in FAMILIES:
        response = call(client, family, slug, headers)
        want = expected(who, zone, classification, family)
        assert response.status_code == want, (family, response.text[:300])
        allowed = want == 200 and not (family == "page" and not may_read(who, zone, classification))
        text = response.text
        if family == "page":
            assert ('id="preview-error"' in text) is (not allowed), family
        if not allowed:
            if classification == "restricted":
                assert not any(k in text for k in keys), f"{family} leaked sp2d rows"
            if family in ("rows", "export", "sql"):
                assert response.json()["ok"] is False, family
            elif family == "dcat":
                assert "error" in response.json()
            elif family == "ckan":
                assert response.json()["success"] is False
            continue
        rows = rows_of(family, response)
        if classification != "restricted" or family in ("dcat", "page"):
            if family in ("rows", "export", "ckan", "sql"):
                assert rows, family
            continue
        assert rows, family
        scope = SCOPE.get(who)
        for row in rows:
            if scope:
                column, value = scope
                assert str(row[column]) == value, f"{family}: a row outside {who}'s scope"
            account = row.get("rekening_penerima")
            if who.startswith("analis"):
                assert account in (None, "", "***"), f"{family}: unmasked account for {who}"
            elif who in ("admin", "steward"):
                assert account in accounts or account in (None, "")
        if family == "export":
            sp2d: list[tuple[str, str, str, str]] = truth["sp2d"]  # type: ignore[assignment]
            if scope:
                index = {"kode_provinsi": 1, "kode_kppn": 2}[scope[0]]
                assert len(rows) == sum(1 for r in sp2d if r[index] == scope[1])
            else:
                assert len(rows) == len(sp2d)
