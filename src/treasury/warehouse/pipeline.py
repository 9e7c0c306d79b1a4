"""The pipeline runner: landing files -> lake -> marts -> serving snapshot, logged in the app DB.

:func:`run_pipeline` loads every dataset's new batches (in contract order, so the satker master
is loaded before the payments that refer to it), builds the marts, writes them to the ``mart``
layer and publishes a new serving snapshot. One run at a time (a lock file in the home folder);
a run killed at any moment leaves the last good snapshot serving and every lake table at its
last commit, and the next run completes the work without duplicating rows.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from treasury import reference
from treasury.config import Settings, get_settings
from treasury.warehouse import dimensions, lake, marts, published, serving
from treasury.warehouse.contracts import Contract, contracts, ident
from treasury.warehouse.engines import TableLike, get_engine
from treasury.warehouse.engines.duckdb import attach, connect
from treasury.warehouse.events import EventLog
from treasury.warehouse.ingest import discover
from treasury.warehouse.load import DatasetLoader, clean_schema
from treasury.warehouse.runlog import RunLog, RunResult, StageResult
from treasury.warehouse.status import (
    lake_tables,
    pipeline_history,
    pipeline_status,
    quarantine_summary,
)

Progress = Callable[[str, int, int], None]

__all__ = [
    "PipelineBusyError",
    "RunResult",
    "lake_tables",
    "pipeline_history",
    "pipeline_status",
    "quarantine_summary",
    "run_pipeline",
]


class PipelineBusyError(RuntimeError):
    """Another pipeline run holds the lock."""


@contextmanager
def _lock(home: Path) -> Iterator[None]:
    """Hold ``home/pipeline.lock`` for the run (released by the kernel if the process dies)."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / "pipeline.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineBusyError(f"another pipeline run is using {home}") from None
        yield
    finally:
        os.close(fd)


def new_run_id() -> str:
    """A sortable run id: UTC time plus a random suffix."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def latest_version(con: Any, data: TableLike, contract: Contract) -> TableLike:
    """Rows of a ``latest`` dataset: per key, the one from the newest run and batch.

    When no key was delivered twice (each batch holds its own years or the first load), that
    is the whole table, returned as it is: counting distinct key hashes costs a fraction of the
    window over every column that picks the newest row of each key.
    """
    keys = ", ".join(ident(k) for k in contract.primary_key)
    detach = attach(con, "_versions", data)
    try:
        [(rows, distinct)] = con.execute(
            f"SELECT count(*), count(DISTINCT hash({keys})) FROM _versions"
        ).fetchall()
        if rows == distinct:  # equal hashes for every repeated key: no key is repeated
            return data
        return con.sql(
            "SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY "
            f"{keys} ORDER BY _run_id DESC, _batch DESC) AS _rn FROM _versions) WHERE _rn = 1"
        ).to_arrow_table()
    finally:
        detach()


def clean_table(con: Any, settings: Settings, contract: Contract) -> TableLike:
    """The clean table as the marts and foreign keys see it (empty, typed, if never loaded)."""
    data = lake.read(lake.table_path(settings.lake, "clean", contract.name))
    if data is None:
        return lake.tagged_schema(clean_schema(contract)).empty_table()
    return latest_version(con, data, contract) if contract.load_mode == "latest" else data


class MartCommit:
    """One mart's rows on their way to the mart layer.

    The Parquet file is encoded on a background thread while the next mart runs, and the
    commit replaces the table's files in one Delta transaction (every run's mart rows carry the
    batch ``""``): a new version, as an overwrite makes, for a third of delta-rs' writing time.
    A mart whose columns changed is overwritten with its new schema instead.
    """

    def __init__(self, path: Path, table: pa.Table, run_id: str) -> None:
        self.path = path
        self.table = lake.with_tags(table, "", run_id)
        self.writer: lake.TableWriter | None = lake.TableWriter(path, table.schema, {""})
        existing = lake.open_table(path)
        if existing is not None and (
            pa.schema(existing.schema().to_arrow()) != self.writer.delta_schema
        ):
            self.writer = None
        else:
            self.writer.put(self.table)
        self.committed = False

    def commit(self) -> int | None:
        """Commit (the caller's thread: delta-rs is only called from the main thread)."""
        writer, self.writer = self.writer, None
        self.committed = True
        if writer is None:
            return lake.overwrite(self.path, self.table)
        return writer.close()

    def abort(self) -> None:
        """Drop the written file if the run failed before the commit."""
        if self.writer is not None and not self.committed:
            self.writer.abort()
            self.writer = None


class Run:
    """State of one pipeline run."""

    def __init__(self, settings: Settings, engine: str, progress: Progress | None) -> None:
        self.settings = settings
        self.engine = engine
        self.progress = progress or (lambda stage, done, total: None)
        self.run_id = new_run_id()
        self.log = RunLog(settings.app_database_url)
        self.stages: list[StageResult] = []
        self.clean: dict[str, TableLike] = {}  # clean tables as the marts saw them
        self.con = connect(settings)

    def record(self, stage: StageResult) -> None:
        self.stages.append(stage)
        self.log.stage(self.run_id, stage)

    def references(self, events: EventLog) -> dict[str, TableLike]:
        """Register the reference tables; returns them by name."""
        tables: dict[str, TableLike] = dict(dimensions.reference_tables())
        for name in dimensions.REFERENCES:
            if name not in tables:
                events.emit("W203", f"{name} unavailable: its foreign keys are not checked")
            elif tables[name].num_rows == 0:
                events.emit("W204", f"{name} is empty")
        for name, table in tables.items():
            self.con.register(name, table)
        return tables

    def load(self, refs: dict[str, TableLike], events: EventLog) -> list[dict[str, Any]]:
        """Load every dataset's new batches; returns the ledger rows to record."""
        found = discover(self.settings.landing)
        known = contracts()
        for folder in sorted(set(found) - set(known)):
            events.emit("W108", f"landing/{folder} has no contract; ignored")
        ledger = lake.ledger(self.settings.lake).to_pylist()
        total = sum(len(found.get(name, [])) for name in known)
        done = 0
        rows: list[dict[str, Any]] = []
        for name, contract in known.items():
            files = found.get(name, [])
            loaded = {r["batch"]: r for r in ledger if r["dataset"] == name}
            resources, skipped = {}, set()
            for k in contract.foreign_keys:
                if k.resource.startswith("ref_") and k.resource not in refs:
                    skipped.add(k.resource)
                    self.con.register(k.resource, dimensions.empty_reference(k.resource))
                if not k.resource.startswith("ref_"):
                    target = known[k.resource]
                    self.con.register(k.resource, clean_table(self.con, self.settings, target))
                resources[k.resource] = k.resource

            def tick(n: int) -> None:
                nonlocal done
                done += n
                self.progress("ingest", done, total)

            loader = DatasetLoader(
                self.con,
                self.settings.lake,
                contract,
                self.run_id,
                self.settings.as_of_date(),
                resources,
                frozenset(skipped),
            )
            result = loader.load(files, loaded, tick)
            rows.extend(result.ledger)
            self.record(
                StageResult(
                    "validate",
                    name,
                    result.rows_in,
                    result.rows_out,
                    result.rows_quarantined,
                    result.seconds,
                    result.status,
                    result.events.to_list(),
                )
            )
        return rows

    def build_marts(self, refs: dict[str, TableLike]) -> dict[str, pa.Table]:
        """Build every mart, write each to the mart layer, record a stage per mart."""
        tables: dict[str, TableLike] = dict(refs)
        for name, contract in contracts().items():
            self.clean[name] = clean_table(self.con, self.settings, contract)
            tables[f"clean_{name}"] = self.clean[name]
        models = marts.load_marts()
        engine = get_engine(self.engine, self.settings)

        pending: list[tuple[marts.Mart, float, MartCommit]] = []

        def done(mart: marts.Mart, result: pa.Table, seconds: float) -> None:
            path = lake.table_path(self.settings.lake, "mart", mart.name)
            pending.append((mart, seconds, MartCommit(path, result, self.run_id)))
            self.progress("marts", len(pending), len(models))

        try:
            built = marts.build(engine, tables, done)
            for mart, seconds, commit in pending:
                started = time.perf_counter()
                version = commit.commit()
                seconds += time.perf_counter() - started  # the write counts too
                events = EventLog()
                rows = commit.table.num_rows
                events.emit("W401", f"{mart.name}: {rows} rows, version {version}")
                self.record(
                    StageResult(
                        "marts", mart.name, 0, rows, 0, seconds, "succeeded", events.to_list()
                    )
                )
            return built
        except marts.MartError as exc:
            events = EventLog()
            events.emit("W402", str(exc))
            self.record(StageResult("marts", exc.mart, status="failed", events=events.to_list()))
            raise
        finally:
            for _, _, commit in pending:
                commit.abort()
            engine.close()

    def publish(self, built: dict[str, pa.Table], refs: dict[str, TableLike]) -> Path:
        """Write and swap in the serving snapshot."""
        started = time.perf_counter()
        events = EventLog()
        self.progress("serving", 0, 1)
        tables: dict[str, pa.Table] = dict(built)
        for name, ref in refs.items():
            tables[name] = ref if isinstance(ref, pa.Table) else ref.to_table()
        for name, load in (
            ("ref_kanwil", reference.kanwil),
            ("ref_kecamatan", reference.kecamatan),
        ):
            tables.setdefault(name, load())
        order: dict[str, Sequence[str]] = {m.name: m.order for m in marts.load_marts()}
        for name, table in published.published_tables(self.settings).items():
            # tables a product published (the ML forecast) outlive the run: carried over
            tables[name] = table
            order[name] = published.TABLES[name].order
        views: dict[str, tuple[list[str], list[str]]] = {}
        for name, contract in contracts().items():
            # Clean tables serve the catalog's clean-table datasets. Copying tens of millions of
            # rows into DuckDB storage every run would cost more than the whole load, so a clean
            # table is a view over its committed (immutable) Parquet files; only a ``latest``
            # dataset whose keys were superseded is materialised (deduplicated).
            data = lake.read(lake.table_path(self.settings.lake, "clean", name))
            served = self.clean.get(name) or clean_table(self.con, self.settings, contract)
            columns = [f.name for f in served.schema if f.name not in lake.TAGS]
            files = list(data.files) if isinstance(data, ds.FileSystemDataset) else []
            rows = served.count_rows() if isinstance(served, ds.Dataset) else served.num_rows
            unique = contract.load_mode == "append" or (
                data is not None and rows == data.count_rows()
            )
            if files and unique:
                views[f"clean_{name}"] = (files, columns)
            else:
                table = served if isinstance(served, pa.Table) else served.to_table()
                tables[f"clean_{name}"] = table.select(columns)
                order[f"clean_{name}"] = contract.primary_key
        path, removed = serving.publish(self.settings, self.run_id, tables, order, views)
        events.emit("W501", f"snapshot {path.name} is serving")
        for name in removed:
            events.emit("W502", f"removed old snapshot {name}")
        self.record(
            StageResult(
                "serving",
                None,
                0,
                len(tables),
                0,
                time.perf_counter() - started,
                "succeeded",
                events.to_list(),
            )
        )
        self.progress("serving", 1, 1)
        return path


def run_pipeline(
    settings: Settings | None = None, engine: str = "duckdb", progress: Progress | None = None
) -> RunResult:
    """Run the pipeline once over the landing zone.

    Parameters
    ----------
    settings
        Settings (default: the process settings).
    engine
        Mart engine: ``duckdb`` or ``spark``.
    progress
        Optional ``(stage, done, total)`` callback; stages are ``ingest``, ``marts``, ``serving``.

    Returns
    -------
    RunResult
        Run id, status (``succeeded`` or ``failed``), per-stage counts and the snapshot path.

    Examples
    --------
    >>> result = run_pipeline()  # doctest: +SKIP
    >>> result.status, result.snapshot.name  # doctest: +SKIP
    ('succeeded', 'snapshot-20261123T120000-1a2b3c.duckdb')
    """
    settings = settings or get_settings()
    with _lock(settings.home):
        run = Run(settings, engine, progress)
        events = EventLog()
        for stale in run.log.interrupt_stale():
            events.emit("W003", f"run {stale} was interrupted; marked failed")
        started = run.log.start(run.run_id, engine, settings.scale)
        events.emit("W001", f"run {run.run_id} started (engine {engine})")
        status, message, snapshot = "failed", None, None
        try:
            refs = run.references(events)
            run.record(StageResult("start", None, events=events.to_list()))
            ledger_rows = run.load(refs, events)
            lake.record_batches(settings.lake, ledger_rows)
            built = run.build_marts(refs)
            snapshot = run.publish(built, refs)
            status = "succeeded"
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
        finally:
            run.con.close()
        end = EventLog()
        if status == "succeeded":
            end.emit("W002", f"run {run.run_id} succeeded")
        else:
            end.emit("W004", message or "failed")
        run.record(StageResult("end", None, status=status, events=end.to_list()))
        finished = run.log.finish(run.run_id, status, message, str(snapshot) if snapshot else None)
        return RunResult(
            run.run_id,
            status,
            run.stages,
            snapshot,
            message,
            started,
            finished,
            engine,
            settings.scale,
        )
