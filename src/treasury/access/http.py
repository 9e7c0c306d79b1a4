"""FastAPI dependencies: the request's principal (token or login session), app-database session.

A request is identified by an API token (``Authorization: Bearer <token>``, a raw token in
``Authorization``, or ``X-CKAN-API-Key``), else by the signed login cookie ``tbd_session``,
else it is anonymous; its zone comes from the client address. Every identified request passes
the rate limiter (in-process, or in Redis with ``TREASURY_RATELIMIT_REDIS_URL``): refused -> 429
with ``Retry-After``. An invalid token -> 401.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from treasury.access.identify import InvalidToken, identify
from treasury.access.principal import Principal
from treasury.access.ratelimit import RequestLimiter
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.access.zones import client_address
from treasury.config import get_settings
from treasury.db.session import session_scope

SESSION_COOKIE = "tbd_session"
_SALT = "treasury-login-session"


class SessionSettings(BaseSettings):
    """Login-session settings (``TREASURY_*``), beside :class:`AccessSettings` until they merge."""

    model_config = SettingsConfigDict(env_prefix="TREASURY_", extra="ignore")

    session_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Key that signs the login cookie. Empty: a random key is created once in "
            "TREASURY_HOME/session.secret (shared by the workers of one host)."
        ),
    )
    session_max_age_seconds: int = Field(
        default=12 * 3600, ge=60, description="How long a login session lasts."
    )


@lru_cache
def get_session_settings() -> SessionSettings:
    """The process-wide session settings (tests call ``cache_clear()`` after env changes)."""
    return SessionSettings()


def _secret() -> str:
    configured = get_session_settings().session_secret.get_secret_value()
    if configured:
        return configured
    path: Path = get_settings().home / "session.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"session.secret.{secrets.token_hex(4)}")
        tmp.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text(encoding="utf-8").strip()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=_SALT)


def sign_session(user_name: str) -> str:
    """The signed cookie value of a login session for ``user_name``."""
    return str(_serializer().dumps({"u": user_name}))


def session_user(cookie: str | None) -> str | None:
    """The user of a signed session cookie; None when missing, tampered with or expired."""
    if not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=get_session_settings().session_max_age_seconds)
    except BadSignature:
        return None
    user = data.get("u") if isinstance(data, dict) else None
    return user if isinstance(user, str) else None


def set_session_cookie(response: Response, user_name: str, secure: bool = False) -> None:
    """Start a login session on ``response`` (HTTP-only, SameSite=Lax)."""
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(user_name),
        max_age=get_session_settings().session_max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def clear_session_cookie(response: Response) -> None:
    """End the login session."""
    response.delete_cookie(SESSION_COOKIE)


def db_session() -> Iterator[Session]:
    """An app-database session for one request (committed at the end, rolled back on error)."""
    with session_scope() as session:
        yield session


#: Closed when the handler returns, before the response is sent: a streamed export or a slow
#: client must not keep an app-database connection for the whole download.
SessionDep = Annotated[Session, Depends(db_session, scope="function")]


_LIMITERS: dict[int, tuple[AccessSettings, RequestLimiter]] = {}


def _limiter() -> RequestLimiter:
    """The limiter of the current access settings (new settings, new buckets).

    In-process buckets per worker by default; with ``ratelimit_redis_url`` set, buckets in Redis
    shared by every worker, which fall back to in-process ones (and log one warning) while Redis
    cannot be reached: a Redis outage never turns a request into a 500.
    """
    settings = get_access_settings()
    cached = _LIMITERS.get(id(settings))
    if cached is None or cached[0] is not settings:
        _LIMITERS.clear()
        cached = _LIMITERS[id(settings)] = (settings, RequestLimiter.from_settings(settings))
    return cached[1]


def request_headers(request: Request) -> dict[str, str]:
    """The request's headers with a raw or CKAN-style token turned into a bearer token."""
    headers = dict(request.headers)
    raw = headers.get("authorization", "").strip()
    ckan = headers.get("x-ckan-api-key", "").strip()
    if raw and not raw.lower().startswith("bearer "):
        headers["authorization"] = f"Bearer {raw}"
    elif not raw and ckan:
        headers["authorization"] = f"Bearer {ckan}"
    return headers


def current_principal(request: Request, session: SessionDep) -> Principal:
    """The principal of the request (dependency); 401 for a bad token, 429 when rate limited."""
    host = request.client.host if request.client else None
    headers = request_headers(request)
    settings = get_access_settings()
    try:
        principal = identify(
            session,
            host,
            headers,
            user_name=session_user(request.cookies.get(SESSION_COOKIE)),
            settings=settings,
        )
    except InvalidToken as exc:
        raise HTTPException(
            401,
            detail={"code": "invalid_token", "message": str(exc)},
            headers={"WWW-Authenticate": "Bearer"},
        ) from None
    # End the identification's transaction: its connection goes back to the pool while the
    # handler works (a DuckDB query may take seconds); the session reconnects if used again.
    session.commit()
    address = client_address(host, headers, settings)
    allowed, retry_after = _limiter().check(principal, str(address) if address else None)
    if not allowed:
        raise HTTPException(
            429,
            detail={
                "code": "rate_limited",
                "message": f"too many requests: retry after {retry_after} s",
            },
            headers={"Retry-After": str(retry_after)},
        )
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]

__all__ = [
    "SESSION_COOKIE",
    "PrincipalDep",
    "SessionDep",
    "SessionSettings",
    "clear_session_cookie",
    "current_principal",
    "db_session",
    "get_session_settings",
    "request_headers",
    "session_user",
    "set_session_cookie",
    "sign_session",
]
