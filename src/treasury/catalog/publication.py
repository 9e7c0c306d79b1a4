"""Each dataset's publication state from the app database, for renderers and search."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.catalog.entries import entry_created
from treasury.catalog.registry import Catalog
from treasury.catalog.state import DatasetState, initial_state
from treasury.catalog.versions import latest_versions
from treasury.catalog.workflow import aware
from treasury.db.catalog import CatalogStatus


def dataset_states(session: Session, catalog: Catalog) -> dict[str, DatasetState]:
    """Slug -> status, created/modified times and current version, for every dataset.

    ``modified`` is the latest of the definition's issue date, the last status change and the
    last recorded version.
    """
    status_rows = {r.slug: r for r in session.scalars(select(CatalogStatus))}
    latest = latest_versions(session)
    created = entry_created(session)
    out = {}
    for dataset in catalog:
        state = initial_state(dataset)
        born = created.get(dataset.slug, state.created)
        moments: list[dt.datetime] = [born]
        row = status_rows.get(dataset.slug)
        if row is not None:
            moments.append(aware(row.changed_at))
        version = latest.get(dataset.slug)
        if version is not None:
            moments.append(version.created_at)
        out[dataset.slug] = DatasetState(
            status=row.status if row else dataset.status,
            created=born,
            modified=max(moments),
            version=version.version if version else None,
            rows=version.rows if version else None,
        )
    return out


def visible_slugs(
    states: dict[str, DatasetState], include: frozenset[str] = frozenset({"published"})
) -> list[str]:
    """Slugs whose status is in ``include`` (by default only published datasets)."""
    return [slug for slug, state in states.items() if state.status in include]
