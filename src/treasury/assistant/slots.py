"""Intent and slots of a data question, in Indonesian or English, by rules.

A question becomes :class:`Slots`: the measure (spending, budget, absorption, revenue, TKD,
subsidy, SP2D service time), the account group or kind, the period (years, a month or a month
range, a semester or quarter), the region, the ministry, a top-N ranking with its grouping and
direction, and whether two periods are compared. Nothing here touches data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from treasury.assistant.gazetteer import Ministry, Place, find_ministry, find_place
from treasury.assistant.wording import normalise

_WORD = re.compile(r"[0-9a-z]+")
MONTHS = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "february": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "aug": 8,
    "agt": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}
_LONG_MONTHS = [m for m in MONTHS if len(m) >= 5]
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
#: Spending account groups (jenis_belanja, the first two digits of the account).
BELANJA_GROUPS = {
    "pegawai": "51",
    "personnel": "51",
    "gaji": "51",
    "barang": "52",
    "goods": "52",
    "material": "52",
    "modal": "53",
    "capital": "53",
    "bunga": "54",
    "interest": "54",
    "subsidi": "55",
    "hibah": "56",
    "grant": "56",
    "grants": "56",
    "bansos": "57",
    "sosial": "57",
    "social": "57",
    "lain": "58",
}
GROUP_NAMES = {
    "51": "belanja pegawai",
    "52": "belanja barang",
    "53": "belanja modal",
    "54": "belanja bunga",
    "55": "belanja subsidi",
    "56": "belanja hibah",
    "57": "belanja bantuan sosial",
    "58": "belanja lain-lain",
}
REVENUE_KINDS = {
    "pajak": "perpajakan",
    "perpajakan": "perpajakan",
    "tax": "perpajakan",
    "taxes": "perpajakan",
    "pnbp": "pnbp",
    "hibah": "hibah",
    "grant": "hibah",
}
TKD_KINDS = {
    "dau": "dau",
    "dbh": "dbh",
    "otsus": "otsus",
    "insentif": "insentif_fiskal",
    "desa": "dana_desa",
    "village": "dana_desa",
}
SUBSIDY_PROGRAMS = {
    "bbm": "bbm",
    "fuel": "bbm",
    "solar": "bbm",
    "lpg": "lpg_3kg",
    "elpiji": "lpg_3kg",
    "listrik": "listrik",
    "electricity": "listrik",
    "pupuk": "pupuk",
    "fertilizer": "pupuk",
    "pso": "pso",
    "kur": "bunga_kur",
}
PERSONAL = (
    "rekening",
    "nik",
    "npwp",
    "account number",
    "account numbers",
    "payee accounts",
    "bank account",
    "bank accounts",
    "payee account",
    "accounts of payee",
    "nomor rekening",
    "alamat",
    "password",
    "kata sandi",
    "token",
)
_MEASURE_WORDS = {
    "penyerapan": "penyerapan",
    "serapan": "penyerapan",
    "absorption": "penyerapan",
    "pagu": "pagu",
    "anggaran": "pagu",
    "budget": "pagu",
    "ceiling": "pagu",
    "dipa": "pagu",
    "penerimaan": "penerimaan",
    "pendapatan": "penerimaan",
    "revenue": "penerimaan",
    "revenues": "penerimaan",
    "pajak": "penerimaan",
    "perpajakan": "penerimaan",
    "tax": "penerimaan",
    "taxes": "penerimaan",
    "pnbp": "penerimaan",
    "tkd": "tkd",
    "transfer": "tkd",
    "dau": "tkd",
    "dbh": "tkd",
    "dak": "tkd",
    "otsus": "tkd",
    "subsidi": "subsidi",
    "subsidy": "subsidi",
    "subsidies": "subsidi",
    "sla": "sla",
    "sp2d": "sla",
    "waktu": "sla",
    "durasi": "sla",
    "duration": "sla",
    "belanja": "belanja",
    "spending": "belanja",
    "expenditure": "belanja",
    "realisasi": "belanja",
    "realization": "belanja",
    "bansos": "belanja",
    "spent": "belanja",
}
GROUP_BY = {
    "satker": "satker",
    "satuan": "satker",
    "units": "satker",
    "unit": "satker",
    "provinsi": "provinsi",
    "province": "provinsi",
    "provinces": "provinsi",
    "kppn": "kppn",
    "kementerian": "kementerian",
    "ministries": "kementerian",
    "ministry": "kementerian",
    "kl": "kementerian",
    "k": "kementerian",
    "bulan": "bulan",
    "month": "bulan",
    "months": "bulan",
}
#: Rows of a breakdown ("per provinsi"): enough for every province, KPPN of a region or month.
BREAKDOWN_ROWS = 100
_LOW = ("terendah", "terkecil", "paling rendah", "paling kecil", "lowest", "smallest", "bottom")
_HIGH = (
    "tertinggi",
    "terbesar",
    "paling tinggi",
    "paling besar",
    "highest",
    "largest",
    "top",
    "biggest",
    "terbanyak",
)


@dataclass
class Slots:
    """What a data question asks for."""

    measure: str | None = None
    group: str | None = None  # jenis_belanja, revenue kelompok, jenis_tkd or subsidy program
    years: list[int] = field(default_factory=list)
    months: tuple[int, int] | None = None
    place: Place | None = None
    ambiguous_places: tuple[Place, ...] = ()
    ministry: Ministry | None = None
    top: int | None = None
    by: str | None = None
    descending: bool = True
    compare: bool = False
    breakdown: bool = False
    total: bool = False
    personal: bool = False
    words: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        """The month range as words (``Januari-Juni``) or empty for whole years."""
        if self.months is None or self.months == (1, 12):
            return ""
        names = [k for k, v in MONTHS.items() if len(k) > 4 or k in ("mei", "juni", "juli")]
        first = next(n for n in names if MONTHS[n] == self.months[0]).capitalize()
        if self.months[0] == self.months[1]:
            return first
        last = next(n for n in names if MONTHS[n] == self.months[1]).capitalize()
        return f"{first}-{last}"


def _month(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS[word]
    if len(word) >= 5:
        hit = process.extractOne(word, _LONG_MONTHS, scorer=fuzz.ratio, score_cutoff=85)
        if hit is not None:
            return MONTHS[hit[0]]
    return None


def _months(words: list[str], text: str) -> tuple[int, int] | None:
    for i, word in enumerate(words):
        if word in ("semester", "smt", "half", "h") and i + 1 < len(words):
            nxt = words[i + 1]
            if nxt in ("i", "1", "pertama", "first"):
                return (1, 6)
            if nxt in ("ii", "2", "kedua", "second"):
                return (7, 12)
        if word in ("triwulan", "kuartal", "quarter", "tw") and i + 1 < len(words):
            q = ROMAN.get(words[i + 1]) or {
                "pertama": 1,
                "kedua": 2,
                "ketiga": 3,
                "keempat": 4,
                "first": 1,
                "second": 2,
                "third": 3,
                "fourth": 4,
            }.get(words[i + 1])
            if q:
                return (3 * q - 2, 3 * q)
        if re.fullmatch(r"q[1-4]", word):
            q = int(word[1])
            return (3 * q - 2, 3 * q)
    found = [(i, m) for i, w in enumerate(words) if (m := _month(w)) is not None]
    # "mar" and "may" are months only next to a year or another month
    found = [
        (i, m)
        for i, m in found
        if words[i] not in ("mar", "may", "des", "jun")
        or any(abs(i - j) <= 3 for j, _ in found if j != i)
        or (i + 1 < len(words) and words[i + 1].isdigit())
    ]
    if not found:
        return None
    if len(found) >= 2:
        first, last = found[0][1], found[1][1]
        return (min(first, last), max(first, last))
    (i, month) = found[0]
    if re.search(r"\b(sampai|hingga|s\s*[./]?\s*d|until|through|up to|to)\b", text) and not any(
        w in MONTHS for w in words[:i]
    ):
        return (1, month)  # "sampai Juni 2024": year to date
    return (month, month)


_BREAKDOWN = re.compile(
    r"\b(?:per|by|tiap|setiap|each|menurut|rincian)\s+(satker|provinsi|province|kppn|"
    r"kementerian|ministry|bulan|month)"
)


def _top(words: list[str], text: str) -> tuple[int | None, str | None, bool]:
    low = any(k in text for k in _LOW)
    high = any(k in text for k in _HIGH)
    if not (low or high):
        split = _BREAKDOWN.search(text)
        if split:  # a breakdown: every group, largest first (months in calendar order)
            return BREAKDOWN_ROWS, GROUP_BY[split.group(1)], True
        return None, None, True
    n = None
    for i, w in enumerate(words):
        grouped = i + 1 < len(words) and words[i + 1] in GROUP_BY
        if w.isdigit() and len(w) <= 3 and int(w) > 0 and grouped:
            n = int(w)
            break
    if n is None:
        m = re.search(r"\btop\s+(\d{1,3})\b", text)
        n = int(m.group(1)) if m else (1 if not re.search(r"\b(daftar|list)\b", text) else 10)
    by = next((GROUP_BY[w] for w in words if w in GROUP_BY and w != "k"), None)
    if by is None and re.search(r"\bk\s*l\b|k/l", text):
        by = "kementerian"
    return n, by, not low


def parse(question: str, today: dt.date | None = None) -> Slots:
    """The slots of a data question.

    Examples
    --------
    >>> s = parse("berapa realisasi belanja modal Jawa Timur tahun 2023?")
    >>> s.measure, s.group, s.years, s.place.code
    ('belanja', '53', [2023], '35')
    >>> s = parse("bandingkan penerimaan pajak Januari-Juni 2024 dengan 2023")
    >>> s.measure, s.group, s.years, s.months, s.compare
    ('penerimaan', 'perpajakan', [2024, 2023], (1, 6), True)
    """
    text = normalise(question.replace("_", " "))
    text = text.replace("tahun anggaran", "tahun").replace("fiscal year", "year")
    words = _WORD.findall(text)
    slots = Slots(words=words)
    slots.personal = any(re.search(rf"\b{re.escape(p)}\b", text) for p in PERSONAL)
    this_year = (today or dt.date.today()).year
    relative = {"tahun ini": this_year, "this year": this_year, "tahun lalu": this_year - 1,
                "last year": this_year - 1, "tahun kemarin": this_year - 1}  # fmt: skip
    for phrase, year in relative.items():
        text = text.replace(phrase, f"tahun {year}")
    words = _WORD.findall(text)
    slots.words = words
    years = [int(w) for w in words if re.fullmatch(r"20[0-9]{2}", w)]
    span = re.search(
        r"\b(20\d\d)\s*(?:-|sampai|hingga|s\s*[./]?\s*d\s*\.?|to|until)\s*(20\d\d)\b", text
    )
    if span and int(span.group(1)) < int(span.group(2)) <= int(span.group(1)) + 10:
        years = list(range(int(span.group(1)), int(span.group(2)) + 1))
        slots.total = bool(re.search(r"\b(total|jumlah|sum|cumulative|kumulatif)\b", text))
    slots.years = list(dict.fromkeys(years))
    slots.months = _months(words, text)
    slots.compare = bool(
        re.search(r"\b(bandingkan|dibandingkan|banding|compare|compared|versus|vs)\b", text)
    ) or (len(slots.years) >= 2 and re.search(r"\b(dengan|dan|and|with)\b", text) is not None)
    slots.top, slots.by, slots.descending = _top(words, text)
    slots.breakdown = slots.top == BREAKDOWN_ROWS and not any(k in text for k in _LOW + _HIGH)
    match = find_place(question)
    slots.place, slots.ambiguous_places = match.place, match.ambiguous
    slots.ministry = find_ministry(question)
    # "penyerapannya" -> "penyerapan": the -nya suffix of spoken Indonesian
    bare = [w[:-3] if w.endswith("nya") and w[:-3] in _MEASURE_WORDS else w for w in words]
    measures = [_MEASURE_WORDS[w] for w in bare if w in _MEASURE_WORDS]
    if "dana" in words and "desa" in words:
        measures.insert(0, "tkd")
    if "waktu" in words and "sp2d" not in words and "sla" not in words:
        measures = [m for m in measures if m != "sla"]
    priority = ("penyerapan", "sla", "subsidi", "tkd", "penerimaan", "pagu", "belanja")
    slots.measure = next((m for m in priority if m in measures), None)
    if slots.measure == "pagu" and "realisasi" in words:
        slots.measure = "belanja"
    if re.search(r"\b(defisit|deficit)\b", text):
        slots.measure = "defisit"
    elif re.search(r"\b(pembiayaan anggaran|financing)\b", text):
        slots.measure, slots.group = "apbn", "pembiayaan"
    elif re.search(r"\b(belanja negara|state spending|government spending|apbn)\b", text) and (
        slots.measure in (None, "belanja") and not _SPENDING_DETAIL.intersection(words)
    ):
        slots.measure, slots.group = "apbn", "belanja"
    if slots.measure in ("apbn", "defisit"):
        return slots
    if slots.measure in ("belanja", "pagu", "penyerapan"):
        slots.group = next((BELANJA_GROUPS[w] for w in words if w in BELANJA_GROUPS), None)
        if slots.group == "55" and "belanja" not in words:
            slots.measure, slots.group = "subsidi", None
    if slots.measure == "penerimaan":
        slots.group = next((REVENUE_KINDS[w] for w in words if w in REVENUE_KINDS), None)
    if slots.measure == "tkd":
        slots.group = _tkd_kind(words, text)
    if slots.measure == "subsidi":
        slots.group = next((SUBSIDY_PROGRAMS[w] for w in words if w in SUBSIDY_PROGRAMS), None)
    return slots


#: Words that make a spending question about K/L detail rather than the APBN posture.
_SPENDING_DETAIL = frozenset(BELANJA_GROUPS) | {"satker", "kppn", "kementerian", "ministry"}


def _tkd_kind(words: list[str], text: str) -> str | None:
    if "dak" in words:
        return "dak_nonfisik" if re.search(r"non\s*fisik", text) else "dak_fisik"
    if "dana" in words and "desa" in words:
        return "dana_desa"
    return next((TKD_KINDS[w] for w in words if w in TKD_KINDS and w != "desa"), None)
