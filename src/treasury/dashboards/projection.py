"""A seasonal year-end projection (labelled "proyeksi" on every page).

The plain function :func:`project_year_end` is the seam where the ML issue's forecast replaces
this method: it takes this year's monthly values so far and earlier years' full monthly values,
and returns the projected monthly path to December and the year total.

Method: in each earlier year the cumulative value at month ``m`` is a share of the year's total;
the mean of those shares is the seasonal norm ``s(m)``. The year total is projected as
``ytd(m) / s(m)`` and the remaining months follow the norm: ``cum(k) = total * s(k)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Projection:
    """Projected cumulative values by month (after the last actual month) and the year total."""

    last_month: int
    total: float
    cumulative: dict[int, float]
    norm: dict[int, float]


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
