"""SQLAlchemy models of the app database: the pipeline run log.

Other rooms add their tables to the same :class:`Base` (and a migration in ``migrations/``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every app table."""


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class PipelineRun(Base):
    """One run of the pipeline: ``running`` until it ``succeeded`` or ``failed``."""

    __tablename__ = "pipeline_run"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    engine: Mapped[str] = mapped_column(String(16), default="duckdb")
    scale: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[str | None] = mapped_column(String(200))

    stages: Mapped[list[RunStage]] = relationship(
        back_populates="run", order_by="RunStage.id", cascade="all, delete-orphan"
    )


class RunStage(Base):
    """One stage of a run (a dataset validated, a mart built, the snapshot published)."""

    __tablename__ = "run_stage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("pipeline_run.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str | None] = mapped_column(String(64))
    rows_in: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_out: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_quarantined: Mapped[int] = mapped_column(BigInteger, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    run: Mapped[PipelineRun] = relationship(back_populates="stages")
