"""Text analysis for search: Indonesian stemming and stopwords (Sastrawi), English plurals."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Protocol

from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

_WORD = re.compile(r"[0-9a-z]+")

# Sastrawi's stopword list holds words that are content in a treasury catalog.
_KEEP = frozenset({"bulan", "hari", "jumlah", "akhir", "awal", "baru", "besar", "tinggi"})
_ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "each",
        "every",
        "for",
        "from",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "their",
        "to",
        "with",
        "all",
        "per",
    ]
)
# Where Sastrawi's dictionary gives a stem that breaks matching with the plain word.
_STEM_OVERRIDES = {"perpajakan": "pajak", "pajakan": "pajak"}


class _Stemmer(Protocol):
    def stem(self, text: str) -> str: ...


@cache
def _stemmer() -> _Stemmer:
    stemmer: _Stemmer = StemmerFactory().create_stemmer()
    return stemmer


@cache
def _root_words() -> ArrayDictionary:
    return ArrayDictionary(StemmerFactory().get_words())


@cache
def stopwords() -> frozenset[str]:
    """Indonesian (Sastrawi) and English stopwords, minus words that carry meaning here."""
    indonesian = set(StopWordRemoverFactory().get_stop_words()) - _KEEP
    return frozenset(indonesian | _ENGLISH_STOPWORDS)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case word.

    Indonesian words lose their affixes (``penerimaan`` -> ``terima``); a word Sastrawi does
    not know loses an English plural ending (``taxes`` -> ``tax``); numbers stay.

    Examples
    --------
    >>> stem("penyaluran"), stem("perpajakan"), stem("transfers"), stem("2023")
    ('salur', 'pajak', 'transfer', '2023')
    """
    if word in _STEM_OVERRIDES:
        return _STEM_OVERRIDES[word]
    if word.isdigit() or len(word) <= 3:
        return word
    root = _stemmer().stem(word)
    if root != word or _root_words().contains(word):
        return root
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` without stopwords (not stemmed)."""
    stop = stopwords()
    return [w for w in _WORD.findall(text.lower()) if w not in stop]


def analyze(text: str) -> list[str]:
    """Stemmed terms of ``text``, stopwords removed.

    Examples
    --------
    >>> analyze("Penerimaan perpajakan per provinsi dan bulan")
    ['terima', 'pajak', 'provinsi', 'bulan']
    """
    return [stem(w) for w in words(text)]
