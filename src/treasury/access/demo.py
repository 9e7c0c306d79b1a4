"""Demo users with fixed, published passwords. DEMO ONLY: never seed these in production."""

from __future__ import annotations

from typing import NamedTuple

import pyarrow.compute as pc
from sqlalchemy.orm import Session

from treasury import reference
from treasury.access.users import add_user, get_user, set_password


class DemoLogin(NamedTuple):
    """A demo account as printed by ``treasury demo``."""

    name: str
    role: str
    org: str | None
    password: str


def _kppn_code(name: str) -> str:
    table = reference.kppn()
    return str(table.filter(pc.field("nama") == name)["kode_kppn"][0].as_py())


def demo_logins() -> list[DemoLogin]:
    """The demo accounts: one per role and organisation kind, passwords ``<name>-demo-2024``."""
    accounts = [
        ("admin", "admin", None),
        ("steward", "steward", None),
        ("analis.pusat", "analyst", "directorate:DIT-PKN"),
        ("analis.jatim", "analyst", "kanwil:15"),
        ("analis.surabaya", "analyst", f"kppn:{_kppn_code('KPPN Surabaya I')}"),
        ("eksternal", "external", None),
    ]
    return [DemoLogin(name, role, org, f"{name}-demo-2024") for name, role, org in accounts]


def seed_demo_users(session: Session) -> list[DemoLogin]:
    """Create the demo users, or reset their passwords if they exist (committed).

    Returns
    -------
    list[DemoLogin]
        Name, role, organisation and password of each demo user, to print.
    """
    logins = demo_logins()
    for login in logins:
        user = get_user(session, login.name)
        if user is None:
            add_user(session, login.name, login.role, login.org, password=login.password)
        else:
            set_password(session, user, login.password)
    return logins
