"""Calendar features of days for the daily forecasts: working days, holidays, paydays, deadlines.

Revenue is booked on working days; taxes cluster before the payment deadlines (the 10th and
15th) and at month end (reporting), and salaries are paid on the first working day. The daily
share model (:mod:`treasury.ml.forecasting.revenue`) learns how much of a month falls on a day
from these features; the calendar itself (holidays, cuti bersama) comes from
:func:`treasury.reference.fiscal_calendar.calendar`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from treasury.reference.fiscal_calendar import calendar

FEATURES: tuple[str, ...] = (
    "working",
    "weekday",
    "day",
    "working_day_index",
    "working_days_left",
    "first_working_day",
    "last_working_day",
    "before_10",
    "before_15",
    "after_holiday",
    "before_holiday",
)


def day_features(start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per day from ``start`` to ``end`` with :data:`FEATURES`, indexed by date."""
    table = calendar(start, end).to_pandas()
    days = pd.to_datetime(table["tanggal"])
    frame = pd.DataFrame(index=pd.DatetimeIndex(days, name="tanggal"))
    working = table["hari_kerja"].to_numpy(bool)
    frame["working"] = working.astype(float)
    frame["weekday"] = table["hari"].to_numpy(float)
    frame["day"] = days.dt.day.to_numpy(float)
    month = days.dt.to_period("M").to_numpy()
    index = np.zeros(len(frame))
    left = np.zeros(len(frame))
    first = np.zeros(len(frame))
    last = np.zeros(len(frame))
    for period in pd.unique(month):
        rows = np.flatnonzero(month == period)
        work = rows[working[rows]]
        if len(work):
            index[work] = np.arange(1, len(work) + 1)
            left[work] = np.arange(len(work) - 1, -1, -1)
            first[work[0]] = 1
            last[work[-1]] = 1
    frame["working_day_index"] = index
    frame["working_days_left"] = left
    frame["first_working_day"] = first
    frame["last_working_day"] = last
    day = frame["day"].to_numpy()
    frame["before_10"] = ((day >= 6) & (day <= 10) & working).astype(float)
    frame["before_15"] = ((day >= 11) & (day <= 15) & working).astype(float)
    off = ~working
    after = np.zeros(len(frame))
    before = np.zeros(len(frame))
    # a working day right after a run of two or more days off (long weekends, Lebaran)
    run = 0
    for i in range(len(frame)):
        if off[i]:
            run += 1
        else:
            after[i] = float(run >= 3)
            run = 0
    run = 0
    for i in range(len(frame) - 1, -1, -1):
        if off[i]:
            run += 1
        else:
            before[i] = float(run >= 3)
            run = 0
    frame["after_holiday"] = after
    frame["before_holiday"] = before
    return frame
