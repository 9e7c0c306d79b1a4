"""Streaming ingestion: events -> the same contracts -> micro-batch commits -> today's figures.

A :class:`StreamConsumer` pulls micro-batches (up to ``batch_size`` events or ``max_wait``
seconds) from a :class:`treasury.sources.stream.Source`; a :class:`StreamWriter` validates
each batch with the batch pipeline's own :class:`~treasury.warehouse.validate.Validator`
(cleansing, types, patterns, foreign keys to the reference tables and the satker master,
rules, conformed columns), appends the valid rows to ``lake/stream/clean/<dataset>`` and the
rejected ones, each with its rule and message, to ``lake/stream/quarantine/<dataset>``: one
Delta transaction per table per batch. Only then are the events acknowledged.

Delivery is at least once (an event not acknowledged is delivered again); the effect is
exactly once because every row carries its idempotency key (``_key``, the natural key after
cleansing) and the digest of its record (``_digest``): an event whose key is committed with
the same digest, or whose digest is already quarantined, is a repeat and is dropped; the same
key with other values is quarantined (``primary_key``). The keys are read back from the tables
when a writer starts, so a consumer killed between a commit and its acknowledgement drops the
redelivered events. One writer per stream folder (Delta appends from two would race on keys).

Rows keep their business day (``_day``: ``tanggal_sp2d``, ``tanggal_buku``) and event time;
:func:`today_figures` counts and sums a day's committed rows by hour.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from deltalake import DeltaTable, write_deltalake

from treasury.config import Settings
from treasury.sources.stream import DAY_COLUMNS, KEYS, Message, Source, SourceUnavailable
from treasury.sources.stream import idempotency_key as natural_key
from treasury.warehouse import dimensions, lake
from treasury.warehouse.contracts import Contract, load_contract
from treasury.warehouse.engines.duckdb import connect
from treasury.warehouse.load import clean_schema
from treasury.warehouse.pipeline import clean_table, new_run_id
from treasury.warehouse.validate import QUARANTINE_FIELDS, Validator

log = logging.getLogger(__name__)

#: Datasets that arrive as events.
DATASETS = tuple(KEYS)
#: Quarantine table of events whose subject names no dataset.
UNKNOWN = "unknown"
#: Columns every stream row carries after its data.
TAG_FIELDS = [
    pa.field("_key", pa.string()),
    pa.field("_digest", pa.string()),
    pa.field("_day", pa.date32()),
    pa.field("_event_time", pa.timestamp("us")),
    pa.field("_sequence", pa.int64()),
    pa.field("_committed_at", pa.timestamp("us")),
    pa.field("_batch", pa.string()),
    pa.field("_run_id", pa.string()),
]
QUARANTINE_SCHEMA = pa.schema([*QUARANTINE_FIELDS[1:], *TAG_FIELDS])
CHECKPOINT_EVERY = 100  # Delta versions between checkpoints (readers replay fewer commits)
REFRESH_SECONDS = 300.0  # how often the satker master and reference tables are read again


def stream_root(settings: Settings) -> Path:
    """Folder of the stream tables: ``lake/stream``."""
    return settings.lake / "stream"


def stream_schema(contract: Contract) -> pa.Schema:
    """Columns of a stream clean table: the clean table's, then the stream tags."""
    return pa.schema([*clean_schema(contract), *TAG_FIELDS])


def digest(data: bytes) -> str:
    """A short content digest (SHA-256, 16 hex digits)."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass
class Decoded:
    """One message taken apart: dataset, keys, record (or why it cannot be used)."""

    message: Message
    dataset: str
    key: str
    digest: str
    time: dt.datetime | None = None
    record: dict[str, str | None] | None = None
    rule: str | None = None
    problem: str | None = None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)


def decode(message: Message, dataset: str | None) -> Decoded:
    """Parse a message delivered on ``dataset``'s subject (None: a subject of no dataset)."""
    if dataset is None:
        key = message.key or f"seq:{message.sequence}"
        return Decoded(
            message,
            UNKNOWN,
            key,
            digest(message.data),
            rule="subject",
            problem=f"subject {message.subject} carries no dataset",
        )
    problem: str | None = None
    try:
        body = json.loads(message.data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        body, problem = None, f"event is not valid JSON: {exc}"
    else:
        if not isinstance(body, dict) or not isinstance(body.get("record"), dict):
            problem = "event has no record object"
        elif body.get("dataset") not in (None, dataset):
            problem = f"event of {body.get('dataset')} sent on the subject of {dataset}"
    if problem is not None or not isinstance(body, dict):
        key = message.key or f"seq:{message.sequence}"
        return Decoded(message, dataset, key, digest(message.data), rule="format", problem=problem)
    record = {str(k): _text(v) for k, v in body["record"].items()}
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    when = None
    if isinstance(body.get("time"), str):
        try:
            when = dt.datetime.fromisoformat(body["time"]).replace(tzinfo=None)
        except ValueError:
            when = None
    return Decoded(message, dataset, natural_key(dataset, record), digest(canonical), when, record)


@dataclass
class BatchOutcome:
    """What committing one micro-batch did."""

    batch: str
    received: int = 0
    committed: Counter[str] = field(default_factory=Counter)
    quarantined: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class StreamWriter:
    """Validates micro-batches of events and commits them to the stream tables.

    Parameters
    ----------
    settings
        Platform settings: the lake (satker master), the as-of date (the contracts' rules
        and "today"), DuckDB limits.
    root
        Folder of the stream tables (default ``lake/stream``).
    """

    def __init__(self, settings: Settings, root: Path | None = None) -> None:
        self.settings = settings
        self.root = root or stream_root(settings)
        self.run_id = new_run_id()
        self.batches = 0
        self.con = connect(settings)
        self.resources: dict[str, dict[str, str]] = {}
        self.skipped: dict[str, frozenset[str]] = {}
        self._validators: dict[str, tuple[dt.date, Validator]] = {}
        self.refresh_references()
        #: dataset -> committed clean key -> record digest
        self.committed: dict[str, dict[str, str]] = {d: {} for d in DATASETS}
        #: dataset -> digests of quarantined events
        self.rejected: dict[str, set[str]] = {d: set() for d in (*DATASETS, UNKNOWN)}
        self._load_keys()

    def path(self, layer: str, dataset: str) -> Path:
        """Folder of a stream table (``clean`` or ``quarantine``)."""
        return self.root / layer / dataset

    def refresh_references(self) -> None:
        """(Re)register the reference tables and the satker master the contracts point to."""
        refs = dimensions.reference_tables()
        for name, table in refs.items():
            self.con.register(name, table)
        for dataset in DATASETS:
            contract = load_contract(dataset)
            resources, skipped = {}, set()
            for k in contract.foreign_keys:
                if k.resource.startswith("ref_") and k.resource not in refs:
                    skipped.add(k.resource)
                    self.con.register(k.resource, dimensions.empty_reference(k.resource))
                elif not k.resource.startswith("ref_"):
                    target = load_contract(k.resource)
                    self.con.register(k.resource, clean_table(self.con, self.settings, target))
                resources[k.resource] = k.resource
            self.resources[dataset] = resources
            self.skipped[dataset] = frozenset(skipped)
        self._validators.clear()
        self._refreshed = time.monotonic()

    def _load_keys(self) -> None:
        """Read the committed keys and quarantined digests back from the tables."""
        for keys in self.committed.values():
            keys.clear()
        for digests in self.rejected.values():
            digests.clear()
        for dataset in DATASETS:
            data = lake.read(self.path("clean", dataset))
            if data is not None:
                keys = data.to_table(columns=["_key", "_digest"])
                self.committed[dataset].update(
                    zip(
                        keys.column("_key").to_pylist(),
                        keys.column("_digest").to_pylist(),
                        strict=True,
                    )
                )
        for dataset in self.rejected:
            data = lake.read(self.path("quarantine", dataset))
            if data is not None:
                found = data.to_table(columns=["_digest"]).column("_digest").to_pylist()
                self.rejected[dataset].update(found)

    def validator(self, dataset: str) -> Validator:
        """The dataset's validator for today's as-of date (rebuilt when the date moves)."""
        as_of = self.settings.as_of_date()
        found = self._validators.get(dataset)
        if found is None or found[0] != as_of:
            contract = load_contract(dataset)
            validator = Validator(
                self.con, contract, as_of, self.resources[dataset], self.skipped[dataset]
            )
            self._validators[dataset] = found = (as_of, validator)
        return found[1]

    def commit(
        self, messages: Sequence[Message], dataset_of: Callable[[str], str | None]
    ) -> BatchOutcome:
        """Validate and commit one micro-batch; returns what it did. Raises if a commit fails
        (nothing may then be acknowledged: the events come again and repeats are dropped)."""
        started = time.perf_counter()
        if time.monotonic() - self._refreshed > REFRESH_SECONDS:
            self.refresh_references()  # a nightly batch run may have brought new satker
        self.batches += 1
        outcome = BatchOutcome(f"{self.run_id}-{self.batches:06d}", len(messages))
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        groups: dict[str, list[Decoded]] = {}
        rejects: dict[str, list[dict[str, Any]]] = {}
        seen: set[tuple[str, str]] = set()
        for message in messages:
            event = decode(message, dataset_of(message.subject))
            mine = (event.dataset, event.digest)
            repeat = mine in seen or event.digest in self.rejected[event.dataset]
            if event.record is not None:
                repeat = repeat or self.committed[event.dataset].get(event.key) == event.digest
            if repeat:
                outcome.duplicates += 1
                continue
            seen.add(mine)
            if event.record is None:
                raw = message.data.decode("utf-8", "replace")[:10_000]
                rejects.setdefault(event.dataset, []).append(
                    self._reject(event, event.rule or "format", None, None, event.problem, raw)
                )
            else:
                groups.setdefault(event.dataset, []).append(event)
        clean: dict[str, pa.Table] = {}
        keys: dict[str, list[tuple[str, str]]] = {}
        for dataset, events in groups.items():
            table, found, bad = self._validate(dataset, events, outcome)
            clean[dataset], keys[dataset] = table, found
            rejects.setdefault(dataset, []).extend(bad)
        try:
            for dataset, table in clean.items():
                if table.num_rows:
                    table = self._tag(table, outcome.batch, now)
                    outcome.versions[f"clean/{dataset}"] = self._append(
                        self.path("clean", dataset), table
                    )
                    outcome.committed[dataset] += table.num_rows
                # The in-memory keys follow each table's commit.
                self.committed[dataset].update(keys[dataset])
            for dataset, rows in rejects.items():
                if rows:
                    table = pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA)
                    table = self._tag(table, outcome.batch, now)
                    outcome.versions[f"quarantine/{dataset}"] = self._append(
                        self.path("quarantine", dataset), table
                    )
                    outcome.quarantined[dataset] += len(rows)
                    outcome.by_rule.update(r["rule"] for r in rows)
                self.rejected[dataset].update(r["_digest"] for r in rows)
        except BaseException:
            # A commit may have landed although its call failed: read the keys back from the
            # tables, so the redelivered batch drops what was committed and writes the rest.
            self._load_keys()
            raise
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _tag(self, table: pa.Table, batch: str, now: dt.datetime) -> pa.Table:
        n = table.num_rows
        out = table
        for name, value in (("_committed_at", now), ("_batch", batch), ("_run_id", self.run_id)):
            i = out.schema.get_field_index(name)
            column = pa.array([value] * n, out.schema.field(name).type)
            out = out.set_column(i, out.schema.field(name), column)
        return out

    def _reject(
        self,
        event: Decoded,
        rule: str,
        column: str | None,
        value: str | None,
        message: str | None,
        record: str,
        key: str | None = None,
    ) -> dict[str, Any]:
        return {
            "rule": rule,
            "column": column,
            "value": value,
            "message": message or rule,
            "record": record,
            "_key": key or event.key,
            "_digest": event.digest,
            "_day": self.settings.as_of_date(),
            "_event_time": event.time,
            "_sequence": event.message.sequence,
        }

    def _validate(
        self, dataset: str, events: list[Decoded], outcome: BatchOutcome
    ) -> tuple[pa.Table, list[tuple[str, str]], list[dict[str, Any]]]:
        """Validate one dataset's events: (clean rows, their keys and digests, rejects)."""
        contract = load_contract(dataset)
        columns: dict[str, list[str | None]] = {n: [] for n in contract.names}
        for event in events:
            assert event.record is not None
            for name in contract.names:
                columns[name].append(event.record.get(name))
        data = {"_i": pa.array(range(len(events)), pa.int64())}
        data.update({n: pa.array(v, pa.string()) for n, v in columns.items()})
        delivered = pa.table(data)
        view = f"_stream_{dataset}"
        self.con.register(view, delivered)
        try:
            out = self.validator(dataset).run(
                f"(SELECT * FROM {view})",
                delivered.schema,
                lambda ids: delivered.take(pa.array(ids, pa.int64())).to_pylist(),
                where=lambda i: f"event {events[i].key}",
            )
        finally:
            self.con.unregister(view)
        rejects = []
        for row in out.quarantine.to_pylist():
            event = events[row["_i"]]
            rejects.append(
                self._reject(
                    event, row["rule"], row["column"], row["value"], row["message"], row["record"]
                )
            )
        # Keys after cleansing: a repeat of a committed event is dropped, other values quarantined.
        rows = out.clean
        ids = rows.column("_i").to_pylist()
        key_rows = rows.select(list(KEYS[dataset])).to_pylist()
        keep, found = [], []
        batch_keys: set[str] = set()
        committed = self.committed[dataset]
        for i, parts in zip(ids, key_rows, strict=True):
            event = events[i]
            key = natural_key(dataset, parts)
            if key in committed or key in batch_keys:
                if committed.get(key) == event.digest:
                    outcome.duplicates += 1
                    continue
                names = ", ".join(KEYS[dataset])
                rejects.append(
                    self._reject(
                        event,
                        "primary_key",
                        names,
                        key.split(":", 1)[1].replace(":", ", "),
                        f"({names}) already committed with other values",
                        json.dumps(event.record, ensure_ascii=False),
                        key=f"{key}#{event.digest}",
                    )
                )
                continue
            batch_keys.add(key)
            keep.append(i)
            found.append((key, event.digest))
        positions = {i: p for p, i in enumerate(ids)}
        rows = rows.take(pa.array([positions[i] for i in keep], pa.int64()))
        day = rows.column(DAY_COLUMNS[dataset])
        tags = {
            "_key": pa.array([k for k, _ in found], pa.string()),
            "_digest": pa.array([d for _, d in found], pa.string()),
            "_day": day,
            "_event_time": pa.array([events[i].time for i in keep], pa.timestamp("us")),
            "_sequence": pa.array([events[i].message.sequence for i in keep], pa.int64()),
            "_committed_at": pa.nulls(len(keep), pa.timestamp("us")),
            "_batch": pa.nulls(len(keep), pa.string()),
            "_run_id": pa.nulls(len(keep), pa.string()),
        }
        schema = stream_schema(contract)
        arrays = [
            tags[f.name] if f.name in tags else rows.column(f.name).cast(f.type) for f in schema
        ]
        return pa.Table.from_arrays(arrays, schema=schema), found, rejects

    def _append(self, path: Path, table: pa.Table) -> int:
        """Append ``table`` to a Delta table in one commit; returns the new version."""
        path.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(path), table, mode="append")
        current = DeltaTable(str(path))
        version = current.version()
        if version and version % CHECKPOINT_EVERY == 0:
            current.create_checkpoint()
        return version

    def close(self) -> None:
        """Release the DuckDB connection."""
        self.con.close()


@dataclass
class ConsumerStats:
    """Running totals of a consumer."""

    batches: int = 0
    received: int = 0
    committed: int = 0
    quarantined: int = 0
    duplicates: int = 0
    outages: int = 0
    failed_commits: int = 0
    last_error: str | None = None


class StreamConsumer:
    """Pulls micro-batches from a source, commits them with a writer, then acknowledges.

    Parameters
    ----------
    source
        The broker (``NatsSource``, a Kafka source, a test double).
    writer
        The stream writer.
    batch_size, max_wait
        A micro-batch closes at ``batch_size`` events or after ``max_wait`` seconds.
    on_batch
        Called with each committed batch's outcome (progress, metrics).
    """

    def __init__(
        self,
        source: Source,
        writer: StreamWriter,
        batch_size: int = 500,
        max_wait: float = 1.0,
        on_batch: Callable[[BatchOutcome], None] | None = None,
    ) -> None:
        self.source = source
        self.writer = writer
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.on_batch = on_batch or (lambda outcome: None)
        self.stats = ConsumerStats()

    async def _gather(self) -> list[Message]:
        """Up to ``batch_size`` messages within ``max_wait`` seconds (what arrived before an
        outage is still committed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        got: list[Message] = []
        while len(got) < self.batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                found = await self.source.fetch(self.batch_size - len(got), remaining)
            except SourceUnavailable:
                if got:
                    break
                raise
            if not found:
                break
            got.extend(found)
        return got

    async def step(self) -> BatchOutcome | None:
        """One micro-batch: fetch, validate and commit, acknowledge. None when no event came."""
        messages = await self._gather()
        if not messages:
            return None
        try:
            outcome = await asyncio.to_thread(self.writer.commit, messages, self.source.dataset_of)
        except Exception as exc:  # not acknowledged: the events come again
            self.stats.failed_commits += 1
            self.stats.last_error = f"commit failed: {exc!r}"
            log.exception("stream commit failed; events will be redelivered")
            return None
        s = self.stats
        s.batches += 1
        s.received += outcome.received
        s.committed += sum(outcome.committed.values())
        s.quarantined += sum(outcome.quarantined.values())
        s.duplicates += outcome.duplicates
        try:
            await self.source.ack(messages)
        except Exception as exc:  # committed but not acknowledged: repeats are dropped later
            s.outages += 1
            s.last_error = f"ack failed: {exc!r}"
            log.warning("ack failed (%s); the events will come again and be dropped", exc)
        self.on_batch(outcome)
        return outcome

    async def run(
        self,
        stop: asyncio.Event | None = None,
        idle_exit: float | None = None,
        until: Callable[[ConsumerStats], bool] | None = None,
    ) -> ConsumerStats:
        """Consume until ``stop`` is set, ``until(stats)`` holds, or no event came for
        ``idle_exit`` seconds. An unreachable broker is waited for, never fatal."""
        loop = asyncio.get_running_loop()
        idle_since = loop.time()
        while not (stop is not None and stop.is_set()):
            if until is not None and until(self.stats):
                break
            try:
                outcome = await self.step()
            except SourceUnavailable as exc:
                self.stats.outages += 1
                self.stats.last_error = str(exc)
                await asyncio.sleep(0.5)
                continue
            if outcome is not None:
                idle_since = loop.time()
            elif idle_exit is not None and loop.time() - idle_since >= idle_exit:
                break
        return self.stats


def _empty_figures() -> dict[str, Any]:
    return {"count": 0, "sum": 0, "hours": []}


def today_figures(
    settings: Settings, day: dt.date | None = None, root: Path | None = None
) -> dict[str, Any]:
    """Count and sum of the committed SP2D lines and MPN receipts of ``day`` (default the
    as-of date, i.e. today), in total and by hour of the event time.

    Examples
    --------
    >>> today_figures(settings)["datasets"]["span_sp2d"]  # doctest: +SKIP
    {'count': 11, 'sum': 48213400000, 'hours': [{'hour': 9, 'count': 4, 'sum': ...}, ...]}
    """
    day = day or settings.as_of_date()
    root = root or stream_root(settings)
    out: dict[str, Any] = {"day": day.isoformat(), "datasets": {}, "versions": {}}
    for dataset in DATASETS:
        path = root / "clean" / dataset
        table = lake.open_table(path)
        figures = _empty_figures()
        if table is not None:
            out["versions"][dataset] = table.version()
            data = lake.read(path)
            assert data is not None
            rows = data.to_table(
                columns=["nilai", "_event_time", "_committed_at"],
                filter=ds.field("_day") == pa.scalar(day, pa.date32()),
            )
            if rows.num_rows:
                when = pc.coalesce(rows.column("_event_time"), rows.column("_committed_at"))
                hours = pa.table({"hour": pc.hour(when), "nilai": rows.column("nilai")})
                grouped = hours.group_by("hour").aggregate([("nilai", "count"), ("nilai", "sum")])
                grouped = grouped.sort_by("hour")
                figures = {
                    "count": rows.num_rows,
                    "sum": int(pc.sum(rows.column("nilai")).as_py() or 0),
                    "hours": [
                        {"hour": int(r["hour"]), "count": r["nilai_count"], "sum": r["nilai_sum"]}
                        for r in grouped.to_pylist()
                    ],
                }
        out["datasets"][dataset] = figures
    return out


async def consume(
    settings: Settings,
    source: Source,
    batch_size: int = 500,
    max_wait: float = 1.0,
    idle_exit: float | None = None,
    on_batch: Callable[[BatchOutcome], None] | None = None,
    stop: asyncio.Event | None = None,
) -> ConsumerStats:
    """Connect ``source`` and consume into the stream tables of ``settings`` until stopped
    (or idle for ``idle_exit`` seconds). Raises :class:`SourceUnavailable` if the first
    connection fails."""
    writer = StreamWriter(settings)
    try:
        await source.connect()
        try:
            consumer = StreamConsumer(source, writer, batch_size, max_wait, on_batch)
            return await consumer.run(stop=stop, idle_exit=idle_exit)
        finally:
            await source.close()
    finally:
        writer.close()
