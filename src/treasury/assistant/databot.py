"""The data assistant ("Digital Assistance BOT"): a question in words -> SQL on the marts -> an answer.

:func:`parse` fills the slots, :func:`build_sql` writes the query and
:meth:`treasury.warehouse.reader.Reader.sql` runs it under the user's own row filters, column
masks and audit: the assistant never reads data any other way, so a user never learns a number
they could not query. Missing slots get a clarifying question, personal data and other topics a
polite refusal (``value`` None in both). An optional LLM (:mod:`treasury.assistant.llm`) may only
reword a question the rules cannot read; it never writes SQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

from treasury.access import Principal
from treasury.assistant import llm
from treasury.assistant.queries import MEASURES, Unsupported, build_sql
from treasury.assistant.slots import GROUP_NAMES, Slots, parse
from treasury.i18n import format_number, format_percent, format_rupiah
from treasury.reference.ministries import ministries
from treasury.reference.offices import kppn
from treasury.reference.regions import provinces
from treasury.warehouse.reader import Reader, ReadError

MEASURE_NAMES = {
    "belanja": ("realisasi belanja", "spending"),
    "pagu": ("pagu belanja", "budget ceiling"),
    "penyerapan": ("penyerapan anggaran", "budget absorption"),
    "penerimaan": ("penerimaan negara", "revenue"),
    "tkd": ("penyaluran transfer ke daerah", "transfers to regions"),
    "subsidi": ("realisasi subsidi", "subsidy spending"),
    "sla": ("rata-rata waktu penyelesaian SP2D", "average SP2D processing time"),
    "apbn": ("realisasi belanja negara (APBN)", "state budget (APBN) spending"),
    "defisit": ("defisit APBN", "APBN deficit"),
}
APBN_NAMES = {
    "belanja": ("realisasi belanja negara (APBN)", "state budget (APBN) spending"),
    "pembiayaan": ("realisasi pembiayaan anggaran", "budget financing"),
}
KIND_NAMES = {
    "perpajakan": "perpajakan",
    "pnbp": "PNBP",
    "hibah": "hibah",
    "dau": "DAU",
    "dbh": "DBH",
    "dak_fisik": "DAK Fisik",
    "dak_nonfisik": "DAK Nonfisik",
    "dana_desa": "Dana Desa",
    "otsus": "Dana Otsus",
    "insentif_fiskal": "Insentif Fiskal",
    "bbm": "BBM",
    "lpg_3kg": "LPG 3 kg",
    "listrik": "listrik",
    "pupuk": "pupuk",
    "pso": "PSO",
    "bunga_kur": "bunga KUR",
}
TEXT = {
    "refuse_personal": (
        "Maaf, saya tidak dapat menampilkan data pribadi seperti nomor rekening penerima, NIK atau "
        "NPWP. Data tersebut hanya dapat diakses petugas berwenang melalui layanan data sesuai "
        "hak aksesnya.",
        "Sorry, I cannot show personal data such as payee account numbers, NIK or NPWP. Only "
        "authorised staff can see it through the data services, under their access rights.",
    ),
    "refuse_topic": (
        "Maaf, saya hanya dapat menjawab pertanyaan tentang data APBN: realisasi dan pagu belanja, "
        "penyerapan, penerimaan, transfer ke daerah, subsidi dan waktu layanan SP2D. Untuk "
        "pertanyaan layanan, gunakan tab FAQ.",
        "Sorry, I can only answer questions about the state budget data: spending and budget "
        "ceilings, absorption, revenue, transfers to regions, subsidies and SP2D service times. "
        "For service questions, use the FAQ tab.",
    ),
    "ask_measure": (
        "Data apa yang Anda maksud: realisasi belanja, pagu, penyerapan, penerimaan, transfer ke "
        "daerah, subsidi, atau waktu layanan SP2D?",
        "Which data do you mean: spending, budget ceiling, absorption, revenue, transfers to "
        "regions, subsidies, or SP2D service time?",
    ),
    "ask_year": (
        "Untuk tahun berapa? Misalnya: \u201c{example} tahun 2024\u201d.",
        "For which year? For example: \u201c{example} in 2024\u201d.",
    ),
    "ask_place": (
        "Wilayah mana yang Anda maksud: {options}?",
        "Which place do you mean: {options}?",
    ),
    "ask_compare": (
        "Periode mana yang ingin dibandingkan? Sebutkan dua tahun, misalnya 2024 dengan 2023.",
        "Which periods should I compare? Name two years, for example 2024 with 2023.",
    ),
    "no_region": (
        "Data {measure} tersedia per {levels}, tidak per {level}. Sebutkan {levels}.",
        "{measure} data is available by {levels}, not by {level}. Please name a {levels}.",
    ),
    "national_only": (
        "Data {measure} hanya tersedia secara nasional, tidak per {level}.",
        "{measure} data is only available nationally, not by {level}.",
    ),
    "no_data": (
        "Tidak ada data {what} yang dapat Anda akses.",
        "There is no {what} data that you may access.",
    ),
}
GROUP_NAMES_EN = {
    "51": "personnel spending",
    "52": "goods and services spending",
    "53": "capital spending",
    "54": "interest spending",
    "55": "subsidy spending",
    "56": "grant spending",
    "57": "social assistance spending",
    "58": "other spending",
}
LEVEL_NAMES = {
    "provinsi": ("provinsi", "province"),
    "kabkota": ("kabupaten/kota", "regency/city"),
    "kppn": ("KPPN", "KPPN"),
    "kementerian": ("kementerian/lembaga", "ministry"),
    "satker": ("satker", "spending unit"),
    "bulan": ("bulan", "month"),
}


@dataclass
class DataAnswer:
    """The assistant's answer: sentence, headline value and unit, table rows, the SQL it ran."""

    answer: str
    value: float | None
    unit: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    sql: str | None = None
    kind: str = "answer"  # answer, clarify, refuse, empty

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        return {
            "answer": self.answer,
            "value": self.value,
            "unit": self.unit,
            "rows": self.rows,
            "sql": self.sql,
        }


def _t(key: str, lang: str, **values: str) -> str:
    text = TEXT[key][0 if lang == "id" else 1]
    return text.format(**values) if values else text


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


MONTH_NAMES = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


def _label(key: Any, by: str, lang: str = "id") -> str:
    if by == "bulan" and isinstance(key, int) and 1 <= key <= 12:
        return MONTH_NAMES.get(lang, MONTH_NAMES["id"])[key - 1]
    key = str(key)
    if by == "provinsi":
        names = {r["kode_provinsi"]: r["nama"] for r in provinces().to_pylist()}
        return names.get(key, key)
    if by == "kppn":
        return {r["kode_kppn"]: r["nama"] for r in kppn().to_pylist()}.get(key, key)
    if by == "kementerian":
        return {r["kode_ba"]: r["nama"] for r in ministries().to_pylist()}.get(key, key)
    return key


class DataAssistant:
    """Answers data questions through the policy-enforcing reader.

    Examples
    --------
    >>> bot = DataAssistant(Reader())  # doctest: +SKIP
    >>> bot.ask(principal, "berapa realisasi belanja modal Jawa Timur tahun 2023?").value  # doctest: +SKIP
    1234567890123.0
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    # understanding -----------------------------------------------------------------------

    def understand(self, question: str, lang: str = "id") -> Slots | DataAnswer:
        """The slots of a question, or the clarifying question / refusal it needs."""
        slots = parse(question)
        if slots.personal:
            return DataAnswer(_t("refuse_personal", lang), None, None, kind="refuse")
        if slots.measure is None and llm.configured():
            reworded = llm.reword(question)
            if reworded:
                slots = parse(reworded)
        if slots.measure is None:
            has_context = slots.years or slots.ministry or slots.top
            return DataAnswer(
                _t("ask_measure" if has_context else "refuse_topic", lang),
                None,
                None,
                kind="clarify" if has_context else "refuse",
            )
        if slots.ambiguous_places and slots.place is None:
            options = ", ".join(p.name for p in slots.ambiguous_places[:6])
            return DataAnswer(_t("ask_place", lang, options=options), None, None, kind="clarify")
        if not slots.years:
            example = MEASURE_NAMES[slots.measure][0 if lang == "id" else 1]
            return DataAnswer(_t("ask_year", lang, example=example), None, None, kind="clarify")
        if slots.compare and len(slots.years) < 2:
            return DataAnswer(_t("ask_compare", lang), None, None, kind="clarify")
        return slots

    # answering ---------------------------------------------------------------------------

    def ask(self, principal: Principal, question: str, lang: str = "id") -> DataAnswer:
        """Answer ``question`` for ``principal`` (reader errors such as 401/403 propagate)."""
        understood = self.understand(question, lang)
        if isinstance(understood, DataAnswer):
            return understood
        slots = understood
        try:
            sql = build_sql(slots)
        except Unsupported as exc:
            return self._unsupported(slots, str(exc), lang)
        try:
            table = self.reader.sql(principal, sql, limit=1000)
        except ReadError as exc:
            if exc.code != "bad_sql" or "daftar_satker" not in sql:
                raise
            sql = build_sql(slots, names=False)  # the satker list is not published: no names
            table = self.reader.sql(principal, sql, limit=1000)
        rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
        answer = self._compose(slots, rows, sql, lang)
        answer.answer = answer.answer[:1].upper() + answer.answer[1:]
        return answer

    def _unsupported(self, slots: Slots, level: str, lang: str) -> DataAnswer:
        assert slots.measure is not None
        measure = MEASURES[slots.measure]
        i = 0 if lang == "id" else 1
        levels = measure.groups if slots.top is not None else measure.regions
        if not levels:
            name = MEASURE_NAMES[slots.measure][i]
            where = LEVEL_NAMES.get(level, (level, level))[i]
            return DataAnswer(
                _t("national_only", lang, measure=name, level=where), None, None, kind="clarify"
            )
        text = _t(
            "no_region",
            lang,
            measure=MEASURE_NAMES[slots.measure][i],
            levels=" / ".join(LEVEL_NAMES[x][i] for x in levels),
            level=LEVEL_NAMES.get(level, (level, level))[i],
        )
        return DataAnswer(text, None, None, kind="clarify")

    def _subject(self, slots: Slots, lang: str, place: bool = True) -> str:
        assert slots.measure is not None
        i = 0 if lang == "id" else 1
        name = MEASURE_NAMES[slots.measure][i]
        if slots.measure == "apbn" and slots.group in APBN_NAMES:
            name = APBN_NAMES[slots.group][i]
        elif slots.group in GROUP_NAMES:
            kind = GROUP_NAMES[slots.group]
            english = GROUP_NAMES_EN[slots.group]
            name = {
                "belanja": (f"realisasi {kind}", english),
                "pagu": (f"pagu {kind}", f"{english} budget ceiling"),
                "penyerapan": (f"penyerapan {kind}", f"{english} absorption"),
            }[slots.measure][i]
        elif slots.group:
            name = f"{name} {KIND_NAMES.get(slots.group, slots.group)}"
        if slots.ministry:
            name += f" {slots.ministry.name}"
        if slots.place and place:
            name += f" {'di' if lang == 'id' else 'in'} {slots.place.name}"
        return name

    def _period(self, slots: Slots, year: int | None = None) -> str:
        years = [year] if year is not None else slots.years
        label = slots.period_label
        text = ", ".join(str(y) for y in years)
        return f"{label} {text}".strip()

    def _format(self, value: float | None, unit: str, lang: str) -> str:
        if unit == "rupiah":
            return format_rupiah(value, lang=lang)
        if unit == "percent":
            return format_percent(value, 1, lang=lang)
        minutes = format_number(value, 1, lang=lang)
        return f"{minutes} {'menit' if lang == 'id' else 'minutes'}"

    def _compose(self, slots: Slots, rows: list[dict[str, Any]], sql: str, lang: str) -> DataAnswer:
        assert slots.measure is not None
        unit = MEASURES[slots.measure].unit
        subject = self._subject(slots, lang)
        values = [r for r in rows if r.get("nilai") is not None]
        if not values:
            what = f"{subject} {self._period(slots)}"
            return DataAnswer(_t("no_data", lang, what=what), None, unit, rows, sql, kind="empty")
        if slots.top is not None:
            by = slots.by or (
                "satker" if MEASURES[slots.measure].view.startswith("belanja") else "provinsi"
            )
            for row in rows:
                row.setdefault("nama", _label(row["kunci"], by, lang))
            head = values[0]
            n = len(values)
            direction = (
                ("tertinggi" if slots.descending else "terendah")
                if lang == "id"
                else ("highest" if slots.descending else "lowest")
            )
            level = LEVEL_NAMES[by][0 if lang == "id" else 1]
            listing = "; ".join(
                f"{r['nama']}: {self._format(r['nilai'], unit, lang)}" for r in values[:10]
            )
            more = "; ..." if n > 10 else ""
            if slots.breakdown:
                per = "per" if lang == "id" else "by"
                text = f"{subject[0].upper()}{subject[1:]} {self._period(slots)} {per} {level}: {listing}{more}."
            elif lang == "id":
                core = self._subject(slots, lang, place=False)
                where = f" di {slots.place.name}" if slots.place else ""
                text = f"{n} {level} dengan {core} {direction}{where} {self._period(slots)}: {listing}{more}."
            else:
                text = f"The {n} {level}s with the {direction} {subject} {self._period(slots)}: {listing}{more}."
            return DataAnswer(text, float(head["nilai"]), unit, rows, sql)
        by_year = {int(r["tahun"]): float(r["nilai"]) for r in values}
        first = slots.years[0]
        value = by_year.get(first)
        if slots.compare and len(slots.years) >= 2:
            other = slots.years[1]
            base = by_year.get(other)
            parts = [
                f"{subject} {self._period(slots, y)}: {self._format(by_year.get(y), unit, lang)}"
                for y in slots.years[:2]
            ]
            text = "; ".join(parts)
            if value is not None and base:
                change = 100.0 * (value - base) / abs(base)
                for row in rows:
                    if row.get("tahun") == first:
                        row["perubahan_persen"] = round(change, 2)
                word = (
                    ("naik" if change >= 0 else "turun")
                    if lang == "id"
                    else ("up" if change >= 0 else "down")
                )
                text += f" ({word} {format_percent(abs(change), 1, lang=lang)})."
            rows.sort(
                key=lambda r: (
                    slots.years.index(int(r["tahun"])) if int(r["tahun"]) in slots.years else 99
                )
            )
            return DataAnswer(text, value, unit, rows, sql)
        if len(slots.years) > 1 and slots.total and unit == "rupiah":
            total = sum(by_year.values())
            span = f"{slots.years[0]}-{slots.years[-1]}"
            label = f"{slots.period_label} {span}".strip()
            word = "adalah" if lang == "id" else "was"
            text = f"{subject[0].upper()}{subject[1:]} {label} {word} {self._format(total, unit, lang)}"
            each = "; ".join(
                f"{y}: {self._format(v, unit, lang)}" for y, v in sorted(by_year.items())
            )
            return DataAnswer(f"{text} ({each}).", total, unit, rows, sql)
        if len(slots.years) > 1:
            text = "; ".join(
                f"{subject} {self._period(slots, y)}: {self._format(by_year.get(y), unit, lang)}"
                for y in slots.years
            )
            return DataAnswer(text + ".", value, unit, rows, sql)
        verb = "adalah" if lang == "id" else "was"
        text = f"{subject[0].upper()}{subject[1:]} {self._period(slots)} {verb} {self._format(value, unit, lang)}."
        return DataAnswer(text, value, unit, rows, sql)
