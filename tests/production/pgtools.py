"""Throwaway PostgreSQL databases for tests (``TREASURY_TEST_DATABASE_URL`` names the server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV = "TREASURY_TEST_DATABASE_URL"
#: The app database of each platform home the session built on PostgreSQL (home -> URL).
PLATFORM_DATABASES: dict[str, str] = {}


def app_database_url(home: os.PathLike[str] | str) -> str:
    """The app database of a test home: its PostgreSQL database, else its SQLite file."""
    from treasury.config import Settings

    url = PLATFORM_DATABASES.get(str(home))
    return url or Settings(home=home, database_url="").app_database_url


def database_env(home: os.PathLike[str] | str) -> dict[str, str]:
    """``{"TREASURY_DATABASE_URL": ...}`` for a home on PostgreSQL, else empty (SQLite)."""
    url = PLATFORM_DATABASES.get(str(home))
    return {"TREASURY_DATABASE_URL": url} if url else {}


def server_url() -> str | None:
    """The test server's URL, or None when PostgreSQL tests are off."""
    return os.environ.get(ENV) or None


def create_database(url: str, prefix: str = "tbd_test") -> str:
    """Create an empty database ``<prefix>_<random>`` on ``url``'s server; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url`` (closing its other sessions first)."""
    from treasury.db.session import engine_for

    target = make_url(url)
    engine_for(url).dispose()  # this process's pooled connections
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def fresh_database(url: str, prefix: str = "tbd_test") -> Iterator[str]:
    """A new empty database on ``url``'s server for the block; dropped afterwards."""
    created = create_database(url, prefix)
    try:
        yield created
    finally:
        drop_database(created)
