"""The suite's platform database: PostgreSQL when TREASURY_TEST_DATABASE_URL is set (CI), with
users and tokens mirrored into the home's SQLite file for tests that pin SQLite; else SQLite."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text
from tests.production.pgtools import app_database_url, server_url

from treasury.config import Settings


def _users_and_token_rows(url: str) -> tuple[list[str], int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            users = connection.execute(text("SELECT name FROM users ORDER BY name")).scalars()
            names = list(users)
            tokens = connection.execute(text("SELECT count(*) FROM api_tokens")).scalar()
        return names, int(tokens or 0)
    finally:
        engine.dispose()


def test_platform_database_follows_the_environment(
    platform_home: Path, tokens: dict[str, str]
) -> None:
    from treasury.access import resolve_token
    from treasury.db.session import session_scope

    url = app_database_url(platform_home)
    sqlite = Settings(home=platform_home, database_url="").app_database_url
    if server_url():
        assert url.startswith("postgresql") and "tbd_test_" in url
        assert _users_and_token_rows(url) == _users_and_token_rows(sqlite)
    else:
        assert url == sqlite
    names, count = _users_and_token_rows(url)
    assert {"admin", "steward", "eksternal"} <= set(names) and count >= len(tokens)
    for database in {url, sqlite}:
        with session_scope(database) as session:
            assert resolve_token(session, tokens["admin"]) is not None
