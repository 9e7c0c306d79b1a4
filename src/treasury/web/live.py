"""Today's figures, live: a server-sent-events stream and the ``/live`` page that shows it.

``GET /api/v1/live/today`` answers ``text/event-stream``: an ``event: today`` message with the
count and sum of the SP2D lines and MPN receipts committed today, by hour (JSON, see
:func:`treasury.warehouse.streaming.today_figures`), sent at once and again whenever a stream
commit changes them; a comment line keeps idle connections open. A stream lasts ``seconds``
(default 60; EventSource reconnects by itself after 2 s and gets the full figures at once),
so no connection outlives a server's graceful shutdown for long. The figures are internal (spending and revenue of the day,
before any publication): an internal role, or the intranet zone.

The endpoint is left out of the OpenAPI description: an endless response is no JSON operation
(and API fuzzers would wait on it for ever).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from treasury.access import Action
from treasury.access.http import PrincipalDep
from treasury.access.policy import Classification, DatasetPolicyInfo, decide
from treasury.config import Settings, get_settings
from treasury.envelope import EnvelopeRoute, error_response
from treasury.warehouse.streaming import today_figures

router = APIRouter()
api = APIRouter(route_class=EnvelopeRoute)  # failures answer in the error envelope

#: The live figures as a dataset for the access decision.
LIVE_POLICY = DatasetPolicyInfo(slug="live-today", classification=Classification.internal)
KEEPALIVE = 15.0  # seconds between comment lines on an idle stream
SHARED = 0.5  # seconds the figures are shared by every open stream of a worker
_latest: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()

TEXTS: dict[str, dict[str, str]] = {
    "live_title": {"id": "Angka hari ini (langsung)", "en": "Today's figures (live)"},
    "live_intro": {
        "id": "SP2D dan penerimaan MPN yang sudah tercatat hari ini; diperbarui otomatis.",
        "en": "SP2D and MPN receipts committed today; updated automatically.",
    },
    "live_sp2d": {"id": "SP2D (belanja)", "en": "SP2D (spending)"},
    "live_mpn": {"id": "MPN (penerimaan)", "en": "MPN (revenue)"},
    "live_count": {"id": "Jumlah", "en": "Count"},
    "live_sum": {"id": "Nilai", "en": "Amount"},
    "live_hour": {"id": "Jam", "en": "Hour"},
    "live_waiting": {"id": "Menunggu data...", "en": "Waiting for data..."},
    "live_updated": {"id": "Diperbarui", "en": "Updated"},
    "live_denied": {
        "id": "Angka ini hanya untuk pengguna internal: silakan masuk.",
        "en": "These figures are for internal users: please log in.",
    },
}


def _figures(settings: Settings) -> dict[str, Any]:
    """Today's figures, read from the lake at most every :data:`SHARED` seconds per worker
    however many clients are connected."""
    key = f"{settings.lake}|{settings.as_of_date()}"
    with _lock:
        found = _latest.get(key)
        if found is None or time.monotonic() - found[0] > SHARED:
            found = (time.monotonic(), today_figures(settings))
            _latest[key] = found
        return found[1]


def _event(number: int, figures: dict[str, Any]) -> str:
    return f"id: {number}\nevent: today\ndata: {json.dumps(figures, separators=(',', ':'))}\n\n"


@api.get("/api/v1/live/today", include_in_schema=False, response_model=None)
async def live_today(
    request: Request,
    principal: PrincipalDep,
    interval: Annotated[float, Query(ge=0.2, le=30, description="Seconds between checks.")] = 1.0,
    seconds: Annotated[
        float, Query(ge=1, le=3600, description="How long the stream stays open.")
    ] = 60.0,
    max_events: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """Server-sent events with today's committed SP2D and MPN figures, by hour."""
    decision = decide(principal, LIVE_POLICY, Action.read)
    if not decision.allowed:
        return error_response(decision.status or 403, decision.reason, decision.message_in("en"))
    settings = get_settings()

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        last, sent = None, 0
        started = quiet = time.monotonic()
        while time.monotonic() - started < seconds:
            if await request.is_disconnected():
                break
            figures = await asyncio.to_thread(_figures, settings)
            if figures != last:
                last, sent, quiet = figures, sent + 1, time.monotonic()
                yield _event(sent, figures)
                if max_events is not None and sent >= max_events:
                    break
            elif time.monotonic() - quiet >= KEEPALIVE:
                quiet = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(interval)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


router.include_router(api)


@router.get("/live", response_class=HTMLResponse, include_in_schema=False)
def live_page(request: Request) -> HTMLResponse:
    """The live page: today's figures, updated by server-sent events."""
    render = request.app.state.render
    return render(request, "live.html", texts=TEXTS, day=get_settings().as_of_date())
