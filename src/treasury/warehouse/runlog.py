"""The run log: pipeline runs and their stages in the app database.

A run is written as ``running`` when it starts and each stage as soon as it ends, so a run that
is killed stays ``running``; the next run marks it ``failed`` ("interrupted").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from treasury.db import migrate
from treasury.db.models import PipelineRun, RunStage, utcnow
from treasury.db.session import session_scope


@dataclass
class StageResult:
    """One stage of a run: a dataset validated and loaded, a mart built, the snapshot."""

    stage: str
    dataset: str | None
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    status: str = "succeeded"
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunResult:
    """A pipeline run: id, status, per-stage counts and the snapshot it published."""

    run_id: str
    status: str
    stages: list[StageResult] = field(default_factory=list)
    snapshot: Path | None = None
    message: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    engine: str = "duckdb"
    scale: str | None = None
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event of every stage."""
        return [e for s in self.stages for e in s.events]


class RunLog:
    """Writes one run's rows; the database is migrated on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        migrate(url)

    def interrupt_stale(self) -> list[str]:
        """Mark runs left ``running`` by a killed process as failed; returns their ids."""
        with session_scope(self.url) as s:
            stale = list(s.scalars(select(PipelineRun.id).where(PipelineRun.status == "running")))
            if stale:
                s.execute(
                    update(PipelineRun)
                    .where(PipelineRun.id.in_(stale))
                    .values(status="failed", message="interrupted", finished_at=utcnow())
                )
        return stale

    def start(self, run_id: str, engine: str, scale: str | None) -> dt.datetime:
        """Record a new running run."""
        started = utcnow()
        with session_scope(self.url) as s:
            s.add(
                PipelineRun(
                    id=run_id, started_at=started, status="running", engine=engine, scale=scale
                )
            )
        return started

    def stage(self, run_id: str, stage: StageResult) -> None:
        """Record a finished stage."""
        with session_scope(self.url) as s:
            s.add(
                RunStage(
                    run_id=run_id,
                    stage=stage.stage,
                    dataset=stage.dataset,
                    rows_in=stage.rows_in,
                    rows_out=stage.rows_out,
                    rows_quarantined=stage.rows_quarantined,
                    seconds=round(stage.seconds, 3),
                    status=stage.status,
                    events=stage.events,
                )
            )

    def finish(
        self, run_id: str, status: str, message: str | None, snapshot: str | None
    ) -> dt.datetime:
        """Close the run."""
        finished = utcnow()
        with session_scope(self.url) as s:
            s.execute(
                update(PipelineRun)
                .where(PipelineRun.id == run_id)
                .values(status=status, message=message, snapshot=snapshot, finished_at=finished)
            )
        return finished


def _result(run: PipelineRun, stages: list[RunStage]) -> RunResult:
    return RunResult(
        run_id=run.id,
        status=run.status,
        stages=[
            StageResult(
                s.stage,
                s.dataset,
                s.rows_in,
                s.rows_out,
                s.rows_quarantined,
                s.seconds,
                s.status,
                list(s.events or []),
            )
            for s in stages
        ],
        snapshot=Path(run.snapshot) if run.snapshot else None,
        message=run.message,
        started_at=run.started_at,
        finished_at=run.finished_at,
        engine=run.engine,
        scale=run.scale,
    )


def runs(url: str, limit: int = 20, with_stages: bool = False) -> list[RunResult]:
    """The latest runs, newest first."""
    migrate(url)
    with session_scope(url) as s:
        found = list(
            s.scalars(select(PipelineRun).order_by(PipelineRun.started_at.desc()).limit(limit))
        )
        out = []
        for run in found:
            stages = (
                list(
                    s.scalars(
                        select(RunStage).where(RunStage.run_id == run.id).order_by(RunStage.id)
                    )
                )
                if with_stages
                else []
            )
            out.append(_result(run, stages))
        return out
