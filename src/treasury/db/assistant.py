"""App-database table of the assistant's conversation log, with users' feedback."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from treasury.db.models import Base, utcnow


class AssistantTurn(Base):
    """One question to the assistant and its answer; ``helpful`` is the user's feedback."""

    __tablename__ = "assistant_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)  # faq or data
    user: Mapped[str | None] = mapped_column(String(100), index=True)
    lang: Mapped[str] = mapped_column(String(2), default="id")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    faq_id: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16), default="answer")
    detail: Mapped[dict | None] = mapped_column(JSON)
    helpful: Mapped[bool | None] = mapped_column(default=None, index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    token: Mapped[str] = mapped_column(String(32))
