"""Annual targets and monthly profiles hit the public APBN figures."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from treasury import reference
from treasury.sources.allocate import allocate, allocate_groups, ipf
from treasury.sources.calibration import annual_targets, budget_targets
from treasury.sources.profiles import monthly_targets

TRILLION = 10**12


def _apbn(year: int, field: str) -> float:
    rows = reference.apbn_annual().filter(pc.field("year") == year).to_pylist()
    by_vintage = {r["vintage"]: r for r in rows}
    for vintage in ("A", "P", "B"):
        if vintage in by_vintage and by_vintage[vintage][field] is not None:
            return float(by_vintage[vintage][field])
    raise AssertionError(f"no {field} for {year}")


@pytest.mark.parametrize("year", range(2019, 2027))
def test_annual_totals_equal_apbn_to_the_rupiah(year: int) -> None:
    targets = annual_targets(year)
    for pos in ("pendapatan", "belanja"):
        total = sum(t.nilai for t in targets if t.pos == pos)
        assert total == round(_apbn(year, pos) * TRILLION)


def test_known_subtotals_are_kept() -> None:
    def kel(year: int, kelompok: str, pos: str = "belanja") -> float:
        return (
            sum(t.nilai for t in annual_targets(year) if t.kelompok == kelompok and t.pos == pos)
            / TRILLION
        )

    assert kel(2023, "bunga") == pytest.approx(439.88, abs=0.01)
    assert kel(2020, "perpajakan", "pendapatan") == pytest.approx(1285.1, abs=0.01)
    assert kel(2023, "tkd") == pytest.approx(881.4, abs=0.01)
    dana_desa = sum(t.nilai for t in annual_targets(2024) if t.subkelompok == "dana_desa")
    assert dana_desa / TRILLION == pytest.approx(70.9, abs=0.01)


def test_every_subkelompok_exists_in_the_chart_of_accounts() -> None:
    accounts = reference.accounts().filter(pc.field("level") == 6)
    known = set(
        zip(
            accounts["pos"].to_pylist(),
            accounts["kelompok"].to_pylist(),
            accounts["subkelompok"].to_pylist(),
            strict=True,
        )
    )
    for year in (2019, 2026):
        for t in annual_targets(year) + budget_targets(year):
            assert (t.pos, t.kelompok, t.subkelompok) in known


def test_budget_uses_the_budget_law_and_spending_reaches_95_percent() -> None:
    pagu_2025 = sum(t.nilai for t in budget_targets(2025) if t.pos == "belanja")
    assert pagu_2025 == round(3621.3 * TRILLION)
    pagu_2019 = sum(t.nilai for t in budget_targets(2019) if t.pos == "belanja")
    assert pagu_2019 == pytest.approx(2309.3 * TRILLION / 0.95, rel=1e-9)


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_monthly_profile_follows_published_cumulative_shares(year: int) -> None:
    _, matrix = monthly_targets(year, "belanja")
    cumulative = np.cumsum(matrix.sum(axis=0)) / matrix.sum()
    table = reference.spending_cumulative_share().filter(pc.field("year") == year)
    for month, share in zip(
        table["month_end"].to_pylist(), table["share_of_full_year"].to_pylist(), strict=True
    ):
        assert abs(cumulative[month - 1] - share) < 0.005


@pytest.mark.parametrize("year", range(2019, 2027))
def test_december_spike_and_back_loaded_capital(year: int) -> None:
    targets, matrix = monthly_targets(year, "belanja")
    december = matrix[:, 11].sum() / matrix.sum()
    assert 0.11 <= december <= 0.17
    modal = matrix[[t.kelompok == "belanja_modal" for t in targets]].sum(axis=0)
    assert 0.30 <= modal[9:].sum() / modal.sum() <= 0.40
    pegawai = matrix[[t.kelompok == "belanja_pegawai" for t in targets]].sum(axis=0)
    assert pegawai.max() / np.median(pegawai) < 2.1  # flat with THR / 13th salary bumps


def test_revenue_profile_2024_anchors() -> None:
    _, matrix = monthly_targets(2024, "pendapatan")
    cumulative = np.cumsum(matrix.sum(axis=0)) / matrix.sum()
    assert cumulative[[0, 5, 10]] == pytest.approx([0.076, 0.465, 0.877], abs=0.002)


def test_allocation_is_exact() -> None:
    assert allocate(10, [1, 1, 1]).sum() == 10
    parts = allocate_groups([3_842_700_000_000_000, 7], [0, 0, 1, 0], [1.0, 2.5, 1.0, 0.3], 1)
    assert parts[[0, 1, 3]].sum() == 3_842_700_000_000_000
    assert parts[2] == 7
    fitted = ipf([[1.0, 2.0], [3.0, 1.0]], [3.0, 4.0], [4.0, 3.0])
    assert fitted.sum(axis=1) == pytest.approx([3.0, 4.0])
    assert fitted.sum(axis=0) == pytest.approx([4.0, 3.0], abs=1e-6)
