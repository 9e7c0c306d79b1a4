"""DCAT-AP catalog for harvesters: ``/catalog.{jsonld,ttl}`` (paged) and one dataset's graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from treasury.access.http import SessionDep
from treasury.catalog.dcat import dataset_graph, media_type, page_slice, serialize, to_dcat_graph
from treasury.catalog.formats import base
from treasury.catalog.publication import dataset_states
from treasury.opendata.ckan_api import CkanError, PrincipalDep, ReaderDep
from treasury.warehouse.reader import ReadError

router = APIRouter(tags=["DCAT"])

PAGE_SIZE = 100
FORMATS = {"jsonld": "jsonld", "ttl": "ttl"}


def _refusal(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


@router.get("/catalog.{fmt}", summary="DCAT-AP catalog (JSON-LD or Turtle)")
def catalog_document(
    fmt: str,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    reader: ReaderDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """One page of the catalog's datasets the client may read, with the Action API service."""
    if fmt not in FORMATS:
        return _refusal(404, f"no catalog format {fmt!r}: use jsonld or ttl")
    if isinstance(principal, CkanError):
        return _refusal(principal.status, principal.message)
    base_url = base(str(request.base_url))
    catalog = reader.catalog(session)
    datasets = sorted(reader.readable(principal), key=lambda d: d.slug)
    graph = to_dcat_graph(
        page_slice(datasets, page, PAGE_SIZE),
        base_url,
        catalog,
        dataset_states(session, catalog),
        page=page,
        page_size=PAGE_SIZE,
        total=len(datasets),
        page_url=f"{base_url}/catalog.{fmt}",
    )
    return Response(serialize(graph, fmt), media_type=media_type(fmt))


@router.get("/dataset/{slug}.{fmt}", summary="One dataset as DCAT-AP (JSON-LD or Turtle)")
def dataset_document(
    slug: str,
    fmt: str,
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    reader: ReaderDep,
) -> Response:
    """A dataset with its distributions (one per download format) and the data service."""
    if fmt not in FORMATS:
        return _refusal(404, f"no dataset format {fmt!r}: use jsonld or ttl")
    if isinstance(principal, CkanError):
        return _refusal(principal.status, principal.message)
    try:
        dataset = reader.dataset(principal, slug)
    except ReadError as exc:
        return _refusal(exc.status, exc.message)
    catalog = reader.catalog(session)
    state = dataset_states(session, catalog).get(slug)
    graph = dataset_graph(dataset, base(str(request.base_url)), catalog, state)
    return Response(serialize(graph, fmt), media_type=media_type(fmt))
