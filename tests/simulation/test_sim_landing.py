"""Current-year landing and the base posture from the marts of the test platform."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from treasury.config import Settings
from treasury.simulation.actuals import domain_profile, load_actuals
from treasury.simulation.assumptions import parse_scenario
from treasury.simulation.simulate import run_arrays, summarise


def test_landing_adds_the_scenario_to_year_to_date_actuals(
    od_settings: Settings, snapshot: duckdb.DuckDBPyConnection
) -> None:
    actuals = load_actuals(od_settings)
    assert actuals.snapshot is not None
    months, real = snapshot.execute(
        "SELECT max(bulan), sum(realisasi) / 1e12 FROM mart_apbn_bulanan "
        "WHERE tahun = 2026 AND pos = 'belanja'"
    ).fetchone()
    run = run_arrays(parse_scenario({"tahun_dasar": 2026}), actuals)
    assert run.posture.source == "mart_apbn_bulanan"
    result = summarise(run, actuals)
    landing = result["proyeksi_tahun_berjalan"]
    assert landing["bulan_realisasi"] == months
    spent = landing["belanja"]
    assert spent["realisasi_sd_bulan"] == pytest.approx(real, abs=0.01)
    share = spent["porsi_historis_sd_bulan"]
    assert 0.5 < share < 1.0
    assert spent["proyeksi_akhir_tahun"] == pytest.approx(
        spent["realisasi_sd_bulan"] + result["tahun"][0]["belanja"] * (1 - share), abs=0.3
    )  # the share is shown to four decimals
    assert spent["skenario_setahun"] == result["tahun"][0]["belanja"]
    assert landing["defisit"] == pytest.approx(
        spent["proyeksi_akhir_tahun"] - landing["pendapatan"]["proyeksi_akhir_tahun"], abs=0.02
    )
    assert "kuantil_defisit_pct_pdb" not in landing  # no draws, no fan
    # with draws the landing is far less uncertain than the full-year projection
    mc = summarise(run_arrays(parse_scenario({"draws": 4000, "seed": 2}), actuals), actuals)
    fan_landing = mc["proyeksi_tahun_berjalan"]["kuantil_defisit_pct_pdb"]
    fan_year = mc["tahun"][0]["kuantil_defisit_pct_pdb"]
    assert fan_landing["p5"] <= landing["defisit_pct_pdb"] + 0.05 <= fan_landing["p95"] + 0.1
    assert fan_landing["p95"] - fan_landing["p5"] < (fan_year["p95"] - fan_year["p5"]) / 3
    # a weaker rupiah for the rest of the year raises the landing deficit
    weak = summarise(
        run_arrays(parse_scenario({"asumsi": {2026: {"kurs": 19000}}}), actuals), actuals
    )
    assert weak["proyeksi_tahun_berjalan"]["defisit"] > landing["defisit"]


def test_profile_from_complete_years_is_cumulative(od_settings: Settings) -> None:
    actuals = load_actuals(od_settings)
    for pos in ("pendapatan", "belanja"):
        profile = actuals.profile(pos, 2026)
        assert profile[-1] == pytest.approx(1.0)
        assert all(a <= b for a, b in itertools.pairwise(profile))
    # December is a big spending month (FACTS.md: 11-17% of the year)
    dec = 1 - actuals.profile("belanja", 2026)[10]
    assert 0.10 < dec < 0.18
    fallback = domain_profile("belanja")
    assert fallback[-1] == pytest.approx(1.0) and fallback[5] == pytest.approx(0.406, abs=0.02)


def test_without_a_snapshot_the_domain_history_is_used(home) -> None:  # type: ignore[no-untyped-def]
    actuals = load_actuals()
    assert actuals.snapshot is None
    result = summarise(run_arrays(parse_scenario({}), actuals), actuals)
    assert result["posisi_awal"]["sumber"] == "apbn_annual"
    assert result["proyeksi_tahun_berjalan"] is None
