"""Alembic migrations from an empty database and between versions, on SQLite and PostgreSQL:
one revision at a time up to head, all the way down, and up again; data of an earlier version
survives the upgrade."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from tests.production.pgtools import fresh_database, server_url

from treasury.db import alembic_config


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend (PostgreSQL only with TREASURY_TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    server = server_url()
    if not server:
        pytest.skip("TREASURY_TEST_DATABASE_URL is not set")
    with fresh_database(server, "tbd_migrations") as url:
        yield url


def _run(url: str, action: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def _state(url: str) -> tuple[set[str], str | None]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = None
            if "alembic_version" in tables:
                version = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
        return tables - {"alembic_version"}, version
    finally:
        engine.dispose()


def test_step_by_step_up_down_and_up_again(empty_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(empty_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert len(revisions) >= 4
    tables_at: dict[str, set[str]] = {}
    for revision in revisions:
        _run(empty_url, "upgrade", revision)
        tables, version = _state(empty_url)
        assert version == revision
        tables_at[revision] = tables
    for earlier, later in itertools.pairwise(revisions):
        assert tables_at[earlier] <= tables_at[later], f"{later} dropped tables of {earlier}"
    assert {"pipeline_run", "users", "api_tokens", "audit_log"} <= tables_at[revisions[-1]]
    for revision in reversed(revisions[:-1]):
        _run(empty_url, "downgrade", revision)
        assert _state(empty_url) == (tables_at[revision], revision)
    _run(empty_url, "downgrade", "base")
    assert _state(empty_url)[0] == set()
    _run(empty_url, "upgrade", "head")
    assert _state(empty_url) == (tables_at[revisions[-1]], revisions[-1])


def test_data_of_an_earlier_version_survives_the_upgrade(empty_url: str) -> None:
    from treasury.access import add_user, authenticate
    from treasury.db.session import engine_for, session_scope

    _run(empty_url, "upgrade", "0003_access")
    with session_scope(empty_url) as session:
        add_user(session, "lama", "analyst", None, password="Pengguna-Lama-2024!")
    engine_for(empty_url).dispose()
    _run(empty_url, "upgrade", "head")
    with session_scope(empty_url) as session:
        assert authenticate(session, "lama", "Pengguna-Lama-2024!", None) is not None
    engine_for(empty_url).dispose()
