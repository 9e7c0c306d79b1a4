"""The open-data product's face: one router assembling its sub-routers.

Each module below offers ``router``; add a new one to :data:`ROUTERS` (order matters only when
paths overlap).
"""

from __future__ import annotations

from fastapi import APIRouter

from treasury.opendata import api, ckan_api, dcat_routes, pages, requests, uploads

#: The sub-routers of the product: native API v1 first; CKAN, DCAT, pages, uploads and data
#: requests join this list.
ROUTERS: list[APIRouter] = [
    api.router,
    ckan_api.router,
    dcat_routes.router,  # before any /dataset/{slug} page: it would swallow {slug}.ttl
    uploads.router,  # before pages: /data/unggah is not a dataset slug
    requests.router,
    pages.router,
]

router = APIRouter()
for _sub in ROUTERS:
    router.include_router(_sub)
