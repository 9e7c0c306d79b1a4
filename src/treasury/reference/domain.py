"""Public budget and macro facts that the synthetic generators calibrate on.

Amounts are trillion rupiah (Rp T). Each table keeps the columns of its CSV file in ``data/``;
sources and confidence are in ``data/ATTRIBUTION.md`` and in the ``confidence`` columns.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from treasury.reference.datafiles import read_csv


@cache
def apbn_annual() -> pa.Table:
    """APBN posture by year and vintage (``A`` audited LKPP, ``P`` preliminary, ``B`` budget law).

    Returns
    -------
    pyarrow.Table
        year, vintage, pendapatan, perpajakan, pajak_djp, kepabeanan_cukai, pnbp, hibah, belanja,
        bpp, belanja_kl, belanja_nonkl, tkd, dana_desa, bunga, defisit, defisit_pct_gdp,
        keseimbangan_primer, silpa, gdp_nominal, gdp_growth_real (float64 Rp T or %, null where
        unknown). 2019-2026.

    Examples
    --------
    >>> import pyarrow.compute as pc
    >>> apbn_annual().filter((pc.field("year") == 2026) & (pc.field("vintage") == "B"))[
    ...     "belanja"
    ... ][0].as_py()
    3842.7
    """
    return read_csv("apbn_annual.csv", strings=["vintage"])


@cache
def macro_assumptions() -> pa.Table:
    """Budget macro assumptions by year.

    Returns
    -------
    pyarrow.Table
        year, gdp_growth, inflation, idr_usd, sbn10y_or_spn3m, icp_usd_bbl, oil_lifting_kbpd,
        gas_lifting_kboepd, confidence.

    Examples
    --------
    >>> macro_assumptions()["year"][0].as_py()
    2019
    """
    return read_csv("macro_assumptions.csv", strings=["confidence"])


@cache
def macro_outcomes() -> pa.Table:
    """Realised macro outcomes by year.

    Returns
    -------
    pyarrow.Table
        year, gdp_growth_real, inflation_dec_yoy, idr_usd_avg, gdp_nominal (Rp T), confidence.

    Examples
    --------
    >>> macro_outcomes().num_rows >= 6
    True
    """
    return read_csv("macro_outcomes.csv", strings=["confidence"])


@cache
def spending_cumulative_share() -> pa.Table:
    """Cumulative central spending at some month ends, and its share of the full year.

    Returns
    -------
    pyarrow.Table
        year, month_end (1-12), cumulative_belanja_trillion, share_of_full_year.

    Examples
    --------
    >>> spending_cumulative_share().column_names[:2]
    ['year', 'month_end']
    """
    return read_csv("spending_cumulative_share.csv")


@cache
def dana_desa_history() -> pa.Table:
    """Dana Desa allocation, villages, absorption and disbursement stages by year.

    Returns
    -------
    pyarrow.Table
        year, allocation_trillion, villages, absorption_pct, stages (e.g. ``"40/40/20"``).

    Examples
    --------
    >>> import pyarrow.compute as pc
    >>> dana_desa_history().filter(pc.field("year") == 2024)["villages"][0].as_py()
    75259
    """
    return read_csv("dana_desa.csv", strings=["stages"])


@cache
def energy_subsidy() -> pa.Table:
    """Energy subsidy by year, with notes on its composition.

    Returns
    -------
    pyarrow.Table
        year, energy_subsidy_trillion, note.

    Examples
    --------
    >>> energy_subsidy()["year"][0].as_py()
    2017
    """
    return read_csv("energy_subsidy.csv", strings=["note"])


@cache
def sensitivity() -> pa.Table:
    """Sensitivity of revenue, spending and deficit to one macro shock (Nota Keuangan).

    Returns
    -------
    pyarrow.Table
        vintage, shock, unit, d_pendapatan, d_belanja, d_defisit (Rp T), confidence, source.

    Examples
    --------
    >>> sensitivity()["unit"][0].as_py()
    '+0.1 pp'
    """
    return read_csv("sensitivity.csv", strings=["vintage", "shock", "unit", "confidence", "source"])
