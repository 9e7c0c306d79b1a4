"""Monte Carlo: correlated shocks to the assumptions from historical forecast errors.

The error of each assumption is ``outcome - budget assumption`` (growth, inflation, yield in
percentage points; exchange rate, ICP and lifting as log ratios) over the years where both are
known. Growth, inflation and the exchange rate come from ``reference.macro_outcomes()``; the
yield, ICP and lifting outcomes are not in the domain tables, so :data:`OUTCOMES` lists the
published annual figures (**unverified** here). Their covariance, shrunk halfway to its diagonal
(six years, seven variables), drives the draws: growth and inflation errors are yearly shocks
with persistence :data:`PERSISTENCE`; levels (exchange rate, yield, ICP, lifting) take their
shocks as a random walk, so uncertainty widens with the horizon.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from treasury import reference
from treasury.simulation.assumptions import ASUMSI

#: Outcomes not in the domain tables: SBN 10y average yield (%), ICP (USD/bbl), oil lifting
#: (kbpd), gas lifting (kboepd), from LKPP and Kemenkeu releases as remembered; unverified.
OUTCOMES = {
    2019: (7.0, 62.4, 746, 1057),
    2020: (6.9, 40.4, 707, 983),
    2021: (6.4, 68.5, 660, 995),
    2022: (7.0, 97.0, 612, 953),
    2023: (6.6, 78.4, 605, 964),
    2024: (6.8, 78.7, 580, 973),
}
LOG_VARIABLES = frozenset({"kurs", "icp", "lifting_minyak", "lifting_gas"})
LEVELS = frozenset({"kurs", "yield_sbn_10th", "icp", "lifting_minyak", "lifting_gas"})
PERSISTENCE = 0.5
SHRINK = 0.5
QUANTILES = (5, 10, 50, 90, 95)


def forecast_errors() -> tuple[list[int], np.ndarray]:
    """Years and the ``(years, 7)`` matrix of forecast errors, in :data:`ASUMSI` order."""
    assumed = {r["year"]: r for r in reference.macro_assumptions().to_pylist()}
    outcomes = {r["year"]: r for r in reference.macro_outcomes().to_pylist()}
    years = sorted(y for y in outcomes if y in assumed and y in OUTCOMES)
    rows = []
    for y in years:
        a, o = assumed[y], outcomes[y]
        yld, icp, oil, gas = OUTCOMES[y]
        rows.append(
            [
                o["gdp_growth_real"] - a["gdp_growth"],
                o["inflation_dec_yoy"] - a["inflation"],
                np.log(o["idr_usd_avg"] / a["idr_usd"]),
                yld - a["sbn10y_or_spn3m"] if y >= 2021 else np.nan,  # SPN 3m before 2021
                np.log(icp / a["icp_usd_bbl"]),
                np.log(oil / a["oil_lifting_kbpd"]),
                np.log(gas / a["gas_lifting_kboepd"]),
            ]
        )
    return years, np.array(rows, dtype=float)


@cache
def error_covariance() -> np.ndarray:
    """The shrunk covariance of the forecast errors (7 x 7, pairwise over known years)."""
    _, errors = forecast_errors()
    k = errors.shape[1]
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            both = ~np.isnan(errors[:, i]) & ~np.isnan(errors[:, j])
            x, y = errors[both, i], errors[both, j]
            cov[i, j] = np.mean((x - x.mean()) * (y - y.mean())) * len(x) / max(len(x) - 1, 1)
    shrunk = (1 - SHRINK) * cov + SHRINK * np.diag(np.diag(cov))
    values, vectors = np.linalg.eigh(shrunk)  # keep it positive definite
    return (vectors * np.maximum(values, 1e-10)) @ vectors.T


def shocked_paths(central: dict[str, np.ndarray], draws: int, seed: int) -> dict[str, np.ndarray]:
    """``draws`` correlated paths around the central ``(years,)`` assumptions.

    Returns ``(draws, years)`` arrays; the same seed gives the same draws. Growth stays within
    +-20%, prices, the exchange rate and lifting stay positive.
    """
    keys = list(ASUMSI)
    years = len(central[keys[0]])
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(error_covariance())
    eps = rng.standard_normal((draws, years, len(keys))) @ chol.T
    out: dict[str, np.ndarray] = {}
    for i, key in enumerate(keys):
        e = eps[:, :, i]
        if key in LEVELS:
            e = np.cumsum(e, axis=1)
        else:
            for t in range(1, years):
                e[:, t] = e[:, t] + PERSISTENCE * e[:, t - 1]
        base = np.asarray(central[key], dtype=float)
        values = base * np.exp(e) if key in LOG_VARIABLES else base + e
        if key == "pertumbuhan_ekonomi":
            values = np.clip(values, -20.0, 20.0)
        if key == "yield_sbn_10th":
            values = np.maximum(values, 0.1)
        out[key] = values
    return out


def fan(values: np.ndarray) -> dict[str, list[float]]:
    """Quantiles per year of a ``(draws, years)`` array: ``{"p5": [...], ...}``."""
    q = np.percentile(values, QUANTILES, axis=0)
    return {f"p{p}": [round(float(v), 3) for v in row] for p, row in zip(QUANTILES, q, strict=True)}
