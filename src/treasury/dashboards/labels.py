"""Names people read for the codes in the marts (Bahasa Indonesia and English), and GDP."""

from __future__ import annotations

from functools import cache

from treasury.i18n import MONTHS
from treasury.reference import kabkota, macro_assumptions, macro_outcomes, ministries, provinces

#: code -> (Indonesian, English)
KELOMPOK: dict[str, tuple[str, str]] = {
    "perpajakan": ("Perpajakan", "Taxes"),
    "pnbp": ("PNBP", "Non-tax revenue"),
    "hibah": ("Hibah", "Grants"),
    "belanja_pegawai": ("Belanja pegawai", "Personnel"),
    "belanja_barang": ("Belanja barang", "Goods and services"),
    "belanja_modal": ("Belanja modal", "Capital"),
    "bunga": ("Pembayaran bunga utang", "Interest"),
    "subsidi": ("Subsidi", "Subsidies"),
    "bansos": ("Bantuan sosial", "Social assistance"),
    "belanja_lain": ("Belanja lain-lain", "Other spending"),
    "tkd": ("Transfer ke daerah", "Transfers to regions"),
    "pembiayaan_utang": ("Pembiayaan utang", "Debt financing"),
    "pembiayaan_investasi": ("Pembiayaan investasi", "Investment financing"),
    "pembiayaan_lainnya": ("Pembiayaan lainnya", "Other financing"),
    "pph": ("PPh", "Income tax"),
    "ppn": ("PPN", "VAT"),
    "pbb": ("PBB", "Property tax"),
    "cukai": ("Cukai", "Excise"),
    "bea_masuk": ("Bea masuk", "Import duty"),
    "bea_keluar": ("Bea keluar", "Export duty"),
    "pajak_lainnya": ("Pajak lainnya", "Other taxes"),
    "sda_migas": ("SDA migas", "Oil and gas"),
    "sda_nonmigas": ("SDA nonmigas", "Other natural resources"),
    "knd": ("Kekayaan negara dipisahkan", "SOE dividends"),
    "blu": ("BLU", "Public service agencies"),
    "pnbp_lainnya": ("PNBP lainnya", "Other non-tax revenue"),
}
TKD: dict[str, tuple[str, str]] = {
    "dbh": ("Dana Bagi Hasil", "Revenue sharing (DBH)"),
    "dau": ("Dana Alokasi Umum", "General allocation (DAU)"),
    "dak_fisik": ("DAK Fisik", "Special allocation, physical"),
    "dak_nonfisik": ("DAK Nonfisik", "Special allocation, non-physical"),
    "otsus": ("Dana Otonomi Khusus", "Special autonomy"),
    "insentif_fiskal": ("Insentif Fiskal", "Fiscal incentive"),
    "dana_desa": ("Dana Desa", "Village fund"),
}
JENIS_BELANJA: dict[str, tuple[str, str]] = {
    "51": ("Pegawai", "Personnel"),
    "52": ("Barang", "Goods and services"),
    "53": ("Modal", "Capital"),
    "54": ("Bunga", "Interest"),
    "55": ("Subsidi", "Subsidies"),
    "56": ("Hibah", "Grants"),
    "57": ("Bansos", "Social assistance"),
    "58": ("Lain-lain", "Other"),
}
SUBSIDI: dict[str, tuple[str, str]] = {
    "bbm": ("BBM", "Fuel (BBM)"),
    "lpg_3kg": ("LPG 3 kg", "LPG 3 kg"),
    "listrik": ("Listrik", "Electricity"),
    "pupuk": ("Pupuk", "Fertilizer"),
    "pso": ("PSO", "Public service obligation"),
    "bunga_kur": ("Subsidi bunga KUR", "KUR interest subsidy"),
}
ENERGI = ("bbm", "lpg_3kg", "listrik")


def label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """The label of ``code`` in ``lang``; a readable form of the code when it has none.

    Examples
    --------
    >>> label(KELOMPOK, "pnbp", "en"), label(KELOMPOK, "pajak_lainnya", "id")
    ('Non-tax revenue', 'Pajak lainnya')
    """
    names = table.get(code)
    if names is None:
        return code.replace("_", " ").capitalize()
    return names[0] if lang == "id" else names[1]


def month_name(month: int, lang: str, short: bool = True) -> str:
    """``Jan``/``Januari`` (or English)."""
    name = MONTHS["en" if lang == "en" else "id"][month - 1]
    return name[:3] if short else name


@cache
def gdp_trillion(year: int) -> float:
    """Nominal GDP of ``year`` in Rp T: the outcome when published, else the last outcome grown
    by the budget's assumed real growth and inflation (an estimate).

    Examples
    --------
    >>> gdp_trillion(2023)
    20892.4
    """
    outcomes = {
        r["year"]: r["gdp_nominal"] for r in macro_outcomes().to_pylist() if r["gdp_nominal"]
    }
    if year in outcomes:
        return float(outcomes[year])
    assumptions = {r["year"]: r for r in macro_assumptions().to_pylist()}
    known = max(y for y in outcomes if y < year) if any(y < year for y in outcomes) else None
    if known is None:
        return float(outcomes[min(outcomes)])
    value = float(outcomes[known])
    for y in range(known + 1, year + 1):
        a = assumptions.get(y) or {}
        value *= 1 + ((a.get("gdp_growth") or 5.0) + (a.get("inflation") or 3.0)) / 100
    return round(value, 1)


@cache
def names_of(kind: str) -> dict[str, str]:
    """Code -> name for ``ministry`` (BA), ``province`` or ``kabkota`` from the reference data.

    Examples
    --------
    >>> names_of("province")["35"]
    'Jawa Timur'
    """
    table = {"ministry": ministries, "province": provinces, "kabkota": kabkota}[kind]()
    key = {"ministry": "kode_ba", "province": "kode_provinsi", "kabkota": "kode_kabkota"}[kind]
    return dict(zip(table[key].to_pylist(), table["nama"].to_pylist(), strict=True))
