"""A dashboard view: headline numbers, alerts with a suggested action, and figures.

Each dashboard module offers ``build(ctx) -> Board``; :data:`treasury.dashboards.registry.BOARDS`
maps a board key (``apbn``, ``subsidies``, ...) to it. :class:`Context` carries the viewer's data
source, the parsed filters and the language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from treasury.dashboards.figures import Column, Figure
from treasury.dashboards.filters import Filters
from treasury.dashboards.source import Source


@dataclass(frozen=True)
class Context:
    """What a board is built from: data source (the viewer), filters, language."""

    source: Source
    filters: Filters
    lang: str = "id"

    def tr(self, id_text: str, en_text: str) -> str:
        """The text in the page language."""
        return id_text if self.lang == "id" else en_text

    def columns(self, *names: str) -> list[Column]:
        """Data columns with their labels from :data:`COLUMNS` (the name itself if unknown)."""
        return [Column(n, self.tr(*COLUMNS.get(n, (n, n)))) for n in names]


#: Labels of the data columns figures use, (Indonesian, English).
COLUMNS: dict[str, tuple[str, str]] = {
    "tahun": ("Tahun", "Year"),
    "bulan": ("Bulan", "Month"),
    "tanggal": ("Tanggal", "Date"),
    "jenis": ("Jenis (realisasi/proyeksi)", "Kind (realisasi/proyeksi)"),
    "kode": ("Kode", "Code"),
    "nama": ("Nama", "Name"),
    "kode_ba": ("Kode BA", "BA code"),
    "kode_provinsi": ("Kode provinsi", "Province code"),
    "kode_kppn": ("Kode KPPN", "KPPN code"),
    "kode_satker": ("Kode satker", "Satker code"),
    "program": ("Program", "Program"),
    "jenis_tkd": ("Jenis TKD", "TKD type"),
    "pagu": ("Pagu (Rp)", "Budget (Rp)"),
    "realisasi": ("Realisasi (Rp)", "Realization (Rp)"),
    "persen": ("% pagu", "% of budget"),
    "kumulatif": ("Kumulatif (Rp)", "Cumulative (Rp)"),
    "defisit": ("Defisit kumulatif (Rp)", "Cumulative deficit (Rp)"),
    "persen_pdb": ("% PDB", "% of GDP"),
    "penerimaan": ("Penerimaan (Rp)", "Inflows (Rp)"),
    "pengeluaran": ("Pengeluaran (Rp)", "Outflows (Rp)"),
    "saldo": ("Saldo (Rp)", "Balance (Rp)"),
    "volume": ("Volume", "Volume"),
    "penduduk": ("Penduduk (jiwa)", "Population"),
    "per_kapita": ("Per kapita (Rp)", "Per capita (Rp)"),
    "jumlah": ("Jumlah", "Count"),
    "persen_sla": ("% dalam SLA", "% within SLA"),
    "menit_median": ("Median menit", "Median minutes"),
    "tahap": ("Tahap", "Stage"),
    "desa": ("Jumlah desa", "Villages"),
    "kelompok": ("Kelompok", "Group"),
    "lon": ("Bujur", "Longitude"),
    "lat": ("Lintang", "Latitude"),
    "dalam_sla": ("Dalam SLA", "Within SLA"),
    "persen_q4": ("% triwulan IV", "% in Q4"),
    "persen_desember": ("% Desember", "% in December"),
    "jenis_pembayaran": ("Jenis pembayaran", "Payment type"),
    "nilai": ("Nilai (Rp)", "Amount (Rp)"),
    "uraian": ("Uraian", "Description"),
    "kode_akun": ("Kode akun", "Account"),
    "netto": ("Netto (Rp)", "Net (Rp)"),
    "saldo_akhir": ("Saldo (Rp)", "Outstanding (Rp)"),
    "subkelompok": ("Subkelompok", "Subgroup"),
    "penyaluran": ("Penyaluran (Rp)", "Disbursed (Rp)"),
    "pengembalian": ("Pengembalian (Rp)", "Repaid (Rp)"),
    "kode_pemda": ("Kode Pemda", "Pemda code"),
    "serapan_wilayah": ("Penyerapan wilayah (%)", "Region absorption (%)"),
    "serapan_nasional": ("Penyerapan nasional (%)", "National absorption (%)"),
    "mulai": ("Salur pertama", "First disbursed"),
    "selesai": ("Salur terakhir", "Last disbursed"),
    "pokok": ("Pokok (Rp)", "Principal (Rp)"),
    "tunggakan": ("Tunggakan (Rp)", "Arrears (Rp)"),
    "kolektibilitas": ("Kolektibilitas", "Collectibility"),
}


@dataclass(frozen=True)
class Kpi:
    """A headline number: value (rupiah or percent), its budget and change on last year."""

    id: str
    label: str
    value: float | int | None
    unit: str = "rupiah"  # or "percent"
    budget: float | int | None = None
    share: float | None = None  # value / budget, percent
    change: float | None = None  # vs the same period last year, percent
    note: str | None = None


@dataclass(frozen=True)
class Alert:
    """Something a leader should look at, and what to do about it."""

    level: str  # "warning" or "danger"
    text: str
    action: str


@dataclass
class Board:
    """A built dashboard view."""

    key: str
    title: str
    filters: Filters
    kpis: list[Kpi] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    as_of: dt.datetime | None = None
    period: str = ""
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    crumbs: list[tuple[str, str]] = field(default_factory=list)

    def figure(self, figure_id: str) -> Figure | None:
        """The figure with ``figure_id``, or None."""
        return next((f for f in self.figures if f.id == figure_id), None)

    def summary(self) -> dict[str, Any]:
        """Headline numbers and alerts as the API gives them."""
        return {
            "board": self.key,
            "title": self.title,
            "filters": self.filters.params(),
            "period": self.period,
            "kpis": [k.__dict__ for k in self.kpis],
            "alerts": [a.__dict__ for a in self.alerts],
            "figures": [f.id for f in self.figures],
        }


def pct(part: float | int | None, whole: float | int | None) -> float | None:
    """``part`` as a percentage of ``whole`` (None when either is missing or whole is 0)."""
    if part is None or not whole:
        return None
    return round(100.0 * float(part) / float(whole), 2)


def growth(now: float | int | None, before: float | int | None) -> float | None:
    """Change from ``before`` to ``now`` in percent (None without a base)."""
    if now is None or not before:
        return None
    return round(100.0 * (float(now) - float(before)) / abs(float(before)), 2)


def last_months(rows: list[dict[str, Any]]) -> dict[int, int]:
    """Year -> the last month with data, from rows with ``tahun`` and ``bulan``."""
    out: dict[int, int] = {}
    for r in rows:
        out[r["tahun"]] = max(out.get(r["tahun"], 0), r["bulan"])
    return out


def start(
    ctx: Context, key: str, title: str, last_months: dict[int, int]
) -> tuple[Board, int, range]:
    """A new board over the years in ``last_months`` (year -> last month with data).

    The year defaults to the latest, the month range to January through the year's last month
    with data. Returns the board (period, as-of time, year options set), the year and the months.
    """
    f = ctx.filters
    years = sorted(last_months)
    year = f.year if f.year is not None else (years[-1] if years else dt.date.today().year)
    month_to = min(f.month_to or last_months.get(year) or 12, 12)
    months = range(f.month_from, month_to + 1)
    from treasury.dashboards.labels import month_name

    board = Board(
        key,
        title,
        f.with_(year=year),
        as_of=ctx.source.snapshot_time(),
        period=f"{month_name(f.month_from, ctx.lang)}–{month_name(month_to, ctx.lang)} {year}",
        options={"year": [(str(y), str(y)) for y in reversed(years)]},
    )
    if year not in last_months:
        board.notes.append(ctx.tr(f"Belum ada data tahun {year}.", f"No data for {year} yet."))
    return board, year, months
