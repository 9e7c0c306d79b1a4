"""Routes of document recognition, included by :mod:`treasury.assistant.routes`.

- ``POST /api/v1/assistant/ocr``: multipart upload (field ``file``; PNG, JPEG or PDF up to
  :data:`MAX_UPLOAD_BYTES`) -> the recognition result in the native envelope, plus the SPM case
  for the priority model (``data.priority_case``). Authenticated internal users only.
- ``GET/POST /assistant/dokumen``: the page with an upload form showing the fields found and
  their checks (Bahasa Indonesia by default, ``?lang=en``).

The satker on a document is checked against the ``daftar-satker`` dataset read through the
policy-enforcing :class:`treasury.warehouse.reader.Reader` with the user's own rights.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, Template, select_autoescape

from treasury.access import Principal
from treasury.access.http import PrincipalDep
from treasury.assistant.ocr.recognize import (
    FIELDS,
    SatkerLookup,
    UnsupportedFile,
    file_kind,
    recognize,
    to_priority_case,
)
from treasury.config import get_settings
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, success
from treasury.i18n import format_date, format_rupiah
from treasury.warehouse.reader import Filter, Reader, ReadError, ReadRequest

#: The largest file accepted (bytes).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SATKER_DATASET = "daftar-satker"
HERE = Path(__file__).parent

router = APIRouter()
api = APIRouter(
    prefix="/api/v1/assistant",
    tags=["assistant: document recognition"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)


class UploadProblem(Exception):
    """A bad upload: a stable code, an English message and an Indonesian one."""

    def __init__(self, code: str, message: str, pesan: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.pesan = pesan


def read_upload(upload: UploadFile, limit: int | None = None) -> bytes:
    """The uploaded bytes, checked: not empty, not above the limit, a PNG, JPEG or PDF."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    data = upload.file.read(limit + 1)
    if not data:
        raise UploadProblem(
            "empty_file", "the uploaded file is empty", "berkas yang diunggah kosong"
        )
    if len(data) > limit:
        megabytes = limit / 1024 / 1024
        raise UploadProblem(
            "file_too_large",
            f"the file is larger than {megabytes:.0f} MB; scan one page at 150-300 dpi",
            f"berkas lebih besar dari {megabytes:.0f} MB; pindai satu halaman pada 150-300 dpi",
        )
    if file_kind(data) is None:
        raise UploadProblem(
            "unsupported_type",
            "the file is not a PNG, JPEG or PDF document",
            "berkas bukan dokumen PNG, JPEG atau PDF",
        )
    return data


def _require_internal(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise HTTPException(
            401,
            detail={
                "code": "login_required",
                "message": "document recognition is for internal users: log in or send a token",
            },
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not principal.is_internal:
        raise HTTPException(
            403,
            detail={
                "code": "forbidden",
                "message": "document recognition is for internal users (analyst, steward, admin)",
            },
        )


@lru_cache(maxsize=4)
def _reader(home: str) -> Reader:
    """One reader per home folder (it keeps its snapshot connections open)."""
    return Reader(get_settings())


def satker_lookup(principal: Principal) -> SatkerLookup | None:
    """Satker code -> name from ``daftar-satker`` as the principal may read it; None if it can't."""
    reader = _reader(str(get_settings().home))
    names: dict[str, str | None] = {}

    def lookup(code: str) -> str | None:
        if code not in names:
            request = ReadRequest(
                columns=("kode_satker", "nama_satker"),
                filters=(Filter("kode_satker", "eq", code),),
                limit=1,
            )
            rows = reader.page(principal, SATKER_DATASET, request).rows.to_pylist()
            names[code] = str(rows[0]["nama_satker"]) if rows else None
        return names[code]

    try:
        lookup("000000")
    except ReadError:
        return None
    return lookup


def recognize_upload(data: bytes, principal: Principal) -> dict[str, Any]:
    """Recognise an uploaded document, with the satker checked under the user's rights."""
    lookup = satker_lookup(principal)
    try:
        result = recognize(data, satker=lookup)
    except UnsupportedFile as exc:
        raise UploadProblem(
            "unsupported_type", str(exc), "berkas tidak dapat dibuka sebagai gambar atau PDF"
        ) from None
    result["satker_checked"] = lookup is not None
    result["priority_case"] = to_priority_case(result)
    return result


@api.post("/ocr", summary="Read the fields of a scanned SPM or invoice")
def ocr_document(
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="PNG, JPEG or PDF, at most 10 MB")],
) -> dict[str, Any]:
    """Recognise a scanned payment document: fields with confidence and validity, problems.

    ``data.status`` is ``ok`` (every field read and checked), ``check`` (read, with problems to
    look at) or ``unreadable`` (no payment document could be read).
    """
    _require_internal(principal)
    try:
        data = read_upload(file)
        result = recognize_upload(data, principal)
    except UploadProblem as problem:
        raise ReadError(400, problem.code, problem.message, "upload a PNG, JPEG or PDF") from None
    return success(result, filename=file.filename, bytes=len(data))


# -- the page --------------------------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "ocr_title": {"id": "Pembacaan Dokumen", "en": "Document recognition"},
    "ocr_intro": {
        "id": "Unggah pindaian SPM atau tagihan (PNG, JPEG atau PDF, paling besar 10 MB). "
        "Isian dibaca dengan OCR lalu diperiksa terhadap data referensi.",
        "en": "Upload a scan of an SPM or invoice (PNG, JPEG or PDF, at most 10 MB). "
        "Fields are read by OCR and checked against reference data.",
    },
    "ocr_file": {"id": "Berkas dokumen", "en": "Document file"},
    "ocr_submit": {"id": "Baca dokumen", "en": "Read document"},
    "ocr_field": {"id": "Isian", "en": "Field"},
    "ocr_value": {"id": "Nilai terbaca", "en": "Value read"},
    "ocr_confidence": {"id": "Keyakinan", "en": "Confidence"},
    "ocr_valid": {"id": "Pemeriksaan", "en": "Check"},
    "ocr_ok": {"id": "sah", "en": "valid"},
    "ocr_bad": {"id": "periksa", "en": "check"},
    "ocr_problems": {"id": "Masalah", "en": "Problems"},
    "ocr_status_ok": {"id": "Semua isian terbaca dan sah.", "en": "All fields read and valid."},
    "ocr_status_check": {
        "id": "Dokumen terbaca; periksa isian yang ditandai.",
        "en": "Document read; check the marked fields.",
    },
    "ocr_status_unreadable": {
        "id": "Dokumen tidak dapat dibaca.",
        "en": "The document could not be read.",
    },
    "ocr_seconds": {"id": "Waktu baca", "en": "Reading time"},
    "nomor_dokumen": {"id": "Nomor dokumen", "en": "Document number"},
    "tanggal": {"id": "Tanggal", "en": "Date"},
    "kode_satker": {"id": "Satuan kerja", "en": "Spending unit (satker)"},
    "kode_akun": {"id": "Kode akun", "en": "Account"},
    "nilai": {"id": "Jumlah (angka)", "en": "Amount (figures)"},
    "terbilang": {"id": "Terbilang", "en": "Amount in words"},
    "penerima": {"id": "Penerima", "en": "Payee"},
    "jenis_pembayaran": {"id": "Jenis pembayaran", "en": "Payment type"},
    "uraian": {"id": "Uraian", "en": "Description"},
}


@lru_cache(maxsize=1)
def _page_template() -> Template:
    """The page template, compiled with the portal's base layout on its loader path."""
    web_templates = HERE.parent.parent / "web" / "templates"
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(HERE / "templates"), FileSystemLoader(web_templates)]
        ),
        autoescape=select_autoescape(default=True),
    )
    env.globals["rupiah"] = format_rupiah
    env.globals["tanggal"] = format_date
    env.globals["iso_date"] = lambda text, lang: format_date(dt.date.fromisoformat(text), lang)
    return env.get_template("assistant_ocr/dokumen.html")


def _page(request: Request, principal: Principal, status_code: int = 200, **context: Any) -> Any:
    return request.app.state.render(
        request,
        _page_template(),
        status_code=status_code,
        texts=TEXTS,
        principal=principal,
        limit_mb=MAX_UPLOAD_BYTES // 1024 // 1024,
        field_order=(*FIELDS, "jenis_pembayaran", "uraian"),
        **context,
    )


def _page_principal(request: Request) -> Principal:
    from treasury.access.http import current_principal
    from treasury.db.session import session_scope

    with session_scope() as session:
        return current_principal(request, session)


@router.get("/assistant/dokumen", response_class=HTMLResponse, include_in_schema=False)
def document_page(request: Request) -> Response:
    """The upload form (internal users; others are sent to the login page)."""
    principal = _page_principal(request)
    if not (principal.is_authenticated and principal.is_internal):
        return RedirectResponse("/login?next=/assistant/dokumen", status_code=303)
    response: Response = _page(request, principal)
    return response


@router.post("/assistant/dokumen", response_class=HTMLResponse, include_in_schema=False)
def document_page_upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Read the uploaded document and show its fields and checks."""
    principal = _page_principal(request)
    if not (principal.is_authenticated and principal.is_internal):
        return RedirectResponse("/login?next=/assistant/dokumen", status_code=303)
    try:
        result = recognize_upload(read_upload(file), principal)
    except UploadProblem as problem:
        response: Response = _page(request, principal, status_code=400, error=problem)
        return response
    response = _page(request, principal, result=result, filename=file.filename)
    return response


router.include_router(api)
