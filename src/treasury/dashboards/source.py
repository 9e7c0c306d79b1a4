"""Where dashboard numbers come from: the marts, read through the policy-enforcing Reader.

Every figure asks :class:`Source` for rows with SQL over catalog datasets (named by slug with
``_`` for ``-``: ``realisasi_apbn_bulanan``, ``belanja_satker_bulanan``, ...). The SQL runs
through :meth:`treasury.warehouse.reader.Reader.sql` with the viewer's principal, so row filters,
column masks and the audit log apply. Values put into SQL are validated filters (digits and
integers only) and are quoted by :func:`lit` anyway.

Results are cached per (serving snapshot, principal, SQL): a snapshot never changes, and a new
pipeline run publishes a new snapshot, so a cached answer is never stale and never crosses
viewers. A cache hit is still audited: :meth:`Source.audit_cached` writes one ``sql`` event
listing the cached queries a page used.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from treasury.access import Principal, audit
from treasury.config import Settings, get_settings
from treasury.warehouse.reader import Reader, ReadError
from treasury.warehouse.serving import current_snapshot


def lit(value: str | int) -> str:
    """A SQL literal: integers as they are, text single-quoted with quotes doubled.

    Examples
    --------
    >>> lit(2023), lit("035"), lit("a'b")
    ('2023', "'035'", "'a''b'")
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"cannot put {type(value).__name__} into SQL")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


@lru_cache(maxsize=8)
def _reader(home: str, database_url: str) -> Reader:
    """One Reader per platform home (it keeps the snapshot connection open)."""
    return Reader(get_settings())


T = TypeVar("T")

#: Cached results: (snapshot file, principal, sql, limit) -> rows; least recently used first.
_CACHE: OrderedDict[tuple[str, Principal, str, int], list[dict[str, Any]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 512
#: At most this many rows (nested list items count) are kept in the cache in all.
CACHE_TOTAL_ROWS = 400_000
_WEIGHTS: dict[tuple[str, Principal, str, int], int] = {}
#: Results larger than this many rows are not cached.
CACHE_MAX_ROWS = 20_000


def clear_cache() -> None:
    """Forget every cached result (tests; a new snapshot makes old entries unreachable anyway)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _WEIGHTS.clear()


def _weight(rows: list[dict[str, Any]]) -> int:
    """Rows counted for the cache bound: a row, or the items of the lists it holds (batches).

    Examples
    --------
    >>> _weight([{"a": 1}, {"a": 2}]), _weight([{"q0": [1, 2, 3], "q1": [4]}])
    (2, 4)
    """
    total = 0
    for row in rows:
        nested = sum(len(v) for v in row.values() if isinstance(v, list))
        total += nested or 1
    return total


@dataclass
class Source:
    """Rows for one viewer: ``rows(sql)`` runs through the Reader as ``principal``."""

    principal: Principal
    settings: Settings
    queries: int = 0
    reads: int = 0
    cached: list[tuple[str, int]] = field(default_factory=list)
    collecting: bool = False
    missing: list[str] = field(default_factory=list)
    preloaded: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def for_principal(cls, principal: Principal, settings: Settings | None = None) -> Source:
        """A source over the current settings' serving snapshot."""
        return cls(principal, settings or get_settings())

    @property
    def reader(self) -> Reader:
        """The process's Reader for these settings."""
        return _reader(str(self.settings.home), self.settings.app_database_url)

    def rows(self, sql: str, limit: int = 50_000) -> list[dict[str, Any]]:
        """The result of ``sql`` as a list of dicts (ReadError on refusal or bad SQL).

        The caller may change the returned rows: a cached answer is copied. While
        :meth:`build` collects, an unknown query is noted and answers no rows.
        """
        self.queries += 1
        if sql in self.preloaded:
            return [dict(r) for r in self.preloaded[sql]]
        if self.collecting:
            hit = self._cached(sql, limit)
            if hit is None:
                if sql not in self.missing:
                    self.missing.append(sql)
                return []
            return hit
        return self._read(sql, limit)

    def optional_rows(self, sql: str, limit: int = 50_000) -> list[dict[str, Any]]:
        """Like :meth:`rows`, for data a page can do without (a derived table a steward may
        retire, say): read on its own, never in a batch whose other queries it could fail, and
        no rows when the Reader refuses it."""
        self.queries += 1
        if sql in self.preloaded:
            return [dict(r) for r in self.preloaded[sql]]
        try:
            return self._read(sql, limit)
        except ReadError:
            return []

    def _key(self, sql: str, limit: int) -> tuple[str, Principal, str, int]:
        snapshot = current_snapshot(self.settings)
        return (snapshot.name if snapshot else "", self.principal, sql, limit)

    def _cached(self, sql: str, limit: int) -> list[dict[str, Any]] | None:
        key = self._key(sql, limit)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
        if hit is None:
            return None
        self.cached.append((sql, len(hit)))
        return [dict(r) for r in hit]

    def _read(self, sql: str, limit: int) -> list[dict[str, Any]]:
        """A read through the Reader (or the cache)."""
        hit = self._cached(sql, limit)
        if hit is not None:
            return hit
        key = self._key(sql, limit)
        snapshot = key[0]
        self.reads += 1
        rows: list[dict[str, Any]] = self.reader.sql(self.principal, sql, limit=limit).to_pylist()
        weight = _weight(rows)
        if snapshot and weight <= CACHE_MAX_ROWS:
            with _CACHE_LOCK:
                _CACHE[key] = [dict(r) for r in rows]
                _WEIGHTS[key] = weight
                while len(_CACHE) > CACHE_ENTRIES or sum(_WEIGHTS.values()) > CACHE_TOTAL_ROWS:
                    old, _ = _CACHE.popitem(last=False)
                    _WEIGHTS.pop(old, None)
        return rows

    def many(self, queries: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
        """Several independent queries in one Reader call (each read pays the Reader's fixed
        cost: catalog, policy views, sandbox, audit): one row whose column ``name`` is the list
        of the rows of ``queries[name]``.

        Examples
        --------
        Each list keeps its query's row order (rows are numbered as they come and listed in
        that order).

        >>> Source.batch_sql({"a": "select 1 as x"})  # doctest: +NORMALIZE_WHITESPACE
        'select (select list(q order by q.batch_row_) from (select *, row_number() over ()
        as batch_row_ from (select 1 as x) as s) as q) as "a"'
        """
        if not queries:
            return {}
        row = self._read(self.batch_sql(queries), limit=1)[0]
        out = {}
        for name in queries:
            items = list(row[name] or [])
            for item in items:
                item.pop("batch_row_", None)
            out[name] = items
        return out

    @staticmethod
    def batch_sql(queries: dict[str, str]) -> str:
        """The single SELECT that :meth:`many` runs."""
        columns = ", ".join(
            f"(select list(q order by q.batch_row_) from (select *, row_number() over () "
            f'as batch_row_ from ({sql.strip()}) as s) as q) as "{name}"'
            for name, sql in queries.items()
        )
        return f"select {columns}"

    def build(self, make: Callable[[], T], passes: int = 4) -> T:
        """Call ``make`` (a board builder reading through this source) with its reads batched.

        A pass runs ``make`` collecting the queries it asks for (answering those not read yet
        with no rows); the new queries are then read in one Reader call (:meth:`many`) and the
        next pass sees their rows. Builders ask for their data in two waves (what years exist,
        then everything for the chosen year), so a page costs two Reader calls instead of one
        per query. Exceptions of a collecting pass fed with empty rows are ignored; the last
        pass runs with every answer known.
        """
        made: T | None = None
        for _ in range(passes):
            self.collecting, self.missing = True, []
            try:
                made = make()
            except Exception:
                if not self.missing:
                    self.collecting = False
                    raise
                made = None
            finally:
                self.collecting = False
            if not self.missing:
                break
            self.preload(self.missing)
        if made is None or self.missing:
            made = make()
        return made

    def preload(self, queries: list[str]) -> None:
        """Read ``queries`` (one Reader call) for the next :meth:`rows` calls to answer."""
        if len(queries) == 1:
            self.preloaded[queries[0]] = self._read(queries[0], 50_000)
            return
        named = {f"q{i}": sql for i, sql in enumerate(queries)}
        for name, rows in self.many(named).items():
            self.preloaded[named[name]] = rows

    def audit_cached(self) -> None:
        """Write one audit event for the queries answered from the cache (if any)."""
        if not self.cached:
            return
        with self.reader.session_factory() as session:
            audit.record(
                session,
                self.principal,
                "sql",
                None,
                {"sql": [q[:2000] for q, _ in self.cached], "cached": True},
                rows=sum(n for _, n in self.cached),
            )
        self.cached = []

    def snapshot_time(self) -> dt.datetime | None:
        """When the serving snapshot was published (UTC), from its run id or file time."""
        return snapshot_time(current_snapshot(self.settings))


def snapshot_time(path: Path | None) -> dt.datetime | None:
    """The publication time (UTC) of a snapshot file ``snapshot-<YYYYmmddTHHMMSS>-<id>.duckdb``.

    Examples
    --------
    >>> snapshot_time(Path("snapshot-20261204T182712-c16db0.duckdb"))
    datetime.datetime(2026, 12, 4, 18, 27, 12)
    """
    if path is None:
        return None
    match = re.match(r"snapshot-(\d{8}T\d{6})", path.name)
    if match:
        return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S")
    if path.exists():
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
    return None
