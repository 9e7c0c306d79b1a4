"""Assistant API: FAQ answers, data answers, feedback on answers, the conversation log.

Every answer uses the native envelope; the logged turn's id and feedback token travel in
``meta`` (``turn``, ``feedback_token``) so the ``data`` shapes stay exactly as documented.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from treasury.access import Principal, Role
from treasury.access.http import PrincipalDep, SessionDep
from treasury.assistant.conversations import give_feedback, recent_turns, record_turn, summary
from treasury.assistant.databot import DataAssistant
from treasury.assistant.faq import faq_bot
from treasury.assistant.questions import BadQuestion, clean_question
from treasury.config import Settings, get_settings
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, success
from treasury.warehouse.reader import Reader, ReadError

router = APIRouter(
    prefix="/api/v1/assistant",
    tags=["assistant"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)
SERVICE_DESK = frozenset({Role.admin, Role.steward})
_BOTS: dict[int, tuple[Settings, DataAssistant]] = {}


def get_data_assistant() -> DataAssistant:
    """The data assistant of the current settings (one reader per settings object)."""
    settings = get_settings()
    cached = _BOTS.get(id(settings))
    if cached is None or cached[0] is not settings:
        _BOTS.clear()
        cached = _BOTS[id(settings)] = (settings, DataAssistant(Reader(settings)))
    return cached[1]


DataAssistantDep = Annotated[DataAssistant, Depends(get_data_assistant)]


class QuestionIn(BaseModel):
    """A question to the assistant (at most 2,000 characters of text)."""

    question: Any = Field(description="the question, 1 to 2,000 characters of text")
    lang: Literal["id", "en"] = Field("id", description="language of the answer")


class FaqOut(BaseModel):
    """A FAQ answer: the entry id (null when the bot hands over), its answer, confidence 0..1."""

    id: str | None
    answer: str
    confidence: float


class AskOut(BaseModel):
    """A data answer: sentence, headline value in its unit (null when asking back or refusing),
    the table and the SQL it ran."""

    answer: str
    value: float | None
    unit: str | None
    rows: list[dict[str, Any]]
    sql: str | None


class FeedbackIn(BaseModel):
    """A vote on one answer: the ``turn`` and ``feedback_token`` from the answer's meta."""

    turn: int = Field(ge=1, le=2**62)
    feedback_token: str = Field(min_length=8, max_length=64)
    helpful: bool
    comment: str | None = Field(None, max_length=1000)


def _question(body: QuestionIn) -> str:
    try:
        return clean_question(body.question)
    except BadQuestion as exc:
        raise ReadError(400, exc.code, exc.message, exc.hint) from None


@router.post("/faq", summary="Answer a service question from the HAI DJPb knowledge base")
def faq(body: QuestionIn, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """Answer a service question (anonymous users allowed); id null means a hand-over offer."""
    question = _question(body)
    result = faq_bot().answer(question, lang=body.lang)
    data = FaqOut(id=result.id, answer=result.answer, confidence=result.confidence)
    logged = record_turn(
        session,
        kind="faq",
        user=principal.user,
        lang=body.lang,
        question=question,
        answer=result.answer,
        outcome="answer" if result.id else "handover",
        faq_id=result.id,
        confidence=result.confidence,
        detail={"candidates": [c.entry.id for c in result.candidates[:3]]},
    )
    return success(
        data.model_dump(),
        turn=logged.id,
        feedback_token=logged.token,
        question=result.question,
        handover=result.id is None,
    )


@router.post("/ask", summary="Answer a data question from the marts under your access rights")
def ask(
    body: QuestionIn, principal: PrincipalDep, session: SessionDep, bot: DataAssistantDep
) -> dict[str, Any]:
    """Answer a data question; the query runs with the caller's row filters and masks."""
    question = _question(body)
    try:
        result = bot.ask(principal, question, lang=body.lang)
    except ReadError as exc:
        if exc.status not in (401, 403):
            raise
        message = "data questions are for signed-in internal users (analysts, stewards, admins)"
        raise ReadError(exc.status, exc.code, message, "log in, or ask in the FAQ tab") from None
    data = AskOut(**result.as_dict())
    logged = record_turn(
        session,
        kind="data",
        user=principal.user,
        lang=body.lang,
        question=question,
        answer=result.answer,
        outcome=result.kind,
        detail={"sql": result.sql, "value": result.value, "unit": result.unit},
    )
    return success(data.model_dump(), turn=logged.id, feedback_token=logged.token, kind=result.kind)


@router.post("/feedback", summary="Say whether an answer helped")
def feedback(body: FeedbackIn, session: SessionDep) -> dict[str, Any]:
    """Record helpful / not helpful on an answer (only the asker holds its token)."""
    if not give_feedback(session, body.turn, body.feedback_token, body.helpful, body.comment):
        raise HTTPException(
            404, detail={"code": "not_found", "message": "no such answer, or the token is wrong"}
        )
    return success({"turn": body.turn, "helpful": body.helpful})


def require_service_desk(principal: Principal) -> None:
    """401 for anonymous users, 403 unless steward or admin."""
    if not principal.is_authenticated:
        raise HTTPException(401, detail={"code": "unauthorized", "message": "log in first"})
    if principal.role not in SERVICE_DESK:
        raise HTTPException(
            403, detail={"code": "forbidden", "message": "the log is for the service desk"}
        )


@router.get("/log", summary="The conversation log (service desk)")
def log(
    principal: PrincipalDep,
    session: SessionDep,
    only: Annotated[Literal["unhelpful", "handover", "faq", "data"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Latest questions, answers and votes, for stewards and admins."""
    require_service_desk(principal)
    turns = [
        {
            "id": t.id,
            "at": t.at.isoformat(),
            "kind": t.kind,
            "user": t.user,
            "question": t.question,
            "answer": t.answer,
            "faq_id": t.faq_id,
            "confidence": t.confidence,
            "outcome": t.outcome,
            "helpful": t.helpful,
            "comment": t.comment,
        }
        for t in recent_turns(session, limit, only)
    ]
    return success(turns, **summary(session))
