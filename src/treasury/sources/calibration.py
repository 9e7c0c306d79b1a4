"""Annual targets of the synthetic sources: rupiah per year x pos x kelompok x subkelompok.

The realised totals come from ``reference.apbn_annual()``: for 2019-2024 the audited (``A``)
row, else the preliminary (``P``) row; 2025 and 2026 follow the budget law (``B``); later years
grow 5% a year from the last known one. Revenue (pendapatan) and spending (belanja) totals are
those figures exactly, to the rupiah.

Derivation rules for what the table does not give (all documented, most shares *unverified*):

1. A subtotal of a parent (perpajakan/pnbp/hibah of pendapatan, bpp/tkd of belanja, dana_desa
   of tkd, bunga of bpp) is taken from the year's own row; failing that from the same year's
   other vintages (A, P, B in that order) as a share of the parent; failing that as the share
   of the nearest year that has it (the later year on ties). When all but one child of a parent
   are known, the last one is the remainder. Unknown children share what the known ones leave.
2. Below that, fixed shares split each group: DJP taxes by the 2023 targets of FACTS.md
   (PPh 935.06, PPN 742.95, PBB 31.31, other 8.69), customs and excise likewise (cukai 245.44,
   bea masuk 47.52, bea keluar 10.21); PNBP, the economic classification of central spending and
   the TKD split by the tables below (TKD from the 2023/2024 breakdown of FACTS.md, nearest year).
3. Subsidi = energy subsidy (``energy_subsidy.csv``; missing years as share of bpp by rule 1)
   + non-energy subsidy (4.5% of bpp, unverified).
4. Pembiayaan (net financing) = defisit + SiLPA (SiLPA by rule 1 as a share of the deficit;
   budgets have no SiLPA); investment outflows from the table below, other financing -1% of
   the total, debt financing the rest.

Budget ceilings (``span_pagu_apbn``) use the ``B`` row where there is one; earlier years divide
the realisation by 0.95 (spending) and 0.97 (revenue).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np

from treasury import reference
from treasury.sources.allocate import allocate

FIRST_YEAR = 2019
RUPIAH_PER_TRILLION = 10**12

_SUBTOTALS = {
    "pendapatan": ("perpajakan", "pnbp", "hibah"),
    "belanja": ("bpp", "tkd"),
    "perpajakan": ("pajak_djp", "kepabeanan_cukai"),
}
_DJP = {"pph": 935.06, "ppn": 742.95, "pbb": 31.31, "pajak_lainnya": 8.69}
_CUSTOMS = {"cukai": 245.44, "bea_masuk": 47.52, "bea_keluar": 10.21}
# PNBP composition (Rp T, approximate LKPP figures; unverified): migas, nonmigas, KND, BLU, other.
_PNBP = {
    2019: (121.1, 33.8, 80.7, 48.1, 125.3),
    2020: (69.1, 28.1, 66.1, 68.4, 112.1),
    2021: (97.0, 52.5, 30.5, 126.9, 151.6),
    2022: (148.7, 120.1, 40.6, 89.9, 196.3),
    2023: (116.9, 136.7, 82.1, 81.2, 195.6),
    2024: (110.0, 108.0, 86.4, 98.0, 177.1),
}
_PNBP_KEYS = ("sda_migas", "sda_nonmigas", "knd", "blu", "pnbp_lainnya")
# Economic classification of bpp other than bunga and subsidi (shares, approximate LKPP;
# unverified): pegawai, barang, modal, hibah, bansos, lain-lain.
_ECONOMIC = {
    2019: (0.369, 0.328, 0.174, 0.006, 0.110, 0.013),
    2020: (0.288, 0.319, 0.144, 0.005, 0.153, 0.091),
    2021: (0.274, 0.375, 0.170, 0.004, 0.123, 0.054),
    2022: (0.245, 0.260, 0.145, 0.003, 0.098, 0.249),
    2023: (0.270, 0.277, 0.197, 0.004, 0.102, 0.150),
    2024: (0.269, 0.292, 0.193, 0.004, 0.093, 0.149),
}
_ECONOMIC_KEYS = (
    "belanja_pegawai",
    "belanja_barang",
    "belanja_modal",
    "hibah",
    "bansos",
    "belanja_lain",
)
NONENERGY_SUBSIDY_SHARE = 0.045
# Split of each kelompok into the chart of accounts' subkelompok (unverified shares).
SUBKELOMPOK_SHARES: dict[str, dict[str, float]] = {
    "belanja_pegawai": {"gaji_tunjangan": 0.50, "honorarium": 0.20, "kontribusi_sosial": 0.30},
    "belanja_barang": {
        "barang_operasional": 0.30,
        "jasa": 0.22,
        "pemeliharaan": 0.10,
        "perjalanan_dinas": 0.09,
        "barang_blu": 0.14,
        "barang_diserahkan_masyarakat": 0.15,
    },
    # FACTS.md: K/L capital 2023 by asset (equipment 144.7, roads 98.2, buildings 40.9, land 12.2).
    "belanja_modal": {
        "tanah": 12.2,
        "peralatan_mesin": 144.7,
        "gedung_bangunan": 40.9,
        "jalan_irigasi_jaringan": 98.2,
        "modal_lainnya": 11.3,
        "modal_blu": 6.0,
    },
    "bunga": {"bunga_dalam_negeri": 0.88, "bunga_luar_negeri": 0.11, "biaya_utang": 0.01},
    "hibah": {"hibah_dalam_negeri": 0.9, "hibah_luar_negeri": 0.1},
    "bansos": {
        "rehabilitasi_sosial": 0.02,
        "jaminan_sosial": 0.33,
        "pemberdayaan_sosial": 0.05,
        "perlindungan_sosial": 0.45,
        "penanggulangan_kemiskinan": 0.12,
        "penanggulangan_bencana": 0.03,
    },
    "belanja_lain": {"lain_lain": 1.0},
}
# TKD 2023 and 2024 (FACTS.md); DAK split 30% fisik / 70% nonfisik (unverified).
_TKD = {
    2023: {"dbh": 205.7, "dau": 398.0, "dak": 181.4, "otsus": 18.6, "insentif_fiskal": 7.9},
    2024: {"dbh": 153.2, "dau": 429.2, "dak": 183.5, "otsus": 19.7, "insentif_fiskal": 7.0},
}
DAK_FISIK_SHARE = 0.30
# Investment financing outflows, Rp T (unverified), and the split of financing groups.
_INVESTASI = {2019: 49.8, 2020: 104.7, 2021: 142.5, 2022: 104.4, 2023: 91.6, 2024: 155.0}
_INVESTASI_SPLIT = {
    "investasi_bumn": -0.55,
    "investasi_blu": -0.31,
    "investasi_lembaga": -0.13,
    "investasi_organisasi_internasional": -0.02,
    "penerimaan_kembali_investasi": 0.01,
}
_UTANG_SPLIT = {"sbn": 0.96, "pinjaman_luar_negeri": 0.035, "pinjaman_dalam_negeri": 0.005}
_LAINNYA_SPLIT = {
    "pemberian_pinjaman": 0.6,
    "kewajiban_penjaminan": 0.5,
    "hasil_pengelolaan_aset": -0.1,
}
LAINNYA_SHARE = -0.01
REALISATION_OF_PAGU = {"belanja": 0.95, "pendapatan": 0.97}


@dataclass(frozen=True)
class Target:
    """One calibrated amount."""

    pos: str
    kelompok: str
    subkelompok: str
    nilai: int


def _nearest(years: Iterable[int], year: int) -> int:
    """The one of ``years`` nearest to ``year`` (the later one on ties)."""
    return min(years, key=lambda y: (abs(y - year), -y))


@cache
def _rows() -> dict[tuple[int, str], dict[str, float]]:
    table = reference.apbn_annual().to_pylist()
    rows: dict[tuple[int, str], dict[str, float]] = {}
    for row in table:
        values = {
            k: float(v) for k, v in row.items() if k not in ("year", "vintage") and v is not None
        }
        rows[(int(row["year"]), str(row["vintage"]))] = values
    return rows


def last_known_year() -> int:
    """The last year of ``apbn_annual`` (later years are extrapolated)."""
    return max(year for year, _ in _rows())


def _vintages(year: int, budget: bool) -> list[dict[str, float]]:
    rows = _rows()
    order = ("B", "A", "P") if budget else ("A", "P", "B")
    return [rows[(year, v)] for v in order if (year, v) in rows]


def _share(field: str, parent: str, year: int, budget: bool) -> float | None:
    """Rule 1: the share of ``field`` in ``parent`` for ``year`` or the nearest year."""
    candidates: dict[int, float] = {}
    for (y, _), _row in _rows().items():
        for row in _vintages(y, budget):
            if field in row and parent in row and row[parent]:
                candidates.setdefault(y, row[field] / row[parent])
                break
    if not candidates:
        return None
    return candidates[_nearest(candidates, year)]


def _top(year: int, budget: bool) -> dict[str, float]:
    """Rp T figures of the year's main row; years after the table grow 5% a year."""
    last = last_known_year()
    if year > last:
        base = _top(last, budget)
        return {k: v * 1.05 ** (year - last) for k, v in base.items()}
    rows = _vintages(year, budget)
    if not rows:
        raise ValueError(f"no APBN figures for {year}")
    return dict(rows[0])


def _children(parent: str, values: dict[str, float], year: int, budget: bool) -> None:
    """Fill the subtotals of ``parent`` in ``values`` by rule 1."""
    kids = _SUBTOTALS[parent]
    total = values[parent]
    known = {k: values[k] for k in kids if k in values}
    for row in _vintages(year, budget)[1:]:
        for k in kids:
            if k not in known and k in row and row.get(parent):
                known[k] = row[k] / row[parent] * total
    unknown = [k for k in kids if k not in known]
    rest = total - sum(known.values())
    if len(unknown) == 1 and rest > 0:
        known[unknown[0]] = rest
    elif unknown:
        shares = {k: _share(k, parent, year, budget) or 0.0 for k in unknown}
        share_sum = sum(shares.values()) or 1.0
        for k in unknown:
            known[k] = max(rest, 0.0) * shares[k] / share_sum
    scale = total / sum(known.values())
    for k in kids:
        values[k] = known[k] * scale


def _sub(values: dict[str, float], field: str, parent: str, year: int, budget: bool) -> float:
    if field in values:
        return values[field]
    share = _share(field, parent, year, budget)
    return (share or 0.0) * values[parent]


def _energy_subsidy(bpp: float, year: int) -> float:
    table = {
        int(r["year"]): float(r["energy_subsidy_trillion"])
        for r in reference.energy_subsidy().to_pylist()
        if r["energy_subsidy_trillion"] is not None and int(r["year"]) >= FIRST_YEAR
    }
    if year in table:
        return table[year]
    near = _nearest(table, year)
    bpp_near = _top(near, budget=False).get("bpp") or derived_trillions(near)["bpp"]
    return table[near] / bpp_near * bpp


def _subsidy_programs(year: int) -> dict[str, float]:
    """Shares of the six subsidy programs within energy and non-energy subsidy (unverified).

    Energy: BBM / LPG / electricity move linearly from the 2018 split (38.9 / 58.1 / 56.5,
    energy_subsidy.csv) to the 2024 one (94.2 / 80.2 / 156.4); later years keep 2024.
    Non-energy: fertiliser 40%, PSO 7%, KUR and other credit-programme interest 53%.
    """
    t = min(max((year - 2018) / 6.0, 0.0), 1.0)
    start, end = (38.9, 58.1, 56.5), (94.2, 80.2, 156.4)
    energy = [a / sum(start) * (1 - t) + b / sum(end) * t for a, b in zip(start, end, strict=True)]
    return {
        "bbm": energy[0],
        "lpg_3kg": energy[1],
        "listrik": energy[2],
        "pupuk": 0.40,
        "pso": 0.07,
        "bunga_kur": 0.53,
    }


SUBSIDY_PROGRAM_SUBKELOMPOK = {
    "bbm": "subsidi_energi",
    "lpg_3kg": "subsidi_energi",
    "listrik": "subsidi_energi",
    "pupuk": "subsidi_nonenergi",
    "pso": "subsidi_nonenergi",
    "bunga_kur": "subsidi_nonenergi",
}


@cache
def derived_trillions(year: int, budget: bool = False) -> dict[str, float]:
    """Rp T figures of ``year`` after rules 1 and 3 (pendapatan, belanja and their subtotals).

    Examples
    --------
    >>> round(derived_trillions(2023)["belanja"], 1)
    3121.2
    """
    values = _top(year, budget)
    for parent in ("pendapatan", "belanja", "perpajakan"):
        _children(parent, values, year, budget)
    for field, parent in (("dana_desa", "tkd"), ("bunga", "bpp")):
        values[field] = _sub(values, field, parent, year, budget)
    values["subsidi_energi"] = _energy_subsidy(values["bpp"], year)
    values["subsidi_nonenergi"] = NONENERGY_SUBSIDY_SHARE * values["bpp"]
    if "silpa" not in values and not budget:
        values["silpa"] = (_share("silpa", "defisit", year, budget) or 0.0) * values["defisit"]
    values.setdefault("silpa", 0.0)
    return values


def _kelompok_trillions(year: int, budget: bool) -> dict[tuple[str, str, str], float]:
    v = derived_trillions(year, budget)
    out: dict[tuple[str, str, str], float] = {}
    for k, amount in _DJP.items():
        out[("pendapatan", "perpajakan", k)] = v["pajak_djp"] * amount / sum(_DJP.values())
    for k, amount in _CUSTOMS.items():
        out[("pendapatan", "perpajakan", k)] = (
            v["kepabeanan_cukai"] * amount / sum(_CUSTOMS.values())
        )
    pnbp = _PNBP[_nearest(_PNBP, year)]
    for k, amount in zip(_PNBP_KEYS, pnbp, strict=True):
        out[("pendapatan", "pnbp", k)] = v["pnbp"] * amount / sum(pnbp)
    out[("pendapatan", "hibah", "hibah")] = v["hibah"]

    rest = v["bpp"] - v["bunga"] - v["subsidi_energi"] - v["subsidi_nonenergi"]
    econ = _ECONOMIC[_nearest(_ECONOMIC, year)]
    kelompok = {k: rest * s / sum(econ) for k, s in zip(_ECONOMIC_KEYS, econ, strict=True)}
    kelompok["bunga"] = v["bunga"]
    for kel, shares in SUBKELOMPOK_SHARES.items():
        for sub, s in shares.items():
            out[("belanja", kel, sub)] = kelompok[kel] * s / sum(shares.values())
    out[("belanja", "subsidi", "subsidi_energi")] = v["subsidi_energi"]
    out[("belanja", "subsidi", "subsidi_nonenergi")] = v["subsidi_nonenergi"]
    tkd = dict(_TKD[_nearest(_TKD, year)])
    dak = tkd.pop("dak")
    tkd["dak_fisik"], tkd["dak_nonfisik"] = dak * DAK_FISIK_SHARE, dak * (1 - DAK_FISIK_SHARE)
    rest_tkd = v["tkd"] - v["dana_desa"]
    for k, amount in tkd.items():
        out[("belanja", "tkd", k)] = rest_tkd * amount / sum(tkd.values())
    out[("belanja", "tkd", "dana_desa")] = v["dana_desa"]

    total = v["defisit"] + v["silpa"]
    investasi = 0.0 if budget and year not in _INVESTASI else _INVESTASI[_nearest(_INVESTASI, year)]
    investasi = min(investasi, 0.4 * abs(total))
    lainnya = LAINNYA_SHARE * total
    utang = total + investasi - lainnya
    for k, s in _UTANG_SPLIT.items():
        out[("pembiayaan", "pembiayaan_utang", k)] = utang * s
    for k, s in _INVESTASI_SPLIT.items():
        out[("pembiayaan", "pembiayaan_investasi", k)] = investasi * s
    for k, s in _LAINNYA_SPLIT.items():
        out[("pembiayaan", "pembiayaan_lainnya", k)] = lainnya * s
    return out


def _to_rupiah(
    trillions: dict[tuple[str, str, str], float], totals: dict[str, float]
) -> list[Target]:
    """Whole rupiah with exact pos totals (largest remainder within pendapatan and belanja)."""
    targets: list[Target] = []
    for pos in ("pendapatan", "belanja"):
        keys = [k for k in trillions if k[0] == pos]
        total = round(totals[pos] * RUPIAH_PER_TRILLION)
        parts = allocate(total, [max(trillions[k], 0.0) for k in keys])
        targets += [Target(*k, int(p)) for k, p in zip(keys, parts, strict=True)]
    keys = [k for k in trillions if k[0] == "pembiayaan"]
    signed = [round(trillions[k] * RUPIAH_PER_TRILLION) for k in keys]
    want = round(totals["pembiayaan"] * RUPIAH_PER_TRILLION)
    biggest = int(np.argmax(np.abs(signed)))
    signed[biggest] += want - sum(signed)
    targets += [Target(*k, int(p)) for k, p in zip(keys, signed, strict=True)]
    return targets


@cache
def annual_targets(year: int) -> tuple[Target, ...]:
    """Realised amounts of ``year`` in rupiah, per pos x kelompok x subkelompok.

    Pendapatan and belanja add up exactly to the APBN figures; pembiayaan to defisit + SiLPA
    (signed: net receipts positive).

    Examples
    --------
    >>> total = sum(t.nilai for t in annual_targets(2023) if t.pos == "belanja")
    >>> total == 3121.2 * 10**12
    True
    """
    v = derived_trillions(year)
    totals = {"pendapatan": v["pendapatan"], "belanja": v["belanja"]}
    totals["pembiayaan"] = v["defisit"] + v["silpa"]
    return tuple(_to_rupiah(_kelompok_trillions(year, budget=False), totals))


@cache
def budget_targets(year: int) -> tuple[Target, ...]:
    """Budget ceilings (pagu) of ``year`` in rupiah per pos x kelompok x subkelompok.

    From the budget law row (``B``) where there is one, else the realisation divided by the
    usual execution rate (0.95 spending, 0.97 revenue); pembiayaan pagu = belanja - pendapatan.

    Examples
    --------
    >>> pagu = sum(t.nilai for t in budget_targets(2025) if t.pos == "belanja")
    >>> pagu == 3621.3 * 10**12
    True
    """
    has_budget = (year, "B") in _rows() or year > last_known_year()
    v = derived_trillions(year, budget=has_budget)
    factor = {"belanja": 1.0, "pendapatan": 1.0}
    if not has_budget:
        factor = {pos: 1.0 / rate for pos, rate in REALISATION_OF_PAGU.items()}
    totals = {pos: v[pos] * factor[pos] for pos in ("pendapatan", "belanja")}
    totals["pembiayaan"] = totals["belanja"] - totals["pendapatan"]
    trillions = _kelompok_trillions(year, budget=has_budget)
    scale_pby = totals["pembiayaan"] / (v["defisit"] + v["silpa"])
    for k in trillions:
        trillions[k] *= factor.get(k[0], scale_pby)
    return tuple(_to_rupiah(trillions, totals))


def subsidy_program_shares(year: int) -> dict[str, float]:
    """Share of each subsidy program within its subkelompok (energi or nonenergi)."""
    return _subsidy_programs(year)


def years(as_of_year: int) -> list[int]:
    """The generated years: 2019 up to the as-of year."""
    if as_of_year < FIRST_YEAR:
        raise ValueError(f"as-of year {as_of_year} is before {FIRST_YEAR}")
    return list(range(FIRST_YEAR, as_of_year + 1))


def trillion(rupiah: int) -> float:
    """Rupiah as Rp T (for reports)."""
    return rupiah / RUPIAH_PER_TRILLION
