"""Uploads: internal users send a CSV or XLSX into a new or an existing uploaded dataset.

The file is received into a staging folder (cut off at ``TREASURY_UPLOAD_MAX_MB``), checked
(type from content, zip-bomb and formula checks, UTF-8, rows), validated against the dataset's
Table Schema (for a new dataset: the schema inferred from the file and confirmed by the user),
and ingested through :mod:`treasury.warehouse.uploads`: valid rows become a new lake version,
rejected rows go to quarantine with the report. The dataset then waits in ``review`` until a
steward publishes it. Any refusal is a 4xx in the native error envelope and changes nothing.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from treasury.access import Action, Principal, Role, audit
from treasury.catalog import Catalog, DefinitionError
from treasury.catalog.entries import create_entry
from treasury.catalog.models import CATEGORIES
from treasury.catalog.versions import record_version, versions
from treasury.catalog.workflow import record_status, status
from treasury.config import Settings, get_settings
from treasury.db.catalog import CatalogEntry
from treasury.db.models import utcnow
from treasury.db.requests import DataUpload
from treasury.envelope import EnvelopeRoute, error_response, success
from treasury.opendata.pages import (
    SessionDep,
    address,
    catalog_for,
    is_reviewer,
    principal_of,
    redirect,
    show,
)
from treasury.warehouse import uploads as ingest


class SizedRoute(EnvelopeRoute):
    """An upload route that refuses a declared body over the limit before reading any of it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def sized(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            limit = UploadSettings().max_bytes
            if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
                return error_response(
                    413, "too_large", f"the upload is larger than {limit // (1024 * 1024)} MB"
                )
            return await handler(request)

        return sized


api = APIRouter(tags=["uploads"], route_class=SizedRoute)
pages = APIRouter(tags=["portal"])

INTERNAL = frozenset({Role.analyst, Role.steward, Role.admin})
CHUNK = 1 << 20
FORM_OVERHEAD = 1 << 20
"""Room for the form fields and multipart headers around the file."""
DEFAULT_ORG = "DIT-PKN"


class UploadSettings(BaseSettings):
    """Upload settings from ``TREASURY_*``."""

    model_config = SettingsConfigDict(env_prefix="TREASURY_", extra="ignore")

    upload_max_mb: int = Field(default=200, ge=1, description="Largest upload accepted (MB).")

    @property
    def max_bytes(self) -> int:
        """The limit in bytes."""
        return self.upload_max_mb * 1024 * 1024


@dataclass
class Outcome:
    """What an upload did: a schema to confirm (nothing stored yet) or a stored report."""

    slug: str | None
    staged: str | None = None
    schema: list[dict[str, Any]] | None = None
    upload: DataUpload | None = None
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The API's ``data``."""
        if self.upload is None:
            return {"stage": "confirm", "staged": self.staged, "schema": self.schema}
        u = self.upload
        return {
            "stage": "stored",
            "dataset": u.slug,
            "status": self.status,
            "version": u.version,
            "rows_valid": u.rows_valid,
            "rows_invalid": u.rows_invalid,
            "report": u.report,
            "url": f"/data/{u.slug}",
        }


def staging(settings: Settings) -> Path:
    """Where received files wait for their schema to be confirmed."""
    folder = settings.home / "uploads" / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ingest.UploadError(415, "wrong_type", "upload a .csv or .xlsx file")
    return suffix


async def receive(file: UploadFile, settings: Settings, limit: int) -> tuple[str, Path]:
    """Save an upload into staging, refusing it (and deleting it) past ``limit`` bytes."""
    suffix = _suffix(file.filename or "")
    staged = secrets.token_hex(16)
    path = staging(settings) / f"{staged}{suffix}"
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise ingest.UploadError(
                    413, "too_large", f"the file is larger than {limit // (1024 * 1024)} MB"
                )
            out.write(chunk)
    return staged, path


def staged_file(settings: Settings, staged: str) -> Path:
    """The staged file with id ``staged``."""
    if not re.fullmatch(r"[0-9a-f]{32}", staged):
        raise ingest.UploadError(400, "bad_staged_id", "unknown staged upload")
    for suffix in (".csv", ".xlsx"):
        path = staging(settings) / f"{staged}{suffix}"
        if path.exists():
            return path
    raise ingest.UploadError(404, "staged_not_found", "the staged upload is gone; upload again")


def _require_uploader(principal: Principal) -> str:
    if principal.user is None:
        raise ingest.UploadError(401, "login_required", "log in (or send a token) to upload")
    if principal.role not in INTERNAL:
        raise ingest.UploadError(403, "forbidden", "only internal users may upload data")
    if not principal.allows_action(Action.upload):
        raise ingest.UploadError(403, "forbidden", "this token may not upload")
    return principal.user


def upload_datasets(session: Session, catalog: Catalog) -> list[str]:
    """Slugs of the datasets created by uploads (the only ones an upload may change)."""
    slugs = session.scalars(select(CatalogEntry.slug).order_by(CatalogEntry.slug))
    return [
        s for s in slugs if s in catalog and catalog.get(s).source.table == ingest.source_table(s)
    ]


def upload_owner(session: Session, slug: str) -> str | None:
    """Who created an uploaded dataset (None for shipped datasets)."""
    row = session.get(CatalogEntry, slug)
    return row.created_by if row else None


def latest_report(session: Session, slug: str) -> dict[str, Any] | None:
    """The last upload into a dataset: file, who, counts and report rows."""
    row = session.scalar(
        select(DataUpload).where(DataUpload.slug == slug).order_by(DataUpload.id.desc())
    )
    if row is None:
        return None
    return {
        "file_name": row.file_name,
        "uploaded_by": row.uploaded_by,
        "rows_valid": row.rows_valid,
        "rows_invalid": row.rows_invalid,
        "report": row.report,
        "version": row.version,
    }


def slug_for(title: str, catalog: Catalog, session: Session) -> str:
    """A free slug made from a title (``Pagu KPPN 2024`` -> ``pagu-kppn-2024``)."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "unggahan"
    if len(base) < 3:
        base = f"unggahan-{base}"
    slug, n = base, 2
    while slug in catalog or session.get(CatalogEntry, slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def definition(
    slug: str, title: str, fields: list[dict[str, Any]], options: dict[str, str], user: str
) -> dict[str, Any]:
    """A catalog definition for a new uploaded dataset."""
    classification = options.get("classification") or "internal"
    return {
        "slug": slug,
        "title": title,
        "title_en": title,
        "category": options.get("category") or "REFERENSI",
        "description": {
            "id": options.get("description") or f"Data unggahan oleh {user}.",
            "en": options.get("description") or f"Data uploaded by {user}.",
        },
        "source": {
            "table": ingest.source_table(slug),
            "columns": [
                {
                    "name": f["name"],
                    "title": f.get("title") or f["name"],
                    "title_en": f.get("title") or f["name"],
                    "type": f["type"],
                }
                for f in fields
            ],
        },
        "classification": classification,
        "license": "CC-BY-4.0" if classification == "public" else "internal",
        "organization": options.get("organization") or DEFAULT_ORG,
        "frequency": "tidak_tentu",
        "temporal": {"start": utcnow().date().isoformat()},
        "spatial": "nasional",
        "tags": ["unggahan"],
    }


def _confirmed_fields(inferred: list[dict[str, Any]], given: str | None) -> list[dict[str, Any]]:
    """The inferred fields with the types the user confirmed (``[{"name", "type"}]`` JSON)."""
    if not given:
        return inferred
    try:
        chosen = {f["name"]: f["type"] for f in json.loads(given)}
    except (ValueError, TypeError, KeyError) as exc:
        raise ingest.UploadError(
            400, "bad_schema", f"schema is not a JSON field list ({exc})"
        ) from exc
    out = []
    for f in inferred:
        kind = chosen.get(f["name"], f["type"])
        if kind not in ingest.TYPES:
            raise ingest.UploadError(400, "bad_schema", f"{f['name']}: unknown type {kind!r}")
        out.append({**f, "type": kind})
    return out


def process(
    session: Session,
    settings: Settings,
    principal: Principal,
    path: Path,
    staged: str,
    name: str,
    options: dict[str, str],
) -> Outcome:
    """Check, validate and store one staged file; a refused file is deleted from staging."""
    try:
        return _process(session, settings, principal, path, staged, name, options)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _process(
    session: Session,
    settings: Settings,
    principal: Principal,
    path: Path,
    staged: str,
    name: str,
    options: dict[str, str],
) -> Outcome:
    user = _require_uploader(principal)
    if any("\x00" in v for v in options.values()):
        raise ingest.UploadError(400, "bad_text", "form fields must not contain NUL characters")
    limit = UploadSettings().max_bytes
    ingest.check_file(path, path.suffix, limit)
    table = ingest.read_file(path, name)
    inferred = ingest.infer_schema(table)
    catalog = catalog_for(session)
    target = options.get("dataset") or ""
    if target:
        if target not in upload_datasets(session, catalog):
            raise ingest.UploadError(
                404, "not_an_upload_dataset", f"{target!r} is not a dataset created by uploads"
            )
        if not is_reviewer(principal) and upload_owner(session, target) != user:
            raise ingest.UploadError(
                403, "forbidden", f"only {target}'s creator or a steward may upload into it"
            )
        slug = target
        fields = catalog.get(slug).table_schema()["fields"]
        by_name = {f["name"]: h for f, h in zip(inferred, table.column_names, strict=True)}
        missing = [f["name"] for f in fields if f["name"] not in by_name]
        extra = sorted(set(by_name) - {f["name"] for f in fields})
        if missing or extra:
            raise ingest.UploadError(
                400,
                "columns_mismatch",
                f"the file's columns differ from {slug}: missing {missing}, unknown {extra}",
            )
        headers = [by_name[f["name"]] for f in fields]
    else:
        title = (options.get("title") or "").strip()
        if len(title) < 3:
            raise ingest.UploadError(400, "title_required", "a new dataset needs a title")
        if options.get("category") and options["category"] not in CATEGORIES:
            raise ingest.UploadError(
                400, "bad_category", f"unknown category {options['category']!r}"
            )
        if options.get("confirm") not in ("1", "true", "yes"):
            return Outcome(None, staged=staged, schema=inferred)
        fields = _confirmed_fields(inferred, options.get("schema"))
        headers = list(table.column_names)
        slug = options.get("slug") or slug_for(title, catalog, session)
    result = ingest.validate(table, fields, headers)
    if result.valid.num_rows == 0:
        raise ingest.UploadError(
            422,
            "no_valid_rows",
            f"none of the {table.num_rows} rows is valid; first problem: row "
            f"{result.errors[0]['row']}, {result.errors[0]['column']}: "
            f"{result.errors[0]['message']}",
        )
    role = principal.role.value if principal.role else None
    try:
        if not target:
            create_entry(
                session, definition(slug, title, fields, options, user), user, role, catalog
            )
        batch = f"upload-{staged}"
        stored = ingest.store(
            settings, slug, result, batch, batch, options.get("mode") or "replace"
        )
        record_version(session, slug, stored.version, stored.rows, f"upload {name}", user)
        current = status(session, catalog_for(session), slug) if target else "draft"
        if current != "review":
            record_status(session, slug, current, "review", user, role, f"upload {name}")
        row = DataUpload(
            slug=slug,
            file_name=name[:255],
            file_bytes=path.stat().st_size,
            uploaded_by=user,
            mode=options.get("mode") or "replace",
            rows_valid=result.valid.num_rows,
            rows_invalid=result.invalid_rows,
            version=stored.version,
            report=result.errors,
            at=utcnow(),
        )
        session.add(row)
        session.commit()
    except DefinitionError as exc:
        session.rollback()
        raise ingest.UploadError(400, "bad_definition", str(exc)) from exc
    except BaseException:
        session.rollback()
        raise
    path.unlink(missing_ok=True)
    return Outcome(slug, upload=row, status="review")


def _error(exc: ingest.UploadError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message)


def _audit(
    session: Session,
    request: Request,
    principal: Principal,
    slug: str | None,
    name: str,
    outcome: Outcome | None = None,
    error: ingest.UploadError | None = None,
) -> None:
    if outcome is not None and outcome.upload is None:
        return  # only the schema was inferred: nothing happened yet
    upload = outcome.upload if outcome else None
    audit.record(
        session,
        principal,
        "upload",
        slug,
        {"file": name},
        rows=upload.rows_valid if upload else None,
        bytes=upload.file_bytes if upload else None,
        status="ok" if error is None else ("denied" if error.status in (401, 403) else "error"),
        detail=error.message if error else None,
        address=address(request),
    )


def _options(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


@api.post("/api/v1/uploads")
async def upload_api(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    staged: Annotated[str, Form()] = "",
    dataset: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    classification: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "replace",
    confirm: Annotated[str, Form()] = "",
    fields: Annotated[str, Form(description="confirmed types: JSON [{name, type}]")] = "",
) -> JSONResponse:
    """Upload a CSV or XLSX: a new dataset answers its inferred schema first (confirm with
    ``confirm=true``, optionally ``schema``); valid rows then become a new version in review."""
    principal = principal_of(request, session)
    settings = get_settings()
    name = (file.filename if file else None) or "upload"
    options = _options(
        dataset=dataset,
        title=title,
        category=category,
        organization=organization,
        classification=classification,
        description=description,
        mode=mode,
        confirm=confirm,
        schema=fields,
    )
    try:
        _require_uploader(principal)
        if mode not in ("replace", "append") or classification not in ("", "internal", "public"):
            raise ingest.UploadError(
                400, "bad_option", "mode: replace|append; classification: internal|public"
            )
        if file is not None:
            staged, path = await receive(file, settings, UploadSettings().max_bytes)
        elif staged:
            path = staged_file(settings, staged)
            name = options.get("title") or path.name
        else:
            raise ingest.UploadError(400, "file_required", "send a file (or a staged id)")
        outcome = process(session, settings, principal, path, staged, name, options)
    except ingest.UploadError as exc:
        _audit(session, request, principal, dataset or None, name, error=exc)
        return _error(exc)
    _audit(session, request, principal, outcome.slug, name, outcome)
    return JSONResponse(success(outcome.as_dict()), status_code=201 if outcome.upload else 200)


@pages.get("/data/unggah", response_class=HTMLResponse)
def upload_page(request: Request, session: SessionDep) -> Response:
    """The upload form."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/data/unggah")
    return _form(request, session, principal)


def _form(
    request: Request,
    session: Session,
    principal: Principal,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    catalog = catalog_for(session)
    context.setdefault("error", None)
    context.setdefault("outcome", None)
    context.setdefault("values", {})
    return show(
        request,
        session,
        "opendata/upload.html",
        principal=principal,
        internal=principal.role in INTERNAL,
        targets=[
            s
            for s in upload_datasets(session, catalog)
            if is_reviewer(principal) or upload_owner(session, s) == principal.user
        ],
        catalog=catalog,
        categories=CATEGORIES,
        types=ingest.TYPES,
        organizations=catalog.organizations(),
        status_code=status_code,
        **context,
    )


@pages.post("/data/unggah", response_class=HTMLResponse)
async def upload_form_post(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile | None, File()] = None,
    staged: Annotated[str, Form()] = "",
    dataset: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    organization: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "replace",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """The upload form's post: shows the inferred schema to confirm, or the report."""
    principal = principal_of(request, session)
    if principal.user is None:
        return redirect("/login?next=/data/unggah")
    settings = get_settings()
    form = await request.form()
    types = {
        k.removeprefix("type__"): str(v) for k, v in form.multi_items() if k.startswith("type__")
    }
    options = _options(
        dataset=dataset,
        title=title,
        category=category,
        organization=organization,
        mode=mode,
        confirm=confirm,
        schema=json.dumps([{"name": k, "type": v} for k, v in types.items()]) if types else None,
    )
    name = (file.filename if file and file.filename else None) or title or "upload"
    try:
        _require_uploader(principal)
        if file is not None and file.filename:
            staged, path = await receive(file, settings, UploadSettings().max_bytes)
        elif staged:
            path = staged_file(settings, staged)
        else:
            raise ingest.UploadError(400, "file_required", "choose a CSV or XLSX file")
        outcome = process(session, settings, principal, path, staged, name, options)
    except ingest.UploadError as exc:
        _audit(session, request, principal, dataset or None, name, error=exc)
        return _form(request, session, principal, exc.status, error=exc, values=options)
    _audit(session, request, principal, outcome.slug, name, outcome)
    return _form(request, session, principal, outcome=outcome, values=options)


@pages.post("/data/{slug}/pulihkan")
def restore_page(
    request: Request, slug: str, session: SessionDep, version: Annotated[str, Form()]
) -> Response:
    """A steward restores an earlier version of an uploaded dataset (as a new version)."""
    principal = principal_of(request, session)
    if not is_reviewer(principal) or principal.user is None:
        return redirect(f"/login?next=/data/{slug}")
    settings = get_settings()
    old = next((v for v in versions(session, slug) if v.version == version), None)
    if old is None or slug not in upload_datasets(session, catalog_for(session)):
        return redirect(f"/data/{slug}")
    new = ingest.restore_version(settings, slug, int(old.version))
    record_version(
        session,
        slug,
        new,
        old.rows,
        f"restore of version {old.number}",
        principal.user,
        restored_from=old.number,
    )
    session.commit()
    audit.record(
        session, principal, "restore", slug, {"version": old.version}, address=address(request)
    )
    return redirect(f"/data/{slug}")


router = APIRouter()
router.include_router(api)
router.include_router(pages)
