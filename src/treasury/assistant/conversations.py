"""The conversation log: every question and answer, and the user's helpful / not helpful vote.

Each logged turn gets a random token returned with the answer: only the client that asked can
vote on it (anonymous users included). The service desk (stewards and admins) reads the log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from treasury.db.assistant import AssistantTurn
from treasury.db.models import utcnow


@dataclass(frozen=True)
class Logged:
    """The id and feedback token of a logged turn."""

    id: int
    token: str


def record_turn(
    session: Session,
    *,
    kind: str,
    user: str | None,
    lang: str,
    question: str,
    answer: str,
    outcome: str,
    faq_id: str | None = None,
    confidence: float | None = None,
    detail: dict[str, Any] | None = None,
) -> Logged:
    """Append one turn to the log (committed) and return its id and feedback token."""
    turn = AssistantTurn(
        kind=kind,
        user=user,
        lang=lang,
        question=question[:2000],
        answer=answer[:8000],
        outcome=outcome,
        faq_id=faq_id,
        confidence=confidence,
        detail=detail,
        token=secrets.token_urlsafe(16),
    )
    session.add(turn)
    session.commit()
    return Logged(turn.id, turn.token)


def give_feedback(
    session: Session, turn_id: int, token: str, helpful: bool, comment: str | None = None
) -> bool:
    """Store the vote on a turn; False when the turn or its token does not match."""
    turn = session.get(AssistantTurn, turn_id)
    if turn is None or not secrets.compare_digest(turn.token, token):
        return False
    turn.helpful = helpful
    turn.comment = (comment or "")[:1000] or None
    turn.feedback_at = utcnow()
    session.commit()
    return True


def recent_turns(
    session: Session, limit: int = 200, only: str | None = None
) -> list[AssistantTurn]:
    """The latest turns, newest first; ``only`` = ``unhelpful``, ``handover`` or a kind."""
    query = select(AssistantTurn).order_by(AssistantTurn.id.desc()).limit(limit)
    if only == "unhelpful":
        query = query.where(AssistantTurn.helpful.is_(False))
    elif only == "handover":
        query = query.where(AssistantTurn.outcome == "handover")
    elif only in ("faq", "data"):
        query = query.where(AssistantTurn.kind == only)
    return list(session.scalars(query))


def summary(session: Session) -> dict[str, int]:
    """Counts for the service desk: turns, helpful, not helpful, hand-overs."""
    count = func.count(AssistantTurn.id)
    return {
        "turns": session.scalar(select(count)) or 0,
        "helpful": session.scalar(select(count).where(AssistantTurn.helpful.is_(True))) or 0,
        "not_helpful": session.scalar(select(count).where(AssistantTurn.helpful.is_(False))) or 0,
        "handover": session.scalar(select(count).where(AssistantTurn.outcome == "handover")) or 0,
    }
