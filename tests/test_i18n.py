from __future__ import annotations

import pytest

from treasury.i18n import format_number, format_percent, format_rupiah, pick_language


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (1_234_500_000_000_000, "id", "Rp 1.234,5 T"),
        (3_121_200_000_000_000, "en", "Rp 3,121.2 T"),
        (2_500_000_000, "id", "Rp 2,5 M"),
        (2_500_000_000, "en", "Rp 2.5 B"),
        (7_250_000, "id", "Rp 7,3 Jt"),
        (950_000, "id", "Rp 950.000"),
        (-337_300_000_000_000, "id", "-Rp 337,3 T"),
        (None, "id", "-"),
    ],
)
def test_rupiah(value: int | None, lang: str, expected: str) -> None:
    assert format_rupiah(value, lang) == expected


def test_numbers_and_percent() -> None:
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_number(1234567.891, 2, "en") == "1,234,567.89"
    assert format_number(0.5) == "1"  # half up, not banker's rounding
    assert format_percent(95.25) == "95,3%"
    assert pick_language("en-US") == "en"
    assert pick_language("fr") == "id"
    assert pick_language(None) == "id"


def test_dates() -> None:
    import datetime as dt

    from treasury.i18n import format_date

    assert format_date(dt.date(2024, 8, 17)) == "17 Agustus 2024"
    assert format_date(dt.date(2024, 8, 17), "en") == "17 August 2024"
    assert format_date(None) == "-"
