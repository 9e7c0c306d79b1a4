from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from treasury.access import audit
from treasury.access.errors import AccessError
from treasury.access.principal import ANONYMOUS_INTERNET, Principal, Role, Zone
from treasury.db.access import AuditEvent

ADMIN = Principal(user="root", role=Role.admin, zone=Zone.intranet)
JATIM = Principal(user="jatim", role=Role.analyst, token_id=7)


def test_record_and_recent(db: Session) -> None:
    audit.record(
        db,
        ANONYMOUS_INTERNET,
        "read",
        "mart_kas_harian",
        {"tahun": 2024},
        rows=10,
        bytes=900,
        address="8.8.8.8",
    )
    audit.record(
        db,
        JATIM,
        "sql",
        "span_sp2d",
        {"sql": "select 1", "api_token": "tbd_x", "nested": {"password": "p"}},
        rows=1,
        bytes=12,
    )
    audit.record(db, JATIM, "export", "span_sp2d", status="denied", detail="row_scope_unavailable")
    events = audit.recent(db, ADMIN)
    assert [e.action for e in events] == ["export", "sql", "read"]
    sql = events[1]
    assert (sql.user_name, sql.role, sql.token_id, sql.zone) == ("jatim", "analyst", 7, "internet")
    assert sql.filters == {"sql": "select 1", "api_token": "***", "nested": {"password": "***"}}
    assert events[2].user_name is None and events[2].address == "8.8.8.8"
    assert events[2].rows == 10 and events[2].bytes == 900 and events[2].at is not None
    assert [e.action for e in audit.recent(db, ADMIN, user="jatim", action="sql")] == ["sql"]
    assert len(audit.recent(db, ADMIN, dataset="span_sp2d")) == 2


def test_recent_is_for_admins(db: Session) -> None:
    with pytest.raises(AccessError, match="only admins"):
        audit.recent(db, JATIM)


def test_record_validates(db: Session) -> None:
    with pytest.raises(AccessError, match="invalid audit action"):
        audit.record(db, JATIM, "DROP TABLE")
    with pytest.raises(AccessError, match="invalid audit status"):
        audit.record(db, JATIM, "read", status="maybe")


def test_no_update_or_delete_api() -> None:
    public = {name for name in dir(audit) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "purge"))}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET status = 'ok', user_name = 'someone-else'",
        "DELETE FROM audit_log",
    ],
)
def test_database_refuses_update_and_delete(db: Session, statement: str) -> None:
    event = audit.record(db, JATIM, "read", "span_sp2d", status="denied")
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))
    db.expire_all()
    assert db.get(AuditEvent, event.id) is not None
    assert db.get(AuditEvent, event.id).user_name == "jatim"  # type: ignore[union-attr]


def test_orm_cannot_change_an_event_either(db: Session) -> None:
    event = audit.record(db, JATIM, "read")
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        event.status = "error"
        db.flush()


def test_postgresql_refuses_truncate(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    audit.record(db, JATIM, "read")
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("TRUNCATE audit_log"))
