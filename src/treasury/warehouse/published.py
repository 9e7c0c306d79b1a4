"""Published tables: small derived tables a product computes and the snapshot serves.

Some numbers users see are not SQL over the lake: the ML revenue forecast is computed by a
model. A product hands such a table to :func:`publish_table`, which

1. checks it against the table's declared schema (:data:`TABLES`: the warehouse knows each
   published table's name, columns and types, as it knows the extracts' contracts),
2. commits it as a new version of the Delta table ``lake/published/<name>`` (time travel like
   every lake table, covered by backups), and
3. swaps in a new serving snapshot: a copy of the current one with the table replaced
   (:func:`treasury.warehouse.serving.republish`, atomic like the pipeline's own swap).

Every pipeline run carries the latest version of each published table into its new snapshot
(:func:`published_tables`); before the first publish it serves the declared table empty, so a
catalog dataset over it and the SQL that reads it always resolve. Publishing takes the pipeline's
lock (``$TREASURY_HOME/pipeline.lock``), waiting for a running pipeline to finish, so a run can
never swap in a snapshot made before the publish.

Published tables are named ``mart_*``: to the catalog, lineage and readers they are marts that
a model computes instead of a SQL file (their lineage is declared in the catalog entry).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from treasury.config import Settings
from treasury.warehouse import lake, serving

LAYER = "published"


@dataclass(frozen=True)
class PublishedTable:
    """A table products may publish: its Arrow schema, sort order and who computes it."""

    schema: pa.Schema
    order: tuple[str, ...]
    producer: str


#: The tables products may publish, by snapshot table name.
TABLES: dict[str, PublishedTable] = {
    "mart_proyeksi_pendapatan": PublishedTable(
        schema=pa.schema(
            [
                ("tahun", pa.int16()),
                ("bulan", pa.int8()),
                ("kelompok", pa.string()),
                ("proyeksi", pa.int64()),
                ("bawah_80", pa.int64()),
                ("atas_80", pa.int64()),
                ("bawah_95", pa.int64()),
                ("atas_95", pa.int64()),
                ("versi_model", pa.int32()),
                ("dilatih_pada", pa.timestamp("us")),
                ("data_sampai", pa.date32()),
            ]
        ),
        order=("tahun", "bulan", "kelompok"),
        producer="treasury.ml.forecasting (treasury models train forecasting)",
    ),
}


class PublishError(ValueError):
    """A table does not match its declaration (or is not a declared published table)."""


def _spec(name: str) -> PublishedTable:
    if name not in TABLES:
        raise PublishError(f"{name} is not a published table; known: {', '.join(sorted(TABLES))}")
    return TABLES[name]


def conform(name: str, table: pa.Table) -> pa.Table:
    """``table`` with exactly the declared columns, in order, cast to the declared types.

    Raises
    ------
    PublishError
        A column is missing, a value does not fit its type, or a key column has a null.

    Examples
    --------
    >>> import pyarrow as pa
    >>> row = {"tahun": [2026], "bulan": [12], "kelompok": ["total"], "proyeksi": [5],
    ...        "bawah_80": [4], "atas_80": [6], "bawah_95": [3], "atas_95": [7],
    ...        "versi_model": [1], "dilatih_pada": [None], "data_sampai": [None]}
    >>> conform("mart_proyeksi_pendapatan", pa.table(row)).schema.field("tahun").type
    DataType(int16)
    """
    spec = _spec(name)
    missing = [f.name for f in spec.schema if f.name not in table.schema.names]
    if missing:
        raise PublishError(f"{name}: missing columns {', '.join(missing)}")
    columns = []
    for field in spec.schema:
        column = table.column(field.name)
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise PublishError(f"{name}.{field.name}: not {field.type}: {exc}") from None
    out = pa.Table.from_arrays(columns, schema=spec.schema)
    for key in spec.order:
        if out.column(key).null_count:
            raise PublishError(f"{name}.{key}: a key column has empty values")
    return out


def table_path(settings: Settings, name: str) -> Path:
    """The Delta table of a published table."""
    return lake.table_path(settings.lake, LAYER, name)


def published_tables(settings: Settings) -> dict[str, pa.Table]:
    """Every declared published table at its latest lake version (empty if never published),
    without the lake's bookkeeping columns: what a new snapshot serves."""
    out = {}
    for name, spec in TABLES.items():
        data = lake.read(table_path(settings, name))
        if data is None:
            out[name] = spec.schema.empty_table()
        else:
            out[name] = data.to_table(columns=spec.schema.names).cast(spec.schema)
    return out


@contextmanager
def pipeline_lock(home: Path, wait_seconds: float) -> Iterator[None]:
    """Hold the pipeline's lock file, waiting up to ``wait_seconds`` for a running pipeline.

    Raises
    ------
    TimeoutError
        The pipeline kept the lock for longer than ``wait_seconds``.
    """
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / "pipeline.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"a pipeline run kept {home / 'pipeline.lock'} for {wait_seconds:g} s"
                    ) from None
                time.sleep(0.5)
        yield
    finally:
        os.close(fd)


def publish_table(
    settings: Settings, name: str, table: pa.Table, wait_seconds: float = 1800
) -> tuple[int, Path]:
    """Store ``table`` as the new version of the published table ``name`` and serve it.

    Parameters
    ----------
    settings
        The platform (its lake and serving folder).
    name
        A declared published table (:data:`TABLES`).
    table
        The rows: at least the declared columns (extra columns are dropped); types are cast.
    wait_seconds
        How long to wait for a running pipeline.

    Returns
    -------
    tuple[int, pathlib.Path]
        The lake table's new version and the new serving snapshot.

    Raises
    ------
    PublishError
        The table does not match its declaration.
    FileNotFoundError
        No serving snapshot yet: run the pipeline first.

    Examples
    --------
    >>> version, snapshot = publish_table(settings, "mart_proyeksi_pendapatan", rows)  # doctest: +SKIP
    >>> version, snapshot.name  # doctest: +SKIP
    (0, 'snapshot-20261204T221500-1a2b3c.duckdb')
    """
    from treasury.warehouse.pipeline import new_run_id

    rows = conform(name, table)
    if serving.current_snapshot(settings) is None:
        raise FileNotFoundError(f"no serving snapshot in {settings.serving}: run the pipeline")
    run_id = new_run_id()
    with pipeline_lock(settings.home, wait_seconds):
        tagged = lake.with_tags(rows, f"publish-{run_id}", run_id)
        version = lake.overwrite(table_path(settings, name), tagged)
        snapshot, _ = serving.republish(settings, run_id, {name: rows}, {name: _spec(name).order})
    return version, snapshot


__all__ = [
    "TABLES",
    "PublishError",
    "PublishedTable",
    "conform",
    "pipeline_lock",
    "publish_table",
    "published_tables",
]
