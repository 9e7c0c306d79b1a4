"""When documents happen: working days, service hours and the SPM -> SP2D processing time.

KPPN service hours are 08:00-17:00 on working days (``reference`` calendar). Times are handled
in *service minutes*: working-day index x 540 + minutes since 08:00, so a processing time that
runs past closing continues the next working day. About 92-95% of SP2D are issued within an
hour of the SPM upload; December and the busy Jakarta KPPN offices are slower.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import numpy.typing as npt

from treasury import reference
from treasury.sources.allocate import FloatArray, IntArray

DAY_MINUTES = 540
OPEN = np.timedelta64(8 * 60, "m")
JAKARTA_KPPN = ("049", "050", "051", "052", "053", "054", "055")
SLOW_SHARE = 0.035
SLOW_DECEMBER = 0.06
SLOW_JAKARTA = 0.03
Dates = npt.NDArray[np.datetime64]


@cache
def workdays(year: int) -> Dates:
    """The working days of ``year`` (``datetime64[D]``)."""
    return np.asarray(reference.working_dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))


def month_slice(year: int, month: int) -> tuple[int, int]:
    """Index range of the month's working days within :func:`workdays`."""
    days = workdays(year)
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    lo, hi = np.searchsorted(months, [month, month + 1])
    return int(lo), int(hi)


def day_weights(year: int, month: int) -> FloatArray:
    """Relative activity of each working day of the month: month-end and late December busier."""
    lo, hi = month_slice(year, month)
    n = hi - lo
    w = np.ones(n)
    w[max(n - 5, 0) :] *= 1.8
    if month == 12:
        days = workdays(year)[lo:hi].astype("datetime64[D]")
        dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
        w[dom >= 15] *= 2.0
    return w / w.sum()


def pick_workdays(
    rng: np.random.Generator, year: int, month: int, n: int, early: npt.NDArray[np.bool_]
) -> IntArray:
    """Working-day indices (into :func:`workdays`) for ``n`` documents of the month.

    ``early`` documents (payroll) fall on the first three working days.
    """
    lo, hi = month_slice(year, month)
    cum = np.cumsum(day_weights(year, month))
    idx = lo + np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1]), hi - lo - 1)
    first = lo + rng.integers(0, min(3, hi - lo), n)
    return np.where(early, first, idx).astype(np.int64)


def processing_minutes(
    rng: np.random.Generator, n: int, month: int, jakarta: npt.NDArray[np.bool_]
) -> IntArray:
    """Service minutes from SPM upload to SP2D: mostly minutes, a slow tail of hours to days."""
    p_slow = SLOW_SHARE + (SLOW_DECEMBER if month == 12 else 0.0) + SLOW_JAKARTA * jakarta
    slow = rng.random(n) < p_slow
    fast = np.clip(rng.lognormal(np.log(18.0), 0.55, n), 2, 300)
    late = np.clip(rng.lognormal(np.log(150.0), 0.9, n), 61, 3 * DAY_MINUTES)
    return np.where(slow, late, fast).astype(np.int64)


def timestamps(year: int, service: IntArray) -> npt.NDArray[np.datetime64]:
    """Service minutes of ``year`` as ``datetime64[us]`` wall-clock timestamps."""
    days = workdays(year)
    day = days[service // DAY_MINUTES].astype("datetime64[m]")
    return (day + OPEN + (service % DAY_MINUTES).astype("timedelta64[m]")).astype("datetime64[us]")


def sp2d_times(
    rng: np.random.Generator, day_index: IntArray, month: int, jakarta: npt.NDArray[np.bool_]
) -> tuple[IntArray, IntArray]:
    """Service minutes of each SP2D and of its SPM upload (never before the year's first
    working day, so an SPM and its SP2D share the year)."""
    n = len(day_index)
    minute = (30 + rng.beta(1.4, 1.4, n) * 480).astype(np.int64)
    issued = day_index * DAY_MINUTES + minute
    uploaded = np.maximum(issued - processing_minutes(rng, n, month, jakarta), 0)
    return issued, uploaded
