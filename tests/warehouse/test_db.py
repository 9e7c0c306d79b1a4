"""The app database: migrations run programmatically, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import inspect

from treasury.db import migrate
from treasury.db.models import PipelineRun, RunStage
from treasury.db.session import get_engine, session_scope

URLS = ["sqlite"]
if os.environ.get("TREASURY_TEST_DATABASE_URL"):
    URLS.append("postgresql")


@pytest.mark.parametrize("kind", URLS)
def test_migrate_is_idempotent_and_creates_the_run_log(kind: str, tmp_path: Path) -> None:
    url = (
        f"sqlite:///{tmp_path / 'app.db'}"
        if kind == "sqlite"
        else os.environ["TREASURY_TEST_DATABASE_URL"]
    )
    migrate(url)
    migrate(url)
    tables = set(inspect(get_engine(url)).get_table_names())
    assert {"pipeline_run", "run_stage", "alembic_version"} <= tables
    with session_scope(url) as s:
        run = PipelineRun(id="test-run-0001", status="running", engine="duckdb")
        run.stages.append(
            RunStage(stage="validate", dataset="span_sp2d", events=[{"code": "W101"}])
        )
        s.add(run)
    with session_scope(url) as s:
        found = s.get(PipelineRun, "test-run-0001")
        assert found is not None and found.stages[0].events == [{"code": "W101"}]
        s.delete(found)
