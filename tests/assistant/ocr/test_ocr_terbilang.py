"""Rupiah amounts in Indonesian words and back, with OCR errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treasury.assistant.ocr.terbilang import MAX_AMOUNT, correct_word, to_number, to_words


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_words_round_trip(amount: int) -> None:
    words = to_words(amount)
    assert words.endswith(" rupiah")
    assert to_number(words) == amount
    assert to_number(words.upper()) == amount


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (11, "sebelas"),
        (19, "sembilan belas"),
        (100, "seratus"),
        (1_000, "seribu"),
        (1_100, "seribu seratus"),
        (2_000, "dua ribu"),
        (1_000_000, "satu juta"),
        (1_011_000, "satu juta sebelas ribu"),
        (
            1_234_567_890,
            "satu miliar dua ratus tiga puluh empat juta lima ratus enam puluh "
            "tujuh ribu delapan ratus sembilan puluh",
        ),
        (5_000_000_000_000, "lima triliun"),
    ],
)
def test_known_amounts(amount: int, words: str) -> None:
    assert to_words(amount, currency=False) == words
    assert to_number(words) == amount


def test_ocr_errors_are_corrected() -> None:
    assert to_number("Seribu duo ratus Iima pulu rupiah") == 1_250
    assert to_number("tiga miIyar emapt ratus ribuu rupiah") == 3_000_400_000
    assert correct_word("triIiun") == "triliun"
    assert correct_word("xyz") is None


def test_not_a_number() -> None:
    assert to_number("") is None
    assert to_number("lorem ipsum dolor") is None
    assert to_number("rupiah") is None
    # scales out of order are not a number
    assert to_number("lima ribu tiga juta") is None


def test_out_of_range() -> None:
    with pytest.raises(ValueError):
        to_words(-1)
    with pytest.raises(ValueError):
        to_words(MAX_AMOUNT + 1)
