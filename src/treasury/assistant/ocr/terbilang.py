"""Rupiah amounts in Indonesian words ("terbilang") and back, tolerant of OCR errors.

``to_words(1_234_500)`` -> ``"satu juta dua ratus tiga puluh empat ribu lima ratus rupiah"``;
:func:`to_number` reads such text back, correcting misspelt words (``"tiga pulu"``,
``"rihu"``) against the small vocabulary of number words with rapidfuzz.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

_UNITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))
#: The largest amount written in words (just under a thousand triliun).
MAX_AMOUNT = 10**15 - 1

_DIGIT = {word: i for i, word in enumerate(_UNITS)}
_SCALE = {word: value for value, word in _SCALES}
_SMALL = {"puluh": 10, "ratus": 100}
_SE = {"sepuluh": 10, "sebelas": 11, "seratus": 100, "seribu": 1000}
_FILLER = {"rupiah", "belas"}
VOCABULARY: tuple[str, ...] = (
    *_UNITS,
    *_SCALE,
    *_SMALL,
    *_SE,
    *_FILLER,
    "milyar",
)


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_UNITS[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [_UNITS[rest - 10], "belas"]
    elif rest >= 20:
        tens, unit = divmod(rest, 10)
        words += [_UNITS[tens], "puluh"]
        if unit:
            words.append(_UNITS[unit])
    elif rest > 0:
        words.append(_UNITS[rest])
    return words


def to_words(amount: int, currency: bool = True) -> str:
    """The amount in Indonesian words, lower case, ending in "rupiah" when ``currency``.

    Examples
    --------
    >>> to_words(1_234_567_890)
    'satu miliar dua ratus tiga puluh empat juta lima ratus enam puluh tujuh ribu delapan ratus sembilan puluh rupiah'
    >>> to_words(1_011_000, currency=False)
    'satu juta sebelas ribu'
    """
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValueError(f"amount must be between 0 and {MAX_AMOUNT}")
    words: list[str] = []
    rest = amount
    for value, name in _SCALES:
        count, rest = divmod(rest, value)
        if count == 0:
            continue
        if count == 1 and value == 1000:
            words.append("seribu")
        else:
            words += [*_below_thousand(count), name]
    words += _below_thousand(rest)
    if not words:
        words = ["nol"]
    if currency:
        words.append("rupiah")
    return " ".join(words)


def correct_word(token: str, cutoff: float = 65.0) -> str | None:
    """The number word closest to an OCR'd token, or None when nothing is close enough."""
    token = token.lower()
    if token in VOCABULARY:
        return token
    if len(token) < 3:
        return None
    match = process.extractOne(token, VOCABULARY, scorer=fuzz.ratio, score_cutoff=cutoff)
    return str(match[0]) if match else None


def tokens(text: str) -> list[str]:
    """The number words of ``text`` after fuzzy correction (unknown tokens are dropped)."""
    out = []
    for raw in re.findall(r"[A-Za-z]+", text):
        word = correct_word(raw)
        if word is not None:
            out.append("miliar" if word == "milyar" else word)
    return out


def _group_value(words: list[str]) -> int:
    """The value (< 1000) of the words between two scale words."""
    total = 0
    current = 0
    for word in words:
        if word in _DIGIT:
            current += _DIGIT[word]
        elif word == "belas":
            current = current + 10
        elif word == "puluh":
            total += (current or 1) * 10
            current = 0
        elif word == "ratus":
            total += (current or 1) * 100
            current = 0
        elif word in _SE:
            total += _SE[word]
        elif word == "rupiah":
            continue
        else:
            raise ValueError(f"unexpected word {word!r}")
    value = total + current
    if value >= 1000:
        raise ValueError("a group above a thousand")
    return value


def to_number(text: str) -> int | None:
    """The amount written in words, or None when the words are not a number.

    OCR errors in single words are corrected (:func:`correct_word`); words that are not number
    words are ignored.

    Examples
    --------
    >>> to_number("satu miliar dua ratus tiga puluh empat juta lima ratus enam puluh tujuh ribu delapan ratus sembilan puluh rupiah")
    1234567890
    >>> to_number("Seribu duo ratus Iima pulu rupiah")
    1250
    >>> to_number("lorem ipsum") is None
    True
    """
    words = tokens(text)
    if not any(w != "rupiah" for w in words):
        return None
    total = 0
    group: list[str] = []
    last_scale = 10**16
    try:
        for word in words:
            if word == "seribu":
                if last_scale <= 1000:
                    return None
                total += 1000
                last_scale = 1000
                continue
            if word in _SCALE:
                value = _SCALE[word]
                count = _group_value(group)
                if value >= last_scale or count == 0:
                    return None
                total += count * value
                last_scale = value
                group = []
                continue
            group.append(word)
        total += _group_value(group)
    except ValueError:
        return None
    return total
