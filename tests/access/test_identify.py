from __future__ import annotations

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from treasury.access.apitokens import create_token, revoke_token
from treasury.access.identify import InvalidToken, bearer_token, identify
from treasury.access.principal import Role, Zone
from treasury.access.settings import AccessSettings
from treasury.access.users import add_user, set_active

SETTINGS = AccessSettings(
    intranet_ranges="10.0.0.0/8", trusted_proxies="127.0.0.1", token_secret=SecretStr("s3cret")
)


def test_anonymous_in_its_zone(db: Session) -> None:
    assert identify(db, "10.1.1.1", {}, settings=SETTINGS).zone is Zone.intranet
    outside = identify(db, "8.8.8.8", {"X-Forwarded-For": "10.1.1.1"}, settings=SETTINGS)
    assert outside.zone is Zone.internet and outside.user is None
    proxied = identify(db, "127.0.0.1", {"X-Forwarded-For": "10.1.1.1"}, settings=SETTINGS)
    assert proxied.zone is Zone.intranet


def test_token_wins_over_session(db: Session) -> None:
    add_user(db, "ana", "analyst", password="kata-sandi-rahasia")
    add_user(db, "ext", "external", password="kata-sandi-rahasia")
    raw, row = create_token(db, "ext", settings=SETTINGS)
    headers = {"authorization": f"Bearer {raw}"}
    principal = identify(db, "8.8.8.8", headers, user_name="ana", settings=SETTINGS)
    assert (principal.user, principal.role, principal.token_id) == ("ext", Role.external, row.id)
    revoke_token(db, row)
    with pytest.raises(InvalidToken):
        identify(db, "8.8.8.8", headers, settings=SETTINGS)


def test_session_user(db: Session) -> None:
    user = add_user(db, "ana", "analyst", password="kata-sandi-rahasia")
    assert identify(db, "8.8.8.8", {}, user_name="ana", settings=SETTINGS).role is Role.analyst
    set_active(db, user, False)
    assert identify(db, "8.8.8.8", {}, user_name="ana", settings=SETTINGS).user is None
    assert identify(db, "8.8.8.8", {}, user_name="gone", settings=SETTINGS).user is None


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"Authorization": "Basic abc"}, None),
        ({"Authorization": "Bearer "}, None),
        ({"AUTHORIZATION": "bearer t"}, "t"),
    ],
)
def test_bearer_parsing(headers: dict[str, str], token: str | None) -> None:
    assert bearer_token(headers) == token
