"""The access revision creates exactly the model's tables, and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from treasury.db import alembic_config
from treasury.db.access import ApiToken, AuditEvent, LoginAttempt, User
from treasury.db.models import Base

from .conftest import BACKENDS, fresh_database, migrated, savepoint_engine

TABLES = {m.__tablename__ for m in (User, ApiToken, AuditEvent, LoginAttempt)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_matches_models_and_downgrades(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        migrated(url)
        engine = savepoint_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"include_object": _ours})
                assert compare_metadata(context, Base.metadata) == []
                assert set(inspect(connection).get_table_names()) >= TABLES
            with engine.begin() as connection:
                config = alembic_config(url)
                config.attributes["connection"] = connection
                command.downgrade(config, "0002_catalog")  # the revision before access
            with engine.connect() as connection:
                assert not TABLES & set(inspect(connection).get_table_names())
        finally:
            engine.dispose()


def _ours(obj: object, name: str | None, type_: str, _reflected: bool, _other: object) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) in TABLES
