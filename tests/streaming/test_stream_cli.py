"""``treasury stream publish | consume | today`` end to end on the local NATS server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from treasury.cli import app
from treasury.config import get_settings
from treasury.sources.stream import NatsSource, SourceUnavailable, StreamConfig

from .conftest import DAY, in_thread, run_async


def invoke(runner: CliRunner, *args: Any) -> Result:
    """``runner.invoke`` on its own thread (the commands call ``asyncio.run``)."""
    return in_thread(lambda: runner.invoke(*args))


def test_publish_consume_today(
    satker_home: Path,
    stream_config: StreamConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    shutil.copytree(satker_home / "lake", home / "lake")  # the satker master
    monkeypatch.setenv("TREASURY_HOME", str(home))
    monkeypatch.setenv("TREASURY_AS_OF", DAY.isoformat())
    monkeypatch.delenv("TREASURY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    where = ["--stream", stream_config.stream, "--prefix", stream_config.prefix]
    runner = CliRunner()
    try:
        day = ["--day", DAY.isoformat(), "--scale", "tiny", "--seed", "5"]
        published = invoke(runner, app, ["stream", "publish", *day, *where])
        assert published.exit_code == 0, published.output
        assert "Published 26 events" in published.output and "26 new" in published.output
        again = invoke(runner, app, ["stream", "publish", *day, *where])
        assert "0 new, 26 repeats" in again.output  # JetStream dropped the retries

        consumed = invoke(
            runner, app, ["stream", "consume", *where, "--idle-exit", "1.5", "--max-wait", "0.3"]
        )
        assert consumed.exit_code == 0, consumed.output
        assert "Done: 26 events, 26 committed, 0 quarantined" in consumed.output

        today = invoke(runner, app, ["stream", "today"])
        assert today.exit_code == 0, today.output
        assert "span_sp2d" in today.output and "mpn_penerimaan" in today.output
        assert "│ total │    11 │" in today.output  # 11 SP2D lines on the day
        assert "│ total │    15 │" in today.output  # 15 MPN receipts
    finally:
        get_settings.cache_clear()


def test_an_unreachable_server_is_a_clear_error() -> None:
    config = StreamConfig(url="nats://127.0.0.1:1", connect_wait=0.5)
    with pytest.raises(SourceUnavailable, match=r"NATS at nats://127\.0\.0\.1:1 cannot be used"):
        run_async(NatsSource(config).connect())
