"""The stream writer without a broker: contracts, quarantine reasons, idempotent keys, restart,
and today's figures, on events from the synthetic generators."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from treasury.config import Settings
from treasury.sources.stream import Event, Message, StreamConfig
from treasury.warehouse import lake
from treasury.warehouse.streaming import StreamWriter, today_figures

from .conftest import DAY, totals

CONFIG = StreamConfig()


def messages(events: list[Event], start: int = 1) -> list[Message]:
    """Events as a broker would deliver them (sequence numbers from ``start``)."""
    return [
        Message(CONFIG.subject(e.dataset), e.encode(), e.key, start + i)
        for i, e in enumerate(events)
    ]


def committed(root: Path, dataset: str) -> tuple[int, int, int]:
    """(rows, sum of nilai, distinct keys) of a stream clean table."""
    data = lake.read(root / "clean" / dataset)
    if data is None:
        return 0, 0, 0
    t = data.to_table(columns=["nilai", "_key"])
    total = int(pc.sum(t.column("nilai")).as_py() or 0)
    return t.num_rows, total, len(set(t.column("_key").to_pylist()))


def quarantine(root: Path, dataset: str) -> list[dict[str, object]]:
    data = lake.read(root / "quarantine" / dataset)
    return [] if data is None else data.to_table().to_pylist()


def test_events_commit_once_however_often_they_come(
    stream_settings: Settings, events: list[Event], tmp_path: Path
) -> None:
    root = tmp_path / "stream"
    expected = totals(events)
    writer = StreamWriter(stream_settings, root)
    delivered = messages(events)
    half = len(delivered) // 2
    first = writer.commit(delivered[:half] + delivered[:20], CONFIG.dataset_of)
    assert first.duplicates == 20  # repeated inside the batch
    second = writer.commit(delivered[half - 30 :], CONFIG.dataset_of)
    assert second.duplicates == 30  # already committed
    assert sum(first.committed.values()) + sum(second.committed.values()) == len(events)
    assert not first.quarantined and not second.quarantined
    writer.close()

    # A new writer (a restarted consumer) reads the keys back: a redelivery changes nothing.
    again = StreamWriter(stream_settings, root)
    outcome = again.commit(delivered, CONFIG.dataset_of)
    again.close()
    assert outcome.duplicates == len(events) and not outcome.committed
    for dataset, (count, total) in expected.items():
        assert committed(root, dataset) == (count, total, count)

    figures = today_figures(stream_settings, root=root)
    today = totals(events, DAY)
    assert figures["day"] == DAY.isoformat()
    for dataset, (count, total) in today.items():
        got = figures["datasets"][dataset]
        assert (got["count"], got["sum"]) == (count, total)
        assert sum(h["count"] for h in got["hours"]) == count
        assert sum(h["sum"] for h in got["hours"]) == total
        assert all(0 <= h["hour"] <= 23 for h in got["hours"])
    # Hours come from the event time: MPN receipts paid at 10:xx count in hour 10.
    mpn_hours = {}
    for e in events:
        if e.dataset == "mpn_penerimaan" and e.record["tanggal_buku"] == DAY.isoformat():
            assert e.time is not None
            mpn_hours[e.time.hour] = mpn_hours.get(e.time.hour, 0) + 1
    got_hours = {h["hour"]: h["count"] for h in figures["datasets"]["mpn_penerimaan"]["hours"]}
    assert got_hours == mpn_hours


def _event(base: Event, **changes: str | None) -> Event:
    record = {**base.record, **changes}
    return Event.of(base.dataset, record, base.time)


def test_bad_events_are_quarantined_with_their_reason(
    stream_settings: Settings, events: list[Event], tmp_path: Path
) -> None:
    root = tmp_path / "stream"
    sp2d = [e for e in events if e.dataset == "span_sp2d"]
    mpn = [e for e in events if e.dataset == "mpn_penerimaan"]
    good = sp2d[:3]
    bad_events = [
        _event(sp2d[3], nilai="-5"),  # minimum
        _event(sp2d[4], kode_satker="999999"),  # not in the satker master
        _event(sp2d[5], tanggal_sp2d="2026-13-01"),  # not a date
        _event(sp2d[6], kode_akun=None),  # required
        _event(mpn[0], ntpn="abc"),  # pattern
        _event(mpn[1], tanggal_buku="2027-01-04"),  # after the as-of date
    ]
    conflict = _event(good[0], nilai="12345")  # same key, other values
    delivered = messages([*good, *bad_events])
    delivered.append(Message(CONFIG.subject("span_sp2d"), b"{not json", None, 900))
    delivered.append(
        Message(CONFIG.subject("mpn_penerimaan"), b'{"dataset": "mpn_penerimaan"}', None, 901)
    )
    delivered.append(Message(CONFIG.subject("mpn_penerimaan"), sp2d[7].encode(), sp2d[7].key, 902))
    delivered.append(Message(f"{CONFIG.prefix}.other", b"{}", None, 903))
    writer = StreamWriter(stream_settings, root)
    outcome = writer.commit(delivered, CONFIG.dataset_of)
    assert sum(outcome.committed.values()) == 3
    later = writer.commit(messages([conflict], 1000), CONFIG.dataset_of)
    assert sum(later.quarantined.values()) == 1

    rows = quarantine(root, "span_sp2d") + quarantine(root, "mpn_penerimaan")
    rows += quarantine(root, "unknown")
    found = {(r["rule"], r["column"]) for r in rows}
    assert ("minimum", "nilai") in found
    assert ("foreign_key", "kode_satker") in found
    assert ("type", "tanggal_sp2d") in found
    assert ("required", "kode_akun") in found
    assert ("pattern", "ntpn") in found
    assert ("date_range", "tanggal_buku") in found
    assert ("primary_key", "nomor_sp2d, baris") in found
    assert {r["rule"] for r in rows if r["column"] is None} == {"format", "subject"}
    assert len(rows) == len(bad_events) + 4 + 1  # every bad event once, nothing dropped
    by_rule = {r["rule"]: r for r in rows}
    assert by_rule["minimum"]["value"] == "-5"
    assert by_rule["minimum"]["message"] == "nilai is below 1"
    assert json.loads(str(by_rule["minimum"]["record"]))["nilai"] == "-5"
    formats = sorted(str(r["message"]) for r in rows if r["rule"] == "format")
    assert len(formats) == 3
    assert formats[0].startswith("event has no record object")
    assert formats[1].startswith("event is not valid JSON")
    assert formats[2] == "event of span_sp2d sent on the subject of mpn_penerimaan"
    assert "already committed" in str(by_rule["primary_key"]["message"])
    # The first value stays; the committed totals hold only the good rows.
    assert committed(root, "span_sp2d") == (3, sum(int(e.record["nilai"] or 0) for e in good), 3)

    # The same bad events delivered again are not quarantined twice.
    again = writer.commit(delivered + messages([conflict], 1000), CONFIG.dataset_of)
    writer.close()
    assert not again.quarantined and not again.committed
    assert again.duplicates == len(delivered) + 1
    restarted = StreamWriter(stream_settings, root)
    assert not restarted.commit(delivered, CONFIG.dataset_of).quarantined
    restarted.close()


def test_a_commit_failing_half_way_is_repaired_by_the_redelivery(
    stream_settings: Settings,
    events: list[Event],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "stream"
    sp2d = [e for e in events if e.dataset == "span_sp2d"][:20]
    mpn = [e for e in events if e.dataset == "mpn_penerimaan"][:20]
    bad = _event(sp2d[-1], nilai="0")
    batch = messages([*sp2d[:-1], *mpn, bad])
    writer = StreamWriter(stream_settings, root)
    append = writer._append

    def fail_on_quarantine(path: Path, table: pa.Table) -> int:
        if path.parent.name == "quarantine":
            raise OSError("No space left on device")
        return append(path, table)

    monkeypatch.setattr(writer, "_append", fail_on_quarantine)
    with pytest.raises(OSError, match="No space left"):
        writer.commit(batch, CONFIG.dataset_of)  # both clean tables committed, then it fails
    monkeypatch.setattr(writer, "_append", append)
    again = writer.commit(batch, CONFIG.dataset_of)  # the events come again
    writer.close()
    assert again.duplicates == len(sp2d) - 1 + len(mpn)
    assert sum(again.quarantined.values()) == 1 and not again.committed
    assert committed(root, "span_sp2d")[0::2] == (len(sp2d) - 1, len(sp2d) - 1)
    assert committed(root, "mpn_penerimaan")[0::2] == (len(mpn), len(mpn))
