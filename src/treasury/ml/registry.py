"""The model registry: trained models, versioned on disk with their model cards.

Layout: ``$TREASURY_HOME/models/<name>/<version>/model.pkl`` (the pickled fitted
:class:`~treasury.ml.base.Model`) and ``card.json`` (:meth:`ModelCard.to_dict`). Versions are
1, 2, 3... per model; a new version's folder is claimed with an atomic ``mkdir`` so two trainers
never write the same version, and ``card.json`` is written last (a version without it is still
being written and is ignored).
"""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

from treasury.config import Settings, get_settings
from treasury.ml.base import Model, ModelCard, model_classes

CARD = "card.json"
PICKLE = "model.pkl"


class UnknownModel(LookupError):
    """No model of that name exists in ``treasury.ml``."""

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(sorted(model_classes())) or "none"
        super().__init__(f"unknown model {name!r}; known models: {known}")


class NotTrained(LookupError):
    """The model exists but has no trained version (or not the one asked for)."""

    def __init__(self, name: str, version: int | None = None) -> None:
        self.name = name
        self.version = version
        which = f"version {version} of " if version is not None else ""
        super().__init__(f"{which}model {name!r} is not trained")

    @property
    def hint(self) -> str:
        """What to do about it."""
        return f"run `treasury models train {self.name}`"


def models_dir(settings: Settings | None = None) -> Path:
    """Where trained models live: ``$TREASURY_HOME/models``."""
    return (settings or get_settings()).home / "models"


def versions(name: str, settings: Settings | None = None) -> list[int]:
    """The complete versions of a model, oldest first."""
    folder = models_dir(settings) / name
    if not folder.is_dir():
        return []
    return sorted(
        int(child.name)
        for child in folder.iterdir()
        if child.name.isdigit() and (child / CARD).is_file() and (child / PICKLE).is_file()
    )


def _claim_version(name: str, settings: Settings | None) -> tuple[int, Path]:
    folder = models_dir(settings) / name
    folder.mkdir(parents=True, exist_ok=True)
    taken = [int(c.name) for c in folder.iterdir() if c.name.isdigit()]
    version = max(taken, default=0) + 1
    while True:
        target = folder / str(version)
        try:
            target.mkdir()
        except FileExistsError:
            version += 1
            continue
        return version, target


def model_class(name: str) -> type[Model]:
    """The class of a model by name (:class:`UnknownModel` if there is none)."""
    classes = model_classes()
    if name not in classes:
        raise UnknownModel(name)
    return classes[name]


def save(model: Model, training_seconds: float, settings: Settings | None = None) -> ModelCard:
    """Store a fitted model as the next version and return its card."""
    version, target = _claim_version(model.name, settings)
    card = model.card(version, training_seconds)
    with (target / PICKLE).open("wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = target / f"{CARD}.tmp"
    tmp.write_text(json.dumps(card.to_dict(), indent=2, ensure_ascii=False, default=str))
    tmp.replace(target / CARD)
    return card


def train(name: str, settings: Settings | None = None, seed: int = 7) -> ModelCard:
    """Train a model from the synthetic data (timed), store it as a new version, return its card."""
    settings = settings or get_settings()
    model = model_class(name)()
    started = time.perf_counter()
    model.train(settings, seed=seed)
    seconds = time.perf_counter() - started
    return save(model, seconds, settings)


def _version_dir(name: str, version: int | None, settings: Settings | None) -> Path:
    available = versions(name, settings)
    if not available or (version is not None and version not in available):
        model_class(name)  # UnknownModel first: a typo is not "not trained"
        raise NotTrained(name, version)
    return models_dir(settings) / name / str(version if version is not None else available[-1])


_CACHE: dict[Path, tuple[float, Model]] = {}
_CACHE_LOCK = threading.Lock()


def load(name: str, version: int | None = None, settings: Settings | None = None) -> Model:
    """A trained model (the latest version unless one is named); cached per file."""
    path = _version_dir(name, version, settings) / PICKLE
    stamp = path.stat().st_mtime
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    with path.open("rb") as handle:
        model: Model = pickle.load(handle)
    with _CACHE_LOCK:
        _CACHE[path] = (stamp, model)
    return model


def card(name: str, version: int | None = None, settings: Settings | None = None) -> ModelCard:
    """The card of a trained model (the latest version unless one is named)."""
    path = _version_dir(name, version, settings) / CARD
    return ModelCard.from_dict(json.loads(path.read_text()))


def cards(settings: Settings | None = None) -> list[ModelCard]:
    """The latest card of every trained model, in the order of ``MODEL_MODULES``."""
    out = []
    for name in model_classes():
        if versions(name, settings):
            out.append(card(name, settings=settings))
    return out
