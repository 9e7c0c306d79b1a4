# ruff: noqa: F811  (pytest fixtures imported from test_pages)
"""Data requests: submit, steward answers (question, accept, reject, fulfil), comments, overdue."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from test_pages import client, login, opendata_platform  # noqa: F401  (fixtures)

from treasury.db.requests import DataRequest
from treasury.opendata.requests import overdue

ASK = {
    "title": "Realisasi belanja per desa Jawa Timur",
    "description": "Per bulan, per desa.",
    "purpose": "Analisis kinerja Dana Desa",
    "period": "2024-01 s.d. 2024-06",
    "region": "Jawa Timur",
    "format": "xlsx",
    "needed_by": "2030-01-31",
}


def _shape_ok(body: dict) -> None:
    assert body["ok"] is True and set(body) == {"ok", "data", "meta"}


def _shape_error(body: dict, status: int) -> None:
    assert body["ok"] is False and body["error"]["status"] == status
    assert {"code", "message"} <= set(body["error"])


def test_anonymous_cannot_ask(client: TestClient) -> None:
    response = client.post("/api/v1/requests", json=ASK)
    assert response.status_code == 401
    _shape_error(response.json(), 401)
    assert client.get("/permintaan", follow_redirects=False).status_code == 303


def test_bad_request_body_is_a_400_envelope(client: TestClient) -> None:
    login(client, "eksternal")
    response = client.post("/api/v1/requests", json={"title": "x"})
    assert response.status_code == 400
    _shape_error(response.json(), 400)


def test_api_flow_question_answer_accept_fulfil(client: TestClient) -> None:
    login(client, "eksternal")
    created = client.post("/api/v1/requests", json=ASK)
    assert created.status_code == 201
    _shape_ok(created.json())
    rid = created.json()["data"]["id"]
    assert created.json()["data"]["status"] == "submitted"
    mine = client.get("/api/v1/requests").json()
    assert any(r["id"] == rid for r in mine["data"])
    # the requester cannot decide
    refused = client.post(f"/api/v1/requests/{rid}/decision", json={"status": "accepted"})
    assert refused.status_code == 403
    client.post("/logout")

    login(client, "steward")
    assert any(r["id"] == rid for r in client.get("/api/v1/requests").json()["data"])
    no_text = client.post(f"/api/v1/requests/{rid}/decision", json={"status": "question"})
    assert no_text.status_code == 400
    asked = client.post(
        f"/api/v1/requests/{rid}/decision",
        json={"status": "question", "comment": "Perlu data per kecamatan juga?"},
    )
    assert asked.json()["data"]["status"] == "question"
    client.post("/logout")

    login(client, "eksternal")
    answered = client.post(f"/api/v1/requests/{rid}/comments", json={"body": "Tidak, per desa."})
    assert answered.status_code == 201
    assert answered.json()["data"]["status"] == "submitted"
    client.post("/logout")

    login(client, "steward")
    accepted = client.post(f"/api/v1/requests/{rid}/decision", json={"status": "accepted"})
    assert accepted.json()["data"]["status"] == "accepted"
    unknown = client.post(
        f"/api/v1/requests/{rid}/decision", json={"status": "fulfilled", "dataset": "tidak-ada"}
    )
    assert unknown.status_code == 400
    done = client.post(
        f"/api/v1/requests/{rid}/decision",
        json={"status": "fulfilled", "dataset": "bansos-2023", "comment": "Silakan."},
    )
    data = done.json()["data"]
    assert data["status"] == "fulfilled" and data["dataset"] == "bansos-2023"
    again = client.post(f"/api/v1/requests/{rid}/decision", json={"status": "accepted"})
    assert again.status_code == 409
    client.post("/logout")

    login(client, "eksternal")
    detail = client.get(f"/api/v1/requests/{rid}").json()["data"]
    kinds = [c["kind"] for c in detail["comments"]]
    assert kinds == ["question", "comment", "accepted", "fulfilled"]


def test_others_cannot_see_a_request(client: TestClient) -> None:
    login(client, "eksternal")
    rid = client.post("/api/v1/requests", json=ASK).json()["data"]["id"]
    client.post("/logout")
    login(client, "analis.pusat")
    response = client.get(f"/api/v1/requests/{rid}")
    assert response.status_code == 404
    _shape_error(response.json(), 404)


def test_reject_needs_a_reason(client: TestClient) -> None:
    login(client, "eksternal")
    rid = client.post("/api/v1/requests", json=ASK).json()["data"]["id"]
    client.post("/logout")
    login(client, "steward")
    assert (
        client.post(f"/api/v1/requests/{rid}/decision", json={"status": "rejected"}).status_code
        == 400
    )
    rejected = client.post(
        f"/api/v1/requests/{rid}/decision",
        json={"status": "rejected", "comment": "Data pribadi penerima."},
    ).json()["data"]
    assert rejected["status"] == "rejected" and rejected["reason"] == "Data pribadi penerima."


def test_overdue_flag() -> None:
    row = DataRequest(status="accepted", needed_by=dt.date(2024, 1, 1))
    assert overdue(row, dt.date(2024, 1, 2))
    assert not overdue(row, dt.date(2024, 1, 1))
    row.status = "fulfilled"
    assert not overdue(row, dt.date(2025, 1, 1))
    assert not overdue(DataRequest(status="submitted", needed_by=None))


def test_pages_form_list_detail_and_overdue(client: TestClient) -> None:
    login(client, "analis.pusat")
    form = {**ASK, "needed_by": "2020-01-01", "title": "Data lama yang terlambat"}
    response = client.post("/permintaan", data=form, follow_redirects=False)
    assert response.status_code == 303
    url = response.headers["location"]
    detail = client.get(url).text
    assert "Data lama yang terlambat" in detail and 'id="request-overdue"' in detail
    listing = client.get("/permintaan").text
    assert "Data lama yang terlambat" in listing and "Terlambat" in listing
    client.post(url + "/komentar", data={"body": "Mohon dipercepat."})
    assert "Mohon dipercepat." in client.get(url).text
    bad = client.post("/permintaan", data={**form, "needed_by": "bukan-tanggal"})
    assert bad.status_code == 400
    client.post("/logout")
    login(client, "steward")
    page = client.get(url).text
    assert 'id="decision-form"' in page
    client.post(url + "/keputusan", data={"status": "fulfilled", "extract_url": "/x.csv"})
    page = client.get(url).text
    assert re.search(r'id="request-status">Dipenuhi<', page)
    assert 'id="request-overdue"' not in page


def test_odd_input_is_a_4xx_envelope(client: TestClient) -> None:
    login(client, "eksternal")
    huge = client.get(f"/api/v1/requests/{2**63}")
    assert huge.status_code == 400 and huge.json()["ok"] is False
    nul = client.post("/api/v1/requests", json={**ASK, "title": "a\x00b"})
    assert nul.status_code == 400 and nul.json()["error"]["code"] == "bad_request"


def test_migration_creates_exactly_the_models_tables_and_downgrades(tmp_path) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine, inspect

    import treasury.db.requests as models
    from treasury.db import alembic_config, migrate
    from treasury.db.models import Base

    ours = {
        m.__tablename__ for m in (models.DataRequest, models.DataRequestComment, models.DataUpload)
    }
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"include_object": lambda o, n, kind, r, c: kind != "table" or n in ours},
            )
            assert compare_metadata(context, Base.metadata) == []
            assert ours <= set(inspect(connection).get_table_names())
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0003_access")
        with engine.connect() as connection:
            assert not ours & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
