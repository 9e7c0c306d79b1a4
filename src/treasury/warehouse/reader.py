"""The one policy-enforcing query builder: every read of data goes through :class:`Reader`.

A read names a principal, a catalog slug and a :class:`ReadRequest`. The reader asks
:func:`treasury.access.decide` for the dataset, applies the dataset's fixed filter, the row
filter and column masks of the decision, the user's filters, sorting and keyset paging, runs
parameterised SQL on the serving snapshot (read-only DuckDB) and writes an audit event.
Identifiers come only from the dataset's own column list; values are always parameters.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlalchemy.orm import Session
from sqlglot import exp

from treasury.access import (
    Action,
    Classification,
    DatasetPolicyInfo,
    Principal,
    Role,
    audit,
    decide,
)
from treasury.access.principal import INTERNAL_ROLES
from treasury.catalog import Catalog, Dataset, load_catalog, where_sql
from treasury.catalog.entries import catalog_with_entries
from treasury.catalog.models import Range
from treasury.catalog.publication import dataset_states
from treasury.config import Settings, get_settings
from treasury.db.catalog import CatalogStatus
from treasury.db.session import session_scope
from treasury.warehouse import lake, uploads
from treasury.warehouse.contracts import contracts, ident
from treasury.warehouse.engines.duckdb import connect
from treasury.warehouse.query import QueryError, check_sql, lock_down, run_query
from treasury.warehouse.serving import current_snapshot

OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "startswith", "isnull")
#: Query parameters that are not filters (``parse_filters`` skips them, and any ``_name``).
RESERVED = frozenset(
    {"columns", "sort", "limit", "next", "after", "version", "q", "bom", "lang", "format", "total"}
)
MAX_LIMIT = 32_000
MAX_SQL_ROWS = 100_000
MASK = "***"
CURATORS = frozenset({Role.admin, Role.steward})
_COMPARE = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class ReadError(Exception):
    """A read that cannot be answered: HTTP ``status``, stable ``code``, English ``message``."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Filter:
    """``column op value``; ops: eq ne gt gte lt lte in contains startswith isnull."""

    column: str
    op: str
    value: object


@dataclass(frozen=True)
class ReadRequest:
    """What to read: columns, filters, sort ``(column, descending)``, page size, keyset token."""

    columns: tuple[str, ...] | None = None
    filters: tuple[Filter, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()
    limit: int = 100
    after: str | None = None
    version: int | None = None
    q: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of rows, the token of the next page (None at the end), the total if asked."""

    rows: pa.Table
    next: str | None
    total: int | None
    schema: dict[str, Any] = field(default_factory=dict)


# -- filters ---------------------------------------------------------------------------------


def _convert(dataset: Dataset, column: str, value: object) -> object:
    """A filter value (text from a URL, or already typed) as the column's type."""
    if not isinstance(value, str):
        return value
    kind = dataset.field(column).type
    try:
        if kind in ("integer", "year"):
            return int(value)
        if kind == "number":
            return decimal.Decimal(value) if "e" not in value.lower() else float(value)
        if kind == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
    except (ValueError, decimal.InvalidOperation):
        raise ReadError(
            400, "bad_filter", f"{value!r} is not a valid {kind} for column {column}"
        ) from None
    return value


def _filter(dataset: Dataset, column: str, op: str, value: object) -> Filter:
    if column not in dataset.columns:
        raise ReadError(
            400,
            "unknown_column",
            f"unknown column {column!r}",
            f"columns: {', '.join(dataset.columns)}",
        )
    if op not in OPS:
        raise ReadError(400, "bad_filter", f"unknown operator {op!r}", f"one of {', '.join(OPS)}")
    if op == "isnull":
        text = str(value).lower()
        if text not in ("true", "false", "1", "0", "none"):
            raise ReadError(400, "bad_filter", f"{column}__isnull takes true or false")
        return Filter(column, op, text in ("true", "1", "none"))
    if op in ("contains", "startswith"):
        if dataset.field(column).type != "string":
            raise ReadError(400, "bad_filter", f"{op} works on text columns; {column} is not text")
        return Filter(column, op, str(value))
    if op == "in":
        items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        if not items:
            raise ReadError(400, "bad_filter", f"{column}__in needs at least one value")
        return Filter(column, op, tuple(_convert(dataset, column, v) for v in items))
    return Filter(column, op, _convert(dataset, column, value))


def parse_filters(
    params: Mapping[str, Any] | Sequence[tuple[str, Any]], dataset: Dataset
) -> tuple[Filter, ...]:
    """Filters from query parameters ``col__op=value`` (``col=value`` means ``eq``).

    Parameters named in :data:`RESERVED` or starting with ``_`` are not filters. ``in`` takes
    comma-separated values; ``isnull`` takes ``true`` or ``false``.

    Raises
    ------
    ReadError
        400 for an unknown column or operator or a value of the wrong type.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> d = load_catalog().get("bansos-2023")
    >>> parse_filters([("bulan__gte", "6"), ("kode_ba", "015"), ("limit", "5")], d)
    (Filter(column='bulan', op='gte', value=6), Filter(column='kode_ba', op='eq', value='015'))
    """
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    out = []
    for key, value in items:
        if key in RESERVED or key.startswith("_"):
            continue
        column, _, op = key.partition("__")
        out.append(_filter(dataset, column, op or "eq", value))
    return tuple(out)


# -- keyset tokens ---------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        return decimal.Decimal(value["n"])
    return value


class _Tokens:
    """Opaque keyset tokens: base64 JSON of the last row's sort values, bound to the query."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()[:24]

    def make(self, query: str, values: Sequence[Any]) -> str:
        body = json.dumps({"q": query, "v": [_encode(v) for v in values]}, separators=(",", ":"))
        raw = body.encode() + b"." + self._mac(body.encode()).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def read(self, query: str, token: str, width: int) -> list[Any]:
        bad = ReadError(
            400, "bad_token", "the next-page token is invalid or belongs to another query"
        )
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            body, _, mac = raw.rpartition(b".")
            if not hmac.compare_digest(mac, self._mac(body).encode()):
                raise bad
            data = json.loads(body)
            values = [_decode(v) for v in data["v"]]
        except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
            raise bad from None
        if data.get("q") != query or len(values) != width:
            raise bad
        return values


# -- SQL building ----------------------------------------------------------------------------


def _policy(dataset: Dataset) -> DatasetPolicyInfo:
    """The catalog's policy facts as the access layer takes them."""
    info = dataset.policy_info()
    return DatasetPolicyInfo(
        slug=info.slug,
        classification=Classification(info.classification),
        columns=frozenset(info.columns),
        row_scoped=bool(info.row_scoped),
        allowed_roles=frozenset(Role(r) for r in info.allowed_roles),
        personal_columns=frozenset(info.personal),
    )


def _masked(column: str) -> str:
    col = ident(column)
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE '{MASK}' END AS {col}"


@dataclass
class _Query:
    """A SELECT under construction: FROM, conditions and their parameters."""

    source: str
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, params: Sequence[Any] = ()) -> None:
        self.where.append(condition)
        self.params.extend(params)

    def condition(self) -> str:
        return " AND ".join(f"({w})" for w in self.where) or "TRUE"


def _user_condition(f: Filter) -> tuple[str, list[Any]]:
    col = ident(f.column)
    if f.op in _COMPARE:
        return f"{col} {_COMPARE[f.op]} ?", [f.value]
    if f.op == "in":
        values = list(f.value)  # type: ignore[call-overload]
        return f"{col} IN ({', '.join('?' for _ in values)})", values
    if f.op == "contains":
        return f"contains(lower({col}), lower(?))", [f.value]
    if f.op == "startswith":
        return f"starts_with({col}, ?)", [f.value]
    return (f"{col} IS NULL" if f.value else f"{col} IS NOT NULL"), []


def _after_condition(keys: Sequence[tuple[str, bool]], values: Sequence[Any]) -> tuple[str, list]:
    """Rows strictly after ``values`` in ``ORDER BY keys NULLS LAST`` order."""
    ors: list[str] = []
    params: list[Any] = []
    for i, (column, descending) in enumerate(keys):
        value = values[i]
        if value is None:
            continue  # nulls sort last: nothing is strictly after a null in this column
        parts: list[str] = []
        for prior, (col, _desc) in enumerate(keys[:i]):
            if values[prior] is None:
                parts.append(f"{ident(col)} IS NULL")
            else:
                parts.append(f"{ident(col)} = ?")
                params.append(values[prior])
        parts.append(f"({ident(column)} {'<' if descending else '>'} ? OR {ident(column)} IS NULL)")
        params.append(value)
        ors.append(" AND ".join(parts))
    return (" OR ".join(f"({o})" for o in ors) or "FALSE"), params


def _order_by(keys: Sequence[tuple[str, bool]]) -> str:
    return ", ".join(f"{ident(c)} {'DESC' if d else 'ASC'} NULLS LAST" for c, d in keys)


def _literal(value: Any) -> Any:
    """A safe SQL literal for a trusted value (catalog filters, organisation codes)."""
    return exp.convert(value)


# -- the reader ------------------------------------------------------------------------------


SessionFactory = Callable[[], AbstractContextManager[Session]]


class Reader:
    """The single read path: access decision, policies, filters, keyset pages, audit.

    Parameters
    ----------
    settings
        Settings (default: the process settings): snapshot, lake, app database.
    session_factory
        A callable returning a context manager of an app-database session (default:
        :func:`treasury.db.session.session_scope` on the configured database).
    catalog
        The catalog (default: the shipped one plus run-time entries from the app database).

    Examples
    --------
    >>> reader = Reader()  # doctest: +SKIP
    >>> page = reader.page(principal, "bansos-2023", ReadRequest(limit=10))  # doctest: +SKIP
    >>> page.rows.num_rows, page.next is not None  # doctest: +SKIP
    (10, True)
    """

    def __init__(
        self,
        settings: Settings | None = None,
        session_factory: SessionFactory | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        url = self.settings.app_database_url
        self.session_factory: SessionFactory = session_factory or (lambda: session_scope(url))
        self._catalog = catalog
        secret = hashlib.sha256(b"treasury-keyset:" + str(self.settings.home).encode()).digest()
        self.tokens = _Tokens(secret)
        self._lock = threading.Lock()
        self._connections: dict[Path, duckdb.DuckDBPyConnection] = {}
        self._tables: dict[Path, frozenset[str]] = {}

    # catalog and access ------------------------------------------------------------------

    def catalog(self, session: Session) -> Catalog:
        """The catalog reads are answered from."""
        if self._catalog is not None:
            return self._catalog
        return catalog_with_entries(session, load_catalog())

    def _visible(self, principal: Principal, session: Session, catalog: Catalog) -> set[str]:
        states = dataset_states(session, catalog)
        if principal.role in CURATORS:
            return set(states)
        return {slug for slug, s in states.items() if s.status == "published"}

    def _lookup(self, principal: Principal, slug: str, session: Session) -> Dataset:
        catalog = self.catalog(session)
        if slug not in catalog or not self._shown(principal, session, catalog.get(slug)):
            raise ReadError(404, "not_found", f"no dataset {slug!r}", "GET /api/v1/datasets")
        return catalog.get(slug)

    @staticmethod
    def _shown(principal: Principal, session: Session, dataset: Dataset) -> bool:
        """Whether one dataset is visible: as :meth:`_visible`, reading only its own status
        (every read asks this: the states of all datasets cost three queries)."""
        if principal.role in CURATORS:
            return True
        row = session.get(CatalogStatus, dataset.slug)
        return (row.status if row is not None else dataset.status) == "published"

    def dataset(self, principal: Principal, slug: str) -> Dataset:
        """The dataset ``slug`` if the principal may read it.

        Raises
        ------
        ReadError
            404 unknown (or unpublished, for non-stewards), 401/403 refused.
        """
        with self.session_factory() as session:
            dataset = self._lookup(principal, slug, session)
        decision = decide(principal, _policy(dataset), Action.read)
        if not decision.allowed:
            raise _refusal(decision.status or 403, decision.reason, decision.message_in("en"))
        return dataset

    def readable(self, principal: Principal) -> list[Dataset]:
        """Datasets the principal may read (published ones, or all for stewards and admins)."""
        with self.session_factory() as session:
            catalog = self.catalog(session)
            visible = self._visible(principal, session, catalog)
        return [
            d
            for d in catalog
            if d.slug in visible and decide(principal, _policy(d), "read").allowed
        ]

    def _authorise(
        self, session: Session, principal: Principal, slug: str, action: str, what: dict
    ) -> tuple[Dataset, Any]:
        dataset = self._lookup(principal, slug, session)
        decision = decide(principal, _policy(dataset), action)
        if not decision.allowed:
            audit.record(
                session, principal, action, slug, what, status="denied", detail=decision.reason
            )
            raise _refusal(decision.status or 403, decision.reason, decision.message_in("en"))
        return dataset, decision

    # snapshot ----------------------------------------------------------------------------

    def _snapshot(self) -> tuple[duckdb.DuckDBPyConnection, frozenset[str]]:
        """A cursor on the current snapshot and the snapshot's table names."""
        path = current_snapshot(self.settings)
        if path is None:
            raise ReadError(409, "no_snapshot", "no data has been published yet: run the pipeline")
        with self._lock:
            con = self._connections.get(path)
            if con is None:
                con = connect(self.settings, path, read_only=True)
                lock_down(con, self.settings)
                self._connections[path] = con
                names = con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                    "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
                ).fetchall()
                self._tables[path] = frozenset(r[0] for r in names)
            return con.cursor(), self._tables[path]

    def _source(
        self,
        cursor: duckdb.DuckDBPyConnection,
        tables: frozenset[str],
        dataset: Dataset,
        version: int | None,
    ) -> str:
        """The FROM expression of a dataset (a snapshot table, or a lake version)."""
        table, _ = dataset.sql_source()
        if table == uploads.source_table(dataset.slug) and table not in tables:
            # An uploaded dataset is served from its lake table as soon as it is stored, at the
            # latest or the asked version: it needs no pipeline run to be readable.
            if version is not None and version < 0:
                raise ReadError(
                    404, "version_not_found", f"{dataset.slug} has no version {version}"
                )
            data = uploads.read_version(self.settings, dataset.slug, version)
            if data is None:
                raise ReadError(
                    404, "version_not_found", f"{dataset.slug} has no version {version}"
                )
            cursor.register("_uploaded", data)
            return "_uploaded"
        if version is None:
            if table not in tables:
                raise ReadError(
                    409, "not_available", f"{dataset.slug} is not in the serving snapshot yet"
                )
            return ident(table)
        layer, _, name = table.partition("_")
        if layer not in ("clean", "mart"):
            raise ReadError(400, "version_unsupported", f"{dataset.slug} has no versions to read")
        if version < 0:
            raise ReadError(404, "version_not_found", f"{dataset.slug} has no version {version}")
        try:
            data = lake.read(lake.table_path(self.settings.lake, layer, name), version)
        except Exception:
            data = None
        if data is None:
            raise ReadError(404, "version_not_found", f"{dataset.slug} has no version {version}")
        cursor.register("_versioned", data)
        contract = contracts().get(name) if layer == "clean" else None
        if contract is not None and contract.load_mode == "latest":
            keys = ", ".join(ident(k) for k in contract.primary_key)
            return (
                "(SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY "
                f"{keys} ORDER BY _run_id DESC, _batch DESC) AS _rn FROM _versioned) WHERE _rn = 1)"
            )
        return "_versioned"

    def _plan(
        self, dataset: Dataset, decision: Any, request: ReadRequest, source: str
    ) -> tuple[_Query, list[str], list[tuple[str, bool]]]:
        """Conditions, output columns and full sort keys (user sort + key) of a read."""
        known = dataset.columns  # built on each access: once per read
        columns = list(request.columns or known)
        unknown = [c for c in [*columns, *(c for c, _ in request.sort)] if c not in known]
        if unknown:
            raise ReadError(
                400, "unknown_column", f"unknown column {unknown[0]!r}", ", ".join(dataset.columns)
            )
        if len(set(columns)) != len(columns):
            raise ReadError(400, "bad_columns", "a column is listed twice")
        masked = decision.masked_columns
        touched = [f.column for f in request.filters] + [c for c, _ in request.sort]
        hidden = [c for c in touched if c in masked]
        if hidden:
            raise ReadError(
                403, "masked_column", f"column {hidden[0]} is masked for you: no filter or sort"
            )
        query = _Query(source)
        condition, params = where_sql(dataset.sql_source()[1])
        query.add(condition, params)
        for column, values in (decision.row_filter or {}).items():
            query.add(f"{ident(column)} IN ({', '.join('?' for _ in values)})", list(values))
        for f in request.filters:
            query.add(*_user_condition(f))
        if request.q:
            text = [f.name for f in dataset.fields if f.type == "string" and f.name not in masked]
            if text:
                ors = " OR ".join(f"contains(lower({ident(c)}), lower(?))" for c in text)
                query.add(ors, [request.q] * len(text))
        seen = {c for c, _ in request.sort}
        keys = list(request.sort) + [
            (c, False) for c in (dataset.primary_key or dataset.columns) if c not in seen
        ]
        return query, columns, keys

    def _select(
        self, columns: Sequence[str], masked: frozenset[str], keys: Sequence[tuple[str, bool]]
    ) -> str:
        out = [_masked(c) if c in masked else ident(c) for c in columns]
        extra = [c for c, _ in keys if c not in columns]
        return ", ".join(out + [f"{ident(c)} AS {ident('_k_' + c)}" for c in extra])

    def _token_scope(self, slug: str, request: ReadRequest, columns: Sequence[str]) -> str:
        what = json.dumps(
            [
                slug,
                request.version,
                request.q,
                list(request.sort),
                [
                    (
                        f.column,
                        f.op,
                        _encode(f.value)
                        if not isinstance(f.value, tuple)
                        else [_encode(v) for v in f.value],
                    )
                    for f in request.filters
                ],
            ],
            default=str,
        )
        return hashlib.sha256(what.encode()).hexdigest()[:16]

    def _schema(self, dataset: Dataset, columns: Sequence[str], masked: frozenset[str]) -> dict:
        schema = dataset.table_schema()
        by_name = {f["name"]: f for f in schema["fields"]}
        fields = []
        for c in columns:
            f = dict(by_name[c])
            if c in masked:
                f.update(type="string", masked=True)
            fields.append(f)
        out = {**schema, "fields": fields}
        return out

    @staticmethod
    def _what(request: ReadRequest, **extra: Any) -> dict[str, Any]:
        return {
            "columns": list(request.columns) if request.columns else None,
            "filters": [[f.column, f.op, str(f.value)] for f in request.filters],
            "sort": [[c, d] for c, d in request.sort],
            "version": request.version,
            "q": request.q,
            **extra,
        }

    # reads -------------------------------------------------------------------------------

    def page(
        self, principal: Principal, slug: str, request: ReadRequest, include_total: bool = False
    ) -> Page:
        """One keyset page of a dataset's rows, with policies applied and the read audited.

        Parameters
        ----------
        principal
            Who reads.
        slug
            Catalog dataset.
        request
            Columns, filters, sort, ``limit`` (1..32000), ``after`` (a previous ``Page.next``),
            ``version``, ``q``.
        include_total
            Also count every matching row.

        Returns
        -------
        Page
            ``rows`` (Arrow), ``next`` token (None on the last page), ``total``, ``schema``.

        Raises
        ------
        ReadError
            400 bad input, 401/403 refused, 404 unknown dataset or version, 409 not served.
        """
        if not 1 <= request.limit <= MAX_LIMIT:
            raise ReadError(400, "bad_limit", f"limit must be between 1 and {MAX_LIMIT}")
        what = self._what(request, limit=request.limit)
        with self.session_factory() as session:
            dataset, decision = self._authorise(session, principal, slug, "read", what)
            cursor, tables = self._snapshot()
            try:
                source = self._source(cursor, tables, dataset, request.version)
                query, columns, keys = self._plan(dataset, decision, request, source)
                scope = self._token_scope(slug, request, columns)
                base_condition, base_params = query.condition(), list(query.params)
                if request.after:
                    values = self.tokens.read(scope, request.after, len(keys))
                    query.add(*_after_condition(keys, values))
                sql = (
                    f"SELECT {self._select(columns, decision.masked_columns, keys)} FROM {source} "
                    f"WHERE {query.condition()} ORDER BY {_order_by(keys)} LIMIT ?"
                )
                rows = _table(cursor, sql, [*query.params, request.limit + 1])
                total = None
                if include_total:
                    count_sql = f"SELECT count(*) FROM {source} WHERE {base_condition}"
                    total = _table(cursor, count_sql, base_params).column(0)[0].as_py()
            finally:
                cursor.close()
            token = None
            if rows.num_rows > request.limit:
                rows = rows.slice(0, request.limit)
                last = rows.slice(request.limit - 1, 1).to_pylist()[0]
                token = self.tokens.make(
                    scope, [last[c] if c in columns else last["_k_" + c] for c, _ in keys]
                )
            rows = rows.select(columns)
            audit.record(
                session, principal, "read", slug, what, rows=rows.num_rows, bytes=rows.nbytes
            )
        return Page(rows, token, total, self._schema(dataset, columns, decision.masked_columns))

    def stream(
        self,
        principal: Principal,
        slug: str,
        request: ReadRequest,
        action: str = "export",
        batch_rows: int = 65_536,
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """Every matching row as Arrow record batches, in constant memory.

        ``request.limit`` is ignored (an export is the whole selection); ``after`` starts after
        a page token; rows come in ``sort`` order when one is given, else in the table's order.
        The audit event (rows and bytes sent) is written when the iterator ends or is closed.

        Raises
        ------
        ReadError
            As :meth:`page`, before any batch is produced.
        """
        what = self._what(request, action=action)
        with self.session_factory() as session:
            dataset, decision = self._authorise(session, principal, slug, action, what)
        cursor, tables = self._snapshot()
        try:
            source = self._source(cursor, tables, dataset, request.version)
            query, columns, keys = self._plan(dataset, decision, request, source)
            if request.after:
                scope = self._token_scope(slug, request, columns)
                values = self.tokens.read(scope, request.after, len(keys))
                query.add(*_after_condition(keys, values))
            select = ", ".join(
                _masked(c) if c in decision.masked_columns else ident(c) for c in columns
            )
            order = f" ORDER BY {_order_by(keys)}" if request.sort or request.after else ""
            sql = f"SELECT {select} FROM {source} WHERE {query.condition()}{order}"
            reader = _reader(cursor, sql, query.params, batch_rows)
        except BaseException:
            cursor.close()
            raise
        return reader.schema, self._batches(reader, cursor, principal, slug, action, what)

    def _batches(
        self,
        reader: pa.RecordBatchReader,
        cursor: duckdb.DuckDBPyConnection,
        principal: Principal,
        slug: str,
        action: str,
        what: dict[str, Any],
    ) -> Iterator[pa.RecordBatch]:
        rows = size = 0
        status, detail = "error", "interrupted"
        try:
            for batch in reader:
                rows += batch.num_rows
                size += batch.nbytes
                yield batch
            status, detail = "ok", None  # type: ignore[assignment]
        finally:
            cursor.close()
            with self.session_factory() as session:
                audit.record(
                    session,
                    principal,
                    action,
                    slug,
                    what,
                    rows=rows,
                    bytes=size,
                    status=status,
                    detail=detail,
                )

    def sql(
        self, principal: Principal, sql: str, limit: int = 10_000, timeout_s: float = 10
    ) -> pa.Table:
        """Read-only SQL over the datasets the principal may read (internal users only).

        Each readable dataset is a table named by its slug with ``-`` as ``_``
        (``sp2d_rincian``), with its fixed filter, row filter and masks applied inside; the
        query runs in the sandbox of :func:`treasury.warehouse.query.run_query`.

        Raises
        ------
        ReadError
            401 anonymous, 403 not an internal user, 400 refused or failing SQL.
        """
        what = {"sql": sql[:4000], "limit": limit}
        with self.session_factory() as session:
            if not principal.is_authenticated:
                audit.record(
                    session, principal, "sql", None, what, status="denied", detail="login_required"
                )
                raise ReadError(401, "unauthorized", "log in to run SQL")
            if principal.role not in INTERNAL_ROLES:
                audit.record(
                    session, principal, "sql", None, what, status="denied", detail="internal_only"
                )
                raise ReadError(403, "forbidden", "SQL is for internal users")
            if not 1 <= limit <= MAX_SQL_ROWS:
                raise ReadError(400, "bad_limit", f"limit must be between 1 and {MAX_SQL_ROWS}")
            try:
                views, tables = self._views(principal, session)
                rewritten = _rewrite(check_sql(sql), views, tables)
                result = run_query(
                    rewritten, limit=limit, settings=self.settings, timeout=timeout_s
                )
            except QueryError as exc:
                audit.record(session, principal, "sql", None, what, status="error", detail=str(exc))
                raise ReadError(400, "bad_sql", str(exc)) from None
            audit.record(
                session, principal, "sql", None, what, rows=result.num_rows, bytes=result.nbytes
            )
        return result

    def _views(
        self, principal: Principal, session: Session
    ) -> tuple[dict[str, exp.Expression], frozenset[str]]:
        """View name -> policy-applied SELECT of each dataset the principal may query; and
        the snapshot's table names."""
        catalog = self.catalog(session)
        visible = self._visible(principal, session, catalog)
        cursor, tables = self._snapshot()
        cursor.close()
        views: dict[str, exp.Expression] = {}
        for dataset in catalog:
            table, fixed = dataset.sql_source()
            if dataset.slug not in visible or table not in tables:
                continue
            decision = decide(principal, _policy(dataset), Action.sql)
            if not decision.allowed:
                continue
            select = exp.select(
                *(
                    sqlglot.parse_one(_masked(c), read="duckdb")
                    if c in decision.masked_columns
                    else exp.column(c, quoted=True)
                    for c in dataset.columns
                )
            ).from_(exp.table_(table, quoted=True))
            conditions = dict(fixed)
            for column, value in conditions.items():
                select = select.where(_fixed_condition(column, value))
            for column, values in (decision.row_filter or {}).items():
                select = select.where(
                    exp.column(column, quoted=True).isin(*(_literal(v) for v in values))
                )
            views[dataset.slug.replace("-", "_")] = select
        return views, tables


def _fixed_condition(column: str, value: Any) -> Any:
    """A catalog fixed filter as a sqlglot condition with literal values."""
    col = exp.column(column, quoted=True)
    if isinstance(value, list):
        return col.isin(*(_literal(v) for v in value))
    if isinstance(value, Range):
        parts: list[exp.Expression] = []
        if value.min is not None:
            parts.append(exp.GTE(this=col.copy(), expression=_literal(value.min)))
        if value.max is not None:
            parts.append(exp.LTE(this=col.copy(), expression=_literal(value.max)))
        return exp.and_(*parts)
    return exp.EQ(this=col, expression=_literal(value))


def _rewrite(
    tree: exp.Expression, views: Mapping[str, exp.Expression], tables: frozenset[str]
) -> str:
    """The user's query with each dataset name replaced by its policy-applied subquery.

    A ``WITH`` name may not be a snapshot table's or a dataset's name: inside its own body
    such a name would reach the real table, past the row filters and masks. Names compare
    case-insensitively, as DuckDB resolves them.
    """
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    clash = ctes & ({t.lower() for t in tables} | {v.lower() for v in views})
    if clash:
        raise QueryError(f"WITH {sorted(clash)[0]}: a WITH name may not be a table's name")
    by_name = {name.lower(): view for name, view in views.items()}
    for table in list(tree.find_all(exp.Table)):
        name = table.name.lower()
        if name in ctes:
            continue
        if name not in by_name:
            raise QueryError(f"unknown table {table.name}: query the datasets by slug with _ for -")
        alias = table.alias or table.name
        table.replace(
            exp.Subquery(
                this=by_name[name].copy(),
                alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
            )
        )
    return tree.sql(dialect="duckdb")


_INPUT_ERRORS = (
    duckdb.ConversionException,
    duckdb.BinderException,
    duckdb.InvalidInputException,
    duckdb.OutOfRangeException,
)


def _table(cursor: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> pa.Table:
    """Run parameterised SQL into an Arrow table; bad values become 400, never a 500."""
    try:
        table: pa.Table = cursor.sql(sql, params=list(params)).to_arrow_table()
    except _INPUT_ERRORS as exc:
        raise ReadError(400, "bad_filter", str(exc).split("\n")[0]) from None
    return table


def _reader(
    cursor: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any], batch_rows: int
) -> pa.RecordBatchReader:
    """Run parameterised SQL as a stream of record batches (DuckDB produces them lazily)."""
    try:
        reader: pa.RecordBatchReader = cursor.sql(sql, params=list(params)).to_arrow_reader(
            batch_rows
        )
    except _INPUT_ERRORS as exc:
        raise ReadError(400, "bad_filter", str(exc).split("\n")[0]) from None
    return reader


def _refusal(status: int, reason: str, message: str) -> ReadError:
    if status == 401:
        hint = "log in, or send an API token: Authorization: Bearer <token>"
        return ReadError(401, "unauthorized", message, hint)
    return ReadError(status, "forbidden", message, f"{reason}: ask a data steward for access")


__all__ = ["OPS", "Filter", "Page", "ReadError", "ReadRequest", "Reader", "parse_filters"]
