"""The one interface every model follows: train, evaluate, predict, explain; and its model card.

A model is a class with a ``name`` and four methods. Training data comes from the synthetic
sources (labels from documented mechanisms, never read back from the features); evaluation is
on data the model did not see, against a named baseline. A trained model is pickled into the
registry (:mod:`treasury.ml.registry`) with its :class:`ModelCard`.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from treasury.config import Settings


class InputError(ValueError):
    """Bad input to ``predict``: ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{key}: {message}" for key, message in problems.items()))


@dataclass
class Evaluation:
    """How a model did on held-out data, beside its named baseline on the same data."""

    method: str  # e.g. "hold-out: years 2024-2025" or "rolling origin, 6 folds"
    metrics: dict[str, float]
    baseline: str  # the baseline's name, e.g. "seasonal naive", "logistic scorecard"
    baseline_metrics: dict[str, float]
    primary_metric: str  # the metric that decides, present in both dicts
    higher_is_better: bool
    rows: int = 0  # held-out rows (or series x horizons)
    extra: dict[str, Any] = field(default_factory=dict)  # curves, confusion matrices, ...

    @property
    def beats_baseline(self) -> bool:
        """Whether the model is better than the baseline on the primary metric."""
        model = self.metrics[self.primary_metric]
        base = self.baseline_metrics[self.primary_metric]
        return model > base if self.higher_is_better else model < base


@dataclass
class ModelCard:
    """What a trained model is, what it saw and how well it did (shown on its page)."""

    name: str
    version: int
    title: str
    trained_at: str
    data_version: str  # e.g. "synthetic seed 7, scale small, as of 2026-11-23" or a lake version
    features: list[str]
    training_seconds: float
    evaluation: Evaluation
    description: str = ""
    labels: str = ""  # how the ground truth was generated

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (with ``beats_baseline``)."""
        out = asdict(self)
        out["evaluation"]["beats_baseline"] = self.evaluation.beats_baseline
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        """The card back from :meth:`to_dict` (``card.json`` in the registry)."""
        evaluation = dict(data["evaluation"])
        evaluation.pop("beats_baseline", None)
        known = set(cls.__dataclass_fields__)
        fields = {k: v for k, v in data.items() if k in known and k != "evaluation"}
        return cls(**fields, evaluation=Evaluation(**evaluation))


class Model(abc.ABC):
    """Base class of every model in ``treasury.ml``.

    Subclasses set the class attributes and implement the four methods. ``train`` returns the
    fitted model itself (it may keep the held-out data for ``evaluate``); ``predict`` and
    ``explain`` take plain dicts (one per case, as the API and the forms send them), validate
    them (raising :class:`InputError` with a message per field) and return plain dicts.
    """

    name: ClassVar[str]  # registry key and URL part: /ml/{name}, /api/v1/models/{name}/predict
    title: ClassVar[dict[str, str]]  # {"id": ..., "en": ...}
    description: ClassVar[dict[str, str]] = {"id": "", "en": ""}
    features: list[str]
    data_version: str = ""
    labels: ClassVar[str] = ""  # how the ground-truth labels are generated (model card)
    #: Optional page of its own under ``/ml/{name}`` (a template name such as
    #: ``"ml/risk/distress.html"``); None: the generic ``ml/model.html`` page.
    page_template: ClassVar[str | None] = None
    #: Optional case field holding a region code (``kode_provinsi``, ``kode_kabkota``,
    #: ``kode_kppn`` or ``kode_pemda``): a scoped user may only ask about regions of its scope.
    region_field: ClassVar[str | None] = None

    @abc.abstractmethod
    def train(self, settings: Settings, seed: int = 7) -> Model:
        """Build training data from the synthetic sources (or the marts) and fit."""

    @abc.abstractmethod
    def evaluate(self) -> Evaluation:
        """Score the fitted model and its baseline on held-out data."""

    @abc.abstractmethod
    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One result per case (a probability, a class, a forecast, a score...)."""

    @abc.abstractmethod
    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """Per case, each feature's contribution to the prediction (``pred_contrib`` for trees,
        coefficient x value for linear models), largest first."""

    def example(self) -> dict[str, Any]:
        """A valid input case (for the page's form and the API docs)."""
        return {}

    def page_context(self, params: dict[str, str]) -> dict[str, Any]:
        """Extra template context for ``page_template`` from the page's query parameters."""
        return {}

    def card(self, version: int, training_seconds: float) -> ModelCard:
        """The model card of this fitted model."""
        return ModelCard(
            name=self.name,
            version=version,
            title=self.title["id"],
            trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            data_version=self.data_version,
            features=list(self.features),
            training_seconds=round(training_seconds, 3),
            evaluation=self.evaluate(),
            description=self.description.get("en", ""),
            labels=self.labels,
        )


#: The modules holding the models, each exposing ``MODEL`` (a :class:`Model` subclass).
MODEL_MODULES: tuple[str, ...] = (
    "forecasting",
    "cash_buffer",
    "priority",
    "distress",
    "soe",
    "fraud",
    "anomaly",
)


def model_classes() -> dict[str, type[Model]]:
    """The model classes by name (modules not written yet, or without ``MODEL`` yet, are skipped)."""
    import importlib

    out: dict[str, type[Model]] = {}
    for module_name in MODEL_MODULES:
        try:
            module = importlib.import_module(f"treasury.ml.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"treasury.ml.{module_name}":
                raise
            continue
        model: type[Model] | None = getattr(module, "MODEL", None)
        if model is None:  # a module still being written
            continue
        out[model.name] = model
    return out
