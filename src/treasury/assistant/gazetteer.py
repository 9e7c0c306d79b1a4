"""Places and ministries named in a question: provinces, kab/kota, KPPN and K/L from reference.

Names come from :mod:`treasury.reference` (38 provinces, 514 kab/kota, 185 KPPN, the K/L list)
plus common short forms (Jatim, DKI, Kemenkeu). Matching is on word n-grams of the lower-cased
question, exact first, then fuzzy (RapidFuzz) so that typos still find the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from treasury.reference.ministries import ministries
from treasury.reference.offices import kppn
from treasury.reference.regions import kabkota, provinces

_WORD = re.compile(r"[0-9a-z]+")
PROVINCE_ALIASES = {
    "jatim": "35",
    "jabar": "32",
    "jateng": "33",
    "dki": "31",
    "jakarta": "31",
    "diy": "34",
    "yogyakarta": "34",
    "jogja": "34",
    "sumut": "12",
    "sumbar": "13",
    "sumsel": "16",
    "kalbar": "61",
    "kalteng": "62",
    "kalsel": "63",
    "kaltim": "64",
    "kaltara": "65",
    "sulut": "71",
    "sulteng": "72",
    "sulsel": "73",
    "sultra": "74",
    "sulbar": "76",
    "ntb": "52",
    "ntt": "53",
    "babel": "19",
    "kepri": "21",
    "malut": "82",
    "east java": "35",
    "west java": "32",
    "central java": "33",
}


@dataclass(frozen=True)
class Place:
    """A region filter: ``level`` is ``provinsi``, ``kabkota`` or ``kppn``; ``code``, ``name``."""

    level: str
    code: str
    name: str
    kode_provinsi: str


@dataclass(frozen=True)
class Ministry:
    """A K/L (budget section): ``kode_ba`` and its name."""

    kode_ba: str
    name: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@cache
def _provinces() -> dict[str, Place]:
    out = {}
    for row in provinces().to_pylist():
        out[row["nama"].lower()] = Place(
            "provinsi", row["kode_provinsi"], row["nama"], row["kode_provinsi"]
        )
    names = {p.code: p for p in out.values()}
    for alias, code in PROVINCE_ALIASES.items():
        out[alias] = names[code]
    out["di yogyakarta"] = out["yogyakarta"] = names["34"]
    return out


@cache
def _kabkota() -> dict[str, Place]:
    out = {}
    for row in kabkota().to_pylist():
        place = Place("kabkota", row["kode_kabkota"], row["nama"], row["kode_provinsi"])
        name = row["nama"].lower()
        out[name] = place
        out.setdefault(name.replace("kota administrasi ", "kota "), place)
        out.setdefault(name.replace("kabupaten administrasi ", "kabupaten "), place)
    return out


@cache
def _kabkota_short() -> dict[str, list[Place]]:
    out: dict[str, list[Place]] = {}
    for name, place in _kabkota().items():
        short = re.sub(r"^(kabupaten|kota)\s+", "", name)
        if "administrasi" not in short and place not in out.get(short, []):
            out.setdefault(short, []).append(place)
    return out


@cache
def _kppn() -> dict[str, Place]:
    return {
        re.sub(r"^kppn\s+", "", row["nama"].lower()): Place(
            "kppn", row["kode_kppn"], row["nama"], row["kode_provinsi"]
        )
        for row in kppn().to_pylist()
    }


@cache
def _ministries() -> dict[str, Ministry]:
    out = {}
    for row in ministries().to_pylist():
        ministry = Ministry(row["kode_ba"], row["nama"])
        out[row["nama"].lower()] = ministry
        if row["singkatan"]:
            out[row["singkatan"].lower()] = ministry
    return out


def _grams(words: list[str], sizes: tuple[int, ...] = (4, 3, 2, 1)) -> list[tuple[int, int, str]]:
    return [
        (i, i + n, " ".join(words[i : i + n])) for n in sizes for i in range(len(words) - n + 1)
    ]


def _lookup(
    words: list[str], names: dict[str, Place], cutoff: float, min_len: int = 5
) -> tuple[Place, int, int] | None:
    """The longest n-gram naming a place exactly, else the best fuzzy match above ``cutoff``."""
    for start, end, gram in _grams(words):
        if gram in names:
            return names[gram], start, end
    keys = [k for k in names if len(k) >= min_len]
    best: tuple[float, Place, int, int] | None = None
    for start, end, gram in _grams(words, (3, 2, 1)):
        if len(gram) < min_len:
            continue
        hit = process.extractOne(gram, keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is not None and (best is None or hit[1] > best[0]):
            best = (hit[1], names[hit[0]], start, end)
    return (best[1], best[2], best[3]) if best else None


@dataclass(frozen=True)
class PlaceMatch:
    """The place a question names, or the candidates when the name is ambiguous."""

    place: Place | None
    ambiguous: tuple[Place, ...] = ()


def find_place(question: str) -> PlaceMatch:
    """The region the question is about (KPPN, kab/kota or province).

    Examples
    --------
    >>> find_place("realisasi belanja KPPN Denpasar 2024").place.code
    '037'
    >>> find_place("belanja modal jawa timr 2023").place.name
    'Jawa Timur'
    """
    words = _words(question)
    for i, word in enumerate(words):
        if word == "kppn":
            tail = words[i + 1 : i + 4]
            romans = {"i", "ii", "iii", "iv", "1", "2", "3", "4"}
            for n in (2, 1):
                gram = " ".join(tail[:n])
                if gram in _kppn():
                    return PlaceMatch(_kppn()[gram])
            if tail:
                base = tail[0]
                options = [p for k, p in _kppn().items() if k.split()[0] == base]
                if len(options) > 1 and not (len(tail) > 1 and tail[1] in romans):
                    return PlaceMatch(None, tuple(options))
                hit = process.extractOne(
                    " ".join(tail[:2]) if len(tail) > 1 and tail[1] in romans else base,
                    list(_kppn()),
                    scorer=fuzz.ratio,
                    score_cutoff=80,
                )
                if hit is not None:
                    return PlaceMatch(_kppn()[hit[0]])
    for i, word in enumerate(words):
        if word in ("kota", "kabupaten", "kab", "city", "regency") and i + 1 < len(words):
            prefix = "kota" if word in ("kota", "city") else "kabupaten"
            for n in (3, 2, 1):
                name = f"{prefix} {' '.join(words[i + 1 : i + 1 + n])}"
                if name in _kabkota():
                    return PlaceMatch(_kabkota()[name])
            name = f"{prefix} {' '.join(words[i + 1 : i + 3])}"
            hit = process.extractOne(name, list(_kabkota()), scorer=fuzz.ratio, score_cutoff=85)
            if hit is not None:
                return PlaceMatch(_kabkota()[hit[0]])
    found = _lookup(words, _provinces(), cutoff=88)
    if found is not None:
        return PlaceMatch(found[0])
    for _start, _end, gram in _grams(words, (3, 2, 1)):
        places = _kabkota_short().get(gram)
        if places and len(gram) >= 4:
            return PlaceMatch(places[0]) if len(places) == 1 else PlaceMatch(None, tuple(places))
    return PlaceMatch(None)


def find_ministry(question: str) -> Ministry | None:
    """The K/L the question names (by name or short name such as ``Kemenkeu``).

    Examples
    --------
    >>> find_ministry("belanja Kementerian Kesehatan 2023").kode_ba
    '024'
    """
    words = _words(question)
    names = _ministries()
    for _start, _end, gram in _grams(words, (6, 5, 4, 3, 2, 1)):
        if (
            gram in names
            and (len(gram) >= 3 or gram in ("ma", "mk", "ky"))
            and gram not in _SHORT_CLASH
        ):
            return names[gram]
    if not any(w.startswith(("kementerian", "kemen", "badan", "ministry")) for w in words):
        return None
    keys = [k for k in names if len(k) >= 8]
    best = None
    for _start, _end, gram in _grams(words, (6, 5, 4, 3, 2)):
        if any(w in _NOT_IN_NAMES or w.isdigit() for w in gram.split()):
            continue
        hit = process.extractOne(gram, keys, scorer=fuzz.ratio, score_cutoff=88)
        if hit is not None and (best is None or hit[1] > best[1]):
            best = hit
    return names[best[0]] if best else None


#: Words of questions that are in no ministry's name (a fuzzy match must not span them).
_NOT_IN_NAMES = frozenset(
    {
        "dengan",
        "di",
        "yang",
        "tahun",
        "belanja",
        "realisasi",
        "pagu",
        "terbesar",
        "tertinggi",
        "terendah",
        "terkecil",
        "penyerapan",
        "anggaran",
        "with",
        "in",
        "by",
        "spending",
    }
)
#: Short names that are also ordinary words in questions.
_SHORT_CLASH = frozenset({"ma", "mk", "ky", "kkp", "bun", "bps", "lan", "big", "bin"})
