"""``treasury models ...``: train, list and evaluate the models of :mod:`treasury.ml`."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
out = Console()


class ListFormat(StrEnum):
    """How ``treasury models list`` prints."""

    table = "table"
    json = "json"


def _fail(message: str, hint: str = "") -> typer.Exit:
    console.print(f"[bold red]Error:[/] {message}")
    if hint:
        console.print(f"[yellow]Next:[/] {hint}")
    return typer.Exit(code=2)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def train_command(
    name: Annotated[str | None, typer.Argument(help="the model to train")] = None,
    all_: Annotated[bool, typer.Option("--all", help="train every model")] = False,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
) -> None:
    """Train a model (or --all) on the synthetic data and store a new version in the registry."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from treasury.config import get_settings
    from treasury.ml import registry
    from treasury.ml.base import model_classes

    known = list(model_classes())
    if all_ == (name is not None):
        raise _fail("name one model or pass --all", f"models: {', '.join(known)}")
    names = known if all_ else [str(name)]
    if name is not None and name not in known:
        raise _fail(f"unknown model {name!r}", f"choose one of: {', '.join(known)}")
    settings = get_settings()
    rows = []
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("training", total=len(names))
        for model_name in names:
            progress.update(task, description=f"training {model_name}")
            try:
                card = registry.train(model_name, settings, seed=seed)
            except FileNotFoundError as error:
                raise _fail(
                    f"{model_name}: missing data ({error})",
                    "generate the sources and run the pipeline first: "
                    "`treasury generate` then `treasury pipeline run`",
                ) from None
            rows.append(card)
            if model_name == "forecasting":
                _publish(settings, card.version)
            progress.advance(task)
    table = Table(title="trained models")
    table.add_column("model", no_wrap=True)
    for column in ("version", "seconds", "metric", "model", "baseline", "beats"):
        table.add_column(column)
    for card in rows:
        ev = card.evaluation
        table.add_row(
            card.name,
            str(card.version),
            f"{card.training_seconds:.1f}",
            ev.primary_metric,
            _fmt(ev.metrics[ev.primary_metric]),
            _fmt(ev.baseline_metrics[ev.primary_metric]),
            "yes" if ev.beats_baseline else "no",
        )
    out.print(table)


def _publish(settings: Any, version: int | None) -> None:
    """Publish a forecasting version for the APBN dashboard and say what was done."""
    from treasury.ml.forecasting.publish import publish_forecast

    try:
        done = publish_forecast(settings, version)
    except FileNotFoundError as error:
        raise _fail(str(error), "run `treasury pipeline run` first") from None
    except TimeoutError as error:
        raise _fail(
            str(error), "try `treasury models publish-forecast` when the run is over"
        ) from None
    console.print(
        f"published forecasting version {done.version} ({done.rows} rows, data to "
        f"{done.as_of.isoformat()}) as dataset proyeksi-pendapatan-ml: /dashboards/apbn "
        f"projects revenue with it (snapshot {done.snapshot.name})"
    )


def publish_forecast_command(
    version: Annotated[int | None, typer.Option(help="version (default: latest)")] = None,
) -> None:
    """Publish a trained revenue forecast into the serving snapshot (the APBN dashboard's
    year-end projection); `models train forecasting` already does this for each new version."""
    from treasury.config import get_settings
    from treasury.ml import registry

    try:
        _publish(get_settings(), version)
    except registry.NotTrained as error:
        raise _fail(str(error), error.hint) from None


def list_command(
    format: Annotated[
        ListFormat, typer.Option("--format", help="table or json")
    ] = ListFormat.table,
) -> None:
    """List the trained models (latest version of each) with their headline metric."""
    from treasury.config import get_settings
    from treasury.ml import registry

    cards = registry.cards(get_settings())
    if format is ListFormat.json:
        out.print_json(json.dumps([c.to_dict() for c in cards], default=str))
        return
    if not cards:
        console.print("no trained models yet; run `treasury models train --all`")
    table = Table(title="models")
    table.add_column("model", no_wrap=True)
    for column in ("version", "title", "trained at", "metric", "model", "baseline"):
        table.add_column(column)
    for card in cards:
        ev = card.evaluation
        table.add_row(
            card.name,
            str(card.version),
            card.title,
            card.trained_at,
            ev.primary_metric,
            _fmt(ev.metrics[ev.primary_metric]),
            _fmt(ev.baseline_metrics[ev.primary_metric]),
        )
    out.print(table)


def evaluate_command(
    name: Annotated[str, typer.Argument(help="the model to evaluate")],
    version: Annotated[int | None, typer.Option(help="version (default: latest)")] = None,
) -> None:
    """Evaluate a trained model on its held-out data and print every metric beside the baseline."""
    from treasury.config import get_settings
    from treasury.ml import registry

    try:
        model = registry.load(name, version, get_settings())
    except registry.UnknownModel as error:
        raise _fail(str(error)) from None
    except registry.NotTrained as error:
        raise _fail(str(error), error.hint) from None
    ev = model.evaluate()
    table = Table(title=f"{name}: {ev.method} (baseline: {ev.baseline})")
    table.add_column("metric")
    table.add_column("model", justify="right")
    table.add_column("baseline", justify="right")
    for metric in sorted(set(ev.metrics) | set(ev.baseline_metrics)):
        mark = " *" if metric == ev.primary_metric else ""
        table.add_row(
            metric + mark,
            _fmt(ev.metrics.get(metric, "")),
            _fmt(ev.baseline_metrics.get(metric, "")),
        )
    out.print(table)
    verdict = "beats" if ev.beats_baseline else "does NOT beat"
    out.print(f"{name} {verdict} the baseline on {ev.primary_metric} ({ev.rows} held-out rows)")


def register(app: typer.Typer) -> None:
    """Add ``treasury models`` to the CLI."""
    models_app = typer.Typer(
        help="Machine-learning models: train, list, evaluate, publish the revenue forecast."
    )
    models_app.command("train")(train_command)
    models_app.command("list")(list_command)
    models_app.command("evaluate")(evaluate_command)
    models_app.command("publish-forecast")(publish_forecast_command)
    app.add_typer(models_app, name="models", no_args_is_help=True)
