"""App-database tables of the catalog: status workflow, its events, versions, runtime entries.

The shipped datasets live in package YAML files; these tables hold what changes at run time.
A dataset with no ``catalog_status`` row has its definition's initial status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from treasury.db.models import Base, utcnow


class CatalogStatus(Base):
    """The current status of a dataset whose status has changed (or was created at run time)."""

    __tablename__ = "catalog_status"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100))


class CatalogStatusEvent(Base):
    """One status transition: from, to, who (and in which role), when, why."""

    __tablename__ = "catalog_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CatalogVersion(Base):
    """A published version of a dataset: the lake/snapshot version it reads, numbered per slug.

    A restore adds a row pointing at an older one (``restored_from``); nothing is overwritten.
    """

    __tablename__ = "catalog_versions"
    __table_args__ = (UniqueConstraint("slug", "number", name="uq_catalog_versions_slug_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(100))
    rows: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    restored_from: Mapped[int | None] = mapped_column(Integer)


class CatalogEntry(Base):
    """A dataset created at run time (from an upload): its definition as the YAML files hold it."""

    __tablename__ = "catalog_entries"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
