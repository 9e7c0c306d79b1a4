"""The append-only audit log: one row per read, export, SQL query, upload, approval, login, change.

There is deliberately no update or delete here, and triggers on ``audit_log`` reject both in the
database. Secrets never enter the log: filter keys that look like secrets are redacted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.access.errors import AccessError
from treasury.access.principal import Principal, Role
from treasury.db.access import AuditEvent, utcnow

ACTION_RE = re.compile(r"^[a-z][a-z0-9_.]{1,31}$")
STATUSES = frozenset({"ok", "denied", "error", "throttled"})
_SECRET_KEY = re.compile(r"pass|token|secret|key|auth", re.IGNORECASE)
REDACTED = "***"
MAX_DETAIL = 8000


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _SECRET_KEY.search(str(k)) else _redact(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def record(
    session: Session,
    principal: Principal,
    action: str,
    dataset: str | None = None,
    filters: Mapping[str, Any] | None = None,
    rows: int | None = None,
    bytes: int | None = None,
    status: str = "ok",
    detail: str | None = None,
    address: str | None = None,
) -> AuditEvent:
    """Append one event to the audit log (the session is committed).

    Parameters
    ----------
    session
        App-database session.
    principal
        Who acted (user, role, token, zone are recorded).
    action
        ``read``, ``export``, ``sql``, ``upload``, ``approve``, ``login``, ``token.create``, ...
    dataset
        Dataset id, when the act concerns one.
    filters
        Filters, columns, format, the SQL text: what was asked (values of secret-looking keys
        are replaced by ``***``).
    rows, bytes
        Rows and bytes returned or received.
    status
        ``ok``, ``denied``, ``error`` or ``throttled``.
    detail
        Free text (a refusal reason, an error), cut at 8000 characters.
    address
        Client address.

    Returns
    -------
    AuditEvent
        The appended row.
    """
    if not ACTION_RE.match(action):
        raise AccessError(f"invalid audit action {action!r}")
    if status not in STATUSES:
        raise AccessError(f"invalid audit status {status!r}: one of {', '.join(sorted(STATUSES))}")
    event = AuditEvent(
        at=utcnow(),
        user_name=principal.user,
        role=principal.role.value if principal.role else None,
        token_id=principal.token_id,
        zone=principal.zone.value,
        address=address,
        action=action,
        dataset=dataset,
        filters=_redact(dict(filters)) if filters is not None else None,
        rows=rows,
        bytes=bytes,
        status=status,
        detail=detail[:MAX_DETAIL] if detail is not None else None,
    )
    session.add(event)
    session.commit()
    return event


def recent(
    session: Session,
    principal: Principal,
    *,
    limit: int = 100,
    user: str | None = None,
    dataset: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
) -> list[AuditEvent]:
    """The newest audit events, optionally for one user, dataset or action; admins only.

    Raises
    ------
    AccessError
        When ``principal`` is not an admin.
    """
    if principal.role is not Role.admin:
        raise AccessError("only admins may read the audit log")
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(max(1, min(limit, 10_000)))
    if user is not None:
        query = query.where(AuditEvent.user_name == user)
    if dataset is not None:
        query = query.where(AuditEvent.dataset == dataset)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))
