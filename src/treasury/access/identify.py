"""From a request's facts to a principal: zone from the address, user from a token or a session."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from treasury.access.apitokens import resolve_token
from treasury.access.principal import Principal
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.access.users import get_user, principal_for_user
from treasury.access.zones import zone_for


class InvalidToken(Exception):
    """A token was presented but is unknown, expired or revoked (answer 401)."""


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any.

    Examples
    --------
    >>> bearer_token({"Authorization": "Bearer tbd_0123abcd_x"})
    'tbd_0123abcd_x'
    >>> bearer_token({}) is None
    True
    """
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def identify(
    session: Session,
    client_host: str | None,
    headers: Mapping[str, str],
    user_name: str | None = None,
    settings: AccessSettings | None = None,
) -> Principal:
    """The principal of a request.

    A bearer token wins over a login session; without either the client is anonymous in its
    zone. A session naming a user who no longer exists or was disabled is anonymous too.

    Parameters
    ----------
    session
        App-database session.
    client_host
        The direct peer address.
    headers
        Request headers (``Authorization``, ``X-Forwarded-For`` from trusted proxies).
    user_name
        The user of the login session (the web layer's signed cookie), if any.

    Raises
    ------
    InvalidToken
        When a token is presented but does not resolve.
    """
    s = settings or get_access_settings()
    zone = zone_for(client_host, headers, s)
    raw = bearer_token(headers)
    if raw is not None:
        principal = resolve_token(session, raw, zone, s)
        if principal is None:
            raise InvalidToken("invalid, expired or revoked API token")
        return principal
    if user_name:
        user = get_user(session, user_name)
        if user is not None and user.is_active:
            return principal_for_user(user, zone)
    return Principal(zone=zone)
