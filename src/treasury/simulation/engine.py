"""The APBN projection: assumptions and levers in, revenue, spending, deficit, financing, debt out.

Every input and output is a numpy array shaped ``(draws, years)``: one code path serves the
deterministic run (one draw) and Monte Carlo (thousands). Amounts are Rp T, the base year's
baseline reproduces its budget posture exactly, and deviations from the baseline follow the
calibrated :class:`Parameters` (see :mod:`treasury.simulation.calibration`).

The model, per year ``t``:

- nominal GDP ``Y_t = Y_{t-1} (1 + g_t)(1 + pi_t)``;
- non-oil taxes and PNBP grow with baseline nominal GDP (constant ratio to GDP) times the
  surprise ``((1+g)/(1+g_b))^beta_growth ((1+pi)/(1+pi_b))^beta_price`` (cumulated), a
  USD-linked share moves with the exchange rate, plus the tax-ratio lever;
- oil and gas revenue (PPh migas, PNBP migas) = gross value (ICP x kurs x lifting) minus
  cost recovery (USD costs x kurs x lifting), scaled to the base year;
- energy subsidies = volume x (economic price - retail price) for fuel, LPG and electricity,
  the economic price following ICP x kurs;
- interest: the effective rupiah rate moves toward the SBN yield as a share ``reprice`` of the
  stock is refinanced each year; foreign-currency interest moves with the exchange rate;
- DBH follows the revenues it shares (taxes and non-oil resources a year late, oil and gas in
  the same year), DAU a share of last year's domestic revenue, other spending its growth lever;
- deficit = spending - revenue; financing covers it; debt moves with debt financing plus the
  revaluation of foreign-currency debt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from treasury.simulation.posture import (
    DBH_MIGAS_SHARE,
    FOREIGN_SHARE,
    FOREIGN_SHARE_NEW,
    KOMPENSASI_RATIO,
    PPH_MIGAS_SHARE,
    Posture,
)

Arrays = dict[str, np.ndarray]

#: Energy subsidy and compensation products: 2024 amount (Rp T, FACTS.md) and the subsidy's
#: share of the economic price (solar 11,950 vs 6,800 Rp/l; LPG 42,750 vs 12,750 per tube;
#: electricity 0.35, unverified).
ENERGY = {"bbm": (150.3, 0.431), "lpg": (80.2, 0.702), "listrik": (156.4, 0.35)}
#: Oil's share of oil-and-gas revenue (unverified).
OIL_WEIGHT = 0.6
#: Revenue lines (kelompok, subkelompok) that are non-oil taxes and PNBP.
NONOIL_TAXES = ("ppn", "pbb", "pajak_lainnya", "cukai", "bea_masuk", "bea_keluar")
NONOIL_PNBP = ("sda_nonmigas", "knd", "blu", "pnbp_lainnya")
GROWTH_LEVERS = {
    "belanja_pegawai": "pertumbuhan_belanja_pegawai",
    "belanja_barang": "pertumbuhan_belanja_barang",
    "belanja_modal": "pertumbuhan_belanja_modal",
    "bansos": "pertumbuhan_bansos",
}


@dataclass(frozen=True)
class Parameters:
    """Behavioural parameters, calibrated to the Nota Keuangan sensitivity table."""

    beta_growth: float = 0.75
    beta_price: float = 0.65
    reprice: float = 0.28
    usd_revenue: float = 0.2
    usd_spending: float = 0.05
    cost_recovery: float = 0.5
    icp_passthrough: float = 0.85


def _cum(x: np.ndarray) -> np.ndarray:
    return np.cumprod(x, axis=-1)


def _lagged(x: np.ndarray, base: float, grow: np.ndarray) -> np.ndarray:
    """``x_{t-1}`` relative to the base value on the baseline growth path (1 in the base year)."""
    out = np.ones_like(x)
    out[:, 1:] = x[:, :-1] / (base * grow[:-1])
    return out


def _total(arrays: Arrays, keys: tuple[str, ...]) -> np.ndarray:
    """The sum of the arrays named ``keys``."""
    total = np.zeros_like(arrays[keys[0]])
    for key in keys:
        total = total + arrays[key]
    return total


def _growth_path(rate: float, grow: np.ndarray) -> np.ndarray:
    """A lever's growth path (rate % a year after the base year), or baseline nominal GDP."""
    if rate != rate:  # NaN: no lever
        return grow
    return (1 + rate / 100.0) ** np.arange(grow.shape[-1])


def project(
    posture: Posture,
    paths: Arrays,
    baseline: Arrays,
    levers: dict[str, float],
    params: Parameters,
) -> Arrays:
    """Project the budget over the years of ``paths``.

    Parameters
    ----------
    posture
        The base year's budget (the first projected year).
    paths
        The seven assumptions (keys of :data:`treasury.simulation.assumptions.ASUMSI`), each
        shaped ``(draws, years)``.
    baseline
        The budget assumptions, each shaped ``(years,)``.
    levers
        Policy levers (:data:`treasury.simulation.assumptions.KEBIJAKAN`).
    params
        Behavioural parameters.

    Returns
    -------
    dict of numpy.ndarray
        ``(draws, years)`` arrays: ``pendapatan``, ``belanja``, ``defisit`` (positive =
        deficit), ``keseimbangan_primer``, ``pembiayaan``, ``pembiayaan_utang``, ``utang``,
        ``revaluasi``, ``pdb``, their ``*_pct_pdb`` ratios, and every revenue and spending line.
    """
    p = posture
    g = paths["pertumbuhan_ekonomi"] / 100.0
    pi = paths["inflasi"] / 100.0
    kurs, icp = paths["kurs"], paths["icp"]
    yld = paths["yield_sbn_10th"] / 100.0
    oil, gas = paths["lifting_minyak"], paths["lifting_gas"]
    gb, pib = baseline["pertumbuhan_ekonomi"] / 100.0, baseline["inflasi"] / 100.0
    kursb, icpb, yb = baseline["kurs"], baseline["icp"], baseline["yield_sbn_10th"] / 100.0
    draws, years = kurs.shape

    # GDP: the baseline reproduces the budget's GDP in the base year
    before = p.gdp / ((1 + gb[0]) * (1 + pib[0]))
    yb_path = before * _cum((1 + gb) * (1 + pib))
    pdb = before * _cum((1 + g) * (1 + pi))
    grow = yb_path / yb_path[0]
    surprise = _cum(
        ((1 + g) / (1 + gb)) ** params.beta_growth * ((1 + pi) / (1 + pib)) ** params.beta_price
    )
    fx = kurs / kursb
    usd_link = 1 + params.usd_revenue * (fx - 1)
    out: Arrays = {"pdb": pdb}

    # revenue
    pph = p.line("pendapatan", "perpajakan", "pph")
    pph_migas0 = pph * PPH_MIGAS_SHARE
    taxes = {"pph_nonmigas": pph - pph_migas0}
    taxes |= {k: p.line("pendapatan", "perpajakan", k) for k in NONOIL_TAXES}
    extra = levers["tambahan_rasio_pajak"] / 100.0 * pdb
    measure_base = taxes["pph_nonmigas"] + taxes["ppn"]
    for k, base in taxes.items():
        share = base / measure_base if k in ("pph_nonmigas", "ppn") and measure_base else 0.0
        out[k] = base * grow * surprise * usd_link + share * extra
    for k in NONOIL_PNBP:
        out[k] = p.line("pendapatan", "pnbp", k) * grow * surprise * usd_link
    sda_migas0 = p.line("pendapatan", "pnbp", "sda_migas")
    migas0 = pph_migas0 + sda_migas0
    lifting = OIL_WEIGHT * oil / baseline["lifting_minyak"][0]
    lifting = lifting + (1 - OIL_WEIGHT) * gas / baseline["lifting_gas"][0]
    gross = icp * kurs / (icpb[0] * kursb[0]) * lifting
    costs = kurs / kursb[0] * lifting
    migas = migas0 * ((1 + params.cost_recovery) * gross - params.cost_recovery * costs)
    out["pph_migas"] = migas * (pph_migas0 / migas0 if migas0 else 0.0)
    out["sda_migas"] = migas - out["pph_migas"]
    out["hibah_pendapatan"] = np.broadcast_to(
        p.kelompok("pendapatan", "hibah") * grow, kurs.shape
    ).copy()
    perpajakan = _total(out, (*taxes, "pph_migas"))
    pnbp = _total(out, (*NONOIL_PNBP, "sda_migas"))
    out["perpajakan"], out["pnbp"] = perpajakan, pnbp
    out["pendapatan"] = perpajakan + pnbp + out["hibah_pendapatan"]

    # spending other than interest
    usd_spend = 1 + params.usd_spending * (fx - 1)
    for kelompok, lever in GROWTH_LEVERS.items():
        path = _growth_path(levers[lever], grow) * np.ones_like(kurs)
        if kelompok in ("belanja_barang", "belanja_modal"):
            path = path * usd_spend
        out[kelompok] = p.kelompok("belanja", kelompok) * path
    energy0 = p.line("belanja", "subsidi", "subsidi_energi")
    lain0 = p.kelompok("belanja", "belanja_lain")
    kompensasi0 = min(KOMPENSASI_RATIO * energy0, 0.9 * lain0)
    out["hibah_belanja"] = p.kelompok("belanja", "hibah") * grow * np.ones_like(kurs)
    out["belanja_lain"] = (lain0 - kompensasi0) * grow * np.ones_like(kurs)
    out["subsidi_nonenergi"] = (
        p.line("belanja", "subsidi", "subsidi_nonenergi") * grow * np.ones_like(kurs)
    )
    fixed_costs = _cum(1 + pib) / (1 + pib[0])
    volume = _cum(1 + gb) / (1 + gb[0])
    price = icp * kurs / (icpb[0] * kursb[0])
    total_2024 = sum(a for a, _ in ENERGY.values())
    energi = np.zeros_like(kurs)
    for product, (amount, gap) in ENERGY.items():
        value0 = (energy0 + kompensasi0) * amount / total_2024 / gap  # volume x economic price
        economic = value0 * (
            (1 - params.icp_passthrough) * fixed_costs + params.icp_passthrough * price
        )
        retail = (
            value0
            * (1 - gap)
            * (1 + levers[f"{'tarif' if product == 'listrik' else 'harga'}_{product}_pct"] / 100.0)
        )
        subsidy = (
            np.maximum(economic - retail, 0.0)
            * volume
            * (1 + levers[f"volume_{product}_pct"] / 100.0)
        )
        out[f"subsidi_{product}"] = subsidy
        energi = energi + subsidy
    out["subsidi_energi"] = energi

    # transfers to regions
    shared = out["pph_nonmigas"] + out["pbb"] + out["cukai"] + out["sda_nonmigas"]
    shared0 = (
        taxes["pph_nonmigas"]
        + taxes["pbb"]
        + taxes["cukai"]
        + p.line("pendapatan", "pnbp", "sda_nonmigas")
    )
    dbh0 = p.line("belanja", "tkd", "dbh")
    dbh_migas0 = min(DBH_MIGAS_SHARE * sda_migas0, 0.5 * dbh0)
    out["dbh"] = (dbh0 - dbh_migas0) * grow * _lagged(shared, shared0, grow)
    out["dbh"] = out["dbh"] + dbh_migas0 * (out["sda_migas"] / sda_migas0 if sda_migas0 else 1.0)
    pdn = perpajakan + pnbp
    pdn0 = p.kelompok("pendapatan", "perpajakan") + p.kelompok("pendapatan", "pnbp")
    dau0 = p.line("belanja", "tkd", "dau")
    dau_ratio = (
        dau0 / pdn0
        if levers["dau_pct_pdn"] != levers["dau_pct_pdn"]
        else levers["dau_pct_pdn"] / 100.0
    )
    out["dau"] = dau_ratio * pdn0 * grow * _lagged(pdn, pdn0, grow)
    otsus0 = p.line("belanja", "tkd", "otsus")
    out["otsus"] = otsus0 * out["dau"] / dau0 if dau0 else otsus0 * grow * np.ones_like(kurs)
    others = ("dak_fisik", "dak_nonfisik", "dana_desa", "insentif_fiskal")
    out["tkd_lainnya"] = (
        sum(p.line("belanja", "tkd", k) for k in others) * grow * np.ones_like(kurs)
    )
    out["tkd"] = out["dbh"] + out["dau"] + out["otsus"] + out["tkd_lainnya"]

    # interest, financing and debt, year by year
    debt0 = p.debt_before
    domestic = np.full(draws, debt0 * (1 - FOREIGN_SHARE))
    foreign_usd = np.full(draws, debt0 * FOREIGN_SHARE / p.kurs_before)
    rate = p.line("belanja", "bunga", "bunga_dalam_negeri") / domestic[0]
    rate = np.full(draws, (rate - params.reprice * yb[0]) / (1 - params.reprice))
    foreign_rate = p.line("belanja", "bunga", "bunga_luar_negeri") / (foreign_usd[0] * kursb[0])
    nonutang0 = p.total("pembiayaan") - p.kelompok("pembiayaan", "pembiayaan_utang")
    non_interest = _total(
        out,
        (
            *GROWTH_LEVERS,
            "hibah_belanja",
            "belanja_lain",
            "subsidi_nonenergi",
            "subsidi_energi",
            "tkd",
        ),
    )
    names = (
        "bunga",
        "belanja",
        "defisit",
        "pembiayaan_utang",
        "pembiayaan_nonutang",
        "utang",
        "revaluasi",
    )
    series = {k: np.zeros_like(kurs) for k in names}
    kurs_prev = np.full(draws, p.kurs_before)
    for t in range(years):
        rate = (1 - params.reprice) * rate + params.reprice * yld[:, t]
        bunga = rate * domestic + foreign_rate * foreign_usd * kurs[:, t]
        bunga = bunga + p.line("belanja", "bunga", "biaya_utang") * grow[t]
        belanja = non_interest[:, t] + bunga
        defisit = belanja - out["pendapatan"][:, t]
        nonutang = nonutang0 * grow[t]
        utang_flow = defisit - nonutang
        revaluation = foreign_usd * (kurs[:, t] - kurs_prev)
        domestic = domestic + (1 - FOREIGN_SHARE_NEW) * utang_flow
        foreign_usd = foreign_usd + FOREIGN_SHARE_NEW * utang_flow / kurs[:, t]
        debt_next = domestic + foreign_usd * kurs[:, t]
        for key, value in zip(
            names,
            (
                bunga,
                belanja,
                defisit,
                utang_flow,
                np.broadcast_to(nonutang, (draws,)),
                debt_next,
                revaluation,
            ),
            strict=True,
        ):
            series[key][:, t] = value
        kurs_prev = kurs[:, t]
    out |= series
    out["utang_awal"] = np.concatenate(
        [np.full((draws, 1), debt0), series["utang"][:, :-1]], axis=1
    )
    out["pembiayaan"] = out["pembiayaan_utang"] + out["pembiayaan_nonutang"]
    out["keseimbangan_primer"] = out["bunga"] - out["defisit"]
    for key in ("pendapatan", "belanja", "defisit", "keseimbangan_primer", "utang"):
        out[f"{key}_pct_pdb"] = out[key] / pdb * 100.0
    return out
