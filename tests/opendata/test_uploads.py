# ruff: noqa: F811  (pytest fixtures imported from test_pages)
"""Uploads: schema inference and confirmation, validation report, lake versions, review, and
bad input (wrong type, bad encoding, zip bomb, formulas, no rows, too large) changing nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_pages import client, login, opendata_platform  # noqa: F401  (fixtures)

from treasury.catalog.entries import catalog_with_entries
from treasury.catalog.versions import versions
from treasury.catalog.workflow import status
from treasury.config import get_settings
from treasury.db.access import AuditEvent
from treasury.db.catalog import CatalogEntry
from treasury.db.session import session_scope
from treasury.warehouse import uploads as ingest

CSV = (
    "Kode KPPN,Tahun,Pagu,Tanggal\n"
    "086,2024,1500000,2024-01-05\n"
    "019,2024,2500000,2024-02-05\n"
    "020,2024,abc,2024-03-05\n"
    "021,2024,900000,2024-13-01\n"
)


def _post(client: TestClient, name: str, content: bytes, **form: str):
    return client.post("/api/v1/uploads", files={"file": (name, content)}, data=form)


def _state() -> tuple[int, int, list[str]]:
    with session_scope() as session:
        entries = session.scalar(select(func.count()).select_from(CatalogEntry)) or 0
        uploads = (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.status == "ok")
            )
            or 0
        )
    lake = get_settings().lake / "upload"
    return entries, uploads, sorted(p.name for p in lake.iterdir()) if lake.exists() else []


def _error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == code and body["error"]["message"]


def test_upload_needs_an_internal_user(client: TestClient) -> None:
    _error(_post(client, "a.csv", CSV.encode(), title="Pagu KPPN"), 401, "login_required")
    login(client, "eksternal")
    _error(_post(client, "a.csv", CSV.encode(), title="Pagu KPPN"), 403, "forbidden")


def test_new_dataset_schema_confirm_report_review_approve_restore(client: TestClient) -> None:
    login(client, "analis.pusat")
    before = _state()
    first = _post(client, "pagu.csv", CSV.encode(), title="Pagu KPPN Unggahan Uji")
    assert first.status_code == 200
    data = first.json()["data"]
    assert data["stage"] == "confirm"
    types = {f["name"]: f["type"] for f in data["schema"]}
    assert types == {"kode_kppn": "string", "tahun": "integer", "pagu": "string", "tanggal": "date"}
    assert _state()[0] == before[0]  # nothing stored yet

    fields = json.dumps([{"name": "pagu", "type": "integer"}])
    stored = client.post(
        "/api/v1/uploads",
        data={
            "staged": data["staged"],
            "title": "Pagu KPPN Unggahan Uji",
            "confirm": "true",
            "fields": fields,
        },
    )
    assert stored.status_code == 201, stored.text
    result = stored.json()["data"]
    slug = result["dataset"]
    assert result["status"] == "review"
    assert (result["rows_valid"], result["rows_invalid"]) == (2, 2)
    assert {(e["row"], e["column"], e["rule"], e["value"]) for e in result["report"]} == {
        (4, "pagu", "type", "abc"),
        (5, "tanggal", "type", "2024-13-01"),
    }
    settings = get_settings()
    rows = ingest.read_version(settings, slug).to_table()
    assert rows.column("kode_kppn").to_pylist() == ["086", "019"]
    assert ingest.quarantine_path(settings, slug).exists()
    with session_scope() as session:
        catalog = catalog_with_entries(session)
        assert status(session, catalog, slug) == "review"
        assert [v.rows for v in versions(session, slug)] == [2]
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "upload", AuditEvent.dataset == slug)
        ).all()
        assert len(audited) == 1 and audited[0].rows == 2

    # a second upload into the same dataset: a new version, still in review
    again = _post(client, "pagu2.csv", CSV.replace("abc", "1").encode(), dataset=slug)
    assert again.status_code == 201, again.text
    assert again.json()["data"]["rows_valid"] == 3
    mismatch = _post(client, "x.csv", b"a,b\n1,2\n", dataset=slug)
    _error(mismatch, 400, "columns_mismatch")
    more = "Kode KPPN,Tahun,Pagu,Tanggal\n099,2025,10,2025-01-01\n"
    appended = _post(client, "more.csv", more.encode(), dataset=slug, mode="append")
    assert appended.status_code == 201, appended.text
    assert ingest.read_version(settings, slug).count_rows() == 4
    client.post("/logout")
    login(client, "analis.jatim")
    _error(_post(client, "x.csv", CSV.encode(), dataset=slug), 403, "forbidden")
    client.post("/logout")
    login(client, "admin")
    assert _post(client, "x.csv", CSV.encode(), dataset=slug).status_code == 201
    client.post("/logout")
    login(client, "analis.pusat")
    page = client.get(f"/data/{slug}").text
    assert 'id="approve"' not in page  # analysts do not review
    client.post("/logout")

    login(client, "steward")
    page = client.get(f"/data/{slug}").text
    assert 'id="approve"' in page and "Pagu KPPN Unggahan Uji" in page
    assert 'id="review-report"' in page and "2024-13-01" in page
    client.post(f"/data/{slug}/tinjau", data={"to": "published"})
    with session_scope() as session:
        assert status(session, catalog_with_entries(session), slug) == "published"
        approvals = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "approve", AuditEvent.dataset == slug)
        ).all()
        assert len(approvals) == 1
        old = versions(session, slug)[-1]
    served = client.get(f"/api/v1/datasets/{slug}/rows", params={"sort": "kode_kppn"})
    assert served.status_code == 200, served.text  # readable at once: no pipeline run needed
    assert [r["kode_kppn"] for r in served.json()["data"]] == ["019", "086"]
    client.post(f"/data/{slug}/pulihkan", data={"version": old.version})
    restored = client.get(f"/api/v1/datasets/{slug}/rows", params={"sort": "kode_kppn"})
    assert [r["kode_kppn"] for r in restored.json()["data"]] == ["019", "086"]
    with session_scope() as session:
        newest = versions(session, slug)[0]
        assert newest.restored_from == old.number and newest.rows == 2
    assert ingest.read_version(settings, slug).count_rows() == 2
    with session_scope() as session:
        appended_version = next(v for v in versions(session, slug) if v.rows == 4)
    client.post(f"/data/{slug}/pulihkan", data={"version": appended_version.version})
    restored = client.get(f"/api/v1/datasets/{slug}/rows", params={"sort": "kode_kppn"})
    assert [r["kode_kppn"] for r in restored.json()["data"]] == ["019", "020", "086", "099"]


def test_upload_page_shows_schema_then_report(client: TestClient) -> None:
    login(client, "analis.pusat")
    page = client.post(
        "/data/unggah",
        files={"file": ("p.csv", CSV.encode())},
        data={"title": "Pagu Halaman Uji", "category": "PAGU"},
    )
    assert page.status_code == 200 and 'id="schema-table"' in page.text
    staged = page.text.split('name="staged" value="')[1].split('"')[0]
    report = client.post(
        "/data/unggah",
        data={
            "staged": staged,
            "title": "Pagu Halaman Uji",
            "category": "PAGU",
            "confirm": "1",
            "type__pagu": "integer",
        },
    )
    assert 'id="upload-report"' in report.text and 'id="report-table"' in report.text
    assert '<b id="rows-invalid">2</b>' in report.text


def _xlsx(rows: list[list[object]], formula: bool = False) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    if formula:
        sheet.write_formula(len(rows), 0, "=1+1")
    book.close()
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("data.txt", b"a,b\n1,2\n", 415, "wrong_type"),
        ("data.csv", _xlsx([["a"], [1]]), 415, "wrong_type"),
        ("data.xlsx", b"a,b\n1,2\n", 415, "wrong_type"),
        ("data.csv", "nama,kota\nJosé,Málaga\n".encode("latin-1"), 400, "bad_encoding"),
        ("data.xlsx", _zip_bomb(), 413, "workbook_too_large"),
        ("data.xlsx", _xlsx([["a", "b"], [1, 2]], formula=True), 400, "formula_cells"),
        ("data.csv", b"a,b\n", 400, "no_rows"),
        ("data.csv", b"", 400, "empty_file"),
        ("data.xlsx", _xlsx([["a", "b"]]), 400, "no_rows"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    client: TestClient, name: str, content: bytes, status: int, code: str
) -> None:
    login(client, "analis.pusat")
    before = _state()
    response = _post(client, name, content, title="Berkas Buruk", confirm="true")
    _error(response, status, code)
    after = _state()
    assert after[0] == before[0] and after[2] == before[2]
    assert not list((Path(get_settings().home) / "uploads" / "staging").iterdir())


def test_too_many_bytes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREASURY_UPLOAD_MAX_MB", "1")
    login(client, "analis.pusat")
    big = b"a,b\n" + b"1,2\n" * 300_000
    before = _state()
    _error(_post(client, "big.csv", big, title="Besar", confirm="true"), 413, "too_large")
    assert _state()[0] == before[0]
    declared = client.post(
        "/api/v1/uploads",
        content=b"x" * 10,
        headers={"Content-Length": str(3 * 1024 * 1024), "Content-Type": "multipart/form-data"},
    )
    _error(declared, 413, "too_large")
    staging = Path(get_settings().home) / "uploads" / "staging"
    assert not [p for p in staging.iterdir() if p.stat().st_size > 1024 * 1024]


def test_xlsx_upload_is_stored(client: TestClient) -> None:
    login(client, "analis.pusat")
    content = _xlsx([["kode", "nilai"], ["001", 5], ["002", 7.5]])
    response = _post(client, "nilai.xlsx", content, title="Nilai XLSX Uji", confirm="true")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["rows_valid"] == 2


def test_infer_schema_keeps_codes_as_text() -> None:
    import pyarrow as pa

    table = pa.table({"Kode BA": ["015", "020"], "Nilai": ["1.5", "2"], "Ok": ["ya", "tidak"]})
    assert [(f["name"], f["type"]) for f in ingest.infer_schema(table)] == [
        ("kode_ba", "string"),
        ("nilai", "number"),
        ("ok", "boolean"),
    ]


def test_served_tables_name_uploads_by_their_catalog_source(client: TestClient) -> None:
    login(client, "analis.pusat")
    response = _post(client, "s.csv", b"kode,nilai\n001,1\n", title="Sajian Uji", confirm="true")
    slug = response.json()["data"]["dataset"]
    served = ingest.served_tables(get_settings())
    assert served[ingest.source_table(slug)].count_rows() == 1
