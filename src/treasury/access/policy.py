"""The access decision: may this principal do this action on this dataset, on which rows, unmasked?

The query builder asks :func:`decide` before every read, export, SQL query, upload and approval,
and applies the row filter and column masks it returns. ``README.md`` in this folder has the
whole matrix as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from treasury.access.orgs import kabkota_of_kppn, kppn_of_kanwil, provinces_of_kanwil
from treasury.access.principal import RIGHT_PERSONAL_DATA, Action, OrgType, Principal, Role

#: Columns holding personal data, masked for roles without the right to see them.
PERSONAL_COLUMNS = frozenset({"rekening_penerima", "nik", "npwp"})
#: Roles that see personal data unmasked.
UNMASKED_ROLES = frozenset({Role.admin, Role.steward})
#: Roles never scoped to rows (they curate whole datasets).
UNSCOPED_ROLES = frozenset({Role.admin, Role.steward})
#: Actions that need a known user whatever the dataset's classification.
LOGIN_ACTIONS = frozenset({Action.sql, Action.upload, Action.approve})
#: Roles that may approve (publish, accept uploads).
APPROVER_ROLES = frozenset({Role.admin, Role.steward})

#: A row filter: column -> the values a row must have in it (``column IN values``), all columns
#: combined with AND.
RowFilter = dict[str, tuple[str, ...]]


class Classification(StrEnum):
    """How widely a dataset may be read."""

    public = "public"
    internal = "internal"
    restricted = "restricted"


@dataclass(frozen=True)
class DatasetPolicyInfo:
    """What the policy needs to know about a dataset (the catalog builds one per entry).

    Attributes
    ----------
    slug
        Dataset id.
    classification
        ``public``, ``internal`` or ``restricted``.
    columns
        Column names of the dataset.
    row_scoped
        True when rows belong to organisations (Kanwil and KPPN users see only theirs); such
        data without a scoping column is refused to scoped users.
    allowed_roles, allowed_users
        Who may read a restricted dataset (admin always may).
    personal_columns
        Extra personal columns beyond the standard ``rekening_penerima``, ``nik``, ``npwp``.
    """

    slug: str
    classification: Classification
    columns: frozenset[str] = frozenset()
    row_scoped: bool = False
    allowed_roles: frozenset[Role] = frozenset()
    allowed_users: frozenset[str] = frozenset()
    personal_columns: frozenset[str] = frozenset()

    @property
    def masked_candidates(self) -> frozenset[str]:
        """Personal columns present in the dataset."""
        return (PERSONAL_COLUMNS | self.personal_columns) & self.columns


# reason key -> (Indonesian, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "ok": ("Diizinkan.", "Allowed."),
    "token_dataset_scope": (
        "Token API ini tidak mencakup dataset ini.",
        "This API token is not scoped to this dataset.",
    ),
    "token_action_scope": (
        "Token API ini tidak mencakup tindakan ini.",
        "This API token is not scoped to this action.",
    ),
    "login_required": (
        "Silakan masuk (login) untuk melakukan tindakan ini.",
        "Please log in to do this.",
    ),
    "approver_only": (
        "Hanya admin dan steward yang dapat menyetujui.",
        "Only admins and stewards may approve.",
    ),
    "internal_needs_intranet_or_login": (
        "Data internal: akses dari intranet Kementerian Keuangan atau masuk sebagai pengguna internal.",
        "Internal data: connect from the Ministry of Finance intranet or log in as an internal user.",
    ),
    "internal_not_for_external": (
        "Data internal tidak tersedia untuk pengguna eksternal.",
        "Internal data is not available to external users.",
    ),
    "restricted_login_required": (
        "Data terbatas: silakan masuk dengan akun yang diberi akses.",
        "Restricted data: log in with an account that has been granted access.",
    ),
    "restricted_not_named": (
        "Data terbatas: peran atau akun Anda tidak diberi akses ke dataset ini.",
        "Restricted data: your role or account is not granted access to this dataset.",
    ),
    "row_scope_unavailable": (
        "Dataset ini tidak dapat dibatasi ke wilayah kerja Anda, sehingga tidak dapat dibuka.",
        "This dataset cannot be limited to your organisation's region, so it cannot be opened.",
    ),
}


@dataclass(frozen=True)
class Decision:
    """The answer of :func:`decide`.

    Attributes
    ----------
    allowed
        Whether the action may go ahead.
    reason
        Stable English key (``internal_needs_intranet_or_login``); :attr:`message` and
        :meth:`message_in` give the user-readable text.
    row_filter
        Column -> allowed values (``IN``), ANDed; None when all rows may be seen.
    masked_columns
        Columns whose values must be masked in results.
    status
        HTTP status for a refusal: 401 (logging in could help) or 403; None when allowed.
    """

    allowed: bool
    reason: str
    row_filter: RowFilter | None = None
    masked_columns: frozenset[str] = field(default_factory=frozenset)
    status: int | None = None

    @property
    def message(self) -> str:
        """The reason in Bahasa Indonesia (the UI's default language)."""
        return self.message_in("id")

    def message_in(self, lang: str) -> str:
        """The reason in ``id`` or ``en``."""
        indonesian, english = MESSAGES[self.reason]
        return english if lang == "en" else indonesian


def _deny(reason: str, status: int) -> Decision:
    return Decision(allowed=False, reason=reason, status=status)


def _refuse_login(principal: Principal, reason_anonymous: str, reason_known: str) -> Decision:
    if principal.is_authenticated:
        return _deny(reason_known, 403)
    return _deny(reason_anonymous, 401)


def _classification_refusal(principal: Principal, dataset: DatasetPolicyInfo) -> Decision | None:
    match dataset.classification:
        case Classification.public:
            return None
        case Classification.internal:
            if principal.is_internal:
                return None
            return _refuse_login(
                principal, "internal_needs_intranet_or_login", "internal_not_for_external"
            )
        case Classification.restricted:
            if principal.role is Role.admin or (
                principal.is_authenticated
                and (
                    principal.role in dataset.allowed_roles
                    or principal.user in dataset.allowed_users
                )
            ):
                return None
            return _refuse_login(principal, "restricted_login_required", "restricted_not_named")
    raise ValueError(f"unknown classification {dataset.classification!r}")


def row_filter_for(principal: Principal, dataset: DatasetPolicyInfo) -> RowFilter | None:
    """The rows a principal may see, or None for all rows.

    Raises
    ------
    LookupError
        When the principal is scoped but the dataset has no column to scope it by.

    Examples
    --------
    >>> p = Principal(user="a", role=Role.analyst, org_type=OrgType.kanwil, org_code="33")
    >>> d = DatasetPolicyInfo("x", Classification.internal, frozenset({"kode_provinsi"}), True)
    >>> row_filter_for(p, d)
    {'kode_provinsi': ('91', '93', '94', '95')}
    """
    if (
        not dataset.row_scoped
        or dataset.classification is Classification.public
        or principal.role in UNSCOPED_ROLES
        or principal.org_type not in (OrgType.kanwil, OrgType.kppn)
        or principal.org_code is None
    ):
        return None
    code = principal.org_code
    columns = dataset.columns
    if principal.org_type is OrgType.kanwil:
        if "kode_provinsi" in columns:
            return {"kode_provinsi": provinces_of_kanwil(code)}
        if "kode_kppn" in columns:
            return {"kode_kppn": kppn_of_kanwil(code)}
    else:
        if "kode_kppn" in columns:
            return {"kode_kppn": (code,)}
        served = kabkota_of_kppn(code)
        if "kode_kabkota" in columns and served:
            return {"kode_kabkota": served}
    raise LookupError(f"dataset {dataset.slug!r} has no column to scope {principal.org_type} rows")


def masked_columns_for(principal: Principal, dataset: DatasetPolicyInfo) -> frozenset[str]:
    """Personal columns to mask: all present ones, unless admin, steward or granted the right."""
    if principal.role in UNMASKED_ROLES or RIGHT_PERSONAL_DATA in principal.rights:
        return frozenset()
    return dataset.masked_candidates


def decide(principal: Principal, dataset: DatasetPolicyInfo, action: Action | str) -> Decision:
    """Decide whether ``principal`` may do ``action`` on ``dataset``, and with which limits.

    Rules in order: token scope (dataset, then action) -> 403; ``sql``, ``upload`` and
    ``approve`` need a user -> 401; ``approve`` needs admin or steward -> 403; classification
    (public: anyone; internal: internal role or intranet; restricted: admin or named role/user)
    -> 401 when anonymous, 403 otherwise; row scope (Kanwil -> its provinces, KPPN -> its
    office) -> 403 when the row-scoped dataset has no column to scope by; personal columns
    masked unless admin, steward or ``lihat_data_pribadi``.

    Parameters
    ----------
    principal
        Who asks.
    dataset
        The dataset's policy facts.
    action
        ``read``, ``export``, ``sql``, ``upload`` or ``approve``.

    Returns
    -------
    Decision
        ``allowed`` with ``row_filter`` and ``masked_columns`` to apply, or a refusal with
        ``status`` 401/403 and a reason.

    Examples
    --------
    >>> from treasury.access.principal import ANONYMOUS_INTERNET
    >>> d = DatasetPolicyInfo("span_sp2d", Classification.internal, frozenset({"kode_kppn"}))
    >>> decide(ANONYMOUS_INTERNET, d, "read").status
    401
    """
    action = Action(action)
    if not principal.allows_dataset(dataset.slug):
        return _deny("token_dataset_scope", 403)
    if not principal.allows_action(action):
        return _deny("token_action_scope", 403)
    if action in LOGIN_ACTIONS and not principal.is_authenticated:
        return _deny("login_required", 401)
    if action is Action.approve and principal.role not in APPROVER_ROLES:
        return _deny("approver_only", 403)
    refusal = _classification_refusal(principal, dataset)
    if refusal is not None:
        return refusal
    try:
        row_filter = row_filter_for(principal, dataset)
    except LookupError:
        return _deny("row_scope_unavailable", 403)
    return Decision(
        allowed=True,
        reason="ok",
        row_filter=row_filter,
        masked_columns=masked_columns_for(principal, dataset),
    )
