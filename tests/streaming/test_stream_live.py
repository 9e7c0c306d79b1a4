"""Today's figures pushed by server-sent events: a commit shows up on an open stream (the
issue's "update within 10 s", over the real path NATS -> consumer -> lake -> SSE)."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.testkit import TEST_ENV, clear_caches, served

from treasury.config import Settings
from treasury.sources.stream import Event, NatsPublisher, NatsSource, StreamConfig
from treasury.warehouse.streaming import StreamConsumer, StreamWriter, stream_root
from treasury.web.app import create_app

from .conftest import DAY, run_async, totals
from .test_stream_writer import CONFIG, messages


def _env(home: Path, intranet: bool) -> dict[str, str]:
    env = {**os.environ, **TEST_ENV, "TREASURY_HOME": str(home), "TREASURY_AS_OF": str(DAY)}
    env.pop("TREASURY_DATABASE_URL", None)
    if intranet:
        env["TREASURY_INTRANET_RANGES"] = "127.0.0.1/32"
    return env


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app under uvicorn over an empty home (loopback is intranet); yields (url, home)."""
    home = tmp_path / "home"
    home.mkdir()
    with served(_env(home, intranet=True)) as url:
        yield url, home


def _read_events(url: str, out: queue.Queue[dict[str, Any]], stop: threading.Event) -> None:
    """Put every ``today`` event of the SSE stream on ``out``."""
    params = {"interval": "0.3", "seconds": "120"}
    try:
        with httpx.stream("GET", f"{url}/api/v1/live/today", params=params, timeout=30) as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            kind = None
            for line in answer.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: ") and kind == "today":
                    out.put(json.loads(line.removeprefix("data: ")))
    except httpx.HTTPError:
        if not stop.is_set():  # the server going away at the end of the test is expected
            raise


def test_a_commit_reaches_an_open_event_stream(
    live_server: tuple[str, Path],
    stream_settings: Settings,
    events: list[Event],
    stream_config: StreamConfig,
) -> None:
    url, home = live_server
    root = stream_root(Settings(home=home, database_url=""))
    received: queue.Queue[dict[str, Any]] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(target=_read_events, args=(url, received, stop), daemon=True)
    reader.start()
    first = received.get(timeout=30)
    assert first["day"] == DAY.isoformat()
    assert all(d["count"] == 0 for d in first["datasets"].values())

    expected = totals(events, DAY)

    async def ingest() -> float:
        publisher = NatsPublisher(stream_config)
        await publisher.connect()
        await publisher.publish_all(events)
        await publisher.close()
        published = time.monotonic()
        source = NatsSource(stream_config)
        await source.connect()
        writer = StreamWriter(stream_settings, root)
        consumer = StreamConsumer(source, writer, batch_size=500, max_wait=0.3)
        await asyncio.wait_for(consumer.run(until=lambda s: s.committed >= len(events)), 60)
        await source.close()
        writer.close()
        return published

    published = run_async(ingest())
    # The acceptance of issue 8: today's figures update within 10 s of the events.
    latest = first
    deadline = published + 10.0
    while time.monotonic() < deadline:
        try:
            latest = received.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            break
        got = {d: (v["count"], v["sum"]) for d, v in latest["datasets"].items()}
        if got == expected:
            break
    stop.set()
    got = {d: (v["count"], v["sum"]) for d, v in latest["datasets"].items()}
    assert got == expected


def test_live_figures_are_internal_and_the_page_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in _env(tmp_path, intranet=False).items():
        if key.startswith("TREASURY_"):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("TREASURY_INTRANET_RANGES", raising=False)
    clear_caches()
    try:
        with TestClient(create_app()) as client:
            refused = client.get("/api/v1/live/today", params={"max_events": 1})
            assert refused.status_code == 401
            assert refused.json()["ok"] is False
            bad = client.get("/api/v1/live/today", params={"interval": 0})
            assert bad.status_code == 400
            assert "interval" in bad.json()["error"]["message"]
            page = client.get("/live")
            assert page.status_code == 200
            assert 'new EventSource("/api/v1/live/today")' in page.text
            assert "Angka hari ini" in page.text
            english = client.get("/live", params={"lang": "en"})
            assert "Today&#39;s figures" in english.text or "Today's figures" in english.text
    finally:
        clear_caches()


def test_the_live_page_updates_in_a_browser(
    live_server: tuple[str, Path], page: Any, stream_settings: Settings, events: list[Event]
) -> None:
    from playwright.sync_api import expect

    url, home = live_server
    page.goto(f"{url}/live")
    expect(page.locator("#live-status")).to_contain_text("Diperbarui", timeout=20_000)
    sp2d_count = page.locator("#card-span_sp2d [data-field=count]")
    expect(sp2d_count).to_have_text("0")

    writer = StreamWriter(stream_settings, stream_root(Settings(home=home, database_url="")))
    writer.commit(messages(events), CONFIG.dataset_of)
    writer.close()
    expected = totals(events, DAY)
    expect(sp2d_count).to_have_text(str(expected["span_sp2d"][0]), timeout=20_000)
    mpn_count = page.locator("#card-mpn_penerimaan [data-field=count]")
    expect(mpn_count).to_have_text(str(expected["mpn_penerimaan"][0]))
    assert page.locator("#live-hours tbody tr").count() >= 5
    assert page.locator("#card-span_sp2d [data-field=sum]").inner_text().startswith("Rp ")
    assert page.console_errors == []
