from __future__ import annotations

from sqlalchemy.orm import Session

from treasury.access.demo import seed_demo_users
from treasury.access.principal import OrgType, Role
from treasury.access.users import authenticate, principal_for_user


def test_demo_users_log_in_and_reseeding_is_idempotent(db: Session) -> None:
    logins = seed_demo_users(db)
    assert seed_demo_users(db) == logins
    assert {login.role for login in logins} == {r.value for r in Role}
    assert len(logins) == len({login.password for login in logins}) == 6
    principals = {}
    for login in logins:
        user = authenticate(db, login.name, login.password)
        assert user is not None, login.name
        principals[login.name] = principal_for_user(user)
    assert (principals["analis.jatim"].org_type, principals["analis.jatim"].org_code) == (
        OrgType.kanwil,
        "15",
    )
    surabaya = principals["analis.surabaya"]
    assert (surabaya.org_type, surabaya.org_code) == (OrgType.kppn, "086")
