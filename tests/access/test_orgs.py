from __future__ import annotations

import pytest

from treasury.access.errors import AccessError
from treasury.access.orgs import kabkota_of_kppn, parse_org, provinces_of_kanwil
from treasury.access.principal import OrgType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, (None, None)),
        ("", (None, None)),
        ("15", (OrgType.kanwil, "15")),
        ("kanwil:33", (OrgType.kanwil, "33")),
        ("086", (OrgType.kppn, "086")),
        ("KPPN:001", (OrgType.kppn, "001")),
        ("dit-pkn", (OrgType.directorate, "DIT-PKN")),
        ("directorate:DIT-SP", (OrgType.directorate, "DIT-SP")),
    ],
)
def test_parse_org(text: str | None, expected: tuple[OrgType | None, str | None]) -> None:
    assert parse_org(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99", "unknown Kanwil"),
        ("kanwil:1", "unknown Kanwil"),
        ("999", "unknown KPPN"),
        ("kppn:86", "unknown KPPN"),
        ("pemda:3500", "unknown organisation type"),
        ("Direktorat PKN", "invalid directorate"),
        ("1234", "invalid directorate"),
    ],
)
def test_parse_org_refuses(text: str, message: str) -> None:
    with pytest.raises(AccessError, match=message):
        parse_org(text)


def test_every_province_has_exactly_one_kanwil() -> None:
    served = [p for k in (f"{i:02d}" for i in range(1, 35)) for p in provinces_of_kanwil(k)]
    assert len(served) == len(set(served)) == 38


def test_regular_kppn_serve_kabkota() -> None:
    assert kabkota_of_kppn("086") == ("3578", "3579")
    assert kabkota_of_kppn("901") == ()
