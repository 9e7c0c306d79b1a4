"""Open-data pages: the catalog list, a dataset's page, login, logout and API tokens.

Also the small plumbing the open-data pages share (the principal of a request, rendering with
this product's texts) and those texts, Indonesian and English, for every open-data page: they
make up a third of this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from treasury.access import (
    LoginThrottled,
    Principal,
    Role,
    audit,
    authenticate,
    create_token,
    http,
    identify,
    list_tokens,
    revoke_token,
)
from treasury.access.errors import AccessError
from treasury.access.http import SessionDep
from treasury.catalog import Catalog, Dataset
from treasury.catalog.ckan import DATASTORE
from treasury.catalog.entries import catalog_with_entries
from treasury.catalog.formats import resource_id
from treasury.catalog.publication import dataset_states
from treasury.catalog.search import search
from treasury.catalog.versions import versions
from treasury.catalog.workflow import WorkflowError, history, transition
from treasury.config import get_settings
from treasury.warehouse.reader import Reader, ReadError, ReadRequest, parse_filters

router = APIRouter(tags=["portal"])

PAGE_SIZES = (10, 25, 50, 100)
FACET_FIELDS = ("category", "classification", "organization", "frequency")
PREVIEW_ROWS = 20
REVIEWERS = frozenset({Role.steward, Role.admin})
EXPORTS = ("csv", "xlsx", "json", "parquet")

T = {
    "catalog_title": ("Referensi Dataset", "Dataset Reference"),
    "show": ("Tampilkan", "Show"),
    "entries": ("entri", "entries"),
    "search": ("Cari", "Search"),
    "search_placeholder": ("Cari dataset…", "Search datasets…"),
    "col_no": ("NO", "NO"),
    "col_category": ("KATEGORI", "CATEGORY"),
    "col_name": ("NAMA DATASET", "DATASET NAME"),
    "col_columns": ("JML KOLOM", "COLUMNS"),
    "col_status": ("STATUS", "STATUS"),
    "col_action": ("AKSI", "ACTION"),
    "showing": ("Menampilkan", "Showing"),
    "to": ("sampai", "to"),
    "of": ("dari", "of"),
    "previous": ("Sebelumnya", "Previous"),
    "next": ("Berikutnya", "Next"),
    "view": ("Lihat", "View"),
    "no_results": ("Tidak ada dataset yang cocok.", "No matching datasets."),
    "facet_category": ("Kategori", "Category"),
    "facet_classification": ("Klasifikasi", "Classification"),
    "facet_organization": ("Organisasi", "Organisation"),
    "facet_frequency": ("Frekuensi", "Frequency"),
    "clear_filters": ("Hapus filter", "Clear filters"),
    "status_draft": ("Draf", "Draft"),
    "status_review": ("Ditinjau", "In review"),
    "status_published": ("Terbit", "Published"),
    "status_retired": ("Dihentikan", "Retired"),
    "class_public": ("Publik", "Public"),
    "class_internal": ("Internal", "Internal"),
    "class_restricted": ("Terbatas", "Restricted"),
    "metadata": ("Metadata", "Metadata"),
    "description": ("Deskripsi", "Description"),
    "category": ("Kategori", "Category"),
    "classification": ("Klasifikasi", "Classification"),
    "organization": ("Organisasi", "Organisation"),
    "frequency": ("Frekuensi pembaruan", "Update frequency"),
    "temporal": ("Cakupan waktu", "Temporal coverage"),
    "spatial": ("Cakupan wilayah", "Spatial coverage"),
    "license": ("Lisensi", "Licence"),
    "tags": ("Tag", "Tags"),
    "status": ("Status", "Status"),
    "version": ("Versi", "Version"),
    "dictionary": ("Kamus data", "Data dictionary"),
    "field_name": ("Kolom", "Column"),
    "field_title": ("Judul", "Title"),
    "field_type": ("Tipe", "Type"),
    "field_unit": ("Satuan", "Unit"),
    "preview": ("Pratinjau data", "Data preview"),
    "preview_note": ("20 baris pertama sesuai filter", "First 20 rows matching the filters"),
    "preview_unavailable": (
        "Pratinjau belum tersedia untuk dataset ini.",
        "A preview is not available for this dataset yet.",
    ),
    "rows_total": ("baris", "rows"),
    "filters": ("Filter", "Filters"),
    "filter_column": ("Kolom", "Column"),
    "filter_op": ("Operator", "Operator"),
    "filter_value": ("Nilai", "Value"),
    "apply": ("Terapkan", "Apply"),
    "reset": ("Atur ulang", "Reset"),
    "download": ("Unduh", "Download"),
    "api": ("API", "API"),
    "api_link": ("Tautan API", "API link"),
    "copy": ("Salin", "Copy"),
    "copied": ("Tersalin", "Copied"),
    "api_docs": ("Dokumentasi API", "API documentation"),
    "review": ("Tinjauan", "Review"),
    "approve": ("Setujui dan terbitkan", "Approve and publish"),
    "reject": ("Kembalikan ke draf", "Send back to draft"),
    "comment": ("Komentar", "Comment"),
    "history": ("Riwayat status", "Status history"),
    "versions": ("Versi", "Versions"),
    "restore": ("Pulihkan", "Restore"),
    "missing": ("Dataset tidak ditemukan.", "Dataset not found."),
    "login": ("Masuk", "Log in"),
    "logout": ("Keluar", "Log out"),
    "logout_as": ("Anda masuk sebagai", "You are logged in as"),
    "logout_question": ("Keluar dari portal sekarang?", "Log out of the portal now?"),
    "logout_not_in": ("Anda belum masuk.", "You are not logged in."),
    "cancel": ("Batal", "Cancel"),
    "username": ("Nama pengguna", "User name"),
    "password": ("Kata sandi", "Password"),
    "login_failed": ("Nama pengguna atau kata sandi salah.", "Wrong user name or password."),
    "login_throttled": (
        "Terlalu banyak percobaan gagal. Coba lagi nanti.",
        "Too many failed attempts. Try again later.",
    ),
    "tokens": ("Token API", "API tokens"),
    "token_label": ("Label", "Label"),
    "token_days": ("Berlaku (hari)", "Valid for (days)"),
    "token_create": ("Buat token", "Create token"),
    "token_new": (
        "Token baru Anda (hanya ditampilkan sekali, simpan sekarang):",
        "Your new token (shown only once, save it now):",
    ),
    "token_prefix": ("Awalan", "Prefix"),
    "token_created": ("Dibuat", "Created"),
    "token_expires": ("Kedaluwarsa", "Expires"),
    "token_last_used": ("Terakhir dipakai", "Last used"),
    "token_revoked": ("Dicabut", "Revoked"),
    "token_revoke": ("Cabut", "Revoke"),
    "token_active": ("Aktif", "Active"),
    "none": ("-", "-"),
    "upload_title": ("Unggah Data", "Upload Data"),
    "upload_intro": (
        "Unggah berkas CSV atau XLSX ke dataset baru atau dataset unggahan yang sudah ada. "
        "Data divalidasi, lalu ditinjau oleh pengelola data sebelum terbit.",
        "Upload a CSV or XLSX file into a new dataset or an existing uploaded dataset. "
        "The data is validated, then reviewed by a data steward before it is published.",
    ),
    "upload_file": ("Berkas (CSV atau XLSX)", "File (CSV or XLSX)"),
    "upload_target": ("Tujuan", "Target"),
    "upload_new": ("Dataset baru", "New dataset"),
    "upload_existing": ("Dataset unggahan yang ada", "Existing uploaded dataset"),
    "upload_dataset_title": ("Judul dataset", "Dataset title"),
    "upload_check": ("Periksa skema", "Check schema"),
    "upload_confirm": ("Konfirmasi dan unggah", "Confirm and upload"),
    "upload_schema": ("Skema yang disimpulkan", "Inferred schema"),
    "upload_schema_note": (
        "Periksa tipe setiap kolom, lalu konfirmasi.",
        "Check each column's type, then confirm.",
    ),
    "upload_report": ("Laporan validasi", "Validation report"),
    "upload_rows_valid": ("Baris valid", "Valid rows"),
    "upload_rows_invalid": ("Baris tidak valid", "Invalid rows"),
    "upload_in_review": (
        "Dataset menunggu tinjauan pengelola data.",
        "The dataset is waiting for a data steward's review.",
    ),
    "report_row": ("Baris", "Row"),
    "report_column": ("Kolom", "Column"),
    "report_rule": ("Aturan", "Rule"),
    "report_value": ("Nilai", "Value"),
    "report_message": ("Pesan", "Message"),
    "login_needed": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "internal_only": (
        "Hanya pengguna internal yang dapat mengunggah data.",
        "Only internal users may upload data.",
    ),
    "requests_title": ("Permintaan Data", "Data Requests"),
    "request_new": ("Ajukan permintaan", "Submit a request"),
    "request_what": ("Data yang diminta", "Data requested"),
    "request_detail": ("Rincian", "Details"),
    "request_purpose": ("Tujuan penggunaan", "Purpose"),
    "request_period": ("Periode", "Period"),
    "request_region": ("Wilayah", "Region"),
    "request_format": ("Format", "Format"),
    "request_needed_by": ("Dibutuhkan paling lambat", "Needed by"),
    "request_requester": ("Pemohon", "Requester"),
    "request_status": ("Status", "Status"),
    "request_overdue": ("Terlambat", "Overdue"),
    "request_list": ("Daftar permintaan", "Requests"),
    "request_comments": ("Komentar", "Comments"),
    "request_comment_add": ("Kirim komentar", "Send comment"),
    "request_accept": ("Terima", "Accept"),
    "request_reject": ("Tolak", "Reject"),
    "request_ask": ("Ajukan pertanyaan", "Ask a question"),
    "request_fulfil": ("Penuhi", "Fulfil"),
    "request_dataset": ("Dataset (slug)", "Dataset (slug)"),
    "request_extract": ("Tautan ekstrak", "Extract link"),
    "request_reason": ("Alasan", "Reason"),
    "request_none": ("Belum ada permintaan.", "No requests yet."),
    "req_submitted": ("Diajukan", "Submitted"),
    "req_question": ("Pertanyaan", "Question"),
    "req_accepted": ("Diterima", "Accepted"),
    "req_rejected": ("Ditolak", "Rejected"),
    "req_fulfilled": ("Dipenuhi", "Fulfilled"),
}
TEXTS: dict[str, dict[str, str]] = {k: {"id": i, "en": e} for k, (i, e) in T.items()}
"""Texts of the open-data pages, Bahasa Indonesia (``id``) and English (``en``)."""


def principal_of(request: Request, session: Session) -> Principal:
    """Who is asking: a token, else the login cookie, else anonymous in the client's zone."""
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal):
        return principal
    return http.current_principal(request, session)


def address(request: Request) -> str | None:
    """The client's address, for the audit log and login throttling."""
    return request.client.host if request.client else None


def is_reviewer(principal: Principal) -> bool:
    """True for stewards and admins."""
    return principal.role in REVIEWERS


def show(request: Request, session: Session, template: str, **context: Any) -> HTMLResponse:
    """Render an open-data page with this product's texts and the signed-in user."""
    principal = context.pop("principal", None) or principal_of(request, session)
    response: HTMLResponse = request.app.state.render(
        request, template, texts=TEXTS, principal=principal, **context
    )
    return response


def redirect(url: str) -> RedirectResponse:
    """Go to ``url`` after a form post (303: the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


def catalog_for(session: Session) -> Catalog:
    """The shipped catalog with the datasets created by uploads."""
    return catalog_with_entries(session)


def visible_statuses(principal: Principal) -> frozenset[str]:
    """Statuses a principal sees in lists: stewards also see drafts and reviews."""
    if is_reviewer(principal):
        return frozenset({"draft", "review", "published"})
    return frozenset({"published"})


@router.get("/data", response_class=HTMLResponse)
def catalog_page(request: Request, session: SessionDep) -> HTMLResponse:
    """The catalog ("Referensi Dataset"): search, facets, page size and paging."""
    principal = principal_of(request, session)
    catalog = catalog_for(session)
    states = dataset_states(session, catalog)
    wanted = visible_statuses(principal)
    only = [slug for slug, state in states.items() if state.status in wanted]
    params = request.query_params
    q = params.get("q", "").strip()
    size = _int(params.get("n"), 10)
    size = size if size in PAGE_SIZES else 10
    number = max(_int(params.get("p"), 1), 1)
    filters = {f: params.getlist(f) for f in FACET_FIELDS if params.getlist(f)}
    modified = {slug: state.modified for slug, state in states.items()}
    result = search(
        catalog,
        q,
        filters=filters,
        start=(number - 1) * size,
        rows=size,
        only=only,
        facet_fields=FACET_FIELDS,
        modified=modified,
        sort=None if q else "title asc",
    )
    pages = max((result.count + size - 1) // size, 1)
    first = (number - 1) * size + 1 if result.count else 0
    last = min(number * size, result.count)

    def link(**changes: object) -> str:
        query: list[tuple[str, str]] = [("q", q)] if q else []
        query += [(f, v) for f, values in filters.items() for v in values]
        query += [("n", str(size)), ("p", str(number))]
        pairs = [(k, v) for k, v in query if k not in changes]
        pairs += [(k, str(v)) for k, v in changes.items() if v != ""]
        return "/data?" + urlencode(pairs)

    return show(
        request,
        session,
        "opendata/catalog.html",
        principal=principal,
        result=result,
        states=states,
        q=q,
        size=size,
        sizes=PAGE_SIZES,
        number=number,
        pages=pages,
        first=first,
        last=last,
        filters=filters,
        link=link,
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@lru_cache(maxsize=4)
def _reader(home: str) -> Reader:
    """One reader per home folder (it keeps its snapshot connections open)."""
    return Reader(get_settings())


def preview(
    principal: Principal, dataset: Dataset, params: list[tuple[str, str]]
) -> tuple[list[str], list[dict[str, Any]], int | None, str | None]:
    """The first rows the principal may read under the filters: columns, rows, total, error."""
    try:
        filters = parse_filters(params, dataset)
        request = ReadRequest(filters=filters, limit=PREVIEW_ROWS)
        page = _reader(str(get_settings().home)).page(
            principal, dataset.slug, request, include_total=True
        )
    except ReadError as exc:
        return [], [], None, exc.message
    table = page.rows
    return list(table.column_names), table.to_pylist(), page.total, None


def filter_params(request: Request) -> list[tuple[str, str]]:
    """The page's ``col__op=value`` filters (other query keys are the page's own)."""
    return [(k, v) for k, v in request.query_params.multi_items() if "__" in k and v != ""]


@router.get("/data/{slug}", response_class=HTMLResponse)
def dataset_page(request: Request, slug: str, session: SessionDep) -> HTMLResponse:
    """A dataset: metadata, data dictionary, filtered preview, downloads and API examples."""
    principal = principal_of(request, session)
    catalog = catalog_for(session)
    if slug not in catalog:
        return show(request, session, "opendata/missing.html", principal=principal, status_code=404)
    dataset = catalog.get(slug)
    state = dataset_states(session, catalog)[slug]
    if state.status not in visible_statuses(principal) and not _owns_upload(
        session, principal, slug
    ):
        return show(request, session, "opendata/missing.html", principal=principal, status_code=404)
    params = filter_params(request)
    columns, rows, total, error = preview(principal, dataset, params)
    query = ("?" + urlencode(params)) if params else ""
    base = str(request.base_url).rstrip("/")
    organization = catalog.organization(dataset.organization)
    return show(
        request,
        session,
        "opendata/dataset.html",
        principal=principal,
        dataset=dataset,
        state=state,
        organization=organization,
        license=catalog.license(dataset.license),
        columns=columns,
        rows=rows,
        total=total,
        error=error,
        params=params,
        query=query,
        exports=[f for f in EXPORTS if f in dataset.formats],
        base=base,
        resource=resource_id(slug, DATASTORE),
        history=history(session, slug),
        versions=versions(session, slug),
        reviewer=is_reviewer(principal),
        upload=_upload_summary(session, slug),
    )


def _owns_upload(session: Session, principal: Principal, slug: str) -> bool:
    from treasury.opendata.uploads import upload_owner

    return principal.user is not None and upload_owner(session, slug) == principal.user


def _upload_summary(session: Session, slug: str) -> dict[str, Any] | None:
    from treasury.opendata.uploads import latest_report

    return latest_report(session, slug)


@router.post("/data/{slug}/tinjau")
def review_dataset(
    request: Request,
    slug: str,
    session: SessionDep,
    to: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    """A steward publishes a dataset in review, or sends it back to draft with a comment."""
    principal = principal_of(request, session)
    if not is_reviewer(principal) or principal.user is None or principal.role is None:
        return redirect(f"/login?next=/data/{slug}")
    catalog = catalog_for(session)
    try:
        change = transition(
            session, catalog, slug, to, principal.user, principal.role.value, comment or None
        )
        session.commit()
    except WorkflowError as exc:
        session.rollback()
        audit.record(
            session, principal, "approve", slug, {"to": to}, status="error", detail=str(exc)
        )
        return redirect(f"/data/{slug}?error=" + urlencode({"m": str(exc)})[2:])
    audit.record(
        session,
        principal,
        "approve",
        slug,
        {"from": change.from_status, "to": change.to_status},
        detail=comment or None,
        address=address(request),
    )
    return redirect(f"/data/{slug}")


@router.get("/api/docs", include_in_schema=False)
def api_docs() -> RedirectResponse:
    """The API documentation (FastAPI's interactive docs at ``/docs``)."""
    return RedirectResponse("/docs", status_code=307)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: SessionDep) -> HTMLResponse:
    """The login form."""
    return show(request, session, "opendata/login.html", error=None, next=_next(request))


def _next(request: Request, value: str | None = None) -> str:
    """Where to go after logging in: a path on this site only."""
    target = value or request.query_params.get("next") or "/portal"
    return target if target.startswith("/") and not target.startswith("//") else "/portal"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/data",
) -> Response:
    """Check the name and password; on success set the login cookie and go on."""
    target = _next(request, next)
    try:
        user = authenticate(session, name, password, address(request))
    except LoginThrottled:
        return show(
            request,
            session,
            "opendata/login.html",
            error="login_throttled",
            next=target,
            status_code=429,
        )
    if user is None:
        return show(
            request,
            session,
            "opendata/login.html",
            error="login_failed",
            next=target,
            status_code=401,
        )
    principal = identify(session, address(request), {}, user.name)
    audit.record(session, principal, "login", address=address(request))
    response = redirect(target)
    http.set_session_cookie(response, user.name, secure=request.url.scheme == "https")
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Ask to confirm the logout (a GET changes nothing: a link on another site cannot log out)."""
    return show(request, session, "opendata/logout.html")


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    """Forget the login (a form with the CSRF token), record it, and go home."""
    user = http.session_user(request.cookies.get(http.SESSION_COOKIE))
    if user is not None:
        principal = identify(session, address(request), {}, user)
        if principal.user is not None:
            audit.record(session, principal, "logout", address=address(request))
    response = redirect("/")
    http.clear_session_cookie(response)
    return response


@router.get("/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep) -> Response:
    """The user's API tokens (prefix, label, expiry, last use) and a form for a new one."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/tokens")
    return show(
        request,
        session,
        "opendata/tokens.html",
        principal=principal,
        tokens=list_tokens(session, principal.user),
        new_token=None,
        error=None,
    )


@router.post("/tokens", response_class=HTMLResponse)
def create_token_page(
    request: Request,
    session: SessionDep,
    label: Annotated[str, Form()] = "",
    days: Annotated[int, Form()] = 90,
) -> Response:
    """Create a token and show it once."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/tokens")
    error, raw = None, None
    try:
        raw, row = create_token(session, principal.user, days=days, label=label or None)
        audit.record(
            session, principal, "token.create", filters={"prefix": row.prefix, "days": days}
        )
    except AccessError as exc:
        error = str(exc)
    return show(
        request,
        session,
        "opendata/tokens.html",
        principal=principal,
        tokens=list_tokens(session, principal.user),
        new_token=raw,
        error=error,
    )


@router.post("/tokens/{token_id}/cabut")
def revoke_token_page(request: Request, token_id: int, session: SessionDep) -> Response:
    """Revoke one of the user's own tokens."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/tokens")
    own = {t.id: t for t in list_tokens(session, principal.user)}
    if token_id in own and revoke_token(session, own[token_id]):
        audit.record(session, principal, "token.revoke", filters={"prefix": own[token_id].prefix})
    return redirect("/tokens")
