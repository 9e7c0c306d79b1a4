"""Delivery over the real NATS JetStream server (127.0.0.1:4222): at least once in, exactly
once in effect; a connection cut during ingestion loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from treasury.config import Settings
from treasury.sources.stream import Event, Message, NatsPublisher, NatsSource, StreamConfig
from treasury.warehouse.streaming import ConsumerStats, StreamConsumer, StreamWriter

from .conftest import Proxy, run_async, totals
from .test_stream_writer import committed

TIMEOUT = 90.0  # a bound against hanging, never a performance target


async def stream_messages(config: StreamConfig) -> int:
    """How many messages the stream holds."""
    import nats

    nc = await nats.connect(config.url, connect_timeout=2)
    try:
        info = await nc.jetstream().stream_info(config.stream)
        return int(info.state.messages)
    finally:
        await nc.close()


def _done(root: Path, expected: dict[str, tuple[int, int]]) -> bool:
    return all(committed(root, d)[0] >= n for d, (n, _) in expected.items())


def test_duplicates_and_redeliveries_count_once(
    stream_settings: Settings, events: list[Event], stream_config: StreamConfig, tmp_path: Path
) -> None:
    root = tmp_path / "stream"
    expected = totals(events)

    async def scenario() -> tuple[int, int, int, ConsumerStats]:
        publisher = NatsPublisher(stream_config)
        await publisher.connect()
        stored = await publisher.publish_all(events)
        retried = await publisher.publish_all(events[:40])  # dropped by JetStream (Nats-Msg-Id)
        await publisher.close()
        repeats = NatsPublisher(stream_config, dedupe=False)  # a producer without ids
        await repeats.connect()
        await repeats.publish_all(events[:60])
        await repeats.close()

        # A consumer commits a batch and dies before acknowledging it.
        source = NatsSource(stream_config)
        await source.connect()
        lost = await source.fetch(50, 5.0)
        writer = StreamWriter(stream_settings, root)
        writer.commit(lost, source.dataset_of)
        writer.close()
        await source.close()

        # The next consumer gets everything, the unacknowledged batch again after ack_wait.
        source = NatsSource(stream_config)
        await source.connect()
        writer = StreamWriter(stream_settings, root)
        consumer = StreamConsumer(source, writer, batch_size=100, max_wait=0.3)
        want = len(lost) + 60

        def finished(stats: ConsumerStats) -> bool:
            return stats.duplicates >= want and _done(root, expected)

        stats = await asyncio.wait_for(consumer.run(until=finished), TIMEOUT)
        await source.close()
        writer.close()
        return stored, retried, len(lost), stats

    stored, retried, lost, stats = run_async(scenario())
    assert (stored, retried, lost) == (len(events), 0, 50)
    assert stats.duplicates == lost + 60
    assert stats.quarantined == 0
    for dataset, (count, total) in expected.items():
        assert committed(root, dataset) == (count, total, count)


class CutAfterCommit:
    """A source whose connection (through the proxy) is cut right after the n-th commit,
    before the acknowledgement, and restored ``outage`` seconds later."""

    def __init__(self, source: NatsSource, proxy: Proxy, at: int, outage: float) -> None:
        self.source, self.proxy, self.at, self.outage = source, proxy, at, outage
        self.acks = self.received = 0
        self.received_at_cut: int | None = None

    def dataset_of(self, subject: str) -> str | None:
        return self.source.dataset_of(subject)

    async def connect(self) -> None:
        await self.source.connect()

    async def fetch(self, max_messages: int, timeout: float) -> list[Message]:
        found = await self.source.fetch(max_messages, timeout)
        self.received += len(found)
        return found

    async def ack(self, messages: Sequence[Message]) -> None:
        self.acks += 1
        if self.acks == self.at:
            self.proxy.cut()
            self.received_at_cut = self.received
            asyncio.get_running_loop().call_later(self.outage, self.proxy.restore)
        await self.source.ack(messages)

    async def close(self) -> None:
        await self.source.close()


def test_connection_cut_during_ingestion_loses_nothing(
    stream_settings: Settings,
    events: list[Event],
    stream_config: StreamConfig,
    proxy: Proxy,
    tmp_path: Path,
) -> None:
    root = tmp_path / "stream"
    expected = totals(events)
    config = dataclasses.replace(stream_config, url=proxy.url)

    cutter: list[CutAfterCommit] = []

    async def scenario() -> tuple[int, int, ConsumerStats]:
        publisher = NatsPublisher(config)
        await publisher.connect()
        source = CutAfterCommit(NatsSource(config), proxy, at=2, outage=2.0)
        cutter.append(source)
        await source.connect()
        writer = StreamWriter(stream_settings, root)
        consumer = StreamConsumer(source, writer, batch_size=40, max_wait=0.3)
        # The producer keeps publishing (through the same proxy) while the link is down.
        publishing = asyncio.create_task(publisher.publish_all(events, rate=40.0))
        stats = await asyncio.wait_for(
            consumer.run(until=lambda s: publishing.done() and _done(root, expected)), TIMEOUT
        )
        stored = await publishing
        await publisher.close()
        await source.close()
        writer.close()
        return stored, await stream_messages(stream_config), stats

    stored, in_stream, stats = run_async(scenario())
    assert proxy.cuts == 1
    cut_at = cutter[0].received_at_cut
    assert cut_at is not None and 0 < cut_at < len(events)  # the link went down mid-stream
    # A publish whose acknowledgement was lost in the cut is retried; JetStream stores it once
    # (Nats-Msg-Id) and answers the retry as a duplicate.
    assert in_stream == len(events)
    assert stored <= len(events)
    assert stats.quarantined == 0
    for dataset, (count, total) in expected.items():
        assert committed(root, dataset) == (count, total, count)
