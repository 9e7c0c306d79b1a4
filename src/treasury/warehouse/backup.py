"""Backup and restore of a platform: the lake, the serving snapshot and the app database.

``backup(settings, dest)`` writes into an empty folder:

- ``lake/``: every Delta table's committed versions. The log entries present when the table is
  reached are listed first, then the data files are copied, then those log entries: a version
  committed meanwhile is simply not in the backup, and files of an unfinished write are never
  referenced by a copied version. Other lake files are copied as they are.
- ``serving/``: the snapshot now serving (``CURRENT`` names it).
- ``database/<table>.jsonl``: every table of the app database (reflected, so every product's
  tables are included), one JSON object per row; dates, times, bytes and decimals are tagged so
  they come back with their types. SQLite and PostgreSQL alike; a backup made from one restores
  into the other.
- ``manifest.json``: when, from which home and lake path, the Alembic revision, rows per table.

``restore(settings, src)`` fills an empty home and an empty app database: it copies the lake
and snapshot, points the snapshot's views (clean tables read the lake's Parquet files by absolute
path) at the new lake, migrates the database to the backup's revision, inserts the rows (parents
before children), resets PostgreSQL sequences and upgrades to the latest revision. Passwords and
tokens travel as their hashes: the same logins and tokens work after a restore, and no secret is
ever written in plain text.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, func, select, text

from treasury.config import Settings
from treasury.warehouse.contracts import ident, quote
from treasury.warehouse.engines.duckdb import connect
from treasury.warehouse.serving import current_snapshot

FORMAT = 1
ALEMBIC = "alembic_version"

Progress = Callable[[str, int, int], None]


class BackupError(RuntimeError):
    """A backup or restore that cannot go ahead (the message says why and what to do)."""


@dataclass
class Manifest:
    """What a backup holds."""

    created_at: str
    home: str
    lake: str
    revision: str | None
    snapshot: str | None
    tables: dict[str, int] = field(default_factory=dict)
    lake_files: int = 0
    format: int = FORMAT


# -- values ----------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A JSON-able form of a database value (types that JSON lacks are tagged)."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def decode(value: Any) -> Any:
    """The database value of :func:`encode`'s output."""
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$datetime":
            return dt.datetime.fromisoformat(raw)
        if tag == "$date":
            return dt.date.fromisoformat(raw)
        if tag == "$time":
            return dt.time.fromisoformat(raw)
        if tag == "$bytes":
            return base64.b64decode(raw)
        if tag == "$decimal":
            return Decimal(raw)
    return value


# -- lake ------------------------------------------------------------------------------------


def _delta_tables(lake: Path) -> list[Path]:
    return sorted(p.parent for p in lake.rglob("_delta_log") if p.is_dir())


def copy_lake(source: Path, target: Path) -> int:
    """Copy the lake's committed Delta versions (and its other files); the files copied."""
    copied = 0
    tables = _delta_tables(source) if source.exists() else []
    inside = set(tables)
    for table in tables:
        log = table / "_delta_log"
        committed = sorted(
            p for p in log.iterdir() if p.is_file() and not p.name.startswith((".", "_commit"))
        )
        committed = [p for p in committed if not p.name.endswith(".tmp")]
        out = target / table.relative_to(source)
        for path in table.rglob("*"):
            if path.is_file() and log not in path.parents:
                dest = out / path.relative_to(table)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
                copied += 1
        (out / "_delta_log").mkdir(parents=True, exist_ok=True)
        for path in committed:
            shutil.copy2(path, out / "_delta_log" / path.name)
            copied += 1
    for path in source.rglob("*") if source.exists() else []:
        if path.is_file() and not any(t == path or t in path.parents for t in inside):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
            copied += 1
    return copied


# -- app database ----------------------------------------------------------------------------


def _reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            return connection.execute(text(f"SELECT version_num FROM {ALEMBIC}")).scalar()
        except Exception:  # no alembic table: an unmigrated database
            return None


def dump_database(engine: Engine, folder: Path) -> dict[str, int]:
    """Write every table (but Alembic's) as ``<table>.jsonl``; rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    metadata = _reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name == ALEMBIC:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = 0
            with (folder / f"{table.name}.jsonl").open("w", encoding="utf-8") as out:
                result = connection.execution_options(stream_results=True).execute(
                    select(table).order_by(*order)
                )
                for row in result.mappings():
                    out.write(json.dumps({k: encode(v) for k, v in row.items()}) + "\n")
                    rows += 1
            counts[table.name] = rows
    return counts


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield {k: decode(v) for k, v in json.loads(line).items()}


def load_database(engine: Engine, folder: Path, chunk: int = 1000) -> dict[str, int]:
    """Insert the dumped rows into the (migrated, empty) database; rows per table."""
    metadata = _reflect(engine)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            path = folder / f"{table.name}.jsonl"
            if table.name == ALEMBIC or not path.exists():
                continue
            existing = connection.execute(select(func.count()).select_from(table)).scalar()
            if existing:
                raise BackupError(
                    f"the app database already has rows in {table.name}: restore needs an "
                    "empty database (create a new one and point TREASURY_DATABASE_URL at it)"
                )
            names = {c.name for c in table.columns}
            batch: list[dict[str, Any]] = []
            rows = 0
            for row in _rows(path):
                batch.append({k: v for k, v in row.items() if k in names})
                if len(batch) >= chunk:
                    connection.execute(table.insert(), batch)
                    rows += len(batch)
                    batch = []
            if batch:
                connection.execute(table.insert(), batch)
                rows += len(batch)
            counts[table.name] = rows
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, table)
    return counts


def _reset_sequences(connection: Any, table: Table) -> None:
    """Move each serial/identity sequence of ``table`` past its largest id (PostgreSQL)."""
    for column in table.primary_key.columns:
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            connection.execute(
                text(
                    f"SELECT setval(:s, COALESCE((SELECT max({ident(column.name)}) "
                    f"FROM {ident(table.name)}), 0) + 1, false)"
                ),
                {"s": sequence},
            )


# -- backup / restore ------------------------------------------------------------------------


def _empty_folder(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} is not empty: {what} needs an empty (or new) folder")


def backup(settings: Settings, dest: Path, progress: Progress | None = None) -> Manifest:
    """Back the platform up into ``dest`` (an empty or new folder)."""
    from treasury.db.session import get_engine

    step = progress or (lambda stage, done, total: None)
    _empty_folder(dest, "a backup")
    snapshot = current_snapshot(settings)
    if snapshot is None:
        raise BackupError(f"no serving snapshot in {settings.serving}: run the pipeline first")
    dest.mkdir(parents=True, exist_ok=True)
    step("database", 0, 1)
    engine = get_engine(settings.app_database_url)
    revision = _revision(engine)
    tables = dump_database(engine, dest / "database")
    step("database", 1, 1)
    step("snapshot", 0, 1)
    (dest / "serving").mkdir()
    shutil.copy2(snapshot, dest / "serving" / snapshot.name)
    (dest / "serving" / "CURRENT").write_text(snapshot.name + "\n", encoding="utf-8")
    step("snapshot", 1, 1)
    step("lake", 0, 1)
    files = copy_lake(settings.lake, dest / "lake")
    step("lake", 1, 1)
    manifest = Manifest(
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        home=str(settings.home.resolve()),
        lake=str(settings.lake.resolve()),
        revision=revision,
        snapshot=snapshot.name,
        tables=tables,
        lake_files=files,
    )
    (dest / "manifest.json").write_text(
        json.dumps(manifest.__dict__, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(src: Path) -> Manifest:
    """The manifest of a backup folder."""
    path = src / "manifest.json"
    if not path.exists():
        raise BackupError(f"{src} is not a backup: it has no manifest.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise BackupError(f"{src} is a backup of format {data.get('format')}, not {FORMAT}")
    return Manifest(**data)


def _repoint_views(settings: Settings, snapshot: Path, old_lake: str) -> int:
    """Rewrite the snapshot's views to read the restored lake; the views changed."""
    new_lake = str(settings.lake.resolve())
    con = connect(settings, snapshot)
    try:
        views = con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        changed = 0
        for name, sql in views:
            if old_lake in sql:
                body = sql.split(" AS ", 1)[1].rstrip().rstrip(";")
                body = body.replace(quote(old_lake + "/")[:-1], quote(new_lake + "/")[:-1])
                con.execute(f"CREATE OR REPLACE VIEW {ident(name)} AS {body}")
                changed += 1
        con.execute("CHECKPOINT")
        return changed
    finally:
        con.close()


def restore(settings: Settings, src: Path, progress: Progress | None = None) -> Manifest:
    """Restore the backup in ``src`` into the (empty) home and app database of ``settings``."""
    from alembic import command

    from treasury.db import alembic_config, migrate
    from treasury.db.session import get_engine

    step = progress or (lambda stage, done, total: None)
    manifest = read_manifest(src)
    for folder, what in ((settings.lake, "the lake"), (settings.serving, "the serving folder")):
        if folder.exists() and any(folder.iterdir()):
            raise BackupError(f"{what} at {folder} is not empty: restore into a new TREASURY_HOME")
    engine = get_engine(settings.app_database_url)
    step("database", 0, 1)
    if manifest.revision:
        with engine.begin() as connection:
            config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
            config.attributes["connection"] = connection
            command.upgrade(config, manifest.revision)
    load_database(engine, src / "database")
    migrate(settings.app_database_url)
    step("database", 1, 1)
    step("lake", 0, 1)
    copy_lake(src / "lake", settings.lake)
    step("lake", 1, 1)
    step("snapshot", 0, 1)
    settings.serving.mkdir(parents=True, exist_ok=True)
    if manifest.snapshot:
        target = settings.serving / manifest.snapshot
        shutil.copy2(src / "serving" / manifest.snapshot, target)
        _repoint_views(settings, target, manifest.lake)
        tmp = settings.serving / "CURRENT.tmp"
        tmp.write_text(manifest.snapshot + "\n", encoding="utf-8")
        tmp.replace(settings.serving / "CURRENT")
        (settings.serving / "HISTORY").write_text(manifest.snapshot + "\n", encoding="utf-8")
    step("snapshot", 1, 1)
    return manifest


__all__ = ["BackupError", "Manifest", "backup", "read_manifest", "restore"]
