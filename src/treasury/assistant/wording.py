"""How users type: chat abbreviations and slang mapped to the words the knowledge base uses."""

from __future__ import annotations

import re

#: Informal Indonesian chat spellings -> standard words (this project's own list).
SLANG = {
    "gmn": "bagaimana",
    "gmna": "bagaimana",
    "gimana": "bagaimana",
    "gimane": "bagaimana",
    "ngajuin": "mengajukan",
    "ajuin": "ajukan",
    "aja": "saja",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "gabisa": "tidak bisa",
    "gbs": "tidak bisa",
    "udah": "sudah",
    "udh": "sudah",
    "sdh": "sudah",
    "blm": "belum",
    "tp": "tetapi",
    "yg": "yang",
    "utk": "untuk",
    "dgn": "dengan",
    "brp": "berapa",
    "knp": "kenapa",
    "dipake": "dipakai",
    "pake": "pakai",
    "liat": "lihat",
    "sblm": "sebelum",
    "didaftarin": "didaftarkan",
    "pw": "password",
    "pasword": "password",
    "passwd": "password",
    "ngadu": "mengadu",
    "komplain": "pengaduan",
    "duit": "dana",
    "dd": "dana desa",
    "perjadin": "perjalanan dinas",
    "kalo": "kalau",
    "bs": "bisa",
    "sy": "saya",
    "tdk": "tidak",
    "krn": "karena",
    "dr": "dari",
    "tetep": "tetap",
    "gaji13": "gaji ke-13",
    "omspan": "om span",
    "tkd": "transfer ke daerah",
}
_TOKEN = re.compile(r"\w+|[^\w\s]")


def normalise(question: str) -> str:
    """The question in lower case with chat spellings replaced by standard words.

    Examples
    --------
    >>> normalise("cara daftar user sakti gmn ya, udah coba")
    'cara daftar user sakti bagaimana ya , sudah coba'
    """
    return " ".join(SLANG.get(w, w) for w in _TOKEN.findall(question.lower()))
