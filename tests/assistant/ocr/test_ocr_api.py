"""POST /api/v1/assistant/ocr and the /assistant/dokumen page over the test platform."""

from __future__ import annotations

from functools import cache

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer

from treasury.assistant.ocr import routes
from treasury.assistant.ocr.render import SpmRecord, make_records, render
from treasury.i18n import format_date

URL = "/api/v1/assistant/ocr"


@cache
def _document() -> tuple[SpmRecord, bytes]:
    """A clean SPM of a satker of the platform (same generator seed as the platform)."""
    record = next(r for r in make_records(10, seed=31) if r.kind == "spm")
    return record, render(record)


def _upload(content: bytes, name: str = "spm.png", kind: str = "image/png") -> dict[str, object]:
    return {"file": (name, content, kind)}


def test_round_trip(api_client: TestClient, tokens: dict[str, str]) -> None:
    record, data = _document()
    response = api_client.post(URL, files=_upload(data), headers=bearer(tokens["analis.pusat"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True
    assert body["meta"] == {"filename": "spm.png", "bytes": len(data)}
    result = body["data"]
    assert result["status"] == "ok", result["problems"]
    assert result["satker_checked"] is True  # checked against daftar-satker via the Reader
    assert result["fields"]["kode_satker"]["name"] == record.nama_satker
    for name, value in record.truth().items():
        assert result["fields"][name]["value"] == value
    case = result["priority_case"]
    assert (case["nomor_spm"], case["nilai"], case["valid"]) == (record.nomor, record.nilai, True)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"file": ("a.png", b"", "image/png")}, "empty_file"),
        ({"file": ("a.txt", b"just some text", "text/plain")}, "unsupported_type"),
        ({"file": ("a.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")}, "unsupported_type"),
        ({"other": ("a.png", b"x", "image/png")}, "bad_request"),
    ],
)
def test_bad_uploads(
    api_client: TestClient, tokens: dict[str, str], files: dict[str, object], code: str
) -> None:
    response = api_client.post(URL, files=files, headers=bearer(tokens["analis.pusat"]))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


def test_too_big(
    api_client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes, "MAX_UPLOAD_BYTES", 1024 * 1024)
    data = b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024)
    response = api_client.post(URL, files=_upload(data), headers=bearer(tokens["admin"]))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "file_too_large"
    assert "1 MB" in error["message"]


def test_non_document_is_could_not_read(api_client: TestClient, tokens: dict[str, str]) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (600, 400), 200).save(buffer, "JPEG")
    response = api_client.post(
        URL,
        files=_upload(buffer.getvalue(), "x.jpg", "image/jpeg"),
        headers=bearer(tokens["admin"]),
    )
    assert response.status_code == 200
    result = response.json()["data"]
    assert result["status"] == "unreadable"
    assert result["problems"][0]["code"] == "could_not_read"


def test_internal_users_only(api_client: TestClient, tokens: dict[str, str]) -> None:
    anonymous = api_client.post(URL, files=_upload(b"x"))
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "login_required"
    external = api_client.post(URL, files=_upload(b"x"), headers=bearer(tokens["eksternal"]))
    assert external.status_code == 403


def test_page(api_client: TestClient, tokens: dict[str, str]) -> None:
    assert api_client.get("/assistant/dokumen", follow_redirects=False).status_code == 303
    headers = bearer(tokens["analis.jatim"])
    form = api_client.get("/assistant/dokumen", headers=headers)
    assert form.status_code == 200
    assert "Pembacaan Dokumen" in form.text and 'type="file"' in form.text
    english = api_client.get("/assistant/dokumen?lang=en", headers=headers)
    assert "Document recognition" in english.text
    record, data = _document()
    shown = api_client.post("/assistant/dokumen", files=_upload(data), headers=headers)
    assert shown.status_code == 200
    assert 'data-status="ok"' in shown.text
    assert record.nomor in shown.text and record.penerima in shown.text
    assert "Rp " + f"{record.nilai:,}".replace(",", ".") in shown.text
    assert format_date(record.tanggal, "en") in shown.text  # the ?lang=en cookie holds
    empty = api_client.post("/assistant/dokumen?lang=id", files=_upload(b""), headers=headers)
    assert empty.status_code == 400
    assert "berkas yang diunggah kosong" in empty.text
