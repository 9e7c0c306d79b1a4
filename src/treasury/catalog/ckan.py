"""CKAN 2.10 shapes of catalog entries: packages, resources, organisations, groups, tags.

The CKAN-compatible Action API wraps these in CKAN's envelope; harvesters and ``ckanapi``
read them as they would read any CKAN portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from treasury.catalog.dataset import Dataset
from treasury.catalog.formats import (
    EXPORT_FORMATS,
    absolute,
    dataset_url,
    datastore_url,
    export_url,
    group_id,
    organization_id,
    package_id,
    resource_id,
)
from treasury.catalog.lineage import lineage
from treasury.catalog.models import Group, Organization
from treasury.catalog.registry import Catalog, load_catalog
from treasury.catalog.search import SearchResult
from treasury.catalog.state import DatasetState, initial_state, isoformat

DATASTORE = "datastore"
_STATE = {"draft": "draft", "review": "draft", "published": "active", "retired": "deleted"}


def to_ckan_organization(
    organization: Organization, base_url: str, package_count: int | None = None
) -> dict[str, Any]:
    """An organisation as CKAN's ``organization_show`` returns it.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> org = to_ckan_organization(load_catalog().organization("BPS"), "https://x.id")
    >>> org["name"], org["title"], org["is_organization"]
    ('bps', 'Badan Pusat Statistik', True)
    """
    out: dict[str, Any] = {
        "id": organization_id(organization.code),
        "name": organization.slug,
        "title": organization.name,
        "display_name": organization.name,
        "description": organization.description,
        "image_url": "",
        "image_display_url": "",
        "created": "2024-01-02T00:00:00.000000",
        "type": "organization",
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "extras": [
            {"key": "code", "value": organization.code},
            {"key": "title_en", "value": organization.name_en},
        ],
    }
    if organization.url:
        out["extras"].append({"key": "url", "value": organization.url})
    if package_count is not None:
        out["package_count"] = package_count
    return out


def to_ckan_group(group: Group, package_count: int | None = None) -> dict[str, Any]:
    """A thematic group as CKAN's ``group_show`` returns it."""
    out: dict[str, Any] = {
        "id": group_id(group.name),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "image_url": "",
        "image_display_url": "",
        "created": "2024-01-02T00:00:00.000000",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def to_ckan_tag(name: str) -> dict[str, Any]:
    """A free tag as CKAN lists it in a package."""
    return {
        "id": package_id(f"tag:{name}"),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def _resources(dataset: Dataset, base_url: str, state: DatasetState) -> list[dict[str, Any]]:
    pid = package_id(dataset.slug)
    common = {
        "package_id": pid,
        "datastore_active": True,
        "state": "active",
        "url_type": None,
        "created": isoformat(state.created),
        "last_modified": isoformat(state.modified),
        "metadata_modified": isoformat(state.modified),
        "size": None,
        "hash": "",
        "cache_url": None,
    }
    rid = resource_id(dataset.slug, DATASTORE)
    resources = [
        {
            **common,
            "id": rid,
            "name": f"{dataset.title} (API)",
            "description": "Tabel data untuk datastore_search dan datastore_search_sql.",
            "format": "API",
            "mimetype": "application/json",
            "url": datastore_url(base_url, rid),
            "resource_type": "api",
        }
    ]
    for key in dataset.formats:
        fmt = EXPORT_FORMATS[key]
        resources.append(
            {
                **common,
                "id": resource_id(dataset.slug, key),
                "name": f"{dataset.title} ({fmt.label})",
                "description": f"Unduhan seluruh data dalam format {fmt.label}.",
                "format": fmt.label,
                "mimetype": fmt.mimetype,
                "url": export_url(base_url, dataset.slug, key),
                "resource_type": "file",
            }
        )
    for position, resource in enumerate(resources):
        resource["position"] = position
    return resources


def _extras(dataset: Dataset, state: DatasetState) -> list[dict[str, str]]:
    table, _ = dataset.sql_source()
    values = {
        "category": dataset.category,
        "classification": dataset.classification,
        "frequency": dataset.frequency,
        "notes_en": dataset.description.en,
        "source_table": table,
        "spatial_coverage": dataset.spatial,
        "status": state.status,
        "temporal_end": str(dataset.temporal.end or ""),
        "temporal_start": str(dataset.temporal.start),
        "title_en": dataset.title_en,
    }
    if dataset.row_scoped_columns:
        values["row_scoped"] = ",".join(dataset.row_scoped_columns)
    flow = lineage(dataset)
    values["lineage"] = " -> ".join(n.name for n in flow.nodes[:-1])
    return [{"key": k, "value": v} for k, v in sorted(values.items())]


def to_ckan_package(
    dataset: Dataset,
    base_url: str,
    catalog: Catalog | None = None,
    state: DatasetState | None = None,
) -> dict[str, Any]:
    """A dataset as CKAN 2.10's ``package_show`` returns it.

    Parameters
    ----------
    dataset
        The catalog entry.
    base_url
        The portal's public base URL (``https://data.djpb.go.id``).
    catalog
        Where organisations, groups and licences are looked up (the shipped catalog if None).
    state
        Status, dates and version from the app database (the definition's if None).

    Returns
    -------
    dict
        ``id``, ``name``, ``title``, ``notes``, ``license_*``, ``organization``, ``groups``,
        ``tags``, ``extras``, ``metadata_created``/``_modified``, ``state``, ``private``,
        ``num_resources``, ``resources`` (the datastore table first, then one per download).

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> catalog = load_catalog()
    >>> package = to_ckan_package(catalog.get("bansos-2023"), "https://x.id", catalog)
    >>> package["name"], package["organization"]["name"], package["num_resources"]
    ('bansos-2023', 'dit-pa', 6)
    """
    catalog = load_catalog() if catalog is None else catalog
    state = state or initial_state(dataset)
    licence = catalog.license(dataset.license)
    organization = to_ckan_organization(catalog.organization(dataset.organization), base_url)
    resources = _resources(dataset, base_url, state)
    tags = [to_ckan_tag(t) for t in dataset.tags]
    return {
        "id": package_id(dataset.slug),
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description.id,
        "type": "dataset",
        "url": dataset_url(base_url, dataset.slug),
        "version": state.version,
        "author": organization["title"],
        "author_email": None,
        "maintainer": organization["title"],
        "maintainer_email": None,
        "license_id": licence.id,
        "license_title": licence.title,
        "license_url": absolute(base_url, licence.url),
        "isopen": licence.open,
        "owner_org": organization["id"],
        "organization": organization,
        "groups": [to_ckan_group(catalog.group(g)) for g in dataset.groups],
        "tags": tags,
        "num_tags": len(tags),
        "extras": _extras(dataset, state),
        "metadata_created": isoformat(state.created),
        "metadata_modified": isoformat(state.modified),
        "state": _STATE.get(state.status, "draft"),
        "private": dataset.classification != "public",
        "creator_user_id": None,
        "num_resources": len(resources),
        "resources": resources,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def find_resource(catalog: Catalog, rid: str) -> tuple[Dataset, str] | None:
    """The dataset and resource key (``datastore`` or a format) of a CKAN resource id."""
    for dataset in catalog:
        for key in (DATASTORE, *dataset.formats):
            if resource_id(dataset.slug, key) == rid:
                return dataset, key
    return None


def find_package(catalog: Catalog, id_or_name: str) -> Dataset | None:
    """A dataset by CKAN name (slug) or id, as ``package_show`` accepts either."""
    if id_or_name in catalog:
        return catalog.get(id_or_name)
    for dataset in catalog:
        if package_id(dataset.slug) == id_or_name:
            return dataset
    return None


def to_ckan_license(catalog: Catalog, license_id: str, base_url: str) -> dict[str, Any]:
    """A licence as CKAN's ``license_list`` returns it."""
    licence = catalog.license(license_id)
    return {
        "id": licence.id,
        "title": licence.title,
        "url": absolute(base_url, licence.url),
        "od_conformance": "approved" if licence.open else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "maintainer": "",
        "family": "",
        "domain_content": licence.open,
        "domain_data": licence.open,
        "domain_software": False,
    }


CKAN_FACETS = {"format": "res_format", "license": "license_id"}
"""Our facet names that CKAN calls differently."""


def to_ckan_search(
    result: SearchResult,
    base_url: str,
    catalog: Catalog | None = None,
    states: Mapping[str, DatasetState] | None = None,
) -> dict[str, Any]:
    """A search result as CKAN's ``package_search`` returns it (inside the envelope).

    Returns
    -------
    dict
        ``count``, ``sort``, ``results`` (package dicts), ``facets`` (name -> value -> count)
        and ``search_facets`` (name -> title and items), facet names in CKAN's spelling
        (``res_format``, ``license_id``).

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> from treasury.catalog.search import search
    >>> catalog = load_catalog()
    >>> out = to_ckan_search(search(catalog, "gini", rows=1), "https://x.id", catalog)
    >>> out["count"], out["results"][0]["name"], "res_format" in out["facets"]
    (2, 'bps-gini-rasio', True)
    """
    catalog = load_catalog() if catalog is None else catalog
    states = states or {}
    facets = {CKAN_FACETS.get(k, k): v for k, v in result.facets.items()}
    search_facets = {
        name: {
            "title": name,
            "items": [{"name": v, "display_name": v, "count": n} for v, n in values.items()],
        }
        for name, values in facets.items()
    }
    return {
        "count": result.count,
        "sort": result.sort,
        "results": [
            to_ckan_package(h.dataset, base_url, catalog, states.get(h.dataset.slug))
            for h in result.hits
        ],
        "facets": facets,
        "search_facets": search_facets,
    }
