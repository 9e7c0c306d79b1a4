"""The serving snapshot: one read-only DuckDB file with the marts and reference dimensions.

A run writes ``serving/snapshot-<run_id>.duckdb`` beside the current one (under a ``.tmp`` name
until it is complete and synced), then swaps ``serving/CURRENT`` atomically: the new name goes
to ``CURRENT.tmp``, is fsynced and renamed (``os.replace``) over ``CURRENT``. Readers open whatever ``CURRENT``
names, read-only, and pick up a new snapshot on their next open (clean tables are views over
the lake's committed Parquet files, which later runs never change or delete); they never see a half-built
file, and a failed run leaves the last good snapshot serving. The last three are kept.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from treasury.config import Settings, get_settings
from treasury.warehouse.contracts import ident, quote
from treasury.warehouse.engines.duckdb import connect

KEEP = 3


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new content."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    _fsync(path.parent)


def _clear_stale(serving: Path) -> None:
    """Remove half-written snapshots left by a killed run."""
    for stale in [*serving.glob("snapshot-*.tmp"), *serving.glob("snapshot-*.tmp.wal")]:
        stale.unlink(missing_ok=True)


def current_snapshot(settings: Settings | None = None) -> Path | None:
    """The snapshot file now serving, or None before the first successful run."""
    serving = (settings or get_settings()).serving
    try:
        name = (serving / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = serving / name
    return path if name and path.exists() else None


def snapshot_tables(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Names a reader may query in a snapshot: its tables and views (clean tables are views)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
        "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return frozenset(r[0] for r in rows if not r[0].startswith("_"))


def open_snapshot(settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the current snapshot.

    Raises
    ------
    FileNotFoundError
        No snapshot has been published yet.
    """
    settings = settings or get_settings()
    path = current_snapshot(settings)
    if path is None:
        raise FileNotFoundError(f"no serving snapshot in {settings.serving}: run the pipeline")
    return connect(settings, path, read_only=True)


def _writer(settings: Settings, path: Path) -> duckdb.DuckDBPyConnection:
    """A connection that writes a snapshot file (see :func:`_fill` for its threads)."""
    return connect(settings, path)


def publish(
    settings: Settings,
    run_id: str,
    tables: Mapping[str, pa.Table],
    order: Mapping[str, Sequence[str]],
    views: Mapping[str, tuple[Sequence[str], Sequence[str]]] | None = None,
) -> tuple[Path, list[str]]:
    """Write a snapshot of ``tables`` (each sorted by its ``order`` columns) and make it current.

    ``views`` maps a name to (Parquet files, columns): large clean tables are served as views
    over their lake files, which a Delta version never changes, instead of being copied.

    Returns
    -------
    tuple[pathlib.Path, list[str]]
        The new snapshot file and the names of the old snapshots removed.
    """
    serving = settings.serving
    serving.mkdir(parents=True, exist_ok=True)
    _clear_stale(serving)
    path = serving / f"snapshot-{run_id}.duckdb"
    tmp = serving / f"snapshot-{run_id}.tmp"
    _fill(_writer(settings, tmp), run_id, tables, order, views or {})
    return _swap_in(serving, tmp, path)


def republish(
    settings: Settings,
    run_id: str,
    tables: Mapping[str, pa.Table],
    order: Mapping[str, Sequence[str]],
) -> tuple[Path, list[str]]:
    """A new snapshot: a copy of the current one with ``tables`` added or replaced, made current.

    For small derived tables published between pipeline runs
    (:func:`treasury.warehouse.published.publish_table`): the copy is written under a ``.tmp``
    name, synced and swapped in exactly like :func:`publish`. The caller holds the pipeline
    lock, so no run swaps a snapshot in meanwhile. The new file keeps the name of the run whose
    data it serves: ``snapshot-<pipeline run>-p<run_id>.duckdb``.

    Raises
    ------
    FileNotFoundError
        No snapshot has been published yet.
    """
    current = current_snapshot(settings)
    if current is None:
        raise FileNotFoundError(f"no serving snapshot in {settings.serving}: run the pipeline")
    serving = settings.serving
    _clear_stale(serving)
    # named after the pipeline run whose data it serves (pages show that run's time), plus ours
    base = current.stem.split("-p", 1)[0]
    path = serving / f"{base}-p{run_id}.duckdb"
    tmp = serving / f"{base}-p{run_id}.tmp"
    shutil.copyfile(current, tmp)
    _fill(_writer(settings, tmp), run_id, tables, order, {})
    return _swap_in(serving, tmp, path)


def _fill(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    tables: Mapping[str, pa.Table],
    order: Mapping[str, Sequence[str]],
    views: Mapping[str, tuple[Sequence[str], Sequence[str]]],
) -> None:
    """Write ``tables`` (sorted by their ``order`` columns; replacing any of the same name),
    ``views`` and the run stamp into the snapshot being written; checkpoint and close it."""
    try:
        [(threads,)] = con.execute("SELECT current_setting('threads')").fetchall()
        for name, table in tables.items():
            con.register("_incoming", table)
            keys = [c for c in order.get(name, ()) if c in table.schema.names]
            by = f" ORDER BY {', '.join(ident(k) for k in keys)}" if keys else ""
            # A copy in insertion order with two threads writes its row groups twice (as they
            # come, again when the checkpoint merges them): the 6.6M-row SLA mart took twice the
            # CPU and space. One thread for those; a sorted copy keeps its parallel sort.
            con.execute(f"SET threads = {threads if by else 1}")
            con.execute(f"CREATE OR REPLACE TABLE {ident(name)} AS SELECT * FROM _incoming{by}")
            con.unregister("_incoming")
        for name, (files, columns) in views.items():
            listed = ", ".join(quote(str(f)) for f in files)
            cols = ", ".join(ident(c) for c in columns)
            con.execute(f"CREATE VIEW {ident(name)} AS SELECT {cols} FROM read_parquet([{listed}])")
        con.execute(
            "CREATE OR REPLACE TABLE _snapshot AS SELECT ? AS run_id, ? AS created_at",
            [run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _swap_in(serving: Path, tmp: Path, path: Path) -> tuple[Path, list[str]]:
    """Make the written snapshot ``tmp`` current as ``path`` (synced, renamed, CURRENT rewritten
    atomically); prune the old ones."""
    _fsync(tmp)
    tmp.replace(path)
    _write_atomic(serving / "CURRENT", path.name + "\n")
    return path, _prune(serving, path.name)


def _prune(serving: Path, current: str) -> list[str]:
    """Keep the last :data:`KEEP` published snapshots; remove older ones and orphans."""
    history_file = serving / "HISTORY"
    history = history_file.read_text(encoding="utf-8").split() if history_file.exists() else []
    history = [*(h for h in history if h != current), current][-KEEP:]
    _write_atomic(history_file, "\n".join(history) + "\n")
    removed = []
    for path in serving.glob("snapshot-*.duckdb"):
        if path.name not in history:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
            removed.append(path.name)
    return removed
