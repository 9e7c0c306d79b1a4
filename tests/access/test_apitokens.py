from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from treasury.access import apitokens, tokens
from treasury.access.apitokens import create_token, list_tokens, resolve_token, revoke_token
from treasury.access.errors import AccessError
from treasury.access.policy import Classification, DatasetPolicyInfo, decide
from treasury.access.principal import Action, OrgType, Role, Zone
from treasury.access.users import add_user, set_active

PASSWORD = "kata-sandi-rahasia"


@pytest.fixture
def jatim(db: Session) -> str:
    add_user(db, "jatim", "analyst", "kanwil:15", password=PASSWORD)
    return "jatim"


def test_token_stored_hashed_and_resolves(db: Session, jatim: str) -> None:
    raw, row = create_token(db, jatim, days=30, label="dashboard")
    assert raw.startswith(f"tbd_{row.prefix}_")
    secret = raw.split("_", 2)[2]
    for stored in db.execute(text("SELECT * FROM api_tokens")).one():
        assert raw not in str(stored) and secret not in str(stored)
    principal = resolve_token(db, raw, Zone.internet)
    assert principal is not None
    assert (principal.user, principal.role, principal.org_type) == (
        jatim,
        Role.analyst,
        OrgType.kanwil,
    )
    assert principal.token_id == row.id
    assert principal.datasets is None and principal.actions is None
    assert row.last_used_at is not None


def test_scopes_narrow_the_decision(db: Session, jatim: str) -> None:
    raw, _ = create_token(db, jatim, datasets=["mart_kas_harian"], actions=["read"])
    principal = resolve_token(db, raw)
    assert principal is not None
    assert principal.datasets == {"mart_kas_harian"} and principal.actions == {Action.read}
    kas = DatasetPolicyInfo("mart_kas_harian", Classification.internal)
    sp2d = DatasetPolicyInfo("span_sp2d", Classification.internal)
    assert decide(principal, kas, "read").allowed
    assert decide(principal, kas, "export").status == 403
    assert decide(principal, sp2d, "read").status == 403


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "days must be"),
        ({"days": 5000}, "days must be"),
        ({"actions": ["delete"]}, "unknown action"),
        ({"datasets": ["Bad Slug!"]}, "invalid dataset"),
        ({"datasets": []}, "empty datasets scope"),
    ],
)
def test_create_token_validation(
    db: Session, jatim: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(AccessError, match=message):
        create_token(db, jatim, **kwargs)  # type: ignore[arg-type]


def test_unknown_user(db: Session) -> None:
    with pytest.raises(AccessError, match="no user"):
        create_token(db, "nobody")


@pytest.mark.parametrize(
    "raw",
    ["", "garbage", "tbd_00000000_" + "A" * 43, "Bearer x"],
    ids=["empty", "garbage", "unknown", "bearer"],
)
def test_invalid_tokens_resolve_to_none(db: Session, jatim: str, raw: str) -> None:
    create_token(db, jatim)
    assert resolve_token(db, raw) is None


def test_wrong_secret_with_real_prefix(db: Session, jatim: str) -> None:
    raw, _ = create_token(db, jatim)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert resolve_token(db, forged) is None


def test_one_constant_time_comparison_on_every_path(
    db: Session, jatim: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, _ = create_token(db, jatim)
    calls: list[str] = []
    real = tokens.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append(b)
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    for presented in (raw, raw[:-1] + "x", "tbd_00000000_" + "A" * 43, "garbage"):
        calls.clear()
        apitokens.find_token(db, presented)
        assert len(calls) == 1, presented


def test_expired_token(db: Session, jatim: str) -> None:
    raw, row = create_token(db, jatim, days=1)
    assert resolve_token(db, raw) is not None
    row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    db.commit()
    assert resolve_token(db, raw) is None


def test_revoked_token(db: Session, jatim: str) -> None:
    raw, row = create_token(db, jatim)
    assert revoke_token(db, row.prefix)
    assert not revoke_token(db, row.prefix)  # already revoked
    assert not revoke_token(db, "ffffffff")
    assert resolve_token(db, raw) is None


def test_token_of_disabled_user(db: Session, jatim: str) -> None:
    raw, row = create_token(db, jatim)
    set_active(db, row.user, False)
    assert resolve_token(db, raw) is None
    with pytest.raises(AccessError, match="disabled"):
        create_token(db, jatim)


def test_no_expiry_and_listing(db: Session, jatim: str) -> None:
    _, first = create_token(db, jatim, days=None)
    _, second = create_token(db, jatim)
    assert first.expires_at is None
    assert [t.id for t in list_tokens(db, jatim)] == [second.id, first.id]
    assert revoke_token(db, first.id)


def test_last_used_written_at_most_once_a_minute(db: Session, jatim: str) -> None:
    raw, row = create_token(db, jatim)
    resolve_token(db, raw)
    first = row.last_used_at
    resolve_token(db, raw)
    assert row.last_used_at == first
