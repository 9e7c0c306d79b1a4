"""Calibration: one-at-a-time shocks reproduce the Nota Keuangan sensitivity table within 10%."""

from __future__ import annotations

import pytest

from treasury import reference
from treasury.simulation.calibration import SHOCKS, sensitivity_table, targets
from treasury.simulation.engine import Parameters
from treasury.simulation.posture import domain_posture


def _within(model: float, published: float, scale: float) -> bool:
    """10% of the published figure; a published zero allows 10% of the row's largest cell."""
    return abs(model - published) <= 0.10 * (abs(published) or scale)


def test_targets_are_the_most_recent_vintage_of_each_shock() -> None:
    rows = {t.shock: t for t in targets()}
    assert set(rows) == set(SHOCKS)
    assert rows["ICP"].vintage == "APBN 2025"
    assert rows["IDR/USD depreciation"].vintage == "RAPBN 2026"
    assert (rows["IDR/USD depreciation"].d_pendapatan, rows["IDR/USD depreciation"].d_belanja) == (
        5.3,
        6.1,
    )


@pytest.mark.parametrize("shock", list(SHOCKS))
def test_each_shock_within_ten_percent(shock: str) -> None:
    row = next(r for r in sensitivity_table() if r["asumsi"] == shock)
    published = row["nota_keuangan"]
    scale = max(abs(published["pendapatan_negara"]), abs(published["belanja_negara"]))
    for column in ("pendapatan_negara", "belanja_negara", "defisit"):
        assert _within(row[column], published[column], scale), (column, row)


def test_uncalibrated_parameters_miss_the_table() -> None:
    """The test above could fail: default parameters doubled miss several rows."""
    wild = Parameters(beta_growth=1.5, beta_price=1.3, reprice=0.56, icp_passthrough=0.3)
    rows = sensitivity_table(params=wild)
    misses = [
        r
        for r in rows
        if not _within(r["pendapatan_negara"], r["nota_keuangan"]["pendapatan_negara"], 1)
        or not _within(r["belanja_negara"], r["nota_keuangan"]["belanja_negara"], 1)
    ]
    assert len(misses) >= 3


def test_table_has_the_nota_keuangan_columns_and_sign_convention() -> None:
    rows = sensitivity_table()
    assert [r["asumsi"] for r in rows] == list(SHOCKS)
    for r in rows:
        assert set(r) >= {"asumsi", "perubahan", "pendapatan_negara", "belanja_negara", "defisit"}
        # positive defisit = a larger deficit = spending up more than revenue
        assert r["defisit"] == pytest.approx(r["belanja_negara"] - r["pendapatan_negara"], abs=0.02)
    units = {r["asumsi"]: r["perubahan"] for r in rows}
    assert units["ICP"] == "+1 USD/bbl" and units["IDR/USD depreciation"] == "Rp100"


def test_baseline_reproduces_the_budget_law() -> None:
    from treasury.simulation.assumptions import parse_scenario
    from treasury.simulation.simulate import run_arrays

    law = {
        r["year"]: r
        for r in reference.apbn_annual().to_pylist()
        if r["vintage"] == "B" and r["year"] in (2025, 2026)
    }
    for year in (2025, 2026):
        run = run_arrays(parse_scenario({"tahun_dasar": year}))
        c = run.central
        assert c["pendapatan"][0, 0] == pytest.approx(law[year]["pendapatan"], abs=0.05)
        assert c["belanja"][0, 0] == pytest.approx(law[year]["belanja"], abs=0.05)
        assert c["defisit_pct_pdb"][0, 0] == pytest.approx(law[year]["defisit_pct_gdp"], abs=0.01)
    assert domain_posture(2026).debt_before > 9000
