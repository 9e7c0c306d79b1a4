"""The authorization matrix: role x zone x classification x action x token scope."""

from __future__ import annotations

from dataclasses import replace

import pytest

from treasury.access.policy import (
    Classification,
    DatasetPolicyInfo,
    decide,
)
from treasury.access.principal import (
    ANONYMOUS_INTERNET,
    RIGHT_PERSONAL_DATA,
    Action,
    OrgType,
    Principal,
    Role,
    Zone,
)

COLUMNS = frozenset(
    {"tahun", "kode_provinsi", "kode_kppn", "kode_satker", "rekening_penerima", "nik", "nilai"}
)
DATASETS = {
    c: DatasetPolicyInfo(
        slug=f"data_{c.value}",
        classification=c,
        columns=COLUMNS,
        row_scoped=True,
        allowed_roles=frozenset({Role.analyst}) if c is Classification.restricted else frozenset(),
    )
    for c in Classification
}
PRINCIPALS = {
    "anonymous": ANONYMOUS_INTERNET,
    "external": Principal(user="pemda", role=Role.external),
    "analyst": Principal(user="ana", role=Role.analyst),
    "steward": Principal(user="stew", role=Role.steward),
    "admin": Principal(user="root", role=Role.admin),
}
OK = None
# Expected status of a read: (public, internal, restricted [analyst named]) per zone.
READ = {
    ("anonymous", Zone.internet): (OK, 401, 401),
    ("anonymous", Zone.intranet): (OK, OK, 401),
    ("external", Zone.internet): (OK, 403, 403),
    ("external", Zone.intranet): (OK, OK, 403),
    ("analyst", Zone.internet): (OK, OK, OK),
    ("analyst", Zone.intranet): (OK, OK, OK),
    ("steward", Zone.internet): (OK, OK, 403),
    ("steward", Zone.intranet): (OK, OK, 403),
    ("admin", Zone.internet): (OK, OK, OK),
    ("admin", Zone.intranet): (OK, OK, OK),
}
TOKEN_SCOPES = {
    "no token": {},
    "token all": {"datasets": None, "actions": None},
    "token this dataset": {"datasets": frozenset(d.slug for d in DATASETS.values())},
    "token other dataset": {"datasets": frozenset({"mart_kas_harian"})},
    "token read only": {"actions": frozenset({Action.read})},
}


def expected_status(
    who: str, zone: Zone, c: Classification, action: Action, scope: str
) -> int | None:
    """The matrix as the README states it."""
    if scope == "token other dataset":
        return 403
    if scope == "token read only" and action is not Action.read:
        return 403
    if who == "anonymous" and action in (Action.sql, Action.upload, Action.approve):
        return 401
    if action is Action.approve and who not in ("steward", "admin"):
        return 403
    return READ[(who, zone)][list(Classification).index(c)]


CASES = [
    pytest.param(who, zone, c, action, scope, id=f"{who}-{zone}-{c}-{action}-{scope}")
    for who, zone in READ
    for c in Classification
    for action in Action
    for scope in TOKEN_SCOPES
    if not (who == "anonymous" and scope != "no token")
]


@pytest.mark.parametrize(("who", "zone", "classification", "action", "scope"), CASES)
def test_matrix(
    who: str, zone: Zone, classification: Classification, action: Action, scope: str
) -> None:
    principal = replace(PRINCIPALS[who], zone=zone, **TOKEN_SCOPES[scope])
    decision = decide(principal, DATASETS[classification], action)
    status = expected_status(who, zone, classification, action, scope)
    assert decision.status == status, decision.reason
    assert decision.allowed is (status is None)
    if not decision.allowed:
        assert decision.row_filter is None
        assert decision.message and decision.message_in("en") != decision.message


def test_read_matrix_has_every_cell() -> None:
    assert len(CASES) == 2 * 3 * 5 * 1 + 8 * 3 * 5 * 5


SCOPED = DATASETS[Classification.internal]


@pytest.mark.parametrize(
    ("principal", "row_filter", "masked"),
    [
        (
            Principal(user="root", role=Role.admin, org_type=OrgType.kanwil, org_code="15"),
            None,
            set(),
        ),
        (
            Principal(user="stew", role=Role.steward, org_type=OrgType.kppn, org_code="086"),
            None,
            set(),
        ),
        (Principal(user="ana", role=Role.analyst), None, {"rekening_penerima", "nik"}),
        (
            Principal(
                user="ana", role=Role.analyst, org_type=OrgType.directorate, org_code="DIT-PKN"
            ),
            None,
            {"rekening_penerima", "nik"},
        ),
        (
            Principal(user="jatim", role=Role.analyst, org_type=OrgType.kanwil, org_code="15"),
            {"kode_provinsi": ("35",)},
            {"rekening_penerima", "nik"},
        ),
        (
            Principal(user="sby", role=Role.analyst, org_type=OrgType.kppn, org_code="086"),
            {"kode_kppn": ("086",)},
            {"rekening_penerima", "nik"},
        ),
        (
            Principal(
                user="sby",
                role=Role.analyst,
                org_type=OrgType.kppn,
                org_code="086",
                rights=frozenset({RIGHT_PERSONAL_DATA}),
            ),
            {"kode_kppn": ("086",)},
            set(),
        ),
        (Principal(zone=Zone.intranet), None, {"rekening_penerima", "nik"}),
    ],
)
def test_row_filter_and_masks_per_role(
    principal: Principal, row_filter: dict[str, tuple[str, ...]] | None, masked: set[str]
) -> None:
    decision = decide(principal, SCOPED, "read")
    assert decision.allowed
    assert decision.row_filter == row_filter
    assert decision.masked_columns == masked


def test_kanwil_papua_sees_the_new_papua_provinces() -> None:
    papua = Principal(user="papua", role=Role.analyst, org_type=OrgType.kanwil, org_code="33")
    decision = decide(papua, SCOPED, "read")
    # Papua (91) and the three provinces carved out of it in 2022; Papua Barat Daya (96) is
    # served by Kanwil Papua Barat.
    assert decision.row_filter == {"kode_provinsi": ("91", "93", "94", "95")}
    barat = replace(papua, org_code="34")
    assert decide(barat, SCOPED, "read").row_filter == {"kode_provinsi": ("92", "96")}


def test_scoped_user_on_row_scoped_data_without_scoping_column_is_refused() -> None:
    national = replace(SCOPED, columns=frozenset({"tahun", "nilai"}))
    kanwil = Principal(user="jatim", role=Role.analyst, org_type=OrgType.kanwil, org_code="15")
    decision = decide(kanwil, national, "read")
    assert (decision.allowed, decision.status, decision.reason) == (
        False,
        403,
        "row_scope_unavailable",
    )
    # The same columns on a dataset that is not row-scoped: readable, unfiltered.
    assert decide(kanwil, replace(national, row_scoped=False), "read").row_filter is None
    # Unscoped users are not affected.
    assert decide(Principal(user="a", role=Role.analyst), national, "read").allowed


def test_fallback_scoping_columns() -> None:
    kanwil = Principal(user="jatim", role=Role.analyst, org_type=OrgType.kanwil, org_code="15")
    kppn = Principal(user="sby", role=Role.analyst, org_type=OrgType.kppn, org_code="086")
    only_kppn = replace(SCOPED, columns=frozenset({"kode_kppn", "nilai"}))
    row_filter = decide(kanwil, only_kppn, "read").row_filter
    assert row_filter is not None and "086" in row_filter["kode_kppn"]
    assert "001" not in row_filter["kode_kppn"]
    only_kabkota = replace(SCOPED, columns=frozenset({"kode_provinsi", "kode_kabkota"}))
    assert decide(kppn, only_kabkota, "read").row_filter == {"kode_kabkota": ("3578", "3579")}
    khusus = replace(kppn, org_code="901")  # special offices serve no region
    assert decide(khusus, only_kabkota, "read").status == 403


def test_public_data_is_never_row_filtered_but_still_masked() -> None:
    public = DATASETS[Classification.public]
    kanwil = Principal(user="jatim", role=Role.analyst, org_type=OrgType.kanwil, org_code="15")
    decision = decide(kanwil, public, "read")
    assert decision.row_filter is None
    assert decision.masked_columns == {"rekening_penerima", "nik"}


def test_declared_personal_columns_are_masked() -> None:
    dataset = replace(
        SCOPED, columns=COLUMNS | {"nama_penerima"}, personal_columns=frozenset({"nama_penerima"})
    )
    assert (
        "nama_penerima"
        in decide(Principal(user="a", role=Role.analyst), dataset, "read").masked_columns
    )


def test_restricted_by_user_name() -> None:
    dataset = replace(DATASETS[Classification.restricted], allowed_users=frozenset({"stew"}))
    assert decide(PRINCIPALS["steward"], dataset, "read").allowed
    assert decide(PRINCIPALS["external"], dataset, "read").status == 403


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="delete"):
        decide(PRINCIPALS["admin"], SCOPED, "delete")
