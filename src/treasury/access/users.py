"""Users: add them (validated), log them in (argon2id, throttled), turn them into principals."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.access.errors import AccessError
from treasury.access.orgs import parse_org
from treasury.access.passwords import (
    burn_verification,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from treasury.access.principal import RIGHT_PERSONAL_DATA, Action, OrgType, Principal, Role, Zone
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.access.throttle import LoginThrottled, note_attempt, retry_after
from treasury.db.access import User, utcnow

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: Rights a user may be granted on top of the role.
KNOWN_RIGHTS = frozenset({RIGHT_PERSONAL_DATA})


def normalise_name(name: str) -> str:
    """A user name as stored: trimmed, lower case."""
    return name.strip().lower()


def _check_name(name: str) -> str:
    name = normalise_name(name)
    if not NAME_RE.match(name):
        raise AccessError(
            f"invalid user name {name!r}: 2-64 characters, lower-case letters, digits, '.', '_', "
            "'-', starting with a letter or digit"
        )
    return name


def _check_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccessError(
            f"unknown role {role!r}: choose one of {', '.join(r.value for r in Role)}"
        ) from None


def _check_rights(rights: Iterable[str]) -> list[str]:
    rights = sorted(set(rights))
    unknown = set(rights) - KNOWN_RIGHTS
    if unknown:
        raise AccessError(
            f"unknown right(s) {', '.join(sorted(unknown))}: known are {', '.join(KNOWN_RIGHTS)}"
        )
    return rights


def get_user(session: Session, name: str) -> User | None:
    """The user called ``name`` (case-insensitive), or None."""
    return session.scalar(select(User).where(User.name == normalise_name(name)))


def add_user(
    session: Session,
    name: str,
    role: str,
    org: str | None = None,
    *,
    password: str,
    rights: Iterable[str] = (),
    settings: AccessSettings | None = None,
) -> User:
    """Create a user with an argon2id password hash (the session is committed).

    Parameters
    ----------
    session
        App-database session.
    name
        User name: lower-case letters, digits, ``.``, ``_``, ``-``.
    role
        ``admin``, ``steward``, ``analyst`` or ``external``.
    org
        Organisation: ``kanwil:15`` / ``15`` (Kanwil), ``kppn:086`` / ``086`` (KPPN),
        ``DIT-PKN`` (a directorate), or None for national scope.
    password
        At least 10 characters, not the user name.
    rights
        Extra rights, e.g. ``{"lihat_data_pribadi"}``.

    Returns
    -------
    User
        The new row.

    Raises
    ------
    AccessError
        On an invalid or taken name, unknown role, organisation or right, or a weak password.
    """
    name = _check_name(name)
    checked_role = _check_role(role)
    org_type, org_code = parse_org(org)
    checked_rights = _check_rights(rights)
    check_policy(password, name)
    if get_user(session, name) is not None:
        raise AccessError(f"user {name!r} already exists")
    user = User(
        name=name,
        role=checked_role.value,
        org_type=org_type.value if org_type else None,
        org_code=org_code,
        password_hash=hash_password(password, settings),
        rights=checked_rights,
        is_active=True,
    )
    session.add(user)
    session.commit()
    return user


def set_password(
    session: Session, user: User, password: str, settings: AccessSettings | None = None
) -> None:
    """Replace a user's password (policy-checked; the session is committed)."""
    check_policy(password, user.name)
    user.password_hash = hash_password(password, settings)
    session.commit()


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable a user (a disabled user cannot log in or use tokens)."""
    user.is_active = active
    session.commit()


def authenticate(
    session: Session,
    name: str,
    password: str,
    address: str | None = None,
    settings: AccessSettings | None = None,
) -> User | None:
    """Check a name and password; the attempt is recorded for throttling (and committed).

    Unknown names cost one argon2 verification too, so timing does not reveal which names exist.
    A hash made with old parameters is replaced on a successful login.

    Parameters
    ----------
    session
        App-database session.
    name, password
        What the user typed.
    address
        Client address, throttled separately from the name.

    Returns
    -------
    User or None
        The user when the password matches and the user is active; None otherwise.

    Raises
    ------
    LoginThrottled
        After too many recent failures for the name or the address; ``retry_after`` says when.
    """
    s = settings or get_access_settings()
    name = normalise_name(name)[:64]
    wait = retry_after(session, name, address, settings=s)
    if wait:
        note_attempt(session, name, address, success=False, throttled=True)
        raise LoginThrottled(wait)
    user = get_user(session, name)
    if user is None:
        burn_verification(password, s)
        ok = False
    else:
        ok = verify_password(user.password_hash, password, s) and user.is_active
    note_attempt(session, name, address, success=ok)
    if not ok or user is None:
        return None
    if needs_rehash(user.password_hash, s):
        user.password_hash = hash_password(password, s)
    user.last_login_at = utcnow()
    session.commit()
    return user


def principal_for_user(
    user: User,
    zone: Zone = Zone.internet,
    *,
    datasets: frozenset[str] | None = None,
    actions: frozenset[str] | None = None,
    token_id: int | None = None,
) -> Principal:
    """The principal of a logged-in user (or of a token, with its scopes)."""
    return Principal(
        user=user.name,
        role=Role(user.role),
        org_type=OrgType(user.org_type) if user.org_type else None,
        org_code=user.org_code,
        zone=zone,
        datasets=datasets,
        actions=frozenset(Action(a) for a in actions) if actions is not None else None,
        rights=frozenset(user.rights or ()),
        token_id=token_id,
    )
