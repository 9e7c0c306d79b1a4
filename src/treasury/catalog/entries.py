"""Datasets created at run time (from uploads): stored definitions that start as drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.catalog.dataset import Dataset
from treasury.catalog.registry import Catalog, DefinitionError, build_dataset, load_catalog
from treasury.catalog.workflow import record_status
from treasury.db.catalog import CatalogEntry
from treasury.db.models import utcnow

_CACHE: dict[tuple[int, tuple[tuple[str, str], ...]], Catalog] = {}


def create_entry(
    session: Session,
    definition: Mapping[str, Any],
    actor: str,
    role: str | None = None,
    catalog: Catalog | None = None,
    now: dt.datetime | None = None,
) -> Dataset:
    """Validate and store a new dataset definition; it starts as a ``draft``.

    Parameters
    ----------
    definition
        What a definition file would hold for one dataset (columns missing from the shared
        dictionary carry their own title, title_en and type).
    actor, role
        Who creates it.
    catalog
        The catalog it joins (default: shipped datasets plus stored entries).

    Raises
    ------
    DefinitionError
        The definition is invalid, or its slug is taken.
    """
    catalog = catalog_with_entries(session) if catalog is None else catalog
    data = dict(definition)
    if data.get("status", "draft") != "draft":
        raise DefinitionError("entry: status: a new dataset starts as a draft")
    data["status"] = "draft"
    slug = str(data.get("slug", ""))
    dataset = build_dataset(data, catalog.dictionary, "<entry>", f"entry {slug}")
    if dataset.slug in catalog or session.get(CatalogEntry, dataset.slug) is not None:
        raise DefinitionError(f"entry {dataset.slug}: slug: already defined")
    catalog.with_datasets([dataset])  # organisation, licence and groups must exist
    at = now or utcnow()
    stored = _spec(dataset)
    session.add(
        CatalogEntry(
            slug=dataset.slug, definition=stored, created_at=at, created_by=actor, updated_at=at
        )
    )
    record_status(session, dataset.slug, None, "draft", actor, role, "created", at)
    return dataset


def _spec(dataset: Dataset) -> dict[str, Any]:
    return dataset.model_dump(mode="json", exclude={"fields", "origin"}, exclude_none=True)


def load_entries(session: Session, catalog: Catalog | None = None) -> list[Dataset]:
    """The stored run-time datasets, validated against the shipped dictionary."""
    dictionary = (load_catalog() if catalog is None else catalog).dictionary
    rows = session.scalars(select(CatalogEntry).order_by(CatalogEntry.slug))
    return [
        build_dataset(r.definition, dictionary, "<entry>", f"entry {r.slug}").model_copy(
            update={"origin": "<entry>"}
        )
        for r in rows
    ]


def entry_created(session: Session) -> dict[str, dt.datetime]:
    """Slug -> creation time of every run-time dataset."""
    rows = session.execute(select(CatalogEntry.slug, CatalogEntry.created_at))
    return {slug: at if at.tzinfo else at.replace(tzinfo=dt.UTC) for slug, at in rows}


def catalog_with_entries(session: Session, base: Catalog | None = None) -> Catalog:
    """The shipped catalog plus the stored entries (rebuilt only when the entries change)."""
    base = load_catalog() if base is None else base
    signature = tuple(
        (slug, str(updated))
        for slug, updated in session.execute(
            select(CatalogEntry.slug, CatalogEntry.updated_at).order_by(CatalogEntry.slug)
        )
    )
    if not signature:
        return base
    key = (id(base), signature)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = base.with_datasets(load_entries(session, base))
    return _CACHE[key]
