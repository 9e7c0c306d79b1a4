"""PostgreSQL going away while the app serves: requests fail cleanly (an error envelope, 503
from /readyz and the pages, never a stack trace) and the app recovers by itself when the database
is back. The outage is a TCP proxy between the app and the server that drops every connection;
the shared PostgreSQL server is never touched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import make_url
from tests.production.conftest import serve, server_log, stop, wait_ready
from tests.production.pgtools import fresh_database, server_url
from tests.production.proxy import Proxy
from tests.testkit import bearer

pytestmark = pytest.mark.skipif(
    server_url() is None, reason="TREASURY_TEST_DATABASE_URL is not set (PostgreSQL tests off)"
)


@pytest.fixture(scope="module")
def outage(private_home: Path) -> Iterator[tuple[str, Proxy, str, object]]:
    """A server whose app database is PostgreSQL behind a proxy; (url, proxy, token, server)."""
    from treasury.access import create_token, seed_demo_users
    from treasury.db import migrate
    from treasury.db.session import engine_for, session_scope

    base = server_url()
    assert base
    with fresh_database(base, "tbd_outage") as direct:
        migrate(direct)
        with session_scope(direct) as session:
            seed_demo_users(session)
            token, _ = create_token(session, "analis.pusat", days=None)
        engine_for(direct).dispose()
        parsed = urlsplit(make_url(direct).render_as_string(hide_password=False))
        proxy = Proxy((parsed.hostname or "127.0.0.1", parsed.port or 5432))
        via_proxy = make_url(direct).set(host="127.0.0.1", port=proxy.port)
        url = via_proxy.render_as_string(hide_password=False)
        server = serve(private_home, workers=1, extra_env={"TREASURY_DATABASE_URL": url})
        try:
            wait_ready(server.url)  # type: ignore[attr-defined]
            yield server.url, proxy, token, server  # type: ignore[attr-defined]
        finally:
            stop(server)
            proxy.close()


ENDPOINTS = (
    "/api/v1/datasets?limit=3",
    "/api/v1/datasets/apbn-belanja-2024/rows?limit=3",
    "/data",
    "/readyz",
)


def test_requests_fail_cleanly_and_recover(outage: tuple[str, Proxy, str, object]) -> None:
    url, proxy, token, server = outage
    headers = bearer(token)
    with httpx.Client(base_url=url, timeout=30, headers=headers) as client:
        for path in ENDPOINTS:
            assert client.get(path).status_code == 200, path
        proxy.cut()
        for path in ENDPOINTS:
            r = client.get(path)
            assert r.status_code == 503, (path, r.status_code)
            assert "Traceback" not in r.text and "psycopg" not in r.text, path
            body = r.json()
            if path == "/readyz":
                assert r.status_code == 503
                assert set(body["problems"]) == {"database"}
            else:
                assert body["ok"] is False and body["error"]["message"], path
            if path == "/data":
                assert r.status_code == 503 and body["error"]["code"] == "database_unavailable"
        assert client.get("/healthz").status_code == 200  # the process itself is alive
        proxy.restore()
        deadline = time.monotonic() + 30
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.5)
        for path in ENDPOINTS:
            assert client.get(path).status_code == 200, (path, server_log(server)[-2000:])  # type: ignore[arg-type]
