"""Published tables: checked against their declaration, versioned in the lake, swapped into a
new snapshot atomically, never while a pipeline run holds the lock."""

from __future__ import annotations

import datetime as dt
import fcntl
import os

import pyarrow as pa
import pytest

from treasury.config import Settings
from treasury.dashboards.source import snapshot_time
from treasury.warehouse import lake, published, serving
from treasury.warehouse.published import TABLES, PublishError, conform, publish_table

NAME = "mart_proyeksi_pendapatan"


def _forecast(version: int, months: int = 2) -> pa.Table:
    rows = [
        {
            "tahun": 2026,
            "bulan": 11 + i,
            "kelompok": "total",
            "proyeksi": 100 + i,
            "bawah_80": 90,
            "atas_80": 110 + i,
            "bawah_95": 80,
            "atas_95": 120 + i,
            "versi_model": version,
            "dilatih_pada": dt.datetime(2026, 12, 4, 21, 0),
            "data_sampai": dt.date(2026, 11, 23),
            "extra": "dropped",
        }
        for i in range(months)
    ]
    return pa.Table.from_pylist(rows)


@pytest.fixture
def serving_home(settings: Settings) -> Settings:
    """A home with a first snapshot holding one small table."""
    serving.publish(settings, "20261204T000000-aaaaaa", {"mart_x": pa.table({"a": [1, 2]})}, {})
    return settings


def test_conform_checks_the_declaration() -> None:
    table = conform(NAME, _forecast(1))
    assert table.schema == TABLES[NAME].schema  # extra column dropped, types cast
    with pytest.raises(PublishError, match="missing columns proyeksi"):
        conform(NAME, _forecast(1).drop_columns(["proyeksi"]))
    with pytest.raises(PublishError, match="not a published table"):
        conform("mart_apbn_bulanan", _forecast(1))
    bad = _forecast(1).set_column(3, "proyeksi", pa.array(["banyak", "x"]))
    with pytest.raises(PublishError, match="proyeksi: not int64"):
        conform(NAME, bad)
    no_key = _forecast(1).set_column(2, "kelompok", pa.array([None, "total"], pa.string()))
    with pytest.raises(PublishError, match="kelompok: a key column has empty values"):
        conform(NAME, no_key)


def test_publish_versions_the_lake_table_and_swaps_a_new_snapshot(serving_home: Settings) -> None:
    first = serving.current_snapshot(serving_home)
    version, snapshot = publish_table(serving_home, NAME, _forecast(1))
    assert version == 0 and snapshot != first
    assert serving.current_snapshot(serving_home) == snapshot
    con = serving.open_snapshot(serving_home)
    try:
        assert con.execute("select sum(a) from mart_x").fetchone() == (3,)  # the rest is kept
        assert con.execute(f"select count(*), max(versi_model) from {NAME}").fetchone() == (2, 1)
    finally:
        con.close()
    version, again = publish_table(serving_home, NAME, _forecast(2, months=1))
    assert version == 1
    # named after the pipeline run whose data they serve (pages show that run's time)
    for path in (snapshot, again):
        assert path.name.startswith("snapshot-20261204T000000-aaaaaa-p2")
        assert snapshot_time(path) == dt.datetime(2026, 12, 4, 0, 0)
    assert published.published_tables(serving_home)[NAME].column("versi_model").to_pylist() == [2]
    old = lake.read(published.table_path(serving_home, NAME), version=0)
    assert old is not None and old.count_rows() == 2  # time travel like every lake table


def test_before_any_publish_the_table_is_served_empty(settings: Settings) -> None:
    tables = published.published_tables(settings)
    assert set(tables) == set(TABLES)
    assert tables[NAME].num_rows == 0 and tables[NAME].schema == TABLES[NAME].schema


def test_publish_needs_a_snapshot(settings: Settings) -> None:
    with pytest.raises(FileNotFoundError, match="run the pipeline"):
        publish_table(settings, NAME, _forecast(1))


def test_publish_waits_for_a_running_pipeline(serving_home: Settings) -> None:
    before = serving.current_snapshot(serving_home)
    fd = os.open(serving_home.home / "pipeline.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a pipeline run holds it
        with pytest.raises(TimeoutError, match=r"pipeline\.lock"):
            publish_table(serving_home, NAME, _forecast(1), wait_seconds=1)
    finally:
        os.close(fd)
    assert serving.current_snapshot(serving_home) == before
    assert lake.open_table(published.table_path(serving_home, NAME)) is None
