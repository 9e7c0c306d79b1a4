"""Numbers and rupiah the Indonesian way, and the two UI languages (``id`` default, ``en``)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

# Scale words for rupiah: (threshold, Indonesian suffix, English suffix).
_SCALES = (
    (10**12, "T", "T"),  # triliun / trillion
    (10**9, "M", "B"),  # miliar / billion
    (10**6, "Jt", "M"),  # juta / million
)


def format_number(value: float | int | None, decimals: int = 0, lang: str = "id") -> str:
    """Format a number with thousands and decimal separators of the language.

    Indonesian uses ``.`` for thousands and ``,`` for decimals; English the reverse.

    Examples
    --------
    >>> format_number(1234567.891, 2)
    '1.234.567,89'
    >>> format_number(1234567.891, 2, lang="en")
    '1,234,567.89'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_rupiah(value: float | int | None, lang: str = "id", decimals: int = 1) -> str:
    """Format rupiah with a scale word: ``Rp 1.234,5 T`` (triliun), ``M`` (miliar), ``Jt`` (juta).

    Examples
    --------
    >>> format_rupiah(1_234_500_000_000_000)
    'Rp 1.234,5 T'
    >>> format_rupiah(2_500_000_000, lang="en")
    'Rp 2.5 B'
    >>> format_rupiah(950_000)
    'Rp 950.000'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    for threshold, suffix_id, suffix_en in _SCALES:
        if magnitude >= threshold:
            scaled = format_number(magnitude / threshold, decimals, lang)
            return f"{sign}Rp {scaled} {suffix_id if lang == 'id' else suffix_en}"
    return f"{sign}Rp {format_number(magnitude, 0, lang)}"


def format_percent(value: float | None, decimals: int = 1, lang: str = "id") -> str:
    """Format a percentage given in percent units: ``95,3%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{format_number(value, decimals, lang)}%"


def pick_language(requested: str | None) -> str:
    """The supported language for a request (``id`` unless ``en`` is asked for)."""
    if requested and requested.lower()[:2] in LANGUAGES:
        return requested.lower()[:2]
    return DEFAULT_LANGUAGE


MONTHS = {
    "id": [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def format_date(value: dt.date | None, lang: str = "id") -> str:
    """A date as people write it: ``23 November 2026``, ``17 Agustus 2024``.

    Examples
    --------
    >>> import datetime as dt
    >>> format_date(dt.date(2024, 8, 17))
    '17 Agustus 2024'
    """
    if value is None:
        return "-"
    return f"{value.day} {MONTHS[pick_language(lang)][value.month - 1]} {value.year}"
