"""Who is asking: a user (or nobody), their role and organisation, their network zone and scopes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Role(StrEnum):
    """The four roles. ``analyst`` is an internal (Ministry of Finance) analyst."""

    admin = "admin"
    steward = "steward"
    analyst = "analyst"
    external = "external"


class OrgType(StrEnum):
    """Organisation kinds that scope a user: a Kanwil (province), a KPPN, a directorate."""

    kanwil = "kanwil"
    kppn = "kppn"
    directorate = "directorate"


class Zone(StrEnum):
    """Network zone of the client address."""

    internet = "internet"
    intranet = "intranet"


class Action(StrEnum):
    """What a principal does with a dataset; tokens are scoped to a subset."""

    read = "read"
    export = "export"
    sql = "sql"
    upload = "upload"
    approve = "approve"


INTERNAL_ROLES = frozenset({Role.admin, Role.steward, Role.analyst})
ALL_ACTIONS = frozenset(Action)
#: The right that lets a user see personal columns unmasked without being admin or steward.
RIGHT_PERSONAL_DATA = "lihat_data_pribadi"


@dataclass(frozen=True)
class Principal:
    """The subject of every access decision.

    Attributes
    ----------
    user
        User name, or None for an anonymous client.
    role
        The user's role; None when anonymous.
    org_type, org_code
        The organisation that scopes the user's rows (``kanwil`` ``"15"``, ``kppn`` ``"086"``,
        ``directorate`` ``"DIT-PKN"``), or None for national scope.
    zone
        Network zone of the client address.
    datasets
        Token scope: dataset slugs the token may touch, or None for all the user's datasets.
    actions
        Token scope: actions the token may perform, or None for all actions.
    rights
        Extra rights granted to the user (e.g. ``lihat_data_pribadi``).
    token_id
        Id of the API token used, when the request came with one.
    """

    user: str | None = None
    role: Role | None = None
    org_type: OrgType | None = None
    org_code: str | None = None
    zone: Zone = Zone.internet
    datasets: frozenset[str] | None = None
    actions: frozenset[Action] | None = None
    rights: frozenset[str] = frozenset()
    token_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        """True when a user is known (by login or token)."""
        return self.user is not None

    @property
    def is_internal(self) -> bool:
        """True for internal roles (analyst, steward, admin) and for anyone on the intranet."""
        return self.role in INTERNAL_ROLES or self.zone is Zone.intranet

    def in_zone(self, zone: Zone) -> Principal:
        """The same principal seen from another network zone."""
        return replace(self, zone=zone)

    def allows_dataset(self, slug: str) -> bool:
        """True when the token scope (if any) covers the dataset."""
        return self.datasets is None or slug in self.datasets

    def allows_action(self, action: Action) -> bool:
        """True when the token scope (if any) covers the action."""
        return self.actions is None or action in self.actions


ANONYMOUS_INTERNET = Principal()
ANONYMOUS_INTRANET = Principal(zone=Zone.intranet)
