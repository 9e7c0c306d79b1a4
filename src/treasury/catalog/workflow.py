"""Status workflow of a dataset: draft -> review -> published -> retired (review -> draft).

The web layer passes the actor's name and role (this module does not know the access layer).
Only stewards and admins review, publish and retire; anyone allowed to edit may submit a draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.catalog.registry import Catalog
from treasury.db.catalog import CatalogStatus, CatalogStatusEvent
from treasury.db.models import utcnow

STATUSES = ("draft", "review", "published", "retired")
REVIEWERS = frozenset({"steward", "admin"})
TRANSITIONS: dict[tuple[str, str], frozenset[str] | None] = {
    ("draft", "review"): None,
    ("review", "draft"): REVIEWERS,
    ("review", "published"): REVIEWERS,
    ("published", "retired"): REVIEWERS,
}
"""(from, to) -> roles allowed (None: any role)."""
NEEDS_COMMENT = frozenset({("review", "draft")})


class WorkflowError(ValueError):
    """A status change that cannot happen."""


class InvalidTransition(WorkflowError):
    """The workflow has no such step from the current status (or the dataset is unknown)."""


class NotPermitted(WorkflowError):
    """The actor's role may not take this step."""


@dataclass(frozen=True)
class StatusChange:
    """One recorded transition."""

    slug: str
    from_status: str | None
    to_status: str
    actor: str
    role: str | None
    comment: str | None
    at: dt.datetime


def aware(moment: dt.datetime) -> dt.datetime:
    """A timestamp read back from the database as timezone-aware UTC (SQLite drops the zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def status(session: Session, catalog: Catalog, slug: str) -> str:
    """The dataset's current status (its definition's until a transition is recorded).

    Raises
    ------
    KeyError
        The catalog has no such dataset.
    """
    dataset = catalog.get(slug)
    row = session.get(CatalogStatus, slug)
    return row.status if row else dataset.status


def statuses(session: Session, catalog: Catalog) -> dict[str, str]:
    """Slug -> current status for every dataset of the catalog."""
    recorded = {r.slug: r.status for r in session.scalars(select(CatalogStatus))}
    return {d.slug: recorded.get(d.slug, d.status) for d in catalog}


def record_status(
    session: Session,
    slug: str,
    from_status: str | None,
    to_status: str,
    actor: str,
    role: str | None = None,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> StatusChange:
    """Write a status and its event without checking the workflow (for new entries)."""
    at = now or utcnow()
    row = session.get(CatalogStatus, slug)
    if row is None:
        session.add(CatalogStatus(slug=slug, status=to_status, changed_at=at, changed_by=actor))
    else:
        row.status, row.changed_at, row.changed_by = to_status, at, actor
    event = CatalogStatusEvent(
        slug=slug,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        role=role,
        comment=comment,
        at=at,
    )
    session.add(event)
    session.flush()
    return StatusChange(slug, from_status, to_status, actor, role, comment, at)


def transition(
    session: Session,
    catalog: Catalog,
    slug: str,
    to: str,
    actor: str,
    role: str,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> StatusChange:
    """Move a dataset to status ``to``, recording who, in which role, when and why.

    Parameters
    ----------
    session
        An app-database session (flushed, not committed).
    catalog
        The catalog the dataset belongs to (shipped plus run-time entries).
    slug, to
        The dataset and the status it moves to.
    actor, role
        Who asks and their role (``admin``, ``steward``, ``analyst``, ``external``).
    comment
        Why; required when a review sends a dataset back to draft.

    Returns
    -------
    StatusChange
        The recorded event.

    Raises
    ------
    InvalidTransition
        Unknown dataset, unknown status, or no such step from the current status.
    NotPermitted
        The role may not take this step (only stewards and admins publish).
    """
    if slug not in catalog:
        raise InvalidTransition(f"unknown dataset {slug!r}")
    if to not in STATUSES:
        raise InvalidTransition(f"unknown status {to!r}; use one of {', '.join(STATUSES)}")
    current = status(session, catalog, slug)
    step = (current, to)
    if step not in TRANSITIONS:
        raise InvalidTransition(f"{slug}: cannot go from {current} to {to}")
    roles = TRANSITIONS[step]
    if roles is not None and role not in roles:
        raise NotPermitted(f"{slug}: {current} -> {to} needs one of {sorted(roles)}, not {role!r}")
    if step in NEEDS_COMMENT and not (comment or "").strip():
        raise InvalidTransition(f"{slug}: sending back to draft needs a comment")
    return record_status(session, slug, current, to, actor, role, comment, now)


def history(session: Session, slug: str) -> list[StatusChange]:
    """The dataset's recorded transitions, oldest first."""
    rows = session.scalars(
        select(CatalogStatusEvent)
        .where(CatalogStatusEvent.slug == slug)
        .order_by(CatalogStatusEvent.at, CatalogStatusEvent.id)
    )
    return [
        StatusChange(r.slug, r.from_status, r.to_status, r.actor, r.role, r.comment, aware(r.at))
        for r in rows
    ]
