"""Fixtures of the access tests: cheap argon2 parameters and fresh access settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from treasury.access.settings import AccessSettings, get_access_settings
from treasury.db import migrate
from treasury.db.session import get_engine

CHEAP_ARGON2 = {
    "TREASURY_ARGON2_TIME_COST": "1",
    "TREASURY_ARGON2_MEMORY_KIB": "64",
    "TREASURY_ARGON2_PARALLELISM": "1",
}


@pytest.fixture(autouse=True)
def access_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap argon2 parameters (tests hash many passwords) and no access env leaking in."""
    for name in ("INTRANET_RANGES", "TRUSTED_PROXIES", "TOKEN_SECRET"):
        monkeypatch.delenv(f"TREASURY_{name}", raising=False)
    for name, value in CHEAP_ARGON2.items():
        monkeypatch.setenv(name, value)
    get_access_settings.cache_clear()
    yield
    get_access_settings.cache_clear()


@pytest.fixture
def settings() -> AccessSettings:
    """The access settings of the test environment."""
    return get_access_settings()


# --- the app database, on SQLite and (when TREASURY_TEST_DATABASE_URL is set) PostgreSQL ---

BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema (dropped after)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'access-{uuid.uuid4().hex[:8]}.db'}"
        return
    url = os.environ.get("TREASURY_TEST_DATABASE_URL")
    if not url:
        pytest.skip("TREASURY_TEST_DATABASE_URL is not set")
    schema = f"access_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        options = {"options": f"-csearch_path={schema}"}
        yield make_url(url).update_query_dict(options).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def migrated(url: str) -> None:
    """Run the package's migrations on ``url`` and let go of the engine they used."""
    migrate(url)
    get_engine(url).dispose()


def savepoint_engine(url: str) -> Engine:
    """An engine on ``url`` whose sessions can nest savepoints (pysqlite needs help for that)."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        @event.listens_for(engine, "begin")
        def _begin(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN")

    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def db_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A freshly migrated app database per test session and backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("accessdb")) as url:
        migrated(url)
        engine = savepoint_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside a transaction rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
