"""Dataset versions: which lake/snapshot version a dataset publishes, numbered per dataset.

Whoever publishes data records a version; a restore records a new version that points at an
older one, so the history only grows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from treasury.catalog.workflow import aware
from treasury.db.catalog import CatalogVersion
from treasury.db.models import utcnow


@dataclass(frozen=True)
class VersionRecord:
    """One recorded version.

    Attributes
    ----------
    slug, number
        The dataset and the version's number within it (1, 2, ...).
    version
        The lake/snapshot version id the dataset reads at this version.
    rows
        Row count, when known.
    note, created_at, created_by
        Why, when and by whom it was recorded.
    restored_from
        The number of the version this one restores, if it is a restore.
    """

    slug: str
    number: int
    version: str
    rows: int | None
    note: str | None
    created_at: dt.datetime
    created_by: str | None
    restored_from: int | None


def _record(row: CatalogVersion) -> VersionRecord:
    return VersionRecord(
        row.slug,
        row.number,
        row.version,
        row.rows,
        row.note,
        aware(row.created_at),
        row.created_by,
        row.restored_from,
    )


def record_version(
    session: Session,
    slug: str,
    version: str | int,
    rows: int | None,
    note: str | None = None,
    actor: str | None = None,
    restored_from: int | None = None,
    now: dt.datetime | None = None,
) -> VersionRecord:
    """Record that ``slug`` now publishes lake/snapshot version ``version``.

    Returns
    -------
    VersionRecord
        The new record, numbered one above the dataset's latest.
    """
    latest = session.scalar(
        select(func.max(CatalogVersion.number)).where(CatalogVersion.slug == slug)
    )
    row = CatalogVersion(
        slug=slug,
        number=(latest or 0) + 1,
        version=str(version),
        rows=rows,
        note=note,
        created_at=now or utcnow(),
        created_by=actor,
        restored_from=restored_from,
    )
    session.add(row)
    session.flush()
    return _record(row)


def versions(session: Session, slug: str) -> list[VersionRecord]:
    """The dataset's versions, newest first."""
    rows = session.scalars(
        select(CatalogVersion)
        .where(CatalogVersion.slug == slug)
        .order_by(CatalogVersion.number.desc())
    )
    return [_record(r) for r in rows]


def current_version(session: Session, slug: str) -> VersionRecord | None:
    """The dataset's latest version, None before the first one."""
    found = versions(session, slug)
    return found[0] if found else None


def latest_versions(session: Session) -> dict[str, VersionRecord]:
    """Slug -> latest version, for every dataset that has one."""
    newest = (
        select(CatalogVersion.slug, func.max(CatalogVersion.number).label("number"))
        .group_by(CatalogVersion.slug)
        .subquery()
    )
    rows = session.scalars(
        select(CatalogVersion).join(
            newest,
            (CatalogVersion.slug == newest.c.slug) & (CatalogVersion.number == newest.c.number),
        )
    )
    return {r.slug: _record(r) for r in rows}


def restore(
    session: Session,
    slug: str,
    version: str | int,
    actor: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> VersionRecord:
    """Publish an older lake version again, as a new version pointing at the old record.

    Parameters
    ----------
    version
        The lake/snapshot version id to go back to (the newest record of it is restored).

    Raises
    ------
    KeyError
        The dataset never published that version.
    """
    old = next((v for v in versions(session, slug) if v.version == str(version)), None)
    if old is None:
        raise KeyError(f"{slug} has no version {version!r}")
    return record_version(
        session,
        slug,
        old.version,
        old.rows,
        note or f"restore of version {old.number}",
        actor,
        restored_from=old.number,
        now=now,
    )
