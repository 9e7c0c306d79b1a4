"""The app database of the catalog tests: SQLite, and PostgreSQL when
``TREASURY_TEST_DATABASE_URL`` is set (each test in a schema of its own, dropped after)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from treasury.db import migrate
from treasury.db.session import get_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        migrate(url)
        yield url
        get_engine(url).dispose()
        return
    server = os.environ.get("TREASURY_TEST_DATABASE_URL")
    if not server:
        pytest.skip("TREASURY_TEST_DATABASE_URL is not set")
    schema = f"catalog_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = (
        make_url(server)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    factory = sessionmaker(get_engine(database_url), expire_on_commit=False)
    with factory() as session:
        yield session
