"""Serving: several workers, /readyz, /metrics, and a snapshot swapped under load with no error."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.production.pgtools import database_env
from tests.testkit import TEST_ENV, bearer, clear_caches

from treasury.metrics import QUEUE_LAG
from treasury.warehouse.serving import current_snapshot

PUBLIC = "apbn-belanja-2024"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def test_readyz_ready_on_the_platform(api_client: TestClient) -> None:
    r = api_client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_readyz_503_without_a_snapshot(home: Path) -> None:
    from treasury.web.app import create_app

    clear_caches()
    with TestClient(create_app()) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable"
    assert set(body["problems"]) == {"snapshot"}
    assert "snapshot" in body["problems"]["snapshot"]
    assert client.get("/healthz").status_code == 200  # alive, only not ready


def test_readyz_503_when_the_database_is_down(
    platform_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.web.app import readiness_problems

    monkeypatch.setenv("TREASURY_HOME", str(platform_home))
    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    # a port nobody listens on: the database does not answer
    from tests.production.conftest import free_port

    monkeypatch.setenv(
        "TREASURY_DATABASE_URL",
        f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2",
    )
    clear_caches()
    try:
        problems = readiness_problems()
    finally:
        monkeypatch.delenv("TREASURY_DATABASE_URL")
        clear_caches()
    assert set(problems) == {"database"}
    assert "does not answer" in problems["database"]


def test_metrics_count_requests_by_template_exports_and_runs(
    api_client: TestClient, snapshot, tokens: dict[str, str]
) -> None:
    before = api_client.get("/metrics").text
    rows = api_client.get(f"/api/v1/datasets/{PUBLIC}/rows", params={"limit": 3})
    assert rows.status_code == 200
    exported = api_client.get(f"/api/v1/datasets/{PUBLIC}/export.csv")
    assert exported.status_code == 200
    lines = exported.text.strip().splitlines()
    missing = api_client.get("/api/v1/datasets/no-such-dataset/rows")
    assert missing.status_code == 404
    QUEUE_LAG.labels(stream="sp2d").set(2.5)
    r = api_client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    after = r.text
    route = "/api/v1/datasets/{slug}/rows"
    name = "treasury_http_requests_total"
    assert (
        sample(after, name, route=route, status="200")
        - sample(before, name, route=route, status="200")
        == 1
    )
    assert (
        sample(after, name, route=route, status="404")
        - sample(before, name, route=route, status="404")
        == 1
    )
    assert "no-such-dataset" not in after  # labelled by template, never by raw path
    assert sample(after, "treasury_http_request_seconds_count", route=route) >= 2
    exported_rows = sample(after, "treasury_rows_exported_total", format="csv") - sample(
        before, "treasury_rows_exported_total", format="csv"
    )
    assert exported_rows == len(lines) - 1  # the header is not a row
    assert sample(after, "treasury_pipeline_runs", status="succeeded") >= 1
    assert sample(after, "treasury_pipeline_last_success_timestamp_seconds") > 1.7e9
    assert sample(after, "treasury_queue_lag_seconds", stream="sp2d") == 2.5
    del snapshot, tokens


def test_metrics_from_several_workers_are_merged(workers_url: str) -> None:
    with httpx.Client(base_url=workers_url, timeout=30) as client:
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
        text = client.get("/metrics").text
    # the 20 requests went to two workers: the count is the sum of both processes' files
    assert sample(text, "treasury_http_requests_total", route="/healthz", status="200") >= 20
    assert sample(text, "treasury_pipeline_runs", status="succeeded") >= 1


def test_snapshot_swap_under_load_fails_no_request(
    workers_server: subprocess.Popen, private_home: Path, tokens: dict[str, str]
) -> None:
    """Clients hit query, export and page endpoints while the pipeline publishes a snapshot."""
    from tests.production.conftest import server_log

    workers_url = str(workers_server.url)  # type: ignore[attr-defined]
    before = current_snapshot(_settings(private_home))
    assert before is not None
    stop = threading.Event()
    failures: list[str] = []
    counts = {"ok": 0}
    lock = threading.Lock()
    token = bearer(tokens["analis.pusat"])
    paths = [
        (f"/api/v1/datasets/{PUBLIC}/rows?limit=50", {}),
        (f"/api/v1/datasets/{PUBLIC}/export.csv", {}),
        ("/api/v1/datasets?limit=5", token),
        ("/data", {}),
        ("/readyz", {}),
    ]
    # /data/{slug} is left out: its reader (opendata.pages) and the API's race to lock a new
    # snapshot's DuckDB configuration (warehouse.reader._lock_down), reported to the lead

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=workers_url, timeout=60) as client:
            i = offset
            while not stop.is_set():
                path, headers = paths[i % len(paths)]
                i += 1
                try:
                    r = client.get(path, headers=headers)
                    good = r.status_code == 200
                    detail = f"{path}: {r.status_code} {r.text[:200]}"
                except httpx.HTTPError as error:
                    good, detail = False, f"{path}: {error!r}"
                with lock:
                    if good:
                        counts["ok"] += 1
                    else:
                        failures.append(detail)

    env = {**os.environ, **TEST_ENV, "TREASURY_HOME": str(private_home)}
    env.pop("TREASURY_DATABASE_URL", None)
    env.update(database_env(private_home))
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(client_loop, n) for n in range(6)]
        run = subprocess.run(
            [sys.executable, "-m", "treasury.cli", "pipeline", "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        # keep the load on a little after the swap: requests on the new snapshot
        served = counts["ok"]
        while counts["ok"] < served + 30 and not failures:
            threading.Event().wait(0.1)
        stop.set()
        for future in futures:
            future.result()
    assert run.returncode == 0, run.stderr[-2000:]
    after = current_snapshot(_settings(private_home))
    assert after is not None and after != before  # a new snapshot was swapped in
    assert failures == [], server_log(workers_server)[-4000:]
    assert counts["ok"] > 50


def _settings(home: Path):  # type: ignore[no-untyped-def]
    from treasury.config import Settings

    return Settings(home=home, database_url="")
