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


def mirror(source: str, target: str, tables: list[str] | None = None) -> int:
    """Copy the rows of ``source``'s tables that ``target`` lacks (by primary key); rows copied.

    A PostgreSQL platform mirrors its users and tokens into its SQLite file this way, so tests
    that pin the platform to SQLite (unsetting ``TREASURY_DATABASE_URL``) find them there too.
    """
    from sqlalchemy import MetaData, select

    src, dst = create_engine(source), create_engine(target)
    copied = 0
    try:
        src_meta, dst_meta = MetaData(), MetaData()
        src_meta.reflect(src)
        dst_meta.reflect(dst)
        with src.connect() as read, dst.begin() as write:
            for table in src_meta.sorted_tables:
                if table.name == "alembic_version" or (tables and table.name not in tables):
                    continue
                into = dst_meta.tables.get(table.name)
                if into is None:
                    continue
                keys = [c.name for c in into.primary_key.columns]
                have = {tuple(r) for r in write.execute(select(*(into.c[k] for k in keys)))}
                names = [c.name for c in into.columns if c.name in table.c]
                rows = [
                    dict(r)
                    for r in read.execute(select(*(table.c[n] for n in names))).mappings()
                    if tuple(r[k] for k in keys) not in have
                ]
                if rows:
                    write.execute(into.insert(), rows)
                    copied += len(rows)
    finally:
        src.dispose()
        dst.dispose()
    return copied
