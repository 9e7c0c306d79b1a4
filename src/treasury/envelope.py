"""The native API's envelopes, shared by every product's API: one success shape, one error shape.

Success: ``{"ok": true, "data": ..., "meta": {...}}``. Error: ``{"ok": false, "error":
{"status", "code", "message", "hint"}}``. :class:`EnvelopeRoute` turns every failure of a
route (a :class:`ReadError`, an ``HTTPException`` from a dependency such as 401/429, a request
validation error) into the error shape, so bad input is a 400, never a 500.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Literal

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from treasury.warehouse.reader import ReadError

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    503: "unavailable",
    507: "insufficient_storage",
}


class ErrorBody(BaseModel):
    """What went wrong: HTTP status, stable code, English message, a hint how to fix it."""

    status: int
    code: str
    message: str
    hint: str | None = None


class ErrorOut(BaseModel):
    """The error envelope."""

    ok: Literal[False] = False
    error: ErrorBody


class Envelope(BaseModel):
    """The success envelope (``data`` depends on the route)."""

    ok: Literal[True] = True
    data: Any
    meta: dict[str, Any] = {}


def success(data: Any, **meta: Any) -> dict[str, Any]:
    """The success envelope around ``data``."""
    return {"ok": True, "data": data, "meta": meta}


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """A JSON response in the error envelope."""
    body = ErrorOut(error=ErrorBody(status=status, code=code, message=message, hint=hint))
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "body"))
        problems.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "invalid request", "see the OpenAPI description at /docs"


def to_error(exc: Exception) -> JSONResponse | None:
    """The error response for an exception a route raised, or None if it is not ours to map."""
    if isinstance(exc, ReadError):
        return error_response(exc.status, exc.code, exc.message, exc.hint)
    if isinstance(exc, RequestValidationError):
        message, hint = _validation_message(exc)
        return error_response(400, "bad_request", message, hint)
    if isinstance(exc, HTTPException | StarletteHTTPException):
        detail = exc.detail
        code = _CODES.get(exc.status_code, "error")
        message = str(detail)
        if isinstance(detail, dict):
            code = str(detail.get("code", code))
            message = str(detail.get("message", message))
        return error_response(exc.status_code, code, message, headers=exc.headers)
    if isinstance(exc, DBAPIError | SQLAlchemyTimeoutError):
        log.warning("app database unavailable: %s", type(exc).__name__)
        return error_response(
            503,
            "database_unavailable",
            "the application database is not answering",
            "try again in a moment; if it persists, tell the operators",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        log.error("disk full: %s", exc)
        return error_response(
            507,
            "insufficient_storage",
            "the server's disk is full: nothing was stored",
            "try again later; the operators have been told",
        )
    return None


class EnvelopeRoute(APIRoute):
    """An API route whose every failure answers in the error envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def enveloped(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                response = to_error(exc)
                if response is None:
                    log.exception("unexpected error in %s", request.url.path)
                    return error_response(
                        500, "internal_error", "unexpected server error; it has been logged"
                    )
                return response

        return enveloped


#: OpenAPI ``responses=`` for routes: every error uses :class:`ErrorOut`.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": code.replace("_", " ")}
    for status, code in _CODES.items()
    if status != 405
}
