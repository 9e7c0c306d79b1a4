"""Explanations the models share: contributions largest first, tree contributions, reasons.

``explain`` answers per case a dict ``{feature: contribution}`` ordered by magnitude; the risk
models (distress, SOE) also list the few features that raise the risk most, with a sentence in
Indonesian and English for each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def largest_first(
    contributions: Mapping[str, float], digits: int | None = None, most: int | None = None
) -> dict[str, float]:
    """``contributions`` ordered by magnitude, largest first: the first ``most`` of them, each
    rounded to ``digits`` (values kept as they are without ``digits``).

    Examples
    --------
    >>> largest_first({"a": 0.1, "b": -0.512345, "c": 0.3}, digits=2, most=2)
    {'b': -0.51, 'c': 0.3}
    """
    ranked = sorted(contributions.items(), key=lambda kv: -abs(kv[1]))[:most]
    if digits is None:
        return dict(ranked)
    return {name: round(float(value), digits) for name, value in ranked}


def tree_contributions(booster: Any, matrix: Any, names: Sequence[str]) -> list[dict[str, float]]:
    """Per row of ``matrix``, each feature's LightGBM ``pred_contrib`` (log-odds of the positive
    class) by name; the bias column is left out."""
    raw = np.asarray(booster.predict_proba(matrix, pred_contrib=True))
    return [dict(zip(names, row[:-1], strict=True)) for row in raw]


def reasons(
    contributions: Mapping[str, float],
    texts: Mapping[str, tuple[str, str]],
    *,
    digits: int,
    most: int,
    above: float = 0.05,
) -> list[dict[str, Any]]:
    """The (at most ``most``) features that raise the risk by more than ``above``, largest
    first: ``fitur``, ``kontribusi`` (rounded to ``digits``), ``alasan`` and ``reason`` (the
    feature's text in Indonesian and English from ``texts``)."""
    ranked = sorted(contributions.items(), key=lambda kv: -kv[1])
    return [
        {
            "fitur": name,
            "kontribusi": round(float(value), digits),
            "alasan": texts[name][0],
            "reason": texts[name][1],
        }
        for name, value in ranked
        if value > above
    ][:most]
