"""App-database tables of open-data requests and uploads: what users asked for and sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from treasury.db.models import Base, utcnow


class DataRequest(Base):
    """A request for data the catalog does not offer, and how a steward answered it."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(16), default="csv")
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    requester: Mapped[str] = mapped_column(String(100), index=True)
    requester_org: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str | None] = mapped_column(String(100))
    extract_url: Mapped[str | None] = mapped_column(String(500))
    handled_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    comments: Mapped[list[DataRequestComment]] = relationship(
        back_populates="request", order_by="DataRequestComment.id", cascade="all, delete-orphan"
    )


class DataRequestComment(Base):
    """One message on a request: a comment, a steward's question, or a status change note."""

    __tablename__ = "data_request_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("data_requests.id"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    request: Mapped[DataRequest] = relationship(back_populates="comments")


class DataUpload(Base):
    """One upload into a dataset: who sent which file, what passed, what failed (the report)."""

    __tablename__ = "data_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="replace")
    rows_valid: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_invalid: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
