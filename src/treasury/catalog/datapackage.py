"""Frictionless Data Package descriptors: one per dataset, its CSV export as the resource."""

from __future__ import annotations

from typing import Any

from treasury.catalog.dataset import Dataset
from treasury.catalog.formats import absolute, dataset_url, export_url, package_id
from treasury.catalog.lineage import lineage
from treasury.catalog.registry import Catalog, load_catalog
from treasury.catalog.state import DatasetState, initial_state, isoformat


def to_datapackage(
    dataset: Dataset,
    base_url: str,
    catalog: Catalog | None = None,
    state: DatasetState | None = None,
) -> dict[str, Any]:
    """The dataset as a Frictionless (tabular) Data Package descriptor.

    Parameters
    ----------
    dataset
        The catalog entry.
    base_url
        The portal's public base URL; the resource path is the CSV export under it
        (``/api/v1/datasets/{slug}/export.csv``).
    catalog
        Where the organisation and licence are looked up (the shipped catalog if None).
    state
        Status, dates and version from the app database (the definition's if None).

    Returns
    -------
    dict
        ``datapackage.json`` content: name, id, title, description, version, licences,
        keywords, contributors, sources (the extracts it derives from), and one ``tabular-data-resource`` whose ``schema`` is the
        dataset's Table Schema.

    Examples
    --------
    >>> from treasury.catalog import load_catalog
    >>> package = to_datapackage(load_catalog().get("bps-gini-rasio"), "https://x.id")
    >>> package["resources"][0]["path"]
    'https://x.id/api/v1/datasets/bps-gini-rasio/export.csv'
    """
    catalog = load_catalog() if catalog is None else catalog
    state = state or initial_state(dataset)
    licence = catalog.license(dataset.license)
    org = catalog.organization(dataset.organization)
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": dataset.slug,
        "id": package_id(dataset.slug),
        "title": dataset.title,
        "description": dataset.description.id,
        "homepage": dataset_url(base_url, dataset.slug),
        "created": isoformat(state.created) + "Z",
        "licenses": [
            {"name": licence.id, "path": absolute(base_url, licence.url), "title": licence.title}
        ],
        "keywords": list(dataset.tags),
        "contributors": [{"title": org.name, "role": "publisher"}],
        "sources": [{"title": name} for name in lineage(dataset).extracts()],
        "resources": [
            {
                "name": dataset.slug,
                "path": export_url(base_url, dataset.slug, "csv"),
                "profile": "tabular-data-resource",
                "title": dataset.title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": dataset.table_schema(),
            }
        ],
        # Extensions (allowed by the spec): English texts and catalog facts.
        "title_en": dataset.title_en,
        "description_en": dataset.description.en,
        "category": dataset.category,
        "classification": dataset.classification,
        "frequency": dataset.frequency,
        "spatial": dataset.spatial,
        "temporal": {
            "start": str(dataset.temporal.start),
            "end": str(dataset.temporal.end) if dataset.temporal.end else None,
        },
    }
    if state.version is not None:
        descriptor["version"] = state.version
    return descriptor
