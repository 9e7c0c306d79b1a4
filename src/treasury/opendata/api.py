"""Native API v1: search datasets, read their metadata, rows and exports, run SQL.

Every answer uses the envelope of :mod:`treasury.opendata.envelope`; every read goes through
:class:`treasury.warehouse.reader.Reader` (access decision, row policies, masks, audit).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from treasury.access.http import PrincipalDep, SessionDep
from treasury.catalog import Dataset
from treasury.catalog.datapackage import to_datapackage
from treasury.catalog.formats import export_url
from treasury.catalog.publication import dataset_states
from treasury.catalog.search import FACETS, search
from treasury.config import Settings, get_settings
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, success
from treasury.metrics import count_exported
from treasury.opendata.exports import WRITERS, json_rows
from treasury.warehouse.reader import Reader, ReadError, ReadRequest, parse_filters

router = APIRouter(
    prefix="/api/v1",
    tags=["open data API v1"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)

MAX_PAGE = 1000
_READERS: dict[int, tuple[Settings, Reader]] = {}


def get_reader() -> Reader:
    """The reader of the current settings (one per settings object)."""
    settings = get_settings()
    cached = _READERS.get(id(settings))
    if cached is None or cached[0] is not settings:
        _READERS.clear()
        cached = _READERS[id(settings)] = (settings, Reader(settings))
    return cached[1]


ReaderDep = Annotated[Reader, Depends(get_reader)]
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$")]


# -- output models ---------------------------------------------------------------------------


class DatasetSummary(BaseModel):
    """A dataset as search lists it."""

    slug: str
    title: str
    title_en: str
    category: str
    classification: str
    organization: str
    description: str
    tags: list[str]
    frequency: str
    formats: list[str]
    columns: int
    url: str


class DatasetDetail(DatasetSummary):
    """A dataset with its data dictionary (Table Schema) and links."""

    description_en: str
    spatial: str
    temporal: dict[str, str | None]
    schema_: dict[str, Any] = Field(alias="schema")
    links: dict[str, str]


class ListMeta(BaseModel):
    """Search totals, facets and paging."""

    count: int
    offset: int
    limit: int
    next_offset: int | None
    facets: dict[str, dict[str, int]]


class RowsMeta(BaseModel):
    """A page of rows: its columns, size, next token and URL, total when asked."""

    columns: list[str]
    count: int
    limit: int
    next: str | None
    next_url: str | None
    total: int | None
    schema_: dict[str, Any] = Field(alias="schema")


class SqlMeta(BaseModel):
    """A SQL result: columns, rows returned, whether the row cap cut it."""

    columns: list[str]
    count: int
    limit: int
    truncated: bool


class DatasetListOut(BaseModel):
    """``GET /api/v1/datasets``."""

    ok: Literal[True] = True
    data: list[DatasetSummary]
    meta: ListMeta


class DatasetOut(BaseModel):
    """``GET /api/v1/datasets/{slug}``."""

    ok: Literal[True] = True
    data: DatasetDetail
    meta: dict[str, Any]


class RowsOut(BaseModel):
    """``GET /api/v1/datasets/{slug}/rows``."""

    ok: Literal[True] = True
    data: list[dict[str, Any]]
    meta: RowsMeta


class SqlOut(BaseModel):
    """``POST /api/v1/sql``."""

    ok: Literal[True] = True
    data: list[dict[str, Any]]
    meta: SqlMeta


# -- input models ----------------------------------------------------------------------------


class SqlIn(BaseModel):
    """A read-only SQL query over the datasets (tables named by slug with ``_`` for ``-``)."""

    sql: str = Field(min_length=1, max_length=20_000)
    limit: int = Field(default=1000, ge=1, le=100_000)


# -- helpers ---------------------------------------------------------------------------------


def _summary(d: Dataset, base: str) -> dict[str, Any]:
    return {
        "slug": d.slug,
        "title": d.title,
        "title_en": d.title_en,
        "category": d.category,
        "classification": d.classification,
        "organization": d.organization,
        "description": d.description.id,
        "tags": list(d.tags),
        "frequency": d.frequency,
        "formats": list(d.formats),
        "columns": len(d.columns),
        "url": f"{base}/api/v1/datasets/{d.slug}",
    }


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _columns(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(c.strip() for c in text.split(",") if c.strip()) or None


def _sort(text: str | None) -> tuple[tuple[str, bool], ...]:
    if not text:
        return ()
    return tuple(
        (part.strip().lstrip("-"), part.strip().startswith("-"))
        for part in text.split(",")
        if part.strip()
    )


def _read_request(
    request: Request, dataset: Dataset, limit: int = 100, after: str | None = None
) -> ReadRequest:
    params = request.query_params
    version = params.get("version")
    if version is not None and not version.lstrip("-").isdigit():
        raise ReadError(400, "bad_version", "version must be a whole number")
    return ReadRequest(
        columns=_columns(params.get("columns")),
        filters=parse_filters(params.multi_items(), dataset),
        sort=_sort(params.get("sort")),
        limit=limit,
        after=after,
        version=int(version) if version is not None else None,
        q=params.get("q") or None,
    )


# -- routes ----------------------------------------------------------------------------------


@router.get("/datasets", response_model=DatasetListOut)
def list_datasets(
    request: Request,
    principal: PrincipalDep,
    reader: ReaderDep,
    session: SessionDep,
    q: Annotated[
        str, Query(max_length=500, description="Free text (Bahasa Indonesia or English)")
    ] = "",
    category: str | None = None,
    classification: str | None = None,
    organization: str | None = None,
    tag: str | None = None,
    group: str | None = None,
    sort: str | None = Query(None, description="e.g. 'title asc', 'metadata_modified desc'"),
    offset: int = Query(0, ge=0, le=100_000),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    """Search the datasets you may read, with facet counts."""
    readable = reader.readable(principal)
    filters = {
        k: v
        for k, v in {
            "category": category,
            "classification": classification,
            "organization": organization,
            "tags": tag,
            "groups": group,
        }.items()
        if v
    }
    try:
        result = search(
            reader.catalog(session),
            q,
            filters=filters,
            sort=sort,
            start=offset,
            rows=limit,
            facet_fields=FACETS,
            only=[d.slug for d in readable],
        )
    except ValueError as exc:
        raise ReadError(400, "bad_search", str(exc)) from None
    base = _base(request)
    end = offset + len(result.hits)
    return success(
        [_summary(h.dataset, base) for h in result.hits],
        count=result.count,
        offset=offset,
        limit=limit,
        next_offset=end if end < result.count else None,
        facets=result.facets,
    )


@router.get("/datasets/{slug}", response_model=DatasetOut, response_model_by_alias=True)
def get_dataset(
    request: Request, slug: Slug, principal: PrincipalDep, reader: ReaderDep
) -> dict[str, Any]:
    """A dataset's metadata and data dictionary (Frictionless Table Schema)."""
    d = reader.dataset(principal, slug)
    base = _base(request)
    detail = {
        **_summary(d, base),
        "description_en": d.description.en,
        "spatial": d.spatial,
        "temporal": {
            "start": str(d.temporal.start) if d.temporal.start else None,
            "end": str(d.temporal.end) if d.temporal.end else None,
        },
        "schema": d.table_schema(),
        "links": {
            "rows": f"{base}/api/v1/datasets/{slug}/rows",
            "datapackage": f"{base}/api/v1/datasets/{slug}/datapackage.json",
            **{f"export_{f}": export_url(base, slug, f) for f in d.formats},
        },
    }
    return success(detail)


@router.get("/datasets/{slug}/rows", response_model=RowsOut, response_model_by_alias=True)
def dataset_rows(
    request: Request,
    slug: Slug,
    principal: PrincipalDep,
    reader: ReaderDep,
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    next: str | None = Query(None, max_length=4000, description="Token from meta.next"),
    columns: str | None = Query(None, description="Comma-separated columns"),
    sort: str | None = Query(None, description="Comma-separated; '-col' sorts descending"),
    version: int | None = Query(None, ge=0, description="Lake version (time travel)"),
    q: str | None = Query(None, max_length=200, description="Text in any text column"),
    total: bool = Query(False, description="Also count all matching rows"),
) -> dict[str, Any]:
    """A page of rows; filter with col__op=value (eq ne gt gte lt lte in contains startswith isnull)."""
    del columns, sort, version, q  # read with the filters from the query string
    dataset = reader.dataset(principal, slug)
    read = _read_request(request, dataset, limit, next)
    page = reader.page(principal, slug, read, include_total=total)
    next_url = str(request.url.include_query_params(next=page.next)) if page.next else None
    return success(
        json_rows(page.rows),
        columns=page.rows.schema.names,
        count=page.rows.num_rows,
        limit=limit,
        next=page.next,
        next_url=next_url,
        total=page.total,
        schema=page.schema,
    )


@router.get(
    "/datasets/{slug}/export.{fmt}",
    response_class=StreamingResponse,
    responses={200: {"description": "The file, streamed", "content": {"text/csv": {}}}},
)
def export_dataset(
    request: Request,
    slug: Slug,
    fmt: Literal["csv", "xlsx", "json", "ndjson", "parquet"],
    principal: PrincipalDep,
    reader: ReaderDep,
    bom: bool = Query(False, description="CSV: start with a UTF-8 BOM (for Excel)"),
    columns: str | None = Query(None, description="Comma-separated columns"),
    sort: str | None = Query(None, description="Comma-separated; '-col' sorts descending"),
    version: int | None = Query(None, ge=0, description="Lake version (time travel)"),
) -> StreamingResponse:
    """The filtered rows as a file (csv, xlsx, json, ndjson, parquet), streamed."""
    del columns, sort, version
    dataset = reader.dataset(principal, slug)
    if fmt not in dataset.formats:
        raise ReadError(
            404,
            "format_unavailable",
            f"{slug} is not offered as {fmt}",
            f"formats: {', '.join(dataset.formats)}",
        )
    read = _read_request(request, dataset)
    writer = WRITERS[fmt]
    if fmt == "xlsx":
        counted = reader.page(principal, slug, replace(read, limit=1), include_total=True)
        rows = counted.total or 0
        schema, batches = reader.stream(principal, slug, read)
        batches = count_exported(batches, fmt)  # treasury_rows_exported_total
        body = writer.write(schema, batches, rows)
    else:
        schema, batches = reader.stream(principal, slug, read)
        batches = count_exported(batches, fmt)  # treasury_rows_exported_total
        body = (
            writer.write(schema, batches, bom=bom)
            if fmt == "csv"
            else writer.write(schema, batches)
        )
    headers = {"Content-Disposition": f'attachment; filename="{slug}.{fmt}"'}
    return StreamingResponse(body, media_type=writer.media_type, headers=headers)


@router.get("/datasets/{slug}/datapackage.json")
def dataset_datapackage(
    request: Request, slug: Slug, principal: PrincipalDep, reader: ReaderDep, session: SessionDep
) -> dict[str, Any]:
    """The dataset as a Frictionless Data Package (its CSV export as the resource)."""
    dataset = reader.dataset(principal, slug)
    catalog = reader.catalog(session)
    state = dataset_states(session, catalog).get(slug)
    return to_datapackage(dataset, _base(request), catalog, state)


@router.post("/sql", response_model=SqlOut)
def run_sql(body: SqlIn, principal: PrincipalDep, reader: ReaderDep) -> dict[str, Any]:
    """Read-only SQL over the datasets you may read (internal users; sandboxed, capped)."""
    result = reader.sql(principal, body.sql, limit=min(body.limit + 1, 100_000))
    truncated = result.num_rows > body.limit
    rows = result.slice(0, body.limit)
    return success(
        json_rows(rows),
        columns=rows.schema.names,
        count=rows.num_rows,
        limit=body.limit,
        truncated=truncated,
    )
