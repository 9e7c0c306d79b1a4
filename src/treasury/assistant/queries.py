"""SQL for the slots of a data question, over the datasets as :meth:`Reader.sql` names them.

Each measure reads one published dataset (``belanja_satker_bulanan``, ``penerimaan_harian``,
``tkd_bulanan``, ``subsidi_bulanan``, ``sla_sp2d``); the reader puts the user's row filters and
masks inside each name. Every value in the SQL comes from reference data or from digits parsed
out of the question (years, months, N), never from free text, so a question cannot inject SQL.
The query returns ``tahun`` (or ``kunci`` for rankings) and ``nilai``.
"""

from __future__ import annotations

from dataclasses import dataclass

from treasury.assistant.slots import Slots
from treasury.reference.offices import kppn


class Unsupported(ValueError):
    """The slots name something the measure's data cannot answer; the message says what."""


@dataclass(frozen=True)
class Measure:
    """Where a measure lives and how it adds up."""

    view: str
    year: str
    month: str
    value: str
    unit: str
    regions: tuple[str, ...]
    groups: tuple[str, ...]
    group_column: str | None


_SPENDING_REGIONS = ("provinsi", "kabkota", "kppn")
_SPENDING_GROUPS = ("satker", "provinsi", "kppn", "kementerian")


def _spending(value: str, unit: str, groups: tuple[str, ...] = _SPENDING_GROUPS) -> Measure:
    """A measure over the satker spending mart (realisation, ceiling, absorption)."""
    view = "belanja_satker_bulanan"
    return Measure(view, "tahun", "bulan", value, unit, _SPENDING_REGIONS, groups, "jenis_belanja")


MEASURES = {
    "belanja": _spending("SUM(realisasi)", "rupiah", (*_SPENDING_GROUPS, "bulan")),
    "pagu": _spending("SUM(pagu)", "rupiah"),
    "penyerapan": _spending("100.0 * SUM(realisasi) / NULLIF(SUM(pagu), 0)", "percent"),
    "apbn": Measure(
        "realisasi_apbn_bulanan",
        "tahun",
        "bulan",
        "SUM(realisasi)",
        "rupiah",
        (),
        ("bulan",),
        "pos",
    ),
    "defisit": Measure(
        "realisasi_apbn_bulanan",
        "tahun",
        "bulan",
        "SUM(CASE pos WHEN 'belanja' THEN realisasi WHEN 'pendapatan' THEN -realisasi ELSE 0 END)",
        "rupiah",
        (),
        ("bulan",),
        None,
    ),
    "penerimaan": Measure(
        "penerimaan_harian",
        "year(tanggal)",
        "month(tanggal)",
        "SUM(realisasi)",
        "rupiah",
        ("provinsi",),
        ("provinsi", "bulan"),
        "kelompok",
    ),
    "tkd": Measure(
        "tkd_bulanan",
        "tahun",
        "bulan",
        "SUM(realisasi)",
        "rupiah",
        ("provinsi", "kabkota"),
        ("provinsi", "bulan"),
        "jenis_tkd",
    ),
    "subsidi": Measure(
        "subsidi_bulanan",
        "tahun",
        "bulan",
        "SUM(realisasi)",
        "rupiah",
        ("provinsi",),
        ("provinsi", "bulan"),
        "program",
    ),
    "sla": Measure(
        "sla_sp2d",
        "year(waktu_sp2d)",
        "month(waktu_sp2d)",
        "AVG(menit)",
        "minutes",
        ("provinsi", "kppn"),
        ("kppn", "bulan"),
        None,
    ),
}
_KEYS = {
    "satker": "kode_satker",
    "kppn": "kode_kppn",
    "kementerian": "kode_ba",
    "provinsi": "kode_provinsi",
}
_BY_PAGU = ("pagu", "penyerapan")


def _text(value: str) -> str:
    """A trusted code as an SQL string literal (codes are digits and letters only)."""
    if not value.replace("_", "").isalnum():
        raise Unsupported(f"unexpected code {value!r}")
    return f"'{value}'"


def _region_condition(slots: Slots, measure: Measure) -> str | None:
    place = slots.place
    if place is None:
        return None
    if place.level not in measure.regions:
        raise Unsupported(place.level)
    if measure.view == "tkd_bulanan":
        if place.level == "provinsi":
            return f"LEFT(kode_pemda, 2) = {_text(place.code)}"
        return f"kode_pemda = {_text(place.code)}"
    if measure.view == "sla_sp2d" and place.level == "provinsi":
        codes = [r["kode_kppn"] for r in kppn().to_pylist() if r["kode_provinsi"] == place.code]
        return f"kode_kppn IN ({', '.join(_text(c) for c in codes) or 'NULL'})"
    column = {"provinsi": "kode_provinsi", "kabkota": "kode_kabkota", "kppn": "kode_kppn"}
    return f"{column[place.level]} = {_text(place.code)}"


def _group_key(slots: Slots, measure: Measure) -> str:
    by = slots.by or ("satker" if measure.view == "belanja_satker_bulanan" else "provinsi")
    if by not in measure.groups:
        raise Unsupported(by)
    if by == "bulan":
        return measure.month
    if by == "provinsi" and measure.view == "tkd_bulanan":
        return "LEFT(kode_pemda, 2)"
    return _KEYS[by]


def build_sql(slots: Slots, names: bool = True) -> str:
    """The SQL answering ``slots`` (``slots.measure`` and ``slots.years`` must be set); a
    ranking of satker also carries each satker's name from the ``daftar-satker`` dataset
    unless ``names`` is False.

    Raises
    ------
    Unsupported
        The measure has no data by that region or grouping (the message names which).

    Examples
    --------
    >>> from treasury.assistant.slots import parse
    >>> print(build_sql(parse("realisasi belanja modal Jawa Timur 2023")))
    SELECT tahun AS tahun, SUM(realisasi) AS nilai FROM belanja_satker_bulanan WHERE tahun IN (2023) AND jenis_belanja = '53' AND kode_provinsi = '35' GROUP BY 1 ORDER BY 1
    """
    sql = _build(slots)
    if not names or slots.top is None or slots.measure is None:
        return sql
    if _group_key(slots, MEASURES[slots.measure]) != "kode_satker":
        return sql
    order = "r.nilai DESC, r.kunci" if slots.descending else "r.nilai ASC, r.kunci"
    return (
        f"SELECT r.kunci, r.nilai, s.nama_satker AS nama FROM ({sql}) AS r "
        f"LEFT JOIN daftar_satker AS s ON s.kode_satker = r.kunci ORDER BY {order}"
    )


def _build(slots: Slots) -> str:
    """The query of :func:`build_sql` before satker names are joined."""
    assert slots.measure is not None and slots.years
    measure = MEASURES[slots.measure]
    years = ", ".join(str(int(y)) for y in slots.years)
    where = [f"{measure.year} IN ({years})"]
    if slots.group and measure.group_column:
        where.append(f"{measure.group_column} = {_text(slots.group)}")
    region = _region_condition(slots, measure)
    if region:
        where.append(region)
    if slots.ministry is not None:
        if measure.view != "belanja_satker_bulanan":
            raise Unsupported("kementerian")
        where.append(f"kode_ba = {_text(slots.ministry.kode_ba)}")
    months = slots.months
    ranking = slots.top is not None
    key = _group_key(slots, measure) if ranking else None
    direction = "DESC" if slots.descending else "ASC"
    order = "kunci" if slots.breakdown and slots.by == "bulan" else f"nilai {direction}, kunci"
    limit = int(slots.top or 1)
    if slots.measure in _BY_PAGU:
        # pagu is the annual ceiling repeated on every month row: take it once per satker/type
        inner_keys = "tahun, kode_satker, jenis_belanja" + (
            f", {key}" if key and key != "kode_satker" else ""
        )
        in_months = f"bulan BETWEEN {months[0]} AND {months[1]}" if months else "TRUE"
        source = (
            f"(SELECT {inner_keys}, SUM(CASE WHEN {in_months} THEN realisasi ELSE 0 END) "
            f"AS realisasi, MAX(pagu) AS pagu FROM {measure.view} WHERE {' AND '.join(where)} "
            f"GROUP BY {inner_keys}) AS per_satker"
        )
        where_outer = "pagu > 0" if ranking and slots.measure == "penyerapan" else "TRUE"
        if ranking:
            return (
                f"SELECT {key} AS kunci, {measure.value} AS nilai FROM {source} "
                f"WHERE {where_outer} GROUP BY 1 HAVING nilai IS NOT NULL "
                f"ORDER BY {order} LIMIT {limit}"
            )
        return f"SELECT tahun, {measure.value} AS nilai FROM {source} GROUP BY 1 ORDER BY 1"
    if months:
        where.append(f"{measure.month} BETWEEN {months[0]} AND {months[1]}")
    condition = " AND ".join(where)
    if ranking:
        return (
            f"SELECT {key} AS kunci, {measure.value} AS nilai FROM {measure.view} WHERE {condition} "
            f"GROUP BY 1 ORDER BY {order} LIMIT {limit}"
        )
    return (
        f"SELECT {measure.year} AS tahun, {measure.value} AS nilai FROM {measure.view} "
        f"WHERE {condition} GROUP BY 1 ORDER BY 1"
    )
