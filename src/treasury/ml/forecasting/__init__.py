"""Revenue forecasting: a generic series ensemble (:func:`forecast`), the revenue trajectory
model (:data:`MODEL`, name ``forecasting``), :func:`year_end_landing`, and
:func:`~treasury.ml.forecasting.publish.publish_forecast`, which serves a trained version's
forecast to the APBN dashboard (table ``mart_proyeksi_pendapatan``)."""

from __future__ import annotations

from typing import Any

from treasury.config import Settings
from treasury.ml.forecasting.ensemble import forecast, mase, seasonal_naive, smape
from treasury.ml.forecasting.revenue import MODEL, RevenueForecast


def year_end_landing(settings: Settings, year: int | None = None) -> dict[str, Any]:
    """The year-end revenue landing against the APBN target, total and by type.

    Uses the latest trained ``forecasting`` model of the registry when there is one, else fits
    one on the spot (a few seconds; no evaluation). Returns ``{"year", "as_of",
    "actual_to_date", "landing": {"mean", "lo_80", "hi_80", "lo_95", "hi_95"}, "target",
    "landing_to_target", "by_type": {kelompok: {...}}}`` in rupiah.
    """
    from treasury.ml import registry

    try:
        model = registry.load("forecasting", settings=settings)
    except registry.NotTrained:
        model = RevenueForecast().fit(settings)
    assert isinstance(model, RevenueForecast)
    return model.landing(year)


__all__ = [
    "MODEL",
    "RevenueForecast",
    "forecast",
    "mase",
    "seasonal_naive",
    "smape",
    "year_end_landing",
]
