"""CKAN-compatible Action API: CKAN 2.10's actions and envelope over the catalog and the reader.

Every data read (``datastore_*``, the dump) goes through :class:`treasury.warehouse.reader.Reader`;
metadata comes from the catalog renderers (:mod:`treasury.catalog.ckan`). Errors keep CKAN's
envelope and statuses: 403 Authorization Error, 404 Not Found Error, 409 Validation Error, 400
Bad request (unknown action, malformed request) and Search Query Error (bad ``q``/``fq``/``sort``).

Why one long module: the action table, the datastore and the dump share the call context and
the error mapping; the datastore half (``datastore_*``, values, dump writers) is the natural
split into ``ckan_datastore.py`` once the module is owned by one engineer.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

import pyarrow as pa
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from treasury.access.http import SessionDep, current_principal
from treasury.access.principal import Principal
from treasury.catalog.ckan import (
    DATASTORE,
    find_package,
    find_resource,
    to_ckan_group,
    to_ckan_organization,
    to_ckan_package,
    to_ckan_search,
    to_ckan_tag,
)
from treasury.catalog.dataset import Dataset
from treasury.catalog.formats import resource_id
from treasury.catalog.publication import dataset_states
from treasury.catalog.registry import Catalog
from treasury.catalog.search import SearchResult, parse_fq, search
from treasury.catalog.state import DatasetState
from treasury.warehouse.reader import (
    MAX_LIMIT,
    Filter,
    Reader,
    ReadError,
    ReadRequest,
    parse_filters,
)

router = APIRouter(tags=["CKAN"])
logger = logging.getLogger(__name__)

CKAN_VERSION = "2.10.4"
ROWS_MAX = 1000
DATASTORE_DEFAULT = 100
#: Formats ``ckanapi dump -D`` can put in a data package: it downloads one resource's URL into
#: every file (the loop variable bug in ``ckanapi.datapackage.create_datapackage``), so a package
#: carries the datastore table and the CSV download only; DCAT lists every format.
SERVED_FORMATS = ("API", "CSV")


class CkanError(Exception):
    """An action failure in CKAN's terms: HTTP status, ``__type``, message, field errors."""

    def __init__(
        self, status: int, kind: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields or {}
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, Any]:
        """The ``error`` object of the envelope."""
        return {"__type": self.kind, "message": self.message, **self.fields}


def not_found(detail: str) -> CkanError:
    """404 Not Found Error."""
    return CkanError(404, "Not Found Error", f"Not found: {detail}")


def invalid(field: str, detail: str) -> CkanError:
    """409 Validation Error on one parameter."""
    return CkanError(409, "Validation Error", f"{field}: {detail}", {field: [detail]})


def bad_request(detail: str) -> CkanError:
    """400 Bad request, as CKAN answers an unknown action or undecodable request data."""
    return CkanError(400, "Bad request", f"Bad request - {detail}")


def from_read_error(error: ReadError, field: str = "query") -> CkanError:
    """A reader refusal in CKAN's terms (CKAN has no 401: refusals are Authorization Errors)."""
    if error.status in (401, 403):
        return CkanError(403, "Authorization Error", f"Access denied: {error.message}")
    if error.status == 404:
        return not_found(error.message)
    return invalid(field, error.message)


@dataclass
class Call:
    """One action call: who asks, with what parameters, against which catalog."""

    principal: Principal
    session: Session
    data: dict[str, Any]
    request: Request
    reader: Reader
    catalog: Catalog
    states: dict[str, DatasetState]

    @property
    def base_url(self) -> str:
        """The portal's base URL as the client reached it."""
        return str(self.request.base_url).rstrip("/")

    def readable(self) -> list[Dataset]:
        """Datasets the principal may read, in slug order."""
        return sorted(self.reader.readable(self.principal), key=lambda d: d.slug)

    def listed(self, include_private: bool = False) -> list[Dataset]:
        """What CKAN lists: public datasets, plus private ones the principal may read if asked."""
        return [d for d in self.readable() if include_private or d.classification == "public"]

    def package(self, dataset: Dataset) -> dict[str, Any]:
        """A dataset as ``package_show`` returns it."""
        return served(
            to_ckan_package(dataset, self.base_url, self.catalog, self.states.get(dataset.slug))
        )

    def text(self, name: str, default: str = "") -> str:
        """A string parameter."""
        value = self.data.get(name, default)
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, default: int, low: int = 0, high: int | None = None) -> int:
        """A natural-number parameter, capped at ``high`` as CKAN caps rows and limits."""
        value = self.data.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise invalid(name, "Invalid integer") from None
        if number < low:
            raise invalid(name, "Must be a natural number")
        return number if high is None else min(number, high)

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (``true``/``false``, ``1``/``0``, JSON booleans)."""
        value = self.data.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            raise invalid(name, "Invalid boolean")
        return text in ("true", "1", "yes", "on")

    def required(self, *names: str) -> str:
        """The first of ``names`` given (CKAN's ``_get_or_bust``)."""
        for name in names:
            value = self.data.get(name)
            if value not in (None, ""):
                return str(value)
        raise invalid(names[0], "Missing value")


def served(package: dict[str, Any]) -> dict[str, Any]:
    """The package with the resources ``ckanapi`` can dump (see :data:`SERVED_FORMATS`)."""
    resources = [r for r in package["resources"] if r["format"] in SERVED_FORMATS]
    for position, resource in enumerate(resources):
        resource["position"] = position
    return {**package, "resources": resources, "num_resources": len(resources)}


ACTIONS: dict[str, Callable[[Call], Any]] = {}


def action(fn: Callable[[Call], Any]) -> Callable[[Call], Any]:
    """Register a read action under its function name."""
    ACTIONS[fn.__name__] = fn
    return fn


# -- catalog actions -------------------------------------------------------------------------

_RANGE = re.compile(r"[+]?metadata_modified:\[(\S+)\s+TO\s+(\S+)\]")
_EXACT = re.compile(r"[+]?(name|id|dataset_type|type|state):(\"[^\"]*\"|\S+)")


def _narrow(call: Call, fq: str, candidates: list[Dataset]) -> tuple[str, list[Dataset]]:
    """Apply the fq clauses harvesters send that are not facets (names, ids, modified ranges)."""
    keep = list(candidates)
    for low, high in _RANGE.findall(fq):
        start = "" if low == "*" else low.rstrip("Z")
        end = "\uffff" if high == "*" else high.rstrip("Z")
        keep = [d for d in keep if start <= call.package(d)["metadata_modified"] <= end]
    for field, raw in _EXACT.findall(fq):
        value = raw.strip('"')
        if field == "name":
            keep = [d for d in keep if d.slug == value]
        elif field == "id":
            keep = [d for d in keep if call.package(d)["id"] == value]
        elif (field in ("dataset_type", "type") and value != "dataset") or (
            field == "state" and value != "active"
        ):
            keep = []
    return _EXACT.sub("", _RANGE.sub("", fq)).strip(), keep


def _facet_fields(call: Call) -> list[str]:
    raw = call.data.get("facet.field")
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip().startswith("[") else [raw]
        except ValueError:
            raise bad_request(f"JSON Error: facet.field is not a JSON list: {raw!r}") from None
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise invalid("facet.field", "Must be a list of field names")
    return list(raw)


@action
def package_search(call: Call) -> dict[str, Any]:
    """Search datasets: q, fq, rows (max 1000), start, sort, facet.field, facet.limit,
    include_private. Returns count, results, facets and search_facets."""
    rows = call.integer("rows", 10, high=ROWS_MAX)
    start = call.integer("start", 0)
    limit = call.integer("facet.limit", 50, low=-1)
    fq, candidates = _narrow(call, call.text("fq"), call.listed(call.flag("include_private")))
    modified = {slug: state.modified for slug, state in call.states.items()}
    try:
        result: SearchResult = search(
            call.catalog,
            call.text("q").replace("*:*", "").strip(),
            filters=parse_fq(fq),
            sort=call.text("sort") or None,
            start=start,
            rows=rows,
            facet_fields=_facet_fields(call),
            facet_limit=10**6 if limit < 0 else limit,
            only=[d.slug for d in candidates],
            modified=modified,
        )
    except ValueError as exc:
        raise CkanError(400, "Search Query Error", f"Search Query is invalid: {exc}") from None
    out = to_ckan_search(result, call.base_url, call.catalog, call.states)
    out["results"] = [served(p) for p in out["results"]]
    return out


def _visible_package(call: Call, id_or_name: str) -> Dataset:
    dataset = find_package(call.catalog, id_or_name)
    if dataset is None:
        raise not_found("Dataset not found")
    try:
        return call.reader.dataset(call.principal, dataset.slug)
    except ReadError as exc:
        raise from_read_error(exc, "id") from None


@action
def package_show(call: Call) -> dict[str, Any]:
    """One dataset by id or name (unknown parameters are ignored)."""
    return call.package(_visible_package(call, call.required("id", "name_or_id")))


@action
def package_list(call: Call) -> list[str]:
    """Names of the public datasets (limit, offset)."""
    names = [d.slug for d in call.listed()]
    offset = call.integer("offset", 0)
    limit = call.integer("limit", len(names))
    return names[offset : offset + limit]


def _organizations(call: Call) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for dataset in call.readable():
        counts[dataset.organization] = counts.get(dataset.organization, 0) + 1
    return [
        to_ckan_organization(o, call.base_url, counts.get(o.code, 0))
        for o in sorted(call.catalog.organizations(), key=lambda o: o.slug)
    ]


@action
def organization_list(call: Call) -> list[Any]:
    """Organisations: names, or whole dicts with ``all_fields``."""
    orgs = _organizations(call)
    wanted = call.data.get("organizations")
    if isinstance(wanted, str):
        wanted = [w.strip() for w in wanted.split(",") if w.strip()]
    if wanted and not (isinstance(wanted, list) and all(isinstance(w, str) for w in wanted)):
        raise invalid("organizations", "Must be a list of organization names")
    if wanted:
        orgs = [o for o in orgs if o["name"] in wanted]
    offset = call.integer("offset", 0)
    orgs = orgs[offset : offset + call.integer("limit", len(orgs), high=ROWS_MAX)]
    return orgs if call.flag("all_fields") else [o["name"] for o in orgs]


@action
def organization_show(call: Call) -> dict[str, Any]:
    """One organisation by id, name or code; its datasets with ``include_datasets``."""
    key = call.required("id")
    for org in _organizations(call):
        code = next(e["value"] for e in org["extras"] if e["key"] == "code")
        if key in (org["id"], org["name"], code):
            if call.flag("include_datasets"):
                org["packages"] = [call.package(d) for d in call.listed() if d.organization == code]
            return org
    raise not_found("Organization was not found.")


@action
def group_list(call: Call) -> list[Any]:
    """Thematic groups: names, or whole dicts with ``all_fields``."""
    counts: dict[str, int] = {}
    for dataset in call.readable():
        for name in dataset.groups:
            counts[name] = counts.get(name, 0) + 1
    groups = [
        to_ckan_group(g, counts.get(g.name, 0))
        for g in sorted(call.catalog.groups(), key=lambda g: g.name)
    ]
    return groups if call.flag("all_fields") else [g["name"] for g in groups]


@action
def group_show(call: Call) -> dict[str, Any]:
    """One group by id or name."""
    key = call.required("id")
    for group in group_list(Call(**{**call.__dict__, "data": {"all_fields": True}})):
        if key in (group["id"], group["name"]):
            return group
    raise not_found("Group was not found.")


@action
def tag_list(call: Call) -> list[Any]:
    """Free tags of the datasets one may read (``query`` filters, ``all_fields`` gives dicts)."""
    query = call.text("query").lower()
    names = sorted({t for d in call.readable() for t in d.tags if query in t.lower()})
    return [to_ckan_tag(n) for n in names] if call.flag("all_fields") else names


@action
def resource_show(call: Call) -> dict[str, Any]:
    """One resource by id."""
    rid = call.required("id")
    found = find_resource(call.catalog, rid)
    if found is None:
        raise not_found("Resource was not found.")
    package = call.package(_visible_package(call, found[0].slug))
    for resource in package["resources"]:
        if resource["id"] == rid:
            return dict(resource)
    raise not_found("Resource was not found.")


@action
def status_show(call: Call) -> dict[str, Any]:
    """What this site is and which CKAN API it speaks."""
    return {
        "site_title": "Treasury Big Data",
        "site_description": "Data terbuka Direktorat Jenderal Perbendaharaan.",
        "site_url": call.base_url,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "id",
        "extensions": ["datastore", "dcat"],
    }


@action
def help_show(call: Call) -> str:
    """The documentation of an action (``name``)."""
    name = call.required("name")
    if name not in ACTIONS:
        raise not_found("Action function not found")
    return ACTIONS[name].__doc__ or ""


# -- datastore -------------------------------------------------------------------------------


def _resource_dataset(call: Call) -> Dataset:
    rid = call.required("resource_id", "id")
    found = find_resource(call.catalog, rid)
    if found is None:
        raise not_found(f'Resource "{rid}" was not found.')
    return found[0]


def _json_param(call: Call, name: str) -> Any:
    value = call.data.get(name)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise invalid(name, "Invalid JSON") from None
    return value


def _parsed(pairs: list[tuple[str, Any]], dataset: Dataset, field: str) -> list[Filter]:
    """Filters typed and checked by the reader's own parser (a bad value is a Validation Error)."""
    try:
        return list(parse_filters(pairs, dataset))
    except ReadError as exc:
        raise invalid(field, exc.message) from None


def datastore_request(call: Call, dataset: Dataset, limit: int) -> ReadRequest:
    """The reader request of a datastore call: filters, q, fields, sort."""
    given = _json_param(call, "filters") or {}
    if not isinstance(given, dict):
        raise invalid("filters", "Not a JSON object")
    pairs: list[tuple[str, Any]] = []
    for column, value in given.items():
        if column not in dataset.columns:
            raise invalid("filters", f'field "{column}" not in resource')
        if value is None:
            pairs.append((f"{column}__isnull", "true"))
        elif isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
            pairs.append((f"{column}__in", [str(v) if isinstance(v, bool) else v for v in value]))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            pairs.append((column, value))
        else:
            raise invalid("filters", f'field "{column}": a value or a list of values')
    filters = _parsed(pairs, dataset, "filters")
    q = _json_param(call, "q")
    text = None
    if isinstance(q, dict):
        for column in q:
            if column not in dataset.columns:
                raise invalid("q", f'field "{column}" not in resource')
        filters += _parsed([(f"{c}__contains", str(v)) for c, v in q.items()], dataset, "q")
    elif isinstance(q, str | int | float) and q != "":
        text = str(q)
    elif q:
        raise invalid("q", "Must be a string or an object of field: text")
    fields = _json_param(call, "fields")
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    for column in fields or ():
        if column not in dataset.columns:
            raise invalid("fields", f'field "{column}" not in resource')
    sort = []
    raw_sort = _json_param(call, "sort")
    parts = raw_sort if isinstance(raw_sort, list) else str(raw_sort or "").split(",")
    for part in (p.strip() for p in parts):
        if not part:
            continue
        column, _, direction = part.partition(" ")
        column = column.strip('"')
        if column not in dataset.columns or direction.strip().lower() not in ("", "asc", "desc"):
            raise invalid("sort", f'field "{part}" not in resource')
        sort.append((column, direction.strip().lower() == "desc"))
    return ReadRequest(
        columns=tuple(fields) if fields else None,
        filters=tuple(filters),
        sort=tuple(sort),
        limit=max(1, limit),
        q=text,
    )


def datastore_fields(dataset: Dataset, columns: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """The datastore ``fields`` of the returned columns, with the data dictionary as ``info``."""
    out = []
    for name in columns or dataset.columns:
        field = dataset.field(name)
        info = {"label": field.title, "notes": field.description or ""}
        out.append({"id": name, "type": ckan_type(field.type), "info": info})
    return out


def _links(call: Call, offset: int, limit: int, token: str | None) -> dict[str, str]:
    params = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in call.data.items()
        if k not in ("offset", "next_page")
    }
    path = call.request.url.path
    links = {"start": f"{path}?{urlencode(params)}"}
    after = {**params, "offset": str(offset + limit)}
    if token:
        after["next_page"] = token
    links["next"] = f"{path}?{urlencode(after)}"
    return links


def _skip(call: Call, slug: str, request: ReadRequest, offset: int) -> str | None:
    """The keyset token ``offset`` rows in (the reader pages by keys, CKAN by offsets)."""
    token = request.after
    while offset > 0:
        step = min(offset, MAX_LIMIT)
        page = call.reader.page(
            call.principal, slug, ReadRequest(**{**request.__dict__, "limit": step, "after": token})
        )
        offset -= page.rows.num_rows
        token = page.next
        if token is None:
            return ""
    return token


@action
def datastore_search(call: Call) -> dict[str, Any]:
    """Rows of a resource: resource_id, filters, q, fields, sort, limit (max 32000, default
    100), offset, include_total, records_format (objects, lists, csv, tsv), include_next_page."""
    dataset = _resource_dataset(call)
    limit = call.integer("limit", DATASTORE_DEFAULT, high=MAX_LIMIT)
    offset = call.integer("offset", 0)
    fmt = call.text("records_format", "objects")
    if fmt not in ("objects", "lists", "csv", "tsv"):
        raise invalid("records_format", "Value must be one of objects, lists, csv, tsv")
    try:
        request = datastore_request(call, dataset, limit)
        token = call.text("next_page") or None
        if token is None and offset:
            token = _skip(call, dataset.slug, request, offset)
        include_total = call.flag("include_total", True)
        if token == "":
            page = None
            rows, next_token = pa.table({}), None
            total = (
                call.reader.page(call.principal, dataset.slug, request, True).total
                if include_total
                else None
            )
        else:
            request = ReadRequest(**{**request.__dict__, "after": token})
            page = call.reader.page(call.principal, dataset.slug, request, include_total)
            rows = page.rows if limit else page.rows.slice(0, 0)
            next_token, total = page.next, page.total
    except ReadError as exc:
        raise from_read_error(exc, "filters") from None
    columns = request.columns or dataset.columns
    records: Any = [{c: jsonable(v) for c, v in row.items()} for row in rows.to_pylist()]
    if fmt == "lists":
        records = [[r.get(c) for c in columns] for r in records]
    elif fmt in ("csv", "tsv"):
        records = record_lines(rows, columns, "," if fmt == "csv" else "\t")
    out: dict[str, Any] = {
        "include_total": include_total,
        "limit": limit,
        "offset": offset,
        "records_format": fmt,
        "resource_id": resource_id(dataset.slug, DATASTORE),
        "total_estimation_threshold": None,
        "records": records,
        "fields": datastore_fields(dataset, request.columns),
        "_links": _links(call, offset, limit, next_token),
    }
    for key in ("filters", "q", "sort"):
        if key in call.data:
            out[key] = _json_param(call, key)
    if include_total:
        out["total"] = total
        out["total_was_estimated"] = False
    if call.flag("include_next_page") and next_token and limit:
        out["next_page"] = next_token
    return out


@action
def datastore_info(call: Call) -> dict[str, Any]:
    """A resource's columns (with the data dictionary) and row count."""
    dataset = _resource_dataset(call)
    try:
        page = call.reader.page(call.principal, dataset.slug, ReadRequest(limit=1), True)
    except ReadError as exc:
        raise from_read_error(exc, "id") from None
    rid = resource_id(dataset.slug, DATASTORE)
    fields = datastore_fields(dataset, None)
    return {
        "meta": {"id": rid, "count": page.total, "table_type": "BASE TABLE", "aliases": []},
        "fields": fields,
        "schema": {f["id"]: f["type"] for f in fields},
    }


_RESOURCE_TABLE = re.compile(r'"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


@action
def datastore_search_sql(call: Call) -> dict[str, Any]:
    """Read-only SQL for internal users; tables are dataset slugs with ``_`` (or resource ids)."""
    sql = call.required("sql")

    def table(match: re.Match[str]) -> str:
        found = find_resource(call.catalog, match.group(1))
        return found[0].slug.replace("-", "_") if found else match.group(0)

    try:
        result = call.reader.sql(call.principal, _RESOURCE_TABLE.sub(table, sql))
    except ReadError as exc:
        raise from_read_error(exc, "query") from None
    fields = [{"id": f.name, "type": ckan_type(str(f.type))} for f in result.schema]
    records = [{c: jsonable(v) for c, v in row.items()} for row in result.to_pylist()]
    return {"sql": sql, "fields": fields, "records": records}


# -- values ----------------------------------------------------------------------------------

_TYPES = {
    "string": "text",
    "integer": "int8",
    "year": "int4",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "object": "json",
    "array": "json",
}
_ARROW = (
    ("int", "int8"),
    ("decimal", "numeric"),
    ("double", "float8"),
    ("float", "float8"),
    ("bool", "bool"),
    ("timestamp", "timestamp"),
    ("date", "date"),
    ("time", "time"),
)


def ckan_type(kind: str) -> str:
    """The datastore type of a Table Schema type (or of an Arrow type name)."""
    if kind in _TYPES:
        return _TYPES[kind]
    return next((ours for prefix, ours in _ARROW if kind.startswith(prefix)), "text")


def jsonable(value: Any) -> Any:
    """A cell as JSON: dates in ISO form, decimals as numbers when exact, else as text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return int(value)
        number = float(value)
        return number if decimal.Decimal(repr(number)) == value else str(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run cells that start like a formula: neutralise text cells only.
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def record_lines(rows: pa.Table, columns: tuple[str, ...] | list[str], delimiter: str) -> str:
    """Rows as CSV or TSV text without a header (``records_format=csv``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    for row in rows.to_pylist():
        writer.writerow([_text(row.get(c)) for c in columns])
    return out.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def dump_chunks(
    fmt: str, dataset: Dataset, columns: list[str], batches: Iterator[pa.RecordBatch], bom: bool
) -> Iterator[bytes]:
    """A whole table as CKAN's datastore dump writes it, one encoded chunk per batch."""
    if fmt in ("csv", "tsv"):
        head = io.StringIO()
        csv.writer(head, delimiter="," if fmt == "csv" else "\t", lineterminator="\n").writerow(
            columns
        )
        yield (("\ufeff" if bom else "") + head.getvalue()).encode()
        for batch in batches:
            table = pa.Table.from_batches([batch])
            yield record_lines(table, columns, "," if fmt == "csv" else "\t").encode()
        return
    if fmt == "json":
        fields = json.dumps(datastore_fields(dataset, tuple(columns)), ensure_ascii=False)
        yield f'{{"fields": {fields}, "records": ['.encode()
        first = True
        for batch in batches:
            for row in batch.to_pylist():
                line = json.dumps([jsonable(row[c]) for c in columns], ensure_ascii=False)
                yield (line if first else ",\n" + line).encode()
                first = False
        yield b"]}\n"
        return
    yield b'<data xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    for batch in batches:
        parts = []
        for row in batch.to_pylist():
            cells = "".join(
                f'<{c} xsi:nil="true" />' if row[c] is None else f"<{c}>{_xml(_text(row[c]))}</{c}>"
                for c in columns
            )
            parts.append(f"<row>{cells}</row>\n")
        yield "".join(parts).encode()
    yield b"</data>\n"


# -- HTTP ------------------------------------------------------------------------------------


async def request_data(request: Request) -> dict[str, Any] | CkanError:
    """Action parameters from the URL (GET) or a JSON or form body (POST), as CKAN reads them."""
    data: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        data[key] = values[0] if len(values) == 1 else values
    if request.method != "POST":
        return data
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        if len(items) == 1 and items[0][1] in ("", "1"):
            try:  # CKAN accepts a JSON document posted as the only form key
                body = json.loads(items[0][0])
            except ValueError:
                body = None
            if isinstance(body, dict):
                return {**data, **body}
        for key in {k for k, _ in items}:
            values = [v for k, v in items if k == key]
            data[key] = values[0] if len(values) == 1 else values
        return data
    raw = await request.body()
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError as exc:
            return bad_request(f"JSON Error: Error decoding JSON data. Error: {exc!r}")
        if not isinstance(body, dict):
            return bad_request(
                f"Bad request data: Request data JSON decoded to {body!r} but it needs to be a "
                "dictionary."
            )
        data.update(body)
    return data


@cache
def shared_reader() -> Reader:
    """The process's reader (one snapshot connection pool)."""
    return Reader()


def principal_or_error(request: Request, session: SessionDep) -> Principal | CkanError:
    """The request's principal, or its refusal in CKAN's envelope (bad token, rate limit)."""
    try:
        return current_principal(request, session)
    except HTTPException as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        if exc.status_code == 429:
            error = CkanError(429, "Too Many Requests", str(detail.get("message")))
            error.headers = dict(exc.headers or {})
            return error
        return CkanError(403, "Authorization Error", f"Access denied: {detail.get('message')}")


ReaderDep = Annotated[Reader, Depends(shared_reader)]
PrincipalDep = Annotated["Principal | CkanError", Depends(principal_or_error)]
DataDep = Annotated["dict[str, Any] | CkanError", Depends(request_data)]


def envelope(request: Request, name: str, result: Any = None, error: CkanError | None = None):
    """CKAN's envelope: ``help``, ``success``, and ``result`` or ``error``."""
    base = str(request.base_url).rstrip("/")
    body: dict[str, Any] = {"help": f"{base}/api/3/action/help_show?{urlencode({'name': name})}"}
    if error is None:
        body.update(success=True, result=result)
        return JSONResponse(body)
    body.update(success=False, error=error.body())
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def run_action(
    name: str,
    request: Request,
    data: dict[str, Any] | CkanError,
    principal: Principal | CkanError,
    session: Session,
    reader: Reader,
) -> JSONResponse:
    """Call one action and wrap its answer or failure."""
    fn = ACTIONS.get(name)
    if fn is None:
        return envelope(request, name, error=bad_request(f"Action name not known: {name}"))
    for refusal in (principal, data):
        if isinstance(refusal, CkanError):
            return envelope(request, name, error=refusal)
    assert isinstance(principal, Principal) and isinstance(data, dict)
    data.pop("callback", None)
    catalog = reader.catalog(session)
    call = Call(
        principal, session, data, request, reader, catalog, dataset_states(session, catalog)
    )
    try:
        return envelope(request, name, result=fn(call))
    except CkanError as exc:
        return envelope(request, name, error=exc)
    except Exception:  # CKAN's envelope even for a fault; the log keeps the traceback
        logger.exception("CKAN action %s failed", name)
        fault = CkanError(500, "Internal Server Error", "Internal Server Error")
        return envelope(request, name, error=fault)


def ckan_action(
    name: str,
    request: Request,
    data: DataDep,
    principal: PrincipalDep,
    session: SessionDep,
    reader: ReaderDep,
) -> JSONResponse:
    """Call a CKAN 2.10 action (package_search, package_show, datastore_search, ...)."""
    return run_action(name, request, data, principal, session, reader)


# CKAN clients call both /api/action and /api/3/action, with GET or POST, with or without a
# trailing slash: one handler, one OpenAPI operation (with its own id) per documented pair.
for _path, _summary, _id in (
    ("/api/action/{name}", "CKAN action", "ckan_action"),
    ("/api/3/action/{name}", "CKAN action (v3)", "ckan_action_v3"),
):
    for _method in ("GET", "POST"):
        for _slash in ("", "/"):
            router.add_api_route(
                _path + _slash,
                ckan_action,
                methods=[_method],
                summary=_summary,
                operation_id=f"{_id}_{_method.lower()}",
                include_in_schema=not _slash,
            )


DUMP_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}


@router.get("/datastore/dump/{rid}", summary="Download a datastore table")
def datastore_dump(
    rid: str,
    request: Request,
    data: DataDep,
    principal: PrincipalDep,
    session: SessionDep,
    reader: ReaderDep,
) -> Response:
    """A resource's whole table as csv, tsv, json or xml (``bom=true`` for Excel), streamed."""
    for refusal in (principal, data):
        if isinstance(refusal, CkanError):
            return envelope(request, "datastore_dump", error=refusal)
    assert isinstance(principal, Principal) and isinstance(data, dict)
    catalog = reader.catalog(session)
    call = Call(principal, session, {**data, "resource_id": rid}, request, reader, catalog, {})
    try:
        fmt = call.text("format", "csv").lower()
        if fmt not in DUMP_TYPES:
            raise invalid("format", "Value must be one of csv, tsv, json, xml")
        dataset = _resource_dataset(call)
        read = datastore_request(call, dataset, 1)
        bom = call.flag("bom")
        schema, batches = reader.stream(principal, dataset.slug, read, action="export")
    except ReadError as exc:
        return envelope(request, "datastore_dump", error=from_read_error(exc, "filters"))
    except CkanError as exc:
        return envelope(request, "datastore_dump", error=exc)
    chunks: Iterator[bytes] = dump_chunks(fmt, dataset, schema.names, batches, bom=bom)
    headers = {"Content-Disposition": f'attachment; filename="{dataset.slug}.{fmt}"'}
    return StreamingResponse(chunks, media_type=DUMP_TYPES[fmt], headers=headers)
