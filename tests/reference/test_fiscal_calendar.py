from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from treasury.reference import (
    add_working_days,
    calendar,
    is_working_day,
    is_working_day_array,
    next_working_day,
    working_dates,
    working_days,
)


def test_calendar_2024_holidays_and_leave() -> None:
    table = calendar("2024-01-01", dt.date(2024, 12, 31))
    assert table.num_rows == 366
    assert table.schema.field("tanggal").type == pa.date32()
    assert table.schema.field("tahun").type == pa.int16()
    rows = {r["tanggal"]: r for r in table.to_pylist()}
    idul_fitri = rows[dt.date(2024, 4, 10)]
    assert idul_fitri["libur"] and not idul_fitri["hari_kerja"]
    assert idul_fitri["keterangan"] == "Hari Raya Idul Fitri"
    merdeka = rows[dt.date(2024, 8, 17)]
    assert merdeka["libur"] and merdeka["hari"] == 6
    assert merdeka["keterangan"] == "Hari Kemerdekaan Republik Indonesia"
    leave = rows[dt.date(2024, 4, 8)]  # a Monday of collective leave before Idul Fitri
    assert leave["cuti_bersama"] and not leave["libur"] and not leave["hari_kerja"]
    assert rows[dt.date(2024, 12, 26)]["cuti_bersama"]
    ordinary = rows[dt.date(2024, 3, 4)]
    assert ordinary["hari_kerja"] and ordinary["hari"] == 1 and ordinary["keterangan"] is None
    assert sum(r["libur"] for r in rows.values()) >= 17
    assert sum(r["cuti_bersama"] for r in rows.values()) == 10


def test_working_days_per_year_are_plausible() -> None:
    for year in range(2019, 2027):
        assert 235 <= working_days(year) <= 250, year
    assert working_days(2024) == sum(calendar("2024-01-01", "2024-12-31")["hari_kerja"].to_pylist())
    assert working_dates("2024-01-01", "2024-12-31").size == working_days(2024)


def test_scalar_helpers() -> None:
    assert not is_working_day("2024-04-10")
    assert not is_working_day(dt.date(2024, 8, 17))
    assert not is_working_day("2024-06-15")  # Saturday
    assert is_working_day("2024-04-16")
    assert next_working_day("2024-04-05") == dt.date(2024, 4, 16)
    assert next_working_day("2024-04-05", 2) == dt.date(2024, 4, 17)
    assert next_working_day("2024-04-16", -1) == dt.date(2024, 4, 5)
    assert next_working_day("2024-04-13", 0) == dt.date(2024, 4, 16)
    assert next_working_day("2024-04-16", 0) == dt.date(2024, 4, 16)
    assert next_working_day("2024-12-31", 2) == dt.date(2025, 1, 3)


def test_vectorised_helpers_agree_with_scalar_ones() -> None:
    days = np.arange(
        np.datetime64("2023-12-01"), np.datetime64("2025-02-01"), dtype="datetime64[D]"
    )
    flags = is_working_day_array(days)
    assert flags.tolist() == [is_working_day(d) for d in days.tolist()]
    for n in (-3, 0, 1, 5):
        shifted = add_working_days(days, n)
        assert shifted.tolist() == [next_working_day(d, n) for d in days.tolist()]
    assert is_working_day_array(working_dates("2024-01-01", "2024-12-31")).all()
    per_row = add_working_days(days[:3], np.array([1, 2, 3]))
    assert per_row.dtype == np.dtype("datetime64[D]")
