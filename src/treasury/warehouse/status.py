"""What the pipeline did and what the lake holds: for the CLI, the web pages and operators."""

from __future__ import annotations

from typing import Any

from treasury.config import Settings, get_settings
from treasury.warehouse import lake
from treasury.warehouse.engines.duckdb import connect
from treasury.warehouse.runlog import RunResult, runs


def pipeline_history(limit: int = 20, settings: Settings | None = None) -> list[RunResult]:
    """The latest runs, newest first (without their stages).

    Examples
    --------
    >>> [r.status for r in pipeline_history(limit=3)]  # doctest: +SKIP
    ['succeeded', 'failed', 'succeeded']
    """
    settings = settings or get_settings()
    return runs(settings.app_database_url, limit=limit)


def pipeline_status(settings: Settings | None = None) -> RunResult | None:
    """The last run with its stages (rows in, loaded, quarantined per dataset) and, in
    ``quarantine``, the rows it quarantined by dataset, rule and column; None before any run.
    """
    settings = settings or get_settings()
    found = runs(settings.app_database_url, limit=1, with_stages=True)
    if not found:
        return None
    last = found[0]
    last.quarantine = quarantine_summary(settings, run_id=last.run_id)
    return last


def lake_tables(settings: Settings | None = None) -> list[lake.LakeTable]:
    """Every lake table (layer, dataset, version, rows, files)."""
    settings = settings or get_settings()
    return lake.tables(settings.lake)


def quarantine_summary(
    settings: Settings | None = None, run_id: str | None = None
) -> list[dict[str, Any]]:
    """Quarantined rows by dataset, rule and column (of one run, or all that are in the lake)."""
    settings = settings or get_settings()
    folder = settings.lake / "quarantine"
    if not folder.exists():
        return []
    out: list[dict[str, Any]] = []
    con = connect(settings)
    try:
        for path in sorted(p for p in folder.iterdir() if p.is_dir()):
            data = lake.read(path)
            if data is None:
                continue
            con.register("q", data)
            where = "WHERE _run_id = ?" if run_id else ""
            rows = con.execute(
                f'SELECT rule, "column", count(*) FROM q {where} GROUP BY ALL ORDER BY 3 DESC, 1',
                [run_id] if run_id else [],
            ).fetchall()
            con.unregister("q")
            out.extend(
                {"dataset": path.name, "rule": r, "column": c, "rows": n} for r, c, n in rows
            )
    finally:
        con.close()
    return out
