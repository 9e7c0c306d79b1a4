"""Login throttling: too many failed logins for a name or an address -> refuse for a while."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from treasury.access.errors import AccessError
from treasury.access.settings import AccessSettings, get_access_settings
from treasury.db.access import LoginAttempt, as_utc, utcnow


class LoginThrottled(AccessError):
    """Too many failed logins; ``retry_after`` seconds until the next attempt is considered."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins: try again in {retry_after} seconds")
        self.retry_after = retry_after


def _wait_for(
    session: Session,
    criterion: ColumnElement[bool],
    since: dt.datetime,
    now: dt.datetime,
    settings: AccessSettings,
) -> int:
    # Refused until the max-th most recent failure leaves the window.
    failures = session.scalars(
        select(LoginAttempt.at)
        .where(
            criterion,
            LoginAttempt.success.is_(False),
            LoginAttempt.throttled.is_(False),
            LoginAttempt.at > since,
        )
        .order_by(LoginAttempt.at.desc())
        .limit(settings.login_max_failures)
    ).all()
    if len(failures) < settings.login_max_failures:
        return 0
    oldest = as_utc(failures[-1])
    window = dt.timedelta(seconds=settings.login_window_seconds)
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def retry_after(
    session: Session,
    name: str,
    address: str | None,
    now: dt.datetime | None = None,
    settings: AccessSettings | None = None,
) -> int:
    """Seconds until a login for ``name`` from ``address`` will be considered (0: now).

    Failures count within ``login_window_seconds``; for a name only those after its last
    successful login, for an address all of them.
    """
    s = settings or get_access_settings()
    now = now or utcnow()
    window_start = now - dt.timedelta(seconds=s.login_window_seconds)
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.name == name, LoginAttempt.success.is_(True)
        )
    )
    name_since = max(window_start, as_utc(last_success)) if last_success else window_start
    wait = _wait_for(session, LoginAttempt.name == name, name_since, now, s)
    if address:
        wait = max(wait, _wait_for(session, LoginAttempt.address == address, window_start, now, s))
    return wait


def note_attempt(
    session: Session,
    name: str,
    address: str | None,
    success: bool,
    throttled: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Record a login attempt (committed, so failures count even if the caller rolls back)."""
    session.add(
        LoginAttempt(
            at=now or utcnow(), name=name, address=address, success=success, throttled=throttled
        )
    )
    session.commit()


def forget_attempts(session: Session, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Delete login attempts older than ``older_than`` (committed); returns how many went."""
    if older_than.total_seconds() < get_access_settings().login_window_seconds:
        raise AccessError("keep at least one throttling window of login attempts")
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
