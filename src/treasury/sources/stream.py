"""Stream sources: SP2D and MPN events over NATS JetStream, behind one source interface.

An event is one SP2D line or one MPN receipt as JSON::

    {"dataset": "span_sp2d", "key": "span_sp2d:000123456789012:1",
     "time": "2026-11-20T09:14:03", "record": {"nomor_sp2d": "000123456789012", ...}}

``key`` is the idempotency key: the dataset and the contract's natural key (``nomor_sp2d`` +
``baris``; ``ntpn``). It is also sent as the ``Nats-Msg-Id`` header, so JetStream drops a
producer's retries inside its duplicate window; the consumer drops every other repeat (a
redelivery, a replay) against the keys it has committed. ``time`` is when it happened (the SP2D
was issued, the receipt paid); ``record`` holds the contract's columns, values as text (a date
as ``YYYY-MM-DD``), validated by the consumer exactly as a CSV extract is.

:class:`Source` is what the consumer needs from a broker: ``fetch`` up to n messages, ``ack``
them once committed, ``close``. :class:`NatsSource` is the JetStream implementation (a durable
pull consumer); a Kafka source is the same four methods over ``aiokafka`` (docs/streaming.md).
:class:`NatsPublisher` creates the stream if missing and publishes with retries.
:func:`day_events` makes the events of given days from the synthetic generators.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)

#: Dataset -> last token of its subject.
SUBJECTS: dict[str, str] = {"span_sp2d": "sp2d", "mpn_penerimaan": "mpn"}
#: Dataset -> the natural key (the contract's primary key), the idempotency key's parts.
KEYS: dict[str, tuple[str, ...]] = {
    "span_sp2d": ("nomor_sp2d", "baris"),
    "mpn_penerimaan": ("ntpn",),
}
#: Dataset -> the business date column (the day an event counts for).
DAY_COLUMNS: dict[str, str] = {"span_sp2d": "tanggal_sp2d", "mpn_penerimaan": "tanggal_buku"}


@dataclass(frozen=True)
class StreamConfig:
    """Where the events are: server, stream, subject prefix and the consumer's durable name."""

    url: str = "nats://127.0.0.1:4222"
    stream: str = "TREASURY"
    prefix: str = "treasury"
    durable: str = "treasury-lake"
    ack_wait: float = 30.0  # seconds before an unacknowledged message is delivered again
    connect_wait: float = 10.0  # seconds the first connection may take

    def subject(self, dataset: str) -> str:
        """The subject of a dataset's events (``treasury.sp2d``)."""
        return f"{self.prefix}.{SUBJECTS[dataset]}"

    def dataset_of(self, subject: str) -> str | None:
        """The dataset whose events go to ``subject``, or None."""
        for dataset in SUBJECTS:
            if self.subject(dataset) == subject:
                return dataset
        return None


def text(value: Any) -> str | None:
    """A record value as the text an event carries (dates ISO, None stays None)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def idempotency_key(dataset: str, record: dict[str, Any]) -> str:
    """``<dataset>:<natural key parts joined by ':'>``, from a record's (text) values.

    Examples
    --------
    >>> idempotency_key("span_sp2d", {"nomor_sp2d": "000000000000001", "baris": 2})
    'span_sp2d:000000000000001:2'
    """
    parts = [str(text(record.get(k)) or "").strip() for k in KEYS[dataset]]
    return ":".join([dataset, *parts])


@dataclass(frozen=True)
class Event:
    """One event as a publisher sends it."""

    dataset: str
    key: str
    time: dt.datetime | None
    record: dict[str, str | None]

    @classmethod
    def of(cls, dataset: str, record: dict[str, Any], time: dt.datetime | None) -> Event:
        """An event of ``record`` (values turned to text) keyed by its natural key."""
        values = {k: text(v) for k, v in record.items()}
        return cls(dataset, idempotency_key(dataset, values), time, values)

    def encode(self) -> bytes:
        """The JSON payload."""
        body = {
            "dataset": self.dataset,
            "key": self.key,
            "time": self.time.isoformat() if self.time else None,
            "record": self.record,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Message:
    """One delivered message: where it came from and its raw payload.

    ``sequence`` is the broker's position of the message (the JetStream stream sequence, a
    Kafka partition offset): the same on every redelivery. ``handle`` is the broker's own
    message object, used to acknowledge it.
    """

    subject: str
    data: bytes
    key: str | None = None
    sequence: int = 0
    delivered: int = 1
    handle: Any = field(default=None, repr=False)


class Source(Protocol):
    """What the stream consumer needs from a broker (NATS JetStream, Kafka, a test double)."""

    def dataset_of(self, subject: str) -> str | None:
        """The dataset of a message's subject (topic), or None when it carries none."""

    async def connect(self) -> None:
        """Connect and attach to the durable consumer (created if missing)."""

    async def fetch(self, max_messages: int, timeout: float) -> list[Message]:
        """Up to ``max_messages`` messages, waiting at most ``timeout`` s; [] when none came.

        Raises :class:`SourceUnavailable` while the broker cannot be reached."""

    async def ack(self, messages: Sequence[Message]) -> None:
        """Acknowledge messages whose effect is committed (never before)."""

    async def close(self) -> None:
        """Disconnect."""


class SourceUnavailable(RuntimeError):
    """The broker cannot be reached now; the consumer waits and tries again."""


async def _connect(url: str, name: str, wait: float = 10.0) -> Any:
    """A NATS connection that, once made, keeps reconnecting for ever (short waits); the
    first connection must succeed within ``wait`` seconds (TimeoutError otherwise)."""
    import nats

    async def quiet(error: Exception) -> None:  # reconnect noise goes to the log, not stderr
        log.info("nats %s: %s", name, error)

    connecting = nats.connect(
        url,
        name=name,
        connect_timeout=2,
        reconnect_time_wait=0.25,
        max_reconnect_attempts=-1,
        ping_interval=5,
        max_outstanding_pings=2,
        error_cb=quiet,
    )
    return await asyncio.wait_for(connecting, wait)


def _why(exc: BaseException) -> str:
    """An exception in words (a timeout's own text is empty)."""
    if isinstance(exc, TimeoutError):
        return "no connection in time"
    return str(exc) or type(exc).__name__


async def ensure_stream(js: Any, config: StreamConfig) -> None:
    """Create the stream (``<prefix>.>``, file storage, 2-minute duplicate window) if missing."""
    from nats.js.api import StorageType
    from nats.js.api import StreamConfig as JsStreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(config.stream)
    except NotFoundError:
        await js.add_stream(
            JsStreamConfig(
                name=config.stream,
                subjects=[f"{config.prefix}.>"],
                storage=StorageType.FILE,
                duplicate_window=120.0,
            )
        )


class NatsSource:
    """A durable JetStream pull consumer on ``<prefix>.>``: explicit acks, unlimited
    redelivery after ``ack_wait`` seconds without an ack."""

    def __init__(self, config: StreamConfig | None = None) -> None:
        self.config = config or StreamConfig()
        self._nc: Any = None
        self._sub: Any = None

    def dataset_of(self, subject: str) -> str | None:
        return self.config.dataset_of(subject)

    async def connect(self) -> None:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        c = self.config
        try:
            self._nc = await _connect(c.url, f"consumer-{c.durable}", c.connect_wait)
            js = self._nc.jetstream(timeout=5)
            await ensure_stream(js, c)
            self._sub = await js.pull_subscribe(
                f"{c.prefix}.>",
                durable=c.durable,
                stream=c.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_wait=c.ack_wait,
                    max_deliver=-1,
                    max_ack_pending=20_000,
                ),
            )
        except Exception as exc:
            await self.close()
            raise SourceUnavailable(f"NATS at {c.url} cannot be used: {_why(exc)}") from exc

    async def fetch(self, max_messages: int, timeout: float) -> list[Message]:
        import nats.errors

        if self._sub is None:
            raise SourceUnavailable("not connected")
        try:
            found = await self._sub.fetch(batch=max_messages, timeout=max(timeout, 0.05))
        except TimeoutError:  # nothing came (nats-py raises its own or asyncio's), or the
            return []  # link is down and the request waits for the reconnection
        except (nats.errors.Error, OSError) as exc:
            raise SourceUnavailable(f"NATS fetch failed: {exc!r}") from exc
        out = []
        for msg in found:
            meta = msg.metadata
            out.append(
                Message(
                    msg.subject,
                    msg.data,
                    (msg.headers or {}).get("Nats-Msg-Id"),
                    int(meta.sequence.stream),
                    int(meta.num_delivered),
                    msg,
                )
            )
        return out

    async def ack(self, messages: Sequence[Message]) -> None:
        for m in messages:
            await m.handle.ack()
        await self._nc.flush(timeout=5)

    async def close(self) -> None:
        if self._nc is not None:
            try:
                await self._nc.close()
            except Exception as exc:  # closing a dead connection must not hide the real error
                log.info("nats close: %s", exc)
        self._nc = self._sub = None


class NatsPublisher:
    """Publishes events to JetStream, creating the stream if missing.

    A publish is retried until JetStream acknowledges it (or ``deadline`` seconds pass), so an
    outage of the server or the network only delays the producer; the ``Nats-Msg-Id`` header
    makes the retries harmless. ``dedupe=False`` leaves the header out (used to test that the
    consumer alone makes repeated events count once).
    """

    def __init__(self, config: StreamConfig | None = None, dedupe: bool = True) -> None:
        self.config = config or StreamConfig()
        self.dedupe = dedupe
        self._nc: Any = None
        self._js: Any = None

    async def connect(self) -> None:
        self._nc = await _connect(self.config.url, "publisher", self.config.connect_wait)
        self._js = self._nc.jetstream(timeout=2)
        await ensure_stream(self._js, self.config)

    async def publish(self, event: Event, deadline: float = 60.0) -> bool:
        """Publish one event; True when JetStream stored it, False when it was a duplicate."""
        import nats.errors

        subject = self.config.subject(event.dataset)
        headers = {"Nats-Msg-Id": event.key} if self.dedupe else None
        loop = asyncio.get_running_loop()
        stop = loop.time() + deadline
        while True:
            try:
                ack = await self._js.publish(subject, event.encode(), headers=headers)
                return not ack.duplicate
            except (TimeoutError, nats.errors.Error, OSError) as exc:
                if loop.time() > stop:
                    raise SourceUnavailable(f"could not publish {event.key}: {exc!r}") from exc
                await asyncio.sleep(0.2)

    async def publish_all(
        self, events: Iterable[Event], rate: float = 0.0, deadline: float = 60.0
    ) -> int:
        """Publish events in order (``rate`` per second, 0 = as fast as acknowledged);
        returns how many JetStream stored (duplicates inside its window not counted)."""
        stored = 0
        for event in events:
            stored += await self.publish(event, deadline)
            if rate > 0:
                await asyncio.sleep(1.0 / rate)
        return stored

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.close()
        self._nc = self._js = None


def _rows(table: pa.Table, column: str, days: set[dt.date]) -> pa.Table:
    mask = pc.is_in(table.column(column), value_set=pa.array(sorted(days), pa.date32()))
    return table.filter(mask)


def day_events(
    first: dt.date, last: dt.date | None = None, scale: str = "tiny", seed: int = 20240101
) -> list[Event]:
    """The SP2D lines and MPN receipts of the days ``first``..``last`` (default one day), as
    events in time order, from the synthetic generators (the same rows the batch extracts of
    that scale and seed hold: generated with the as-of date ``last``).

    Examples
    --------
    >>> events = day_events(dt.date(2026, 11, 20), scale="tiny", seed=5)
    >>> sorted({e.dataset for e in events})
    ['mpn_penerimaan', 'span_sp2d']
    """
    from treasury.sources.mpn import mpn_penerimaan
    from treasury.sources.run import Run
    from treasury.sources.sp2d import generate_month

    last = last or first
    run = Run.create(scale, seed, last)
    days = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    events: list[Event] = []
    for year, month in sorted({(d.year, d.month) for d in days}):
        payments = generate_month(run, year, month)
        issued = dict(
            zip(
                payments.spm.column("nomor_sp2d").to_pylist(),
                payments.spm.column("waktu_sp2d").to_pylist(),
                strict=True,
            )
        )
        for row in _rows(payments.sp2d, "tanggal_sp2d", days).to_pylist():
            events.append(Event.of("span_sp2d", row, issued.get(row["nomor_sp2d"])))
        receipts = _rows(mpn_penerimaan(run, year, month), "tanggal_buku", days)
        for row in receipts.to_pylist():
            events.append(Event.of("mpn_penerimaan", row, row["waktu_bayar"]))
    epoch = dt.datetime.min
    events.sort(key=lambda e: (e.time or epoch, e.key))
    return events


async def publish_days(
    config: StreamConfig,
    first: dt.date,
    last: dt.date | None = None,
    scale: str = "tiny",
    seed: int = 20240101,
    rate: float = 0.0,
) -> tuple[int, int]:
    """Publish the synthetic events of ``first``..``last``; returns (events, newly stored)."""
    events = day_events(first, last, scale, seed)
    publisher = NatsPublisher(config)
    try:
        await publisher.connect()
    except Exception as exc:
        raise SourceUnavailable(f"NATS at {config.url} cannot be used: {_why(exc)}") from exc
    try:
        stored = await publisher.publish_all(events, rate)
    finally:
        await publisher.close()
    return len(events), stored
