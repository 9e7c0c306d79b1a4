"""The generated extracts add up to the APBN and follow its calendar and skew."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from treasury import reference
from treasury.sources.calibration import annual_targets
from treasury.sources.run import Run
from treasury.sources.sp2d import generate_month

Extract = Callable[[str], pa.Table]
YEARS = range(2019, 2025)


def _apbn(year: int, field: str) -> float:
    rows = {r["vintage"]: r for r in reference.apbn_annual().to_pylist() if r["year"] == year}
    row = rows.get("A") or rows["P"]
    return float(row[field]) * 10**12


def _by_year(table: pa.Table, date_column: str, value: str = "nilai") -> dict[int, int]:
    years = pc.year(table[date_column])
    grouped = pa.table({"y": years, "v": table[value]}).group_by("y").aggregate([("v", "sum")])
    return dict(zip(grouped["y"].to_pylist(), grouped["v_sum"].to_pylist(), strict=True))


def _monthly_belanja(extract: Extract, year: int) -> np.ndarray:
    sp2d = extract("span_sp2d")
    sp2d = sp2d.filter(pc.equal(pc.year(sp2d["tanggal_sp2d"]), year))
    out = np.zeros(12)
    np.add.at(out, pc.month(sp2d["tanggal_sp2d"]).to_numpy() - 1, sp2d["nilai"].to_numpy())
    tkd = extract("tkd_penyaluran").filter(pc.field("tahun") == year)
    np.add.at(out, tkd["bulan"].to_numpy() - 1, tkd["nilai"].to_numpy())
    return out


@pytest.mark.parametrize("year", YEARS)
def test_revenue_and_spending_equal_apbn(extract: Extract, year: int) -> None:
    mpn = extract("mpn_penerimaan")
    revenue = _by_year(mpn.filter(pc.starts_with(mpn["kode_akun"], "4")), "tanggal_buku")[year]
    assert revenue == pytest.approx(_apbn(year, "pendapatan"), rel=0.005)
    assert revenue == round(_apbn(year, "pendapatan"))  # exact to the rupiah
    sp2d = extract("span_sp2d")
    assert pc.all(pc.match_substring_regex(sp2d["kode_akun"], "^5[1-8]")).as_py()
    tkd = extract("tkd_penyaluran").filter(pc.field("tahun") == year)
    spending = _by_year(sp2d, "tanggal_sp2d")[year] + pc.sum(tkd["nilai"]).as_py()
    assert spending == pytest.approx(_apbn(year, "belanja"), rel=0.005)
    assert spending == round(_apbn(year, "belanja"))


@pytest.mark.parametrize("year", YEARS)
def test_monthly_spending_profile(extract: Extract, year: int) -> None:
    monthly = _monthly_belanja(extract, year)
    cumulative = np.cumsum(monthly) / monthly.sum()
    table = reference.spending_cumulative_share().filter(pc.field("year") == year)
    for month, share in zip(
        table["month_end"].to_pylist(), table["share_of_full_year"].to_pylist(), strict=True
    ):
        assert abs(cumulative[month - 1] - share) <= 0.03, (year, month)
    if table.num_rows == 0:  # FACTS.md weights: Jan 5 ... Dec 14-17 %
        weights = np.array([5, 5, 7, 8, 8, 8, 7, 7, 9, 12, 10, 15.0])
        assert np.abs(cumulative - np.cumsum(weights) / weights.sum()).max() <= 0.03
    assert 0.11 <= monthly[11] / monthly.sum() <= 0.17


def test_payment_amounts_are_extremely_skewed() -> None:
    # One month of the small scale (~25,000 lines): a small-ish but meaningful sample.
    run = Run.create("small", seed=3, as_of=dt.date(2024, 12, 31))
    values = np.sort(generate_month(run, 2023, 12).sp2d["nilai"].to_numpy())[::-1]
    total, n = values.sum(), len(values)
    assert values[: n // 1000].sum() / total > 0.40
    assert values[n - int(n * 0.98) :].sum() / total < 0.20
    assert values.min() > 0


def test_pembiayaan_nets_to_deficit_plus_silpa(extract: Extract) -> None:
    by_year = _by_year(extract("span_pembiayaan"), "tanggal")
    for year in YEARS:
        net = sum(t.nilai for t in annual_targets(year) if t.pos == "pembiayaan")
        assert by_year[year] == net
    assert by_year[2023] == pytest.approx((337.3 + 19.38) * 10**12, rel=1e-9)


def test_dipa_ceilings_follow_payments(extract: Extract) -> None:
    dipa = extract("span_dipa")
    sp2d = extract("span_sp2d")
    keys = ["kode_satker", "kode_program", "kode_akun", "sumber_dana"]
    for year in (2021, 2024):
        pagu = dipa.filter(pc.field("tahun") == year)
        paid = sp2d.filter(pc.equal(pc.year(sp2d["tanggal_sp2d"]), year))
        paid = paid.group_by(keys).aggregate([("nilai", "sum")])
        joined = paid.join(pagu, keys, join_type="left outer")
        assert joined["pagu"].null_count == 0
        assert pc.all(pc.greater_equal(joined["pagu"], joined["nilai_sum"])).as_py()
        realisation = pc.sum(paid["nilai_sum"]).as_py()
        assert 0.93 <= realisation / pc.sum(pagu["pagu"]).as_py() <= 0.96
        assert pc.all(pc.match_substring_regex(pagu["kode_akun"], "^5[1-8]")).as_py()
