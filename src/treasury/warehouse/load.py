"""Load one dataset: its new landing batches, validated, into the raw, clean and quarantine tables.

Batches (files) are validated in groups (Parquet files of one schema, up to a million rows per
query: small monthly files do not pay a query each); each group's rows go to the three table
writers tagged with their own batch, and after the last group every table gets exactly one
commit. Batches already in the ledger are skipped; a file that cannot be read fails only itself.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from treasury.warehouse import conform, lake
from treasury.warehouse.contracts import Contract, arrow_digits, ident
from treasury.warehouse.events import EventLog
from treasury.warehouse.ingest import (
    ROW_BITS,
    ROW_MASK,
    Extract,
    ExtractError,
    LandingFile,
    close_extract,
    open_extract,
    plan,
)
from treasury.warehouse.validate import QUARANTINE_FIELDS, BatchResult, KeyIndex, Validator, key_sql


@dataclass
class DatasetLoad:
    """What loading one dataset did."""

    dataset: str
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    status: str = "succeeded"
    events: EventLog = field(default_factory=EventLog)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    by_rule: Counter[str] = field(default_factory=Counter)


#: Leading sort columns of a clean file: the year, then the row-policy columns (a Kanwil reads
#: its provinces, a KPPN its office; an office lies in one province, so both cluster).
CLUSTER_LEAD = ("tahun", "kode_provinsi", "kode_kppn")


def cluster_columns(contract: Contract) -> list[str]:
    """Columns a clean file is sorted by: :data:`CLUSTER_LEAD` present, then the primary key
    (the keyset order of a page), so a page of one office reads few row groups."""
    names = clean_schema(contract).names
    lead = [c for c in CLUSTER_LEAD if c in names]
    return lead + [k for k in contract.primary_key if k not in lead]


def clean_schema(contract: Contract) -> pa.Schema:
    """Columns of the clean table (contract columns, then conformed ones)."""
    return pa.schema([*contract.schema(), *conform.derived_schema(contract.name)])


def raw_schema(contract: Contract) -> pa.Schema:
    """Columns of the raw table (row number in the file, then the contract columns)."""
    return pa.schema([pa.field("_row", pa.int64()), *contract.schema()])


def _tagged(table: pa.Table, files: list[LandingFile], run_id: str, row: bool) -> pa.Table:
    """Replace the row id ``_i`` by ``_row`` (line in its file, if ``row``) and add the
    ``_batch`` and ``_run_id`` columns."""
    ids = table.column("_i").to_numpy()
    which = (ids >> ROW_BITS).astype(np.int32)
    batches = pa.array([f.batch for f in files])
    out = table.drop_columns(["_i"])
    if row:
        out = out.add_column(0, "_row", pa.array(ids & ROW_MASK))
    out = out.append_column(
        pa.field("_batch", lake.TAG), pa.DictionaryArray.from_arrays(which, batches)
    )
    return out.append_column(pa.field("_run_id", lake.TAG), lake.tag(run_id, table.num_rows))


class DatasetLoader:
    """Loads the new batches of one dataset.

    Parameters
    ----------
    con
        Pipeline DuckDB connection with the foreign-key tables registered.
    lake_dir
        The lake folder.
    contract
        The dataset's contract.
    run_id
        This run's id (the ``_run_id`` of every row written).
    as_of
        As-of date for the contract rules.
    resources, skipped
        Foreign-key tables registered in ``con`` and those whose check is skipped.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        lake_dir: Path,
        contract: Contract,
        run_id: str,
        as_of: dt.date,
        resources: dict[str, str],
        skipped: frozenset[str],
    ) -> None:
        self.con = con
        self.lake = lake_dir
        self.contract = contract
        self.run_id = run_id
        self.as_of = as_of
        self.resources = resources
        self.skipped = skipped
        self.groups: dict[str, list[LandingFile]] = {}

    def path(self, layer: str) -> Path:
        """Folder of this dataset's table in ``layer``."""
        return lake.table_path(self.lake, layer, self.contract.name)

    def load(
        self,
        files: Sequence[LandingFile],
        loaded: dict[str, dict[str, Any]],
        tick: Callable[[int], None] = lambda n: None,
    ) -> DatasetLoad:
        """Load ``files`` whose batch is not in ``loaded`` (the dataset's ledger entries);
        ``tick(n)`` reports ``n`` more files done."""
        started = time.perf_counter()
        c = self.contract
        result = DatasetLoad(c.name)
        todo = []
        for f in files:
            entry = loaded.get(f.batch)
            if entry is None:
                todo.append(f)
                continue
            result.events.emit("W102", f"{c.name}/{f.batch}: already loaded", batch=f.batch)
            if (entry["size"], entry["mtime_ns"]) != (f.size, f.mtime_ns):
                result.events.emit(
                    "W103", f"{c.name}/{f.batch}: {f.path.name} changed since loaded"
                )
            tick(1)
        if todo:
            self._load(todo, result, tick)
        result.seconds = time.perf_counter() - started
        return result

    def _existing(self, batches: set[str]) -> KeyIndex | None:
        """The keys already in the clean table (``append`` datasets only)."""
        if self.contract.load_mode != "append":
            return None
        index = KeyIndex()
        data = lake.read(self.path("clean"))
        if data is not None:
            self.con.register("_clean_keys", data)
            key = key_sql(self.contract, "_clean_keys")
            where = f"WHERE NOT ({lake.in_list(batches)})"
            found = self.con.sql(f"SELECT {key} AS h FROM _clean_keys {where}").to_arrow_table()
            index.add(found.column("h").to_numpy(), "lake")
        return index

    def _lookup(self, origin: str, hashes: Sequence[int]) -> dict[tuple[Any, ...], str]:
        """Keys (and their batch) of loaded rows with these hashes: verifies hash hits."""
        c = self.contract
        keys = ", ".join(ident(k) for k in c.primary_key)
        if origin == "lake":
            sql = (
                f"SELECT {keys}, _batch FROM _clean_keys AS t "
                f"WHERE {key_sql(c, 't')} IN (SELECT unnest(?))"
            )
            rows = self.con.execute(sql, [list(hashes)]).fetchall()
            return {tuple(r[:-1]): str(r[-1]) for r in rows}
        # A group of this run: validate it again, restricted to the hashes.
        extract = open_extract(self.con, self.groups[origin], c)
        try:
            validator = Validator(self.con, c, self.as_of, self.resources, self.skipped)
            query = validator.query(extract.relation, extract.schema)
            sql = f"SELECT {keys}, _i FROM ({query}) WHERE _fail = 0 AND _h IN (SELECT unnest(?))"
            rows = self.con.execute(sql, [list(hashes)]).fetchall()
        finally:
            close_extract(self.con, extract)
        return {tuple(r[:-1]): extract.files[r[-1] >> ROW_BITS].batch for r in rows}

    def _load(
        self, todo: list[LandingFile], result: DatasetLoad, tick: Callable[[int], None]
    ) -> None:
        c = self.contract
        batches = {f.batch for f in todo}
        validator = Validator(
            self.con,
            c,
            self.as_of,
            self.resources,
            self.skipped,
            self._existing(batches),
            self._lookup,
        )
        distinct = [
            f.name
            for f in c.fields
            if arrow_digits(f) or (f.name in c.primary_key and f.arrow_type == pa.string())
        ]
        writers = {
            "raw": lake.TableWriter(self.path("raw"), raw_schema(c), batches, ["_row", *distinct]),
            "clean": lake.TableWriter(
                self.path("clean"), clean_schema(c), batches, distinct, cluster_columns(c)
            ),
            "quarantine": lake.TableWriter(
                self.path("quarantine"), pa.schema(QUARANTINE_FIELDS), batches
            ),
        }
        try:
            for group in plan(todo):
                self._group(group, validator, writers, result)
                tick(len(group))
            for layer, writer in writers.items():
                version = writer.close()
                if writer.replaced:
                    result.events.emit(
                        "W302",
                        f"{layer}/{c.name}: replaced batches {sorted(writer.replaced)} "
                        "left by an interrupted run",
                    )
                if version is not None:
                    result.events.emit(
                        "W301", f"{layer}/{c.name}: version {version}", version=version
                    )
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        for rule, count in sorted(result.by_rule.items()):
            code = "W202" if rule == "duplicate_exact" else "W201"
            result.events.emit(
                code, f"{c.name}: {count} rows quarantined by {rule}", rule=rule, rows=count
            )
        if result.events.has_errors:
            result.status = "warning" if result.ledger else "failed"

    def _group(
        self,
        group: list[LandingFile],
        validator: Validator,
        writers: dict[str, lake.TableWriter],
        result: DatasetLoad,
    ) -> None:
        """Validate a group of files in one query; if that fails, each file alone."""
        c = self.contract
        extract: Extract | None = None
        try:
            extract = open_extract(self.con, group, c)
            origin = f"{group[0].batch}..{group[-1].batch}"
            self.groups[origin] = group
            out = validator.run(
                extract.relation,
                extract.schema,
                extract.records,
                origin,
                extract.where,
                extract.batch_of,
            )
        except (ExtractError, duckdb.Error) as exc:
            if len(group) > 1:  # find the file at fault
                for f in group:
                    self._group([f], validator, writers, result)
                return
            f = group[0]
            code = "W105" if "lacks required columns" in str(exc) else "W106"
            message = (
                str(exc)
                if isinstance(exc, ExtractError)
                else f"{f.path.name} cannot be read: {exc}"
            )
            result.events.emit(code, f"{c.name}/{f.batch}: {message}", batch=f.batch)
            return
        finally:
            if extract is not None:
                close_extract(self.con, extract)
        self._emit(extract, out, writers, result)

    def _emit(
        self,
        extract: Extract,
        out: BatchResult,
        writers: dict[str, lake.TableWriter],
        result: DatasetLoad,
    ) -> None:
        """Queue a group's rows for the lake and account for them per batch."""
        c = self.contract
        for layer, table in (
            ("raw", out.raw),
            ("clean", out.clean),
            ("quarantine", out.quarantine),
        ):
            if table.num_rows:
                writers[layer].put(_tagged(table, extract.files, self.run_id, layer != "clean"))
        n = len(extract.files)
        counts = {
            name: np.bincount(t.column("_i").to_numpy() >> ROW_BITS, minlength=n)
            for name, t in (("in", out.raw), ("clean", out.clean), ("quarantine", out.quarantine))
        }
        for i, f in enumerate(extract.files):
            rows_in, clean, bad = (int(counts[k][i]) for k in ("in", "clean", "quarantine"))
            if rows_in == 0:
                result.events.emit("W107", f"{c.name}/{f.batch}: no rows")
            result.events.emit(
                "W101",
                f"{c.name}/{f.batch}: {rows_in} rows, {clean} clean, {bad} quarantined",
                batch=f.batch,
            )
            result.ledger.append(
                {
                    "dataset": c.name,
                    "batch": f.batch,
                    "file": f.path.name,
                    "size": f.size,
                    "mtime_ns": f.mtime_ns,
                    "rows_in": rows_in,
                    "rows_clean": clean,
                    "rows_quarantined": bad,
                    "_run_id": self.run_id,
                }
            )
        if extract.extra:
            result.events.emit(
                "W104", f"{c.name}: dropped extra columns {', '.join(extract.extra)}"
            )
        if extract.missing:
            missing = ", ".join(extract.missing)
            result.events.emit("W109", f"{c.name}: optional columns {missing} missing, left empty")
        result.rows_in += out.raw.num_rows
        result.rows_out += out.clean.num_rows
        result.rows_quarantined += out.quarantine.num_rows
        result.by_rule.update(out.by_rule)
