"""The registry: versions, pickles and cards round trip; unknown and untrained models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from treasury.config import Settings, get_settings
from treasury.ml import registry
from treasury.ml.base import Evaluation, InputError, Model, ModelCard


class Doubler(Model):
    """A tiny model: y = factor * x, with a trained factor."""

    name: ClassVar[str] = "doubler"
    title: ClassVar[dict[str, str]] = {"id": "Pengganda", "en": "Doubler"}
    features = ["x"]  # noqa: RUF012

    def train(self, settings: Settings, seed: int = 7) -> Doubler:
        self.factor = 2.0 + seed / 100
        self.data_version = f"seed {seed}"
        return self

    def evaluate(self) -> Evaluation:
        return Evaluation(
            method="hold-out",
            metrics={"mae": 0.5},
            baseline="zero",
            baseline_metrics={"mae": 3.0},
            primary_metric="mae",
            higher_is_better=False,
            rows=10,
        )

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for case in cases:
            if not isinstance(case.get("x"), int | float):
                raise InputError({"x": "must be a number"})
        return [{"y": self.factor * case["x"]} for case in cases]

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        return [{"x": self.factor * case["x"]} for case in cases]


@pytest.fixture
def doubler(home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(registry, "model_classes", lambda: {"doubler": Doubler})
    return get_settings()


def test_train_save_load_round_trip(doubler: Settings) -> None:
    first = registry.train("doubler", doubler, seed=7)
    second = registry.train("doubler", doubler, seed=50)
    assert (first.version, second.version) == (1, 2)
    assert registry.versions("doubler", doubler) == [1, 2]
    folder = doubler.home / "models" / "doubler" / "2"
    assert (folder / "model.pkl").is_file()
    stored = json.loads((folder / "card.json").read_text())
    assert stored["evaluation"]["beats_baseline"] is True
    assert stored["data_version"] == "seed 50"
    assert ModelCard.from_dict(stored) == second
    latest = registry.load("doubler", settings=doubler)
    assert latest.predict([{"x": 10}]) == [{"y": pytest.approx(25.0)}]
    assert registry.load("doubler", 1, settings=doubler).predict([{"x": 10}])[0]["y"] == 20.7
    assert registry.load("doubler", settings=doubler) is latest  # cached per file
    assert [c.version for c in registry.cards(doubler)] == [2]
    assert registry.card("doubler", 1, doubler).training_seconds >= 0


def test_unfinished_version_is_ignored(doubler: Settings) -> None:
    registry.train("doubler", doubler)
    (doubler.home / "models" / "doubler" / "2").mkdir()  # a trainer still writing
    assert registry.versions("doubler", doubler) == [1]
    assert registry.train("doubler", doubler).version == 3


def test_unknown_and_untrained(doubler: Settings) -> None:
    with pytest.raises(registry.UnknownModel, match="known models: doubler"):
        registry.load("nope", settings=doubler)
    with pytest.raises(registry.NotTrained) as info:
        registry.load("doubler", settings=doubler)
    assert info.value.hint == "run `treasury models train doubler`"
    registry.train("doubler", doubler)
    with pytest.raises(registry.NotTrained, match="version 5"):
        registry.load("doubler", 5, settings=doubler)
    assert registry.cards(doubler)[0].name == "doubler"


def test_real_model_classes_include_the_core_models() -> None:
    from treasury.ml.base import model_classes

    classes = model_classes()
    assert {"forecasting", "cash_buffer"} <= set(classes)
    assert all(cls.name == name for name, cls in classes.items())
