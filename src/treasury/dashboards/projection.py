"""Year-end projections (labelled "proyeksi" on every page): seasonal, or the ML model's.

:func:`project_year_end` is the seasonal method: in each earlier year the cumulative value at
month ``m`` is a share of the year's total; the mean of those shares is the seasonal norm
``s(m)``. The year total is projected as ``ytd(m) / s(m)`` and the remaining months follow the
norm: ``cum(k) = total * s(k)``.

:func:`project_with_forecast` uses a published model forecast (the ML revenue model's monthly
mean and 80% bounds, dataset ``proyeksi-pendapatan-ml``) the way the model's own year-end
landing does: months with data keep their values, except that the last one, usually partial,
counts as at least its forecast; later months add the forecast. Bounds are summed over months
(errors taken as fully correlated, as the model does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

SEASONAL = "musiman"
MODEL = "model"


@dataclass(frozen=True)
class Projection:
    """Projected cumulative values by month (after the last actual month) and the year total.

    ``method`` is :data:`SEASONAL` or :data:`MODEL`; a model projection also carries its
    cumulative 80% band by month, the model version, when it was trained and its data date.
    """

    last_month: int
    total: float
    cumulative: dict[int, float]
    norm: dict[int, float]
    method: str = SEASONAL
    band: dict[int, tuple[float, float]] = field(default_factory=dict)
    model_version: int | None = None
    trained_at: dt.datetime | None = None
    as_of: dt.date | None = None


def seasonal_norm(history: Mapping[int, Mapping[int, float]]) -> dict[int, float]:
    """Mean cumulative share of the full year at each month end over the complete years given.

    Examples
    --------
    >>> seasonal_norm({2022: {m: 10.0 for m in range(1, 13)}})[6]
    0.5
    """
    shares: dict[int, list[float]] = {m: [] for m in range(1, 13)}
    for months in history.values():
        if len(months) < 12:
            continue
        total = sum(months.get(m, 0.0) for m in range(1, 13))
        if total == 0:
            continue
        running = 0.0
        for m in range(1, 13):
            running += months.get(m, 0.0)
            shares[m].append(running / total)
    return {m: (sum(v) / len(v) if v else m / 12) for m, v in shares.items()}


def project_year_end(
    actual: Mapping[int, float], history: Mapping[int, Mapping[int, float]]
) -> Projection:
    """Project this year to December from its months so far and earlier full years.

    Parameters
    ----------
    actual
        This year's value per month (1..m), not cumulative.
    history
        Earlier years: year -> month -> value (only years with 12 months are used; without any,
        an even spread over the year is the norm).

    Examples
    --------
    >>> hist = {2022: {m: 10.0 for m in range(1, 13)}}
    >>> p = project_year_end({1: 12.0, 2: 12.0, 3: 12.0}, hist)
    >>> p.total, p.cumulative[12]
    (144.0, 144.0)
    """
    norm = seasonal_norm(history)
    last = max((m for m, v in actual.items() if v is not None), default=0)
    ytd = sum(actual.get(m, 0.0) for m in range(1, last + 1))
    if last == 0:
        return Projection(0, 0.0, {}, norm)
    share = norm[last] or last / 12
    total = ytd / share
    path = {m: total * norm[m] for m in range(last, 13)}
    path[last] = ytd
    path[12] = total
    return Projection(last, total, path, norm)


def project_with_forecast(
    actual: Mapping[int, float],
    forecast: Mapping[int, Mapping[str, float]],
    norm: dict[int, float],
    meta: Mapping[str, object] | None = None,
) -> Projection | None:
    """Project this year to December with a published monthly model forecast.

    Parameters
    ----------
    actual
        This year's value per month (1..m), not cumulative; m is the cutoff.
    forecast
        Month -> ``{"proyeksi", "bawah_80", "atas_80"}`` of this year (the model's months).
    norm
        The seasonal norm (kept for the alerts).
    meta
        ``versi_model``, ``dilatih_pada``, ``data_sampai`` of the forecast.

    Returns
    -------
    Projection or None
        None when the forecast does not start by the month after the cutoff or misses a later
        month (e.g. an earlier cutoff chosen in the filters): the caller falls back to seasonal.

    Examples
    --------
    >>> fc = {m: {"proyeksi": 10.0, "bawah_80": 8.0, "atas_80": 13.0} for m in (11, 12)}
    >>> p = project_with_forecast({m: 10.0 for m in range(1, 11)}, fc, {})
    >>> p.total, p.cumulative[11], p.band[12]
    (120.0, 110.0, (116.0, 126.0))
    >>> project_with_forecast({m: 10.0 for m in range(1, 11)} | {11: 12.0}, fc, {}).total
    122.0
    """
    last = max((m for m, v in actual.items() if v is not None), default=0)
    if last == 0 or last == 12 or not forecast:
        return None
    first = min(forecast)
    if first > last + 1 or any(m not in forecast for m in range(last + 1, 13)):
        return None
    keys = ("proyeksi", "bawah_80", "atas_80")
    done = {k: sum(actual.get(m, 0.0) for m in range(1, last)) for k in keys}
    booked = actual.get(last, 0.0)
    for k in keys:
        # the last month with data is usually partial: at least its forecast, as the model does
        done[k] += max(forecast[last][k], booked) if last >= first else booked
    path: dict[int, float] = {last: sum(actual.get(m, 0.0) for m in range(1, last + 1))}
    band: dict[int, tuple[float, float]] = {}
    running = dict(done)
    for m in range(last + 1, 13):
        for k in keys:
            running[k] += forecast[m][k]
        path[m] = running["proyeksi"]
        band[m] = (running["bawah_80"], running["atas_80"])
    meta = meta or {}
    version, trained, as_of = (
        meta.get("versi_model"),
        meta.get("dilatih_pada"),
        meta.get("data_sampai"),
    )
    return Projection(
        last,
        path[12],
        path,
        norm,
        MODEL,
        band,
        int(version) if isinstance(version, int) else None,
        trained if isinstance(trained, dt.datetime) else None,
        as_of if isinstance(as_of, dt.date) else None,
    )
