"""Engines and sessions of the app database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from treasury.config import get_settings


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL; SQLite gets a busy timeout and write-ahead logging.

    A worker serves up to 40 requests at once; a request holds a connection only while it
    identifies the caller or writes (the request session commits right after identification and
    closes before a response is streamed). The pool is sized by ``TREASURY_DATABASE_POOL_SIZE`` /
    ``TREASURY_DATABASE_MAX_OVERFLOW`` (default 10 + 10 per worker): workers x 20 must stay below
    PostgreSQL's ``max_connections`` (100 by default).
    """
    settings = get_settings()
    pool = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
    }
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30}, **pool)
        else:  # in memory: one connection per thread, no pool to size
            engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


def get_engine(url: str | None = None) -> Engine:
    """The engine of ``url``, or of the configured app database."""
    return engine_for(url or get_settings().app_database_url)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    Examples
    --------
    >>> with session_scope("sqlite://") as session:  # doctest: +SKIP
    ...     session.add(...)
    """
    factory = sessionmaker(get_engine(url), expire_on_commit=False)
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
