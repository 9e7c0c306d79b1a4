"""Publish the revenue forecast into the serving snapshot for the dashboards.

Products may not import each other, so the APBN dashboard cannot call the model. Instead each
trained version's monthly forecast is published as the warehouse table
``mart_proyeksi_pendapatan`` (catalog dataset ``proyeksi-pendapatan-ml``, public like the APBN
marts) through :func:`treasury.warehouse.published.publish_table`; the dashboard reads it
through the Reader like any mart. ``treasury models train forecasting`` (and ``--all``)
publishes the new version; ``treasury models publish-forecast [--version N]`` publishes a
stored one again. Later pipeline runs keep serving the last published forecast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from treasury.config import Settings
from treasury.ml.forecasting.revenue import KEYS, SERIES, RevenueForecast

TABLE = "mart_proyeksi_pendapatan"
#: Model keys -> published column names.
COLUMNS = {
    "mean": "proyeksi",
    "lo_80": "bawah_80",
    "hi_80": "atas_80",
    "lo_95": "bawah_95",
    "hi_95": "atas_95",
}


@dataclass(frozen=True)
class PublishedForecast:
    """What a publish did: the model version, rows written, lake version and new snapshot."""

    version: int
    rows: int
    lake_version: int
    snapshot: Path
    as_of: dt.date


def forecast_table(model: RevenueForecast, version: int, trained_at: str) -> pa.Table:
    """The published rows of a fitted model: one per forecast month and series (total and the
    three types), mean and 80/95% bounds in whole rupiah.

    Examples
    --------
    >>> forecast_table(model, 3, "2026-12-04T21:00:00+00:00").num_rows  # doctest: +SKIP
    96
    """
    trained = dt.datetime.fromisoformat(trained_at).astimezone(dt.UTC).replace(tzinfo=None)
    rows = []
    for i, period in enumerate(model.periods):
        for kind in SERIES:
            fc = model.forecasts[kind]
            row = {"tahun": period.year, "bulan": period.month, "kelompok": kind}
            row.update({COLUMNS[k]: round(float(fc[k][i])) for k in KEYS})
            row.update(versi_model=version, dilatih_pada=trained, data_sampai=model.last_day)
            rows.append(row)
    return pa.Table.from_pylist(rows)


def publish_forecast(settings: Settings, version: int | None = None) -> PublishedForecast:
    """Publish a trained ``forecasting`` version (default: the latest) into the snapshot.

    Raises
    ------
    treasury.ml.registry.NotTrained
        No such trained version.
    FileNotFoundError
        No serving snapshot yet.
    """
    from treasury.ml import registry
    from treasury.warehouse.published import publish_table

    model = registry.load("forecasting", version, settings)
    card = registry.card("forecasting", version, settings)
    assert isinstance(model, RevenueForecast)
    table = forecast_table(model, card.version, card.trained_at)
    lake_version, snapshot = publish_table(settings, TABLE, table)
    return PublishedForecast(card.version, table.num_rows, lake_version, snapshot, model.last_day)
