from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from treasury.access.errors import AccessError
from treasury.access.principal import OrgType, Role, Zone
from treasury.access.settings import AccessSettings
from treasury.access.throttle import LoginThrottled, retry_after
from treasury.access.users import add_user, authenticate, principal_for_user, set_active
from treasury.db.access import LoginAttempt, User

PASSWORD = "kata-sandi-rahasia"


def test_add_user_stores_only_an_argon2_hash(db: Session) -> None:
    add_user(db, "Budi.Santoso", "analyst", "kanwil:15", password=PASSWORD)
    name, stored = db.execute(text("SELECT name, password_hash FROM users")).one()
    assert name == "budi.santoso"
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    # No column of any table holds the password.
    for table in ("users", "login_attempts", "audit_log", "api_tokens"):
        for row in db.execute(text(f"SELECT * FROM {table}")):
            assert all(PASSWORD not in str(value) for value in row)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "role": "analyst"}, "invalid user name"),
        ({"name": "ana", "role": "superuser"}, "unknown role"),
        ({"name": "ana", "role": "analyst", "org": "99"}, "unknown Kanwil"),
        ({"name": "ana", "role": "analyst", "org": "kppn:999"}, "unknown KPPN"),
        ({"name": "ana", "role": "analyst", "password": "pendek"}, "too short"),
        ({"name": "ana", "role": "analyst", "rights": ["root"]}, "unknown right"),
    ],
)
def test_add_user_validation(db: Session, kwargs: dict[str, object], message: str) -> None:
    kwargs.setdefault("password", PASSWORD)
    with pytest.raises(AccessError, match=message):
        add_user(db, **kwargs)  # type: ignore[arg-type]


def test_duplicate_user_refused_case_insensitively(db: Session) -> None:
    add_user(db, "ana", "analyst", password=PASSWORD)
    with pytest.raises(AccessError, match="already exists"):
        add_user(db, "ANA", "external", password=PASSWORD)


def test_access_error_is_a_value_error() -> None:
    assert issubclass(AccessError, ValueError)


def test_authenticate_and_principal(db: Session) -> None:
    add_user(db, "sby", "analyst", "086", password=PASSWORD, rights={"lihat_data_pribadi"})
    assert authenticate(db, "sby", "wrong-password-x") is None
    assert authenticate(db, "nobody", PASSWORD) is None
    user = authenticate(db, " SBY ", PASSWORD, address="10.0.0.1")
    assert user is not None and user.last_login_at is not None
    principal = principal_for_user(user, Zone.intranet)
    assert principal.user == "sby" and principal.role is Role.analyst
    assert (principal.org_type, principal.org_code) == (OrgType.kppn, "086")
    assert principal.rights == {"lihat_data_pribadi"}
    assert principal.is_internal


def test_disabled_user_cannot_log_in(db: Session) -> None:
    user = add_user(db, "ana", "analyst", password=PASSWORD)
    set_active(db, user, False)
    assert authenticate(db, "ana", PASSWORD) is None


def test_hash_upgraded_on_login_when_parameters_change(
    db: Session, settings: AccessSettings
) -> None:
    user = add_user(db, "ana", "analyst", password=PASSWORD)
    old = user.password_hash
    stronger = settings.model_copy(update={"argon2_time_cost": 2})
    assert authenticate(db, "ana", PASSWORD, settings=stronger) is not None
    assert user.password_hash != old and "t=2" in user.password_hash
    assert authenticate(db, "ana", PASSWORD, settings=stronger) is not None


def test_throttle_after_five_failures_for_a_name(db: Session, settings: AccessSettings) -> None:
    add_user(db, "ana", "analyst", password=PASSWORD)
    for i in range(5):
        assert authenticate(db, "ana", "wrong-password", address=f"10.0.0.{i}") is None
    with pytest.raises(LoginThrottled) as refused:
        authenticate(db, "ana", PASSWORD, address="10.9.9.9")  # even the right password
    assert 890 <= refused.value.retry_after <= 900
    # The lock lifts once the oldest counted failure leaves the 15-minute window.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=901)
    assert retry_after(db, "ana", None, now=later) == 0
    # Throttled attempts are recorded but do not extend the lock.
    attempts = db.scalars(select(LoginAttempt).where(LoginAttempt.name == "ana")).all()
    assert [a.throttled for a in attempts].count(True) == 1


def test_throttle_by_address_across_names(db: Session) -> None:
    add_user(db, "ana", "analyst", password=PASSWORD)
    for i in range(5):
        authenticate(db, f"guess{i}", "wrong-password", address="203.0.113.7")
    with pytest.raises(LoginThrottled):
        authenticate(db, "ana", PASSWORD, address="203.0.113.7")
    assert authenticate(db, "ana", PASSWORD, address="203.0.113.8") is not None


def test_success_resets_the_name_count(db: Session) -> None:
    add_user(db, "ana", "analyst", password=PASSWORD)
    for _ in range(4):
        authenticate(db, "ana", "wrong-password")
    assert authenticate(db, "ana", PASSWORD) is not None
    for _ in range(4):
        authenticate(db, "ana", "wrong-password")
    assert authenticate(db, "ana", PASSWORD) is not None


def test_failures_outside_the_window_do_not_count(db: Session) -> None:
    add_user(db, "ana", "analyst", password=PASSWORD)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    db.add_all(LoginAttempt(at=old, name="ana", address=None, success=False) for _ in range(10))
    db.commit()
    assert authenticate(db, "ana", PASSWORD) is not None


def test_role_constraint_in_database(db: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(User(name="x1", role="root", password_hash="h", rights=[]))
        db.flush()


def test_forget_old_attempts(db: Session) -> None:
    from treasury.access.throttle import forget_attempts

    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    db.add(LoginAttempt(at=old, name="ana", address=None, success=False))
    db.commit()
    authenticate(db, "ana", "wrong-password")
    assert forget_attempts(db) == 1
    assert len(db.scalars(select(LoginAttempt)).all()) == 1
    with pytest.raises(AccessError, match="at least one throttling window"):
        forget_attempts(db, dt.timedelta(minutes=1))


def test_unknown_user_costs_one_verification(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from treasury.access import passwords, users

    calls: list[str] = []
    real = passwords.verify_password

    def spy(stored: str, password: str, settings: AccessSettings | None = None) -> bool:
        calls.append(stored)
        return real(stored, password, settings)

    monkeypatch.setattr(passwords, "verify_password", spy)
    monkeypatch.setattr(users, "verify_password", spy)
    add_user(db, "ana", "analyst", password=PASSWORD)
    authenticate(db, "nobody", PASSWORD)
    authenticate(db, "ana", "wrong-password")
    assert len(calls) == 2 and all(c.startswith("$argon2id$") for c in calls)
