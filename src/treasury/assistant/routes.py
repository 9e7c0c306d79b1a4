"""The assistant product's routes: FAQ bot, data assistant and document recognition.

Pages: ``/assistant`` (chat: FAQ and data questions) and ``/assistant/layanan`` (the service
desk's conversation log, stewards and admins). API: :mod:`treasury.assistant.api`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treasury.access.http import PrincipalDep, SessionDep
from treasury.assistant.api import SERVICE_DESK
from treasury.assistant.api import router as api_router
from treasury.assistant.conversations import recent_turns, summary
from treasury.assistant.ocr.routes import router as ocr_router
from treasury.assistant.pagetexts import TEXTS

router = APIRouter()
router.include_router(ocr_router)
router.include_router(api_router)


@router.get("/assistant", response_class=HTMLResponse, include_in_schema=False)
def assistant_page(request: Request, principal: PrincipalDep) -> HTMLResponse:
    """The chat page: FAQ questions for everyone, data questions for signed-in internal users."""
    response: HTMLResponse = request.app.state.render(
        request,
        "assistant/chat.html",
        texts=TEXTS,
        principal=principal,
        service_desk=principal.role in SERVICE_DESK,
    )
    return response


@router.get("/assistant/layanan", response_class=HTMLResponse, include_in_schema=False)
def service_desk_page(
    request: Request,
    principal: PrincipalDep,
    session: SessionDep,
    only: Annotated[Literal["unhelpful", "handover", "faq", "data"] | None, Query()] = None,
) -> Response:
    """The conversation log with feedback, for the service desk (stewards and admins)."""
    if not principal.is_authenticated:
        return RedirectResponse("/login?next=/assistant/layanan", status_code=303)
    if principal.role not in SERVICE_DESK:
        forbidden: HTMLResponse = request.app.state.render(
            request,
            "assistant/desk.html",
            status_code=403,
            texts=TEXTS,
            principal=principal,
            forbidden=True,
            turns=[],
            counts={},
            only=only,
        )
        return forbidden
    response: HTMLResponse = request.app.state.render(
        request,
        "assistant/desk.html",
        texts=TEXTS,
        principal=principal,
        forbidden=False,
        turns=recent_turns(session, 200, only),
        counts=summary(session),
        only=only,
    )
    return response
