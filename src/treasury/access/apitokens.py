"""API tokens in the app database: create (shown once), resolve to a principal, revoke, list."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.access.errors import AccessError
from treasury.access.principal import Action, Principal, Zone
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.access.tokens import (
    NO_MATCH_DIGEST,
    new_token,
    token_digest,
    token_matches,
    token_prefix,
)
from treasury.access.users import get_user, principal_for_user
from treasury.db.access import ApiToken, User, as_utc, utcnow

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}$")
MAX_DAYS = 3650
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _user(session: Session, user: User | str) -> User:
    if isinstance(user, User):
        return user
    found = get_user(session, user)
    if found is None:
        raise AccessError(f"no user {user!r}: create it with `treasury users add`")
    return found


def _scope(values: Iterable[str] | None, kind: str) -> list[str] | None:
    if values is None:
        return None
    cleaned = sorted({v.strip() for v in values if v.strip()})
    if not cleaned:
        raise AccessError(f"empty {kind} scope: leave it out to allow all {kind}")
    if kind == "datasets":
        bad = [v for v in cleaned if not SLUG_RE.match(v)]
        if bad:
            raise AccessError(f"invalid dataset id(s): {', '.join(bad)}")
    else:
        bad = [v for v in cleaned if v not in {a.value for a in Action}]
        if bad:
            raise AccessError(
                f"unknown action(s) {', '.join(bad)}: choose from {', '.join(a.value for a in Action)}"
            )
    return cleaned


def create_token(
    session: Session,
    user: User | str,
    datasets: Iterable[str] | None = None,
    actions: Iterable[str] | None = None,
    days: int | None = 90,
    label: str | None = None,
    settings: AccessSettings | None = None,
) -> tuple[str, ApiToken]:
    """Create an API token for a user (the session is committed).

    Parameters
    ----------
    session
        App-database session.
    user
        The owner, as a row or a name.
    datasets
        Dataset ids the token may touch; None for all the user may read.
    actions
        Actions the token may do (``read``, ``export``, ``sql``, ``upload``, ``approve``);
        None for all the user may do.
    days
        Lifetime in days (1..3650); None for no expiry.
    label
        A note for the owner ("dashboard Kanwil", "ETL").

    Returns
    -------
    tuple[str, ApiToken]
        The token in plain text, **to show once**: only its prefix and digest are stored.

    Raises
    ------
    AccessError
        For an unknown or inactive user, a bad scope or lifetime.
    """
    owner = _user(session, user)
    if not owner.is_active:
        raise AccessError(f"user {owner.name!r} is disabled")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise AccessError(f"days must be between 1 and {MAX_DAYS} (or no expiry)")
    scoped_datasets = _scope(datasets, "datasets")
    scoped_actions = _scope(actions, "actions")
    while True:
        raw, prefix = new_token()
        if session.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            break
    now = utcnow()
    row = ApiToken(
        prefix=prefix,
        digest=token_digest(raw, settings),
        user_id=owner.id,
        label=label,
        datasets=scoped_datasets,
        actions=scoped_actions,
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days is not None else None,
    )
    session.add(row)
    session.commit()
    return raw, row


def find_token(
    session: Session, raw: str, settings: AccessSettings | None = None
) -> ApiToken | None:
    """The stored token matching ``raw`` (valid or not), compared in constant time."""
    s = settings or get_access_settings()
    prefix = token_prefix(raw)
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == prefix)) if prefix else None
    # Always one digest comparison, so unknown prefixes and bad secrets cost the same.
    matched = token_matches(raw or "", row.digest if row else NO_MATCH_DIGEST, s)
    return row if matched and row is not None else None


def is_usable(row: ApiToken, now: dt.datetime | None = None) -> bool:
    """True when the token is neither revoked nor expired and its owner is active."""
    now = now or utcnow()
    return (
        row.revoked_at is None
        and (row.expires_at is None or as_utc(row.expires_at) > now)
        and row.user.is_active
    )


def resolve_token(
    session: Session,
    raw: str,
    zone: Zone = Zone.internet,
    settings: AccessSettings | None = None,
) -> Principal | None:
    """The principal a presented token stands for, or None when invalid, expired or revoked.

    Updates ``last_used_at`` (at most once a minute per token; committed then).

    Parameters
    ----------
    session
        App-database session.
    raw
        The token as presented (``Authorization: Bearer tbd_...``).
    zone
        The request's network zone.
    """
    row = find_token(session, raw, settings)
    now = utcnow()
    if row is None or not is_usable(row, now):
        return None
    if row.last_used_at is None or now - as_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.commit()
    return principal_for_user(
        row.user,
        zone,
        datasets=frozenset(row.datasets) if row.datasets is not None else None,
        actions=frozenset(row.actions) if row.actions is not None else None,
        token_id=row.id,
    )


def revoke_token(session: Session, token: ApiToken | str | int) -> bool:
    """Revoke a token given as row, prefix or id; False when there is no such live token."""
    if isinstance(token, ApiToken):
        row: ApiToken | None = token
    elif isinstance(token, int):
        row = session.get(ApiToken, token)
    else:
        row = session.scalar(select(ApiToken).where(ApiToken.prefix == token))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.commit()
    return True


def list_tokens(session: Session, user: User | str) -> list[ApiToken]:
    """A user's tokens, newest first (prefixes and metadata; the secrets are not stored)."""
    owner = _user(session, user)
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        )
    )
