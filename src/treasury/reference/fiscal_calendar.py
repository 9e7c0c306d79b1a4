"""The government working calendar: weekends, national holidays and collective leave.

A working day (hari kerja) is Monday to Friday and neither a national holiday (hari libur
nasional, from the ``holidays`` package) nor a collective leave day (cuti bersama, from the SKB
3 Menteri, shipped in ``data/cuti_bersama.csv`` for 2019-2026; other years fall back to the
``holidays`` package's ``government`` category). Scalar helpers take and return
``datetime.date``; the vectorised ones take and return numpy ``datetime64[D]`` arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays
import numpy as np
import pyarrow as pa

from treasury.reference.datafiles import read_csv

DateLike = dt.date | str


@dataclass(frozen=True)
class _Days:
    """Every day of a span of years and what kind of day it is."""

    days: np.ndarray  # datetime64[D], consecutive
    working: np.ndarray  # bool
    libur: np.ndarray  # bool
    cuti: np.ndarray  # bool
    keterangan: tuple[str | None, ...]
    working_days: np.ndarray  # datetime64[D], the working days only, sorted
    working_through: np.ndarray  # int64, working days up to and including each day


def _as_date(value: DateLike) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _public_holidays(year: int) -> dict[dt.date, str]:
    try:
        found = holidays.Indonesia(years=year, language="id", categories=("public",))
    except (NotImplementedError, ValueError, TypeError):  # older holidays releases
        found = holidays.Indonesia(years=year)
    return dict(found.items())


@cache
def _shipped_cuti_bersama() -> dict[int, dict[dt.date, str]]:
    table = read_csv("cuti_bersama.csv", strings=["keterangan", "confidence"])
    by_year: dict[int, dict[dt.date, str]] = {}
    for day, name in zip(
        table["tanggal"].to_pylist(), table["keterangan"].to_pylist(), strict=True
    ):
        by_year.setdefault(day.year, {})[day] = name
    return by_year


def _cuti_bersama(year: int) -> dict[dt.date, str]:
    shipped = _shipped_cuti_bersama()
    if year in shipped:
        return shipped[year]
    try:
        found = holidays.Indonesia(years=year, language="id", categories=("government",))
    except (NotImplementedError, ValueError, TypeError):
        return {}
    return dict(found.items())


@cache
def _span(first_year: int, last_year: int) -> _Days:
    start = np.datetime64(f"{first_year:04d}-01-01", "D")
    end = np.datetime64(f"{last_year + 1:04d}-01-01", "D")
    days = np.arange(start, end, dtype="datetime64[D]")
    libur = np.zeros(days.size, dtype=bool)
    cuti = np.zeros(days.size, dtype=bool)
    notes: list[str | None] = [None] * days.size
    for year in range(first_year, last_year + 1):
        for flags, found in ((libur, _public_holidays(year)), (cuti, _cuti_bersama(year))):
            for day, name in found.items():
                i = (np.datetime64(day, "D") - start).astype(int)
                flags[i] = True
                notes[i] = name if notes[i] is None else f"{notes[i]}; {name}"
    # 1970-01-01 was a Thursday: ISO weekday = (days since epoch + 3) % 7 + 1.
    weekday = (days.astype(np.int64) + 3) % 7 + 1
    working = (weekday <= 5) & ~libur & ~cuti
    return _Days(days, working, libur, cuti, tuple(notes), days[working], np.cumsum(working))


def _covering(first: np.datetime64, last: np.datetime64, margin_days: int = 0) -> _Days:
    """A cached span of whole years that covers ``first - margin`` .. ``last + margin``."""
    margin = np.timedelta64(margin_days, "D")
    first_year = int(str((first - margin).astype("datetime64[Y]")))
    last_year = int(str((last + margin).astype("datetime64[Y]")))
    return _span(first_year, last_year)


def calendar(start: DateLike, end: DateLike) -> pa.Table:
    """One row per day from ``start`` to ``end`` (both included).

    Parameters
    ----------
    start, end
        ``datetime.date`` or ISO string ``"2024-01-01"``.

    Returns
    -------
    pyarrow.Table
        tanggal (date32), tahun (int16), bulan (int8), hari (int8, ISO weekday: 1 Monday ..
        7 Sunday), hari_kerja (bool: Monday-Friday, not libur, not cuti_bersama), libur (bool:
        national holiday, whatever the weekday), cuti_bersama (bool: collective leave),
        keterangan (holiday or leave name in Indonesian, null on ordinary days).

    Examples
    --------
    >>> day = calendar("2024-04-10", "2024-04-10").to_pylist()[0]
    >>> day["hari_kerja"], day["keterangan"]
    (False, 'Hari Raya Idul Fitri')
    """
    first = np.datetime64(_as_date(start), "D")
    last = np.datetime64(_as_date(end), "D")
    if last < first:
        raise ValueError(f"end {last} is before start {first}")
    span = _covering(first, last)
    lo = int((first - span.days[0]).astype(int))
    hi = int((last - span.days[0]).astype(int)) + 1
    days = span.days[lo:hi]
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    weekday = (days.astype(np.int64) + 3) % 7 + 1
    return pa.table(
        {
            "tanggal": pa.array(days, pa.date32()),
            "tahun": pa.array(years.astype(np.int16)),
            "bulan": pa.array(months.astype(np.int8)),
            "hari": pa.array(weekday.astype(np.int8)),
            "hari_kerja": pa.array(span.working[lo:hi]),
            "libur": pa.array(span.libur[lo:hi]),
            "cuti_bersama": pa.array(span.cuti[lo:hi]),
            "keterangan": pa.array(span.keterangan[lo:hi], pa.string()),
        }
    )


def working_days(year: int) -> int:
    """Number of working days in ``year``.

    Examples
    --------
    >>> 235 <= working_days(2024) <= 250
    True
    """
    return int(_span(year, year).working.sum())


def is_working_day(day: DateLike) -> bool:
    """Whether ``day`` is a government working day.

    Examples
    --------
    >>> is_working_day("2024-08-17"), is_working_day("2024-08-19")
    (False, True)
    """
    d = _as_date(day)
    span = _span(d.year, d.year)
    return bool(span.working[d.timetuple().tm_yday - 1])


def next_working_day(day: DateLike, n: int = 1) -> dt.date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

    ``n = 0`` gives ``day`` itself when it is a working day, else the next working day.

    Examples
    --------
    >>> next_working_day("2024-04-05", 1)  # Idul Fitri holidays and leave: 8-15 April
    datetime.date(2024, 4, 16)
    """
    (result,) = add_working_days(np.array([np.datetime64(_as_date(day), "D")]), n)
    return dt.date.fromisoformat(str(result))


def working_dates(start: DateLike, end: DateLike) -> np.ndarray:
    """The working days from ``start`` to ``end`` (both included) as ``datetime64[D]``.

    Sample indices into it to place events on working days.

    Examples
    --------
    >>> working_dates("2024-01-01", "2024-12-31").size == working_days(2024)
    True
    """
    first = np.datetime64(_as_date(start), "D")
    last = np.datetime64(_as_date(end), "D")
    all_working = _covering(first, last).working_days
    lo, hi = np.searchsorted(all_working, [first, last], side="left")
    hi += int(hi < all_working.size and all_working[hi] == last)
    return all_working[lo:hi]


def is_working_day_array(dates: np.ndarray) -> np.ndarray:
    """Vectorised :func:`is_working_day` over ``datetime64`` values; returns a bool array.

    Examples
    --------
    >>> is_working_day_array(np.array(["2024-04-10", "2024-04-16"], "datetime64[D]")).tolist()
    [False, True]
    """
    days = np.asarray(dates).astype("datetime64[D]")
    if days.size == 0:
        return np.zeros(days.shape, dtype=bool)
    span = _covering(days.min(), days.max())
    return span.working[(days - span.days[0]).astype(np.int64)]


def add_working_days(dates: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Vectorised :func:`next_working_day`: shift each date by ``n`` working days.

    Parameters
    ----------
    dates
        ``datetime64`` values (any shape).
    n
        Working days to add (negative: go back); an int or an array broadcastable to ``dates``.
        With 0, a non-working date rolls forward to the next working day.

    Returns
    -------
    numpy.ndarray
        ``datetime64[D]`` array of the same shape.

    Examples
    --------
    >>> add_working_days(np.array(["2024-12-31"], "datetime64[D]"), 2).tolist()
    [datetime.date(2025, 1, 3)]
    """
    days = np.asarray(dates).astype("datetime64[D]")
    steps = np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape)
    if days.size == 0:
        return days.copy()
    reach = int(np.abs(steps).max()) * 2 + 30  # calendar days needed, with room for holidays
    span = _covering(days.min(), days.max(), reach)
    offset = (days - span.days[0]).astype(np.int64)
    after = span.working_through[offset]  # index of the first working day > date
    at_or_after = after - span.working[offset]  # index of the first working day >= date
    index = np.where(steps > 0, after + steps - 1, at_or_after + steps)
    return span.working_days[index]
