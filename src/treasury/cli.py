"""The ``treasury`` command line: generate sources, run the pipeline, query, serve."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from treasury.config import Settings, get_settings
from treasury.i18n import format_number, format_rupiah

app = typer.Typer(
    name="treasury",
    help="Treasury Big Data: source systems -> lakehouse -> open data, dashboards, ML.",
    no_args_is_help=True,
    add_completion=False,
)
pipeline_app = typer.Typer(help="Run and watch the data pipeline.", no_args_is_help=True)
datasets_app = typer.Typer(
    help="Datasets in the lake and the serving snapshot.", no_args_is_help=True
)
app.add_typer(pipeline_app, name="pipeline")
app.add_typer(datasets_app, name="datasets")
users_app = typer.Typer(help="Users of the platform.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

console = Console(stderr=True)
out = Console()

SCALES = ("tiny", "small", "medium", "large")


class OutputFormat(StrEnum):
    """How ``treasury query`` prints its result."""

    table = "table"
    csv = "csv"
    json = "json"


class EngineName(StrEnum):
    """Mart engines."""

    duckdb = "duckdb"
    spark = "spark"


def fail(message: str, hint: str = "") -> typer.Exit:
    """Print a user-facing error (and what to do next) and return the exit to raise."""
    console.print(f"[bold red]Error:[/] {message}")
    if hint:
        console.print(f"[yellow]Next:[/] {hint}")
    return typer.Exit(code=2)


def _settings(
    scale: str | None = None, seed: int | None = None, as_of: str | None = None
) -> Settings:
    settings = get_settings()
    updates: dict[str, Any] = {}
    if scale is not None:
        if scale not in SCALES:
            raise fail(f"unknown scale {scale!r}", f"choose one of: {', '.join(SCALES)}")
        updates["scale"] = scale
    if seed is not None:
        updates["seed"] = seed
    if as_of is not None:
        try:
            updates["as_of"] = dt.date.fromisoformat(as_of)
        except ValueError:
            raise fail(f"--as-of {as_of!r} is not a date", "write it as YYYY-MM-DD") from None
    return settings.model_copy(update=updates) if updates else settings


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(stage, done, total)`` callback drawing one Rich bar per stage."""
    with Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=max(total, 1))
            bars.update(tasks[stage], completed=done, total=max(total, 1))

        yield update


# --------------------------------------------------------------------------- generate / pipeline


@app.command()
def generate(
    scale: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "small",
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic sources.")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="As-of date YYYY-MM-DD (default today).")
    ] = None,
) -> None:
    """Write the synthetic source systems' extracts into the landing zone."""
    from treasury.sources.generate import generate as generate_sources

    settings = _settings(scale, seed, as_of)
    with progress_bars() as progress:
        written = generate_sources(
            settings.landing,
            scale=settings.scale,
            seed=settings.seed,
            as_of=settings.as_of_date(),
            progress=progress,
        )
    files = sum(len(paths) for paths in written.values())
    console.print(f"Wrote {files} extract files for {len(written)} datasets to {settings.landing}")


@pipeline_app.command("run")
def pipeline_run(
    engine: Annotated[EngineName, typer.Option(help="Mart engine.")] = EngineName.duckdb,
) -> None:
    """Validate, cleanse and conform the landing extracts, build the marts and the snapshot."""
    from treasury.warehouse.pipeline import run_pipeline

    settings = get_settings()
    if not settings.landing.exists():
        raise fail(f"no landing zone at {settings.landing}", "run `treasury generate` first")
    with progress_bars() as progress:
        result = run_pipeline(settings, engine=engine.value, progress=progress)
    _print_run(result)
    if result.status != "succeeded":
        raise typer.Exit(code=1)


def _print_run(result: Any) -> None:
    table = Table(title=f"Run {result.run_id}: {result.status}")
    for column in ("stage", "dataset", "rows in", "rows out", "quarantined", "seconds", "status"):
        table.add_column(
            column, justify="right" if column.startswith(("rows", "q", "sec")) else "left"
        )
    for stage in result.stages:
        table.add_row(
            stage.stage,
            stage.dataset or "",
            format_number(stage.rows_in),
            format_number(stage.rows_out),
            format_number(stage.rows_quarantined),
            f"{stage.seconds:.2f}",
            stage.status,
        )
    out.print(table)
    if getattr(result, "message", None):
        console.print(result.message)


@pipeline_app.command("status")
def pipeline_status_command() -> None:
    """Show the last run: rows loaded and quarantined per dataset, with reasons."""
    from treasury.warehouse.pipeline import pipeline_status

    status = pipeline_status(get_settings())
    if status is None:
        raise fail(
            "the pipeline has not run yet", "run `treasury pipeline run` (or `treasury demo`)"
        )
    _print_run(status)
    quarantine = getattr(status, "quarantine", None) or []
    if quarantine:
        table = Table(title="Quarantine (rejected rows, by rule)")
        for column in ("dataset", "rule", "column", "rows"):
            table.add_column(column)
        for row in quarantine:
            table.add_row(
                row["dataset"], row["rule"], row.get("column") or "", format_number(row["rows"])
            )
        out.print(table)


@pipeline_app.command("history")
def pipeline_history_command(limit: Annotated[int, typer.Option(min=1)] = 20) -> None:
    """List past runs, newest first."""
    from treasury.warehouse.pipeline import pipeline_history

    table = Table(title="Pipeline runs")
    for column in ("run", "started", "finished", "status", "engine", "message"):
        table.add_column(column)
    for run in pipeline_history(limit=limit, settings=get_settings()):
        table.add_row(
            str(run.run_id),
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "",
            run.status,
            run.engine,
            run.message or "",
        )
    out.print(table)


# --------------------------------------------------------------------------- query / datasets


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SELECT over the serving snapshot.")],
    output: Annotated[OutputFormat, typer.Option("--format", help="table | csv | json")] = (
        OutputFormat.table
    ),
    limit: Annotated[int, typer.Option(min=1, help="Row cap.")] = 10_000,
) -> None:
    """Run read-only SQL over the serving snapshot (the marts)."""
    from treasury.warehouse.query import QueryError, run_query

    try:
        result = run_query(sql, limit=limit, settings=get_settings())
    except QueryError as error:
        raise fail(str(error), "only a single SELECT over the marts is allowed") from None
    rows = result.to_pylist()
    if output is OutputFormat.json:
        out.print_json(json.dumps(rows, default=_json_value))
    elif output is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(result.column_names)
        writer.writerows([row[name] for name in result.column_names] for row in rows)
    else:
        table = Table()
        for name in result.column_names:
            table.add_column(name)
        for row in rows:
            table.add_row(*(_cell(row[name]) for name in result.column_names))
        out.print(table)


def _json_value(value: Any) -> Any:
    """JSON for what the json module does not know: exact decimals as numbers, dates as ISO."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_number(value, 2)
    return str(value)


@datasets_app.command("list")
def datasets_list() -> None:
    """List the lake tables and marts with their rows and versions."""
    from treasury.warehouse.pipeline import lake_tables

    table = Table(title="Datasets")
    for column in ("layer", "dataset", "rows", "version"):
        table.add_column(column, justify="right" if column in ("rows", "version") else "left")
    tables = lake_tables(get_settings())
    if not tables:
        raise fail("the lake is empty", "run `treasury demo` or `treasury pipeline run`")
    for entry in tables:
        table.add_row(entry.layer, entry.dataset, format_number(entry.rows), str(entry.version))
    out.print(table)


# --------------------------------------------------------------------------- users / tokens


@contextmanager
def app_session(settings: Settings) -> Iterator[Any]:
    """A session on the migrated app database."""
    from treasury.db import migrate
    from treasury.db.session import session_scope

    migrate(settings.app_database_url)
    with session_scope(settings.app_database_url) as session:
        yield session


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin | steward | analyst | external")],
    org: Annotated[
        str | None, typer.Option(help="Organisation: kanwil:15, kppn:086 or a directorate code.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user; the password comes from standard input, never from the command line."""
    from treasury.access import AccessError, add_user

    if not password_stdin:
        raise fail(
            "a password is required",
            "pipe it in: echo ... | treasury users add NAME --role ROLE --password-stdin",
        )
    password = sys.stdin.readline().rstrip("\r\n")
    with app_session(get_settings()) as session:
        try:
            user = add_user(session, name, role, org, password=password)
        except AccessError as error:
            raise fail(str(error)) from None
        console.print(f"Added user [bold]{user.name}[/] ({user.role})")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option(help="The user the token acts for.")],
    datasets: Annotated[
        list[str] | None, typer.Option(help="Dataset slugs the token may read (default all).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until it expires.")] = 90,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    from treasury.access import AccessError, create_token

    with app_session(get_settings()) as session:
        try:
            plain, row = create_token(session, user, datasets=datasets or None, days=days)
        except AccessError as error:
            raise fail(str(error), "create the user first: treasury users add") from None
        console.print(f"Token for {user}, expires {row.expires_at:%Y-%m-%d} (shown only now):")
        out.print(plain)


# --------------------------------------------------------------------------- demo / serve


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "small",
    serve: Annotated[bool, typer.Option(help="Serve the web app when done.")] = True,
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic sources.")] = None,
    as_of: Annotated[str | None, typer.Option(help="As-of date YYYY-MM-DD.")] = None,
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
) -> None:
    """Generate the sources, run the pipeline, build the snapshot and serve the web app."""
    from treasury.sources.generate import generate as generate_sources
    from treasury.warehouse.pipeline import run_pipeline
    from treasury.warehouse.query import run_query

    settings = _settings(scale, seed, as_of)
    console.rule(f"Treasury Big Data demo — scale {settings.scale}, home {settings.home}")
    with progress_bars() as progress:
        generate_sources(
            settings.landing,
            scale=settings.scale,
            seed=settings.seed,
            as_of=settings.as_of_date(),
            progress=progress,
        )
        result = run_pipeline(settings, engine=settings.engine, progress=progress)
    _print_run(result)
    if result.status != "succeeded":
        raise fail("the pipeline failed", "see `treasury pipeline status` for the reason")
    summary = run_query(
        "select tahun, pos, sum(realisasi) as realisasi from mart_apbn_bulanan "
        "group by 1, 2 order by 1, 2",
        settings=settings,
    ).to_pylist()
    table = Table(title="APBN realisasi per tahun")
    for column in ("tahun", "pendapatan", "belanja", "pembiayaan"):
        table.add_column(column, justify="right")
    by_year: dict[int, dict[str, Any]] = {}
    for row in summary:
        by_year.setdefault(row["tahun"], {})[row["pos"]] = row["realisasi"]
    for year, values in sorted(by_year.items()):
        table.add_row(
            str(year),
            *(format_rupiah(values.get(p)) for p in ("pendapatan", "belanja", "pembiayaan")),
        )
    out.print(table)
    _seed_demo_logins(settings)
    console.print(
        "Next: `treasury models train --all` fills the ML pages (/ml, /dashboards/alco) and "
        "publishes the revenue forecast that /dashboards/apbn projects with."
    )
    if serve:
        _serve(settings, host="127.0.0.1", port=port, workers=1)


def _seed_demo_logins(settings: Settings) -> None:
    from treasury.access import seed_demo_users

    with app_session(settings) as session:
        logins = seed_demo_users(session)
    table = Table(title="Demo logins (demo only: change or remove them in production)")
    for column in ("user", "role", "organisation", "password"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.name, login.role, login.org or "", login.password)
    out.print(table)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the web app (portal and APIs) over the current snapshot."""
    _serve(get_settings(), host=host, port=port, workers=workers)


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from treasury.warehouse.serving import current_snapshot

    if current_snapshot(settings) is None:
        raise fail("there is no serving snapshot yet", "run `treasury demo --no-serve` first")
    if workers > 1:
        _metrics_folder(settings)
    console.print(f"Serving on http://{host}:{port} with {workers} worker(s)  (Ctrl+C to stop)")
    uvicorn.run(
        "treasury.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_keep_alive=settings.keep_alive_seconds,
    )


def _metrics_folder(settings: Settings) -> None:
    """Point prometheus-client's multiprocess mode at an emptied folder (all workers share it)."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.home / "prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)  # samples of an earlier server
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder.resolve())


# --------------------------------------------------------------------------- stream

stream_app = typer.Typer(
    help="Streaming ingestion: SP2D and MPN events through NATS JetStream.", no_args_is_help=True
)
app.add_typer(stream_app, name="stream")
NatsUrl = Annotated[str, typer.Option(help="NATS server URL.")]
StreamName = Annotated[str, typer.Option(help="JetStream stream (created if missing).")]
SubjectPrefix = Annotated[str, typer.Option(help="Subject prefix: <prefix>.sp2d, <prefix>.mpn.")]


def _day(value: str | None, option: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise fail(f"{option} {value!r} is not a date", "write it as YYYY-MM-DD") from None


@stream_app.command("publish")
def stream_publish(
    day: Annotated[
        str | None, typer.Option(help="Day YYYY-MM-DD (default the as-of date).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Last day YYYY-MM-DD (default --day).")] = None,
    scale: Annotated[str, typer.Option(help="tiny | small | medium | large")] = "tiny",
    seed: Annotated[int | None, typer.Option(help="Seed of the synthetic sources.")] = None,
    rate: Annotated[float, typer.Option(min=0, help="Events per second (0: no pause).")] = 0.0,
    url: NatsUrl = "nats://127.0.0.1:4222",
    stream: StreamName = "TREASURY",
    prefix: SubjectPrefix = "treasury",
) -> None:
    """Publish a day's synthetic SP2D lines and MPN receipts as events."""
    import asyncio

    from treasury.sources.stream import SourceUnavailable, StreamConfig, publish_days

    settings = _settings(scale, seed)
    first = _day(day, "--day") or settings.as_of_date()
    config = StreamConfig(url=url, stream=stream, prefix=prefix)
    try:
        found, stored = asyncio.run(
            publish_days(config, first, _day(until, "--until"), settings.scale, settings.seed, rate)
        )
    except SourceUnavailable as exc:
        raise fail(str(exc), "start nats-server with JetStream (nats-server -js)") from None
    console.print(f"Published {found} events to {stream} ({stored} new, {found - stored} repeats)")


@stream_app.command("consume")
def stream_consume(
    url: NatsUrl = "nats://127.0.0.1:4222",
    stream: StreamName = "TREASURY",
    prefix: SubjectPrefix = "treasury",
    durable: Annotated[str, typer.Option(help="Durable consumer name.")] = "treasury-lake",
    batch_size: Annotated[int, typer.Option(min=1, help="Events per micro-batch (at most).")] = 500,
    max_wait: Annotated[float, typer.Option(min=0.05, help="Seconds a micro-batch waits.")] = 1.0,
    idle_exit: Annotated[
        float | None, typer.Option(help="Stop after this many seconds without events.")
    ] = None,
) -> None:
    """Consume events into the lake's stream tables (Ctrl+C to stop)."""
    import asyncio

    from treasury.sources.stream import NatsSource, SourceUnavailable, StreamConfig
    from treasury.warehouse.streaming import BatchOutcome, consume

    def report(o: BatchOutcome) -> None:
        console.print(
            f"{o.batch}: {o.received} events, {sum(o.committed.values())} committed, "
            f"{sum(o.quarantined.values())} quarantined, {o.duplicates} repeats "
            f"({o.seconds * 1000:.0f} ms)"
        )

    source = NatsSource(StreamConfig(url=url, stream=stream, prefix=prefix, durable=durable))
    try:
        stats = asyncio.run(
            consume(get_settings(), source, batch_size, max_wait, idle_exit, report)
        )
    except SourceUnavailable as exc:
        raise fail(str(exc), "start nats-server with JetStream (nats-server -js)") from None
    except KeyboardInterrupt:
        raise typer.Exit(code=0) from None
    console.print(
        f"Done: {stats.received} events, {stats.committed} committed, "
        f"{stats.quarantined} quarantined, {stats.duplicates} repeats dropped"
    )


@stream_app.command("today")
def stream_today(
    day: Annotated[
        str | None, typer.Option(help="Day YYYY-MM-DD (default the as-of date).")
    ] = None,
) -> None:
    """Print a day's committed stream figures (count and sum by hour)."""
    from treasury.warehouse.streaming import today_figures

    figures = today_figures(get_settings(), _day(day, "--day"))
    table = Table(title=f"Stream figures of {figures['day']}")
    for column in ("dataset", "hour", "count", "sum"):
        table.add_column(column, justify="left" if column == "dataset" else "right")
    for name, data in figures["datasets"].items():
        for h in data["hours"]:
            table.add_row(
                name, f"{h['hour']:02d}", format_number(h["count"]), format_rupiah(h["sum"])
            )
        table.add_row(name, "total", format_number(data["count"]), format_rupiah(data["sum"]))
    out.print(table)


# --------------------------------------------------------------------------- backup / restore


@app.command()
def backup(
    dest: Annotated[str, typer.Argument(help="An empty or new folder for the backup.")],
) -> None:
    """Back up the lake (committed Delta versions), the serving snapshot and the app database."""
    from pathlib import Path

    from treasury.warehouse.backup import BackupError
    from treasury.warehouse.backup import backup as run_backup

    try:
        with progress_bars() as progress:
            manifest = run_backup(get_settings(), Path(dest), progress=progress)
    except BackupError as error:
        raise fail(str(error)) from None
    rows = sum(manifest.tables.values())
    console.print(
        f"Backed up {manifest.lake_files} lake files, snapshot {manifest.snapshot} and "
        f"{format_number(rows)} rows of {len(manifest.tables)} tables to {dest}"
    )


@app.command()
def restore(
    src: Annotated[str, typer.Argument(help="A folder written by `treasury backup`.")],
) -> None:
    """Restore a backup into an empty TREASURY_HOME and an empty app database."""
    from pathlib import Path

    from treasury.warehouse.backup import BackupError
    from treasury.warehouse.backup import restore as run_restore

    try:
        with progress_bars() as progress:
            manifest = run_restore(get_settings(), Path(src), progress=progress)
    except BackupError as error:
        raise fail(str(error), "restore into a new TREASURY_HOME and an empty database") from None
    console.print(
        f"Restored the backup of {manifest.created_at} (snapshot {manifest.snapshot}) "
        f"into {get_settings().home}"
    )


#: Products that add commands: ``treasury.<product>.commands.register(app)`` (heavy imports stay
#: inside the commands so that ``treasury --help`` stays fast).
COMMAND_PRODUCTS = ("dashboards", "ml", "simulation", "assistant")
for _product in COMMAND_PRODUCTS:
    try:
        _commands = importlib.import_module(f"treasury.{_product}.commands")
    except ModuleNotFoundError as error:
        if error.name != f"treasury.{_product}.commands":
            raise
        continue
    _commands.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
