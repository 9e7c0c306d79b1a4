"""``treasury models train/list/evaluate`` on the tiny platform."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from treasury.cli import app
from treasury.config import Settings
from treasury.ml import registry

runner = CliRunner()


def test_train_list_evaluate(ml_settings: Settings, trained_platform: Path) -> None:
    before = registry.versions("cash_buffer", ml_settings)
    result = runner.invoke(app, ["models", "train", "cash_buffer"])
    assert result.exit_code == 0, result.output
    assert "cash_buffer" in result.output
    after = registry.versions("cash_buffer", ml_settings)
    assert after[-1] == before[-1] + 1
    assert (trained_platform / "models" / "cash_buffer" / str(after[-1]) / "card.json").is_file()

    listed = runner.invoke(app, ["models", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    cards = {card["name"]: card for card in json.loads(listed.stdout)}
    assert cards["cash_buffer"]["version"] == after[-1]
    assert cards["forecasting"]["evaluation"]["primary_metric"] == "mase"

    table = runner.invoke(app, ["models", "list"])
    assert table.exit_code == 0 and "forecasting" in table.output

    evaluated = runner.invoke(app, ["models", "evaluate", "forecasting"])
    assert evaluated.exit_code == 0, evaluated.output
    assert "seasonal naive" in evaluated.output
    assert "forecasting beats the baseline on mase" in evaluated.output


def test_errors_exit_2_with_what_to_do(ml_settings: Settings) -> None:
    unknown = runner.invoke(app, ["models", "train", "nope"])
    assert unknown.exit_code == 2
    assert "unknown model" in unknown.output
    neither = runner.invoke(app, ["models", "train"])
    assert neither.exit_code == 2 and "--all" in neither.output
    missing = runner.invoke(app, ["models", "evaluate", "nope"])
    assert missing.exit_code == 2


def test_evaluate_untrained_names_the_command(home: Path) -> None:
    result = runner.invoke(app, ["models", "evaluate", "cash_buffer"])
    assert result.exit_code == 2
    assert "treasury models train cash_buffer" in result.output
