"""UI texts in Bahasa Indonesia (default) and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "app_name": {"id": "Treasury Big Data", "en": "Treasury Big Data"},
    "tagline": {
        "id": "Data keuangan negara untuk keputusan yang lebih baik",
        "en": "State finance data for better decisions",
    },
    "home": {"id": "Beranda", "en": "Home"},
    "as_of": {"id": "Data per", "en": "Data as of"},
    "no_snapshot": {
        "id": "Belum ada data. Jalankan `treasury demo` untuk membangun data.",
        "en": "No data yet. Run `treasury demo` to build it.",
    },
    "apbn_summary": {"id": "Ringkasan realisasi APBN", "en": "APBN realization summary"},
    "year": {"id": "Tahun", "en": "Year"},
    "revenue": {"id": "Pendapatan", "en": "Revenue"},
    "spending": {"id": "Belanja", "en": "Spending"},
    "financing": {"id": "Pembiayaan", "en": "Financing"},
    "deficit": {"id": "Defisit", "en": "Deficit"},
    "last_run": {"id": "Proses terakhir", "en": "Last pipeline run"},
    "language_switch": {"id": "English", "en": "Bahasa Indonesia"},
    "period": {"id": "Periode", "en": "Period"},
    "snapshot_as_of": {"id": "Data per (snapshot)", "en": "Data as of (snapshot)"},
    "print": {"id": "Cetak / PDF", "en": "Print / PDF"},
    "month_from": {"id": "Dari bulan", "en": "From month"},
    "month_to": {"id": "Sampai bulan", "en": "To month"},
    "latest": {"id": "terakhir", "en": "latest"},
    "ministry": {"id": "Kementerian/Lembaga", "en": "Ministry"},
    "province": {"id": "Provinsi", "en": "Province"},
    "all": {"id": "Semua", "en": "All"},
    "apply": {"id": "Terapkan", "en": "Apply"},
    "reset": {"id": "Atur ulang", "en": "Reset"},
    "of_budget": {"id": "pagu", "en": "budget"},
    "limit": {"id": "batas", "en": "limit"},
    "vs_last_year": {"id": "vs periode sama tahun lalu", "en": "vs same period last year"},
    "alerts": {"id": "Peringatan", "en": "Alerts"},
    "suggested_action": {"id": "Saran tindakan", "en": "Suggested action"},
    "download_data": {"id": "Unduh data", "en": "Download data"},
    "open_in_api": {"id": "Buka di API", "en": "Open in API"},
    "dashboards": {"id": "Dasbor", "en": "Dashboards"},
    "analytics": {"id": "Analitik", "en": "Analytics"},
    "regions": {"id": "Wilayah", "en": "Regions"},
    "products": {"id": "Layanan", "en": "Services"},
    "my_home": {"id": "Halaman utama saya", "en": "My home page"},
}


def text(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang``; the key itself when it has no entry."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["id"]
