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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from treasury.access import Principal, audit
from treasury.config import Settings, get_settings
from treasury.warehouse.reader import Reader
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


#: Cached results: (snapshot file, principal, sql, limit) -> rows; least recently used first.
_CACHE: OrderedDict[tuple[str, Principal, str, int], list[dict[str, Any]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_ENTRIES = 512
#: Results larger than this many rows are not cached.
CACHE_MAX_ROWS = 20_000


def clear_cache() -> None:
    """Forget every cached result (tests; a new snapshot makes old entries unreachable anyway)."""
    with _CACHE_LOCK:
        _CACHE.clear()


@dataclass
class Source:
    """Rows for one viewer: ``rows(sql)`` runs through the Reader as ``principal``."""

    principal: Principal
    settings: Settings
    queries: int = 0
    cached: list[tuple[str, int]] = field(default_factory=list)

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

        The caller may change the returned rows: a cached answer is copied.
        """
        self.queries += 1
        snapshot = current_snapshot(self.settings)
        key = (snapshot.name if snapshot else "", self.principal, sql, limit)
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
        if hit is not None:
            self.cached.append((sql, len(hit)))
            return [dict(r) for r in hit]
        rows: list[dict[str, Any]] = self.reader.sql(self.principal, sql, limit=limit).to_pylist()
        if snapshot is not None and len(rows) <= CACHE_MAX_ROWS:
            with _CACHE_LOCK:
                _CACHE[key] = [dict(r) for r in rows]
                while len(_CACHE) > CACHE_ENTRIES:
                    _CACHE.popitem(last=False)
        return rows

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
