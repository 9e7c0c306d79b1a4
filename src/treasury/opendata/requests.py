"""Data requests: a user asks for data the catalog lacks; a steward answers and fulfils it.

Statuses: ``submitted`` -> ``accepted`` | ``rejected`` (with a reason) | ``question`` (the
steward asks; the requester's reply sends it back to ``submitted``); ``accepted`` ->
``fulfilled`` (a dataset slug or an extract link) | ``rejected``. A request past its needed-by
date and neither fulfilled nor rejected is overdue. API under ``/api/v1/requests``, pages under
``/permintaan``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.access import Principal, audit
from treasury.db.models import utcnow
from treasury.db.requests import DataRequest, DataRequestComment
from treasury.envelope import EnvelopeRoute, error_response, success
from treasury.opendata.pages import (
    SessionDep,
    address,
    catalog_for,
    is_reviewer,
    principal_of,
    redirect,
    show,
)

api = APIRouter(prefix="/api/v1/requests", tags=["data requests"], route_class=EnvelopeRoute)
pages = APIRouter(tags=["portal"])

STATUSES = ("submitted", "question", "accepted", "rejected", "fulfilled")
CLOSED = frozenset({"fulfilled", "rejected"})
FORMATS = ("csv", "xlsx", "json", "parquet", "lainnya")
STEPS: dict[str, frozenset[str]] = {
    "accepted": frozenset({"submitted", "question"}),
    "rejected": frozenset({"submitted", "question", "accepted"}),
    "question": frozenset({"submitted", "accepted"}),
    "fulfilled": frozenset({"submitted", "accepted", "question"}),
}
"""Target status -> statuses a steward may move a request from."""


class RequestError(Exception):
    """A request action that cannot happen: ``status`` and ``code`` for the error envelope."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


RequestId = Annotated[int, FastAPIPath(ge=1, le=2**31 - 1, description="Request number")]


class _Text(BaseModel):
    """Text fields without NUL characters (no database stores them)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text must not contain NUL characters")
        return value


class RequestIn(_Text):
    """What a user asks for."""

    title: str = Field(min_length=3, max_length=200, description="The data wanted")
    description: str = Field(default="", max_length=5000)
    purpose: str = Field(min_length=3, max_length=2000)
    period: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    format: Literal["csv", "xlsx", "json", "parquet", "lainnya"] = "csv"
    needed_by: dt.date | None = None


class DecisionIn(_Text):
    """A steward's answer: accept, reject (reason), ask (question), fulfil (dataset or extract)."""

    status: Literal["accepted", "rejected", "question", "fulfilled"]
    comment: str | None = Field(default=None, max_length=5000)
    dataset: str | None = Field(default=None, max_length=100)
    extract_url: str | None = Field(default=None, max_length=500)


class CommentIn(_Text):
    """A message on a request."""

    body: str = Field(min_length=1, max_length=5000)


def overdue(row: DataRequest, today: dt.date | None = None) -> bool:
    """True when the needed-by date has passed and the request is still open."""
    day = today or dt.date.today()
    return row.needed_by is not None and row.needed_by < day and row.status not in CLOSED


def as_dict(row: DataRequest, comments: bool = False) -> dict[str, Any]:
    """A request as the API answers it."""
    out: dict[str, Any] = {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "purpose": row.purpose,
        "period": row.period,
        "region": row.region,
        "format": row.format,
        "needed_by": row.needed_by.isoformat() if row.needed_by else None,
        "requester": row.requester,
        "status": row.status,
        "reason": row.reason,
        "dataset": row.dataset,
        "extract_url": row.extract_url,
        "handled_by": row.handled_by,
        "overdue": overdue(row),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    if comments:
        out["comments"] = [
            {
                "author": c.author,
                "role": c.role,
                "kind": c.kind,
                "body": c.body,
                "at": c.at.isoformat(),
            }
            for c in row.comments
        ]
    return out


def _user(principal: Principal) -> str:
    if principal.user is None:
        raise RequestError(401, "login_required", "log in (or send a token) to ask for data")
    return principal.user


def create_request(session: Session, principal: Principal, data: RequestIn) -> DataRequest:
    """Store a new request from ``principal`` (committed)."""
    user = _user(principal)
    now = utcnow()
    row = DataRequest(
        **data.model_dump(),
        requester=user,
        requester_org=principal.org_code,
        status="submitted",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.commit()
    return row


def list_requests(session: Session, principal: Principal) -> list[DataRequest]:
    """Requests the principal may follow: stewards see all, others their own (newest first)."""
    user = _user(principal)
    query = select(DataRequest).order_by(DataRequest.id.desc())
    if not is_reviewer(principal):
        query = query.where(DataRequest.requester == user)
    return list(session.scalars(query))


def get_request(session: Session, principal: Principal, request_id: int) -> DataRequest:
    """One request, if the principal may see it."""
    user = _user(principal)
    row = session.get(DataRequest, request_id)
    if row is None or (row.requester != user and not is_reviewer(principal)):
        raise RequestError(404, "not_found", f"no data request {request_id}")
    return row


def add_comment(
    session: Session, principal: Principal, row: DataRequest, body: str, kind: str = "comment"
) -> DataRequestComment:
    """Add a message; the requester's reply to a question sends the request back to review."""
    user = _user(principal)
    comment = DataRequestComment(
        request_id=row.id,
        author=user,
        role=principal.role.value if principal.role else None,
        kind=kind,
        body=body.strip(),
        at=utcnow(),
    )
    row.comments.append(comment)
    if kind == "comment" and row.status == "question" and user == row.requester:
        row.status = "submitted"
    row.updated_at = utcnow()
    session.commit()
    return comment


def decide(
    session: Session, principal: Principal, row: DataRequest, decision: DecisionIn
) -> DataRequest:
    """Apply a steward's decision (committed)."""
    user = _user(principal)
    if not is_reviewer(principal):
        raise RequestError(403, "forbidden", "only data stewards answer data requests")
    if row.status not in STEPS[decision.status]:
        raise RequestError(
            409, "invalid_status", f"a {row.status} request cannot become {decision.status}"
        )
    comment = (decision.comment or "").strip()
    if decision.status in {"rejected", "question"} and not comment:
        what = "a reason" if decision.status == "rejected" else "the question"
        raise RequestError(400, "comment_required", f"give {what} in 'comment'")
    if decision.status == "fulfilled":
        slug = (decision.dataset or "").strip() or None
        link = (decision.extract_url or "").strip() or None
        if slug is None and link is None:
            raise RequestError(400, "fulfilment_required", "give a dataset slug or an extract link")
        if slug is not None and slug not in catalog_for(session):
            raise RequestError(400, "unknown_dataset", f"no dataset {slug!r} in the catalog")
        if link is not None and not (link.startswith(("https://", "http://", "/"))):
            raise RequestError(400, "bad_link", "the extract link must be an http(s) URL or a path")
        row.dataset, row.extract_url = slug, link
    if decision.status == "rejected":
        row.reason = comment
    row.status = decision.status
    row.handled_by = user
    row.updated_at = utcnow()
    note = comment or decision.status
    row.comments.append(
        DataRequestComment(
            author=user,
            role=principal.role.value if principal.role else None,
            kind="question" if decision.status == "question" else decision.status,
            body=note,
            at=utcnow(),
        )
    )
    session.commit()
    return row


def ok(data: Any, status: int = 200, **meta: Any) -> JSONResponse:
    """The native success envelope."""
    return JSONResponse(success(data, **meta), status_code=status)


def fail(error: RequestError, hint: str | None = None) -> JSONResponse:
    """The native error envelope."""
    return error_response(error.status, error.code, error.message, hint)


@api.post("", status_code=201)
def create_request_api(request: Request, body: RequestIn, session: SessionDep) -> JSONResponse:
    """Ask for data that is not in the catalog."""
    principal = principal_of(request, session)
    try:
        row = create_request(session, principal, body)
    except RequestError as exc:
        return fail(exc, "log in or send 'Authorization: Bearer <token>'")
    audit.record(
        session, principal, "request.create", filters={"id": row.id}, address=address(request)
    )
    return ok(as_dict(row), 201)


@api.get("")
def list_requests_api(request: Request, session: SessionDep) -> JSONResponse:
    """The caller's requests (stewards: every request), newest first, with overdue flags."""
    principal = principal_of(request, session)
    try:
        rows = list_requests(session, principal)
    except RequestError as exc:
        return fail(exc)
    return ok(
        [as_dict(r) for r in rows], count=len(rows), overdue=sum(1 for r in rows if overdue(r))
    )


@api.get("/{request_id}")
def get_request_api(request: Request, request_id: RequestId, session: SessionDep) -> JSONResponse:
    """One request with its comments."""
    principal = principal_of(request, session)
    try:
        row = get_request(session, principal, request_id)
    except RequestError as exc:
        return fail(exc)
    return ok(as_dict(row, comments=True))


@api.post("/{request_id}/comments", status_code=201)
def comment_api(
    request: Request, request_id: RequestId, body: CommentIn, session: SessionDep
) -> JSONResponse:
    """Add a comment (the requester's reply answers a steward's question)."""
    principal = principal_of(request, session)
    try:
        row = get_request(session, principal, request_id)
        add_comment(session, principal, row, body.body)
    except RequestError as exc:
        return fail(exc)
    return ok(as_dict(row, comments=True), 201)


@api.post("/{request_id}/decision")
def decision_api(
    request: Request, request_id: RequestId, body: DecisionIn, session: SessionDep
) -> JSONResponse:
    """A steward accepts, rejects (with a reason), asks a question or fulfils a request."""
    principal = principal_of(request, session)
    try:
        row = get_request(session, principal, request_id)
        decide(session, principal, row, body)
    except RequestError as exc:
        return fail(exc)
    audit.record(
        session,
        principal,
        "request.decide",
        filters={"id": row.id, "status": body.status},
        address=address(request),
    )
    return ok(as_dict(row, comments=True))


# Pages -----------------------------------------------------------------------------------------


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    rows = list_requests(session, principal)
    return show(
        request,
        session,
        "opendata/requests.html",
        principal=principal,
        rows=rows,
        overdue=overdue,
        formats=FORMATS,
        error=error,
        status_code=status_code,
    )


@pages.get("/permintaan", response_class=HTMLResponse)
def requests_page(request: Request, session: SessionDep) -> Response:
    """The request form and the user's requests (stewards: all)."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/permintaan")
    return _list_page(request, session, principal)


@pages.post("/permintaan", response_class=HTMLResponse)
def submit_request_page(
    request: Request,
    session: SessionDep,
    title: Annotated[str, Form()],
    purpose: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    period: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "csv",
    needed_by: Annotated[str, Form()] = "",
) -> Response:
    """Submit the request form."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/permintaan")
    try:
        data = RequestIn(
            title=title,
            purpose=purpose,
            description=description,
            period=period or None,
            region=region or None,
            format=format,  # type: ignore[arg-type]
            needed_by=dt.date.fromisoformat(needed_by) if needed_by else None,
        )
    except ValueError as exc:
        return _list_page(request, session, principal, str(exc).splitlines()[0], 400)
    row = create_request(session, principal, data)
    audit.record(
        session, principal, "request.create", filters={"id": row.id}, address=address(request)
    )
    return redirect(f"/permintaan/{row.id}")


@pages.get("/permintaan/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: RequestId, session: SessionDep) -> Response:
    """One request: its details, status, comments, and the steward's actions."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect(f"/login?next=/permintaan/{request_id}")
    try:
        row = get_request(session, principal, request_id)
    except RequestError:
        return show(request, session, "opendata/missing.html", principal=principal, status_code=404)
    return show(
        request,
        session,
        "opendata/request.html",
        principal=principal,
        row=row,
        overdue=overdue(row),
        reviewer=is_reviewer(principal),
        error=request.query_params.get("error"),
    )


@pages.post("/permintaan/{request_id}/komentar")
def comment_page(
    request: Request, request_id: RequestId, session: SessionDep, body: Annotated[str, Form()]
) -> Response:
    """Post a comment from the request page."""
    principal = principal_of(request, session)
    try:
        row = get_request(session, principal, request_id)
        if body.strip():
            add_comment(session, principal, row, body)
    except RequestError:
        return redirect(f"/login?next=/permintaan/{request_id}")
    return redirect(f"/permintaan/{request_id}")


@pages.post("/permintaan/{request_id}/keputusan")
def decision_page(
    request: Request,
    request_id: RequestId,
    session: SessionDep,
    status: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
    dataset: Annotated[str, Form()] = "",
    extract_url: Annotated[str, Form()] = "",
) -> Response:
    """A steward's decision from the request page."""
    principal = principal_of(request, session)
    try:
        row = get_request(session, principal, request_id)
        decision = DecisionIn(
            status=status,  # type: ignore[arg-type]
            comment=comment or None,
            dataset=dataset or None,
            extract_url=extract_url or None,
        )
        decide(session, principal, row, decision)
    except RequestError as exc:
        return redirect(f"/permintaan/{request_id}?error={exc.code}")
    except ValueError:
        return redirect(f"/permintaan/{request_id}?error=invalid_status")
    audit.record(
        session,
        principal,
        "request.decide",
        filters={"id": row.id, "status": status},
        address=address(request),
    )
    return redirect(f"/permintaan/{request_id}")


router = APIRouter()
router.include_router(api)
router.include_router(pages)
