"""Disk full during an upload (an injected ENOSPC, portable to any CI): a clear error, the
previous version of the dataset intact and readable, and the next upload works."""

from __future__ import annotations

import errno
import json
import pathlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.testkit import bearer, clear_caches

from treasury.warehouse import uploads as ingest

CSV_V1 = "Kode KPPN,Tahun,Pagu\n086,2024,1500000\n019,2024,2500000\n"
CSV_V2 = "Kode KPPN,Tahun,Pagu\n086,2024,1600000\n019,2024,2600000\n020,2024,700000\n"


@pytest.fixture
def uploader(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, dict]]:
    """An empty home with one analyst and a client of the app; yields (client, auth headers)."""
    from treasury.access import add_user, create_token
    from treasury.db import migrate
    from treasury.db.session import session_scope
    from treasury.web.app import create_app

    monkeypatch.setenv("TREASURY_ARGON2_MEMORY_KIB", "8192")
    monkeypatch.setenv("TREASURY_ARGON2_TIME_COST", "1")
    clear_caches()
    migrate()
    with session_scope() as session:
        add_user(session, "analis", "analyst", None, password="Analis-Rahasia-2024!")
        token, _ = create_token(session, "analis", days=None)
    with TestClient(create_app()) as client:
        yield client, bearer(token)
    clear_caches()


def upload(client: TestClient, headers: dict, content: str, **form: str):  # type: ignore[no-untyped-def]
    first = client.post(
        "/api/v1/uploads",
        files={"file": ("pagu.csv", content.encode())},
        data=form,
        headers=headers,
    )
    if first.status_code != 200 or first.json()["data"].get("stage") != "confirm":
        return first
    fields = json.dumps([{"name": "pagu", "type": "integer"}])
    staged = first.json()["data"]["staged"]
    return client.post(
        "/api/v1/uploads",
        data={"staged": staged, "confirm": "true", "fields": fields, **form},
        headers=headers,
    )


def enospc() -> OSError:
    return OSError(errno.ENOSPC, "No space left on device")


def assert_clean_error(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 507, response.text
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "insufficient_storage"
    assert "Traceback" not in response.text and "Errno" not in body["error"]["message"]


def test_disk_full_while_committing_keeps_the_previous_version(
    uploader: tuple[TestClient, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.config import get_settings
    from treasury.warehouse import lake

    client, headers = uploader
    stored = upload(client, headers, CSV_V1, title="Pagu Uji Disk Penuh")
    assert stored.status_code == 201, stored.text
    slug = stored.json()["data"]["dataset"]
    settings = get_settings()
    before = ingest.read_version(settings, slug)
    assert before is not None
    rows_before = before.to_table().column("pagu").to_pylist()
    version_before = lake.open_table(ingest.lake_path(settings, slug)).version()  # type: ignore[union-attr]

    real_write = lake.write_deltalake

    def full_disk(path, table, *args, **kwargs):  # type: ignore[no-untyped-def]
        # a data file half written into the table folder, then the disk is full
        (Path(path) / "part-99999-half-written.parquet").write_bytes(b"PAR1\x00\x00")
        raise enospc()

    monkeypatch.setattr(lake, "write_deltalake", full_disk)
    failed = upload(client, headers, CSV_V2, dataset=slug, mode="replace")
    assert_clean_error(failed)
    after = ingest.read_version(settings, slug)
    assert after is not None
    assert after.to_table().column("pagu").to_pylist() == rows_before  # intact, readable
    assert lake.open_table(ingest.lake_path(settings, slug)).version() == version_before  # type: ignore[union-attr]

    monkeypatch.setattr(lake, "write_deltalake", real_write)  # space again
    again = upload(client, headers, CSV_V2, dataset=slug, mode="replace")
    assert again.status_code in (200, 201), again.text
    assert ingest.read_version(settings, slug).to_table().column("pagu").to_pylist() == [  # type: ignore[union-attr]
        1600000,
        2600000,
        700000,
    ]


def test_disk_full_while_receiving_the_file(
    uploader: tuple[TestClient, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    from treasury.config import get_settings

    client, headers = uploader
    real_open = pathlib.Path.open

    class FullFile:
        def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
            self.inner = inner

        def write(self, data: bytes) -> int:
            raise enospc()

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.inner, name)

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

    def open_on_full_disk(self, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real_open(self, mode, *args, **kwargs)
        return FullFile(handle) if "w" in mode and "staging" in str(self) else handle

    monkeypatch.setattr(pathlib.Path, "open", open_on_full_disk)
    failed = upload(client, headers, CSV_V1, title="Pagu Uji Disk Penuh 2")
    monkeypatch.setattr(pathlib.Path, "open", real_open)
    assert_clean_error(failed)
    lake_uploads = get_settings().lake / "upload"
    assert not lake_uploads.exists() or not any(lake_uploads.iterdir())  # nothing committed
