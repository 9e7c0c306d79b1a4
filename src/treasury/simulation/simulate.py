"""Run a scenario: the central projection, Monte Carlo around it, rule checks, the landing.

:func:`simulate` turns a checked :class:`~treasury.simulation.assumptions.Scenario` into the
JSON-ready result of the contract (issue 6): ``tahun`` is a list of yearly objects with
``pendapatan``, ``belanja``, ``defisit`` (positive = deficit), ``defisit_pct_pdb``,
``keseimbangan_primer``, ``pembiayaan``, ``utang_pct_pdb``, and with draws the probabilities of
breaking the 3% deficit and 60% debt limits (Law 17/2003) and the fan-chart quantiles.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from treasury.config import Settings
from treasury.simulation.actuals import Actuals, load_actuals
from treasury.simulation.assumptions import ASUMSI, Scenario, budget_assumptions
from treasury.simulation.calibration import calibrate
from treasury.simulation.engine import Arrays, project
from treasury.simulation.landing import landing
from treasury.simulation.montecarlo import fan, shocked_paths
from treasury.simulation.posture import Posture
from treasury.simulation.rules import DEBT_LIMIT, DEFICIT_LIMIT, check

log = logging.getLogger(__name__)

REVENUE_LINES = {
    "pph": ("pph_nonmigas", "pph_migas"),
    "pph_migas": ("pph_migas",),
    "ppn": ("ppn",),
    "pbb_dan_pajak_lainnya": ("pbb", "pajak_lainnya"),
    "cukai": ("cukai",),
    "bea_masuk_dan_keluar": ("bea_masuk", "bea_keluar"),
    "pnbp_migas": ("sda_migas",),
    "pnbp_lainnya": ("sda_nonmigas", "knd", "blu", "pnbp_lainnya"),
    "hibah": ("hibah_pendapatan",),
}
SPENDING_LINES = {
    "belanja_pegawai": ("belanja_pegawai",),
    "belanja_barang": ("belanja_barang",),
    "belanja_modal": ("belanja_modal",),
    "bunga": ("bunga",),
    "subsidi_energi": ("subsidi_energi",),
    "subsidi_nonenergi": ("subsidi_nonenergi",),
    "bansos": ("bansos",),
    "hibah_dan_lainnya": ("hibah_belanja", "belanja_lain"),
    "dbh": ("dbh",),
    "dau": ("dau",),
    "tkd_lainnya": ("otsus", "tkd_lainnya"),
}


@dataclass(frozen=True)
class Run:
    """The arrays of a run: the central path (one draw) and the Monte Carlo draws (or None)."""

    scenario: Scenario
    posture: Posture
    central: Arrays
    draws: Arrays | None
    paths: Arrays | None


def _actuals(settings: Settings | None) -> Actuals:
    try:
        return load_actuals(settings)
    except Exception:  # a broken snapshot must not stop a simulation: fall back to the domain
        log.warning("simulation: could not read the serving snapshot", exc_info=True)
        return Actuals(None)


def run_arrays(scenario: Scenario, actuals: Actuals | None = None) -> Run:
    """Project ``scenario``: the central path and, when it asks for draws, the Monte Carlo."""
    actuals = actuals if actuals is not None else Actuals(None)
    posture = actuals.posture(scenario.tahun_dasar)
    params = calibrate()
    years = scenario.years
    central = {k: np.array([[scenario.asumsi[y][k] for y in years]]) for k in ASUMSI}
    baseline = {k: np.array([budget_assumptions(y)[k] for y in years]) for k in ASUMSI}
    result = project(posture, central, baseline, scenario.kebijakan, params)
    draws = paths = None
    if scenario.draws > 0:
        paths = shocked_paths({k: v[0] for k, v in central.items()}, scenario.draws, scenario.seed)
        draws = project(posture, paths, baseline, scenario.kebijakan, params)
    return Run(scenario, posture, result, draws, paths)


def _r(value: Any, digits: int = 2) -> float:
    return round(float(value), digits)


def _year(run: Run, t: int) -> dict[str, Any]:
    c = run.central
    row: dict[str, Any] = {
        "tahun": run.scenario.years[t],
        "pdb_nominal": _r(c["pdb"][0, t], 1),
        "pendapatan": _r(c["pendapatan"][0, t]),
        "belanja": _r(c["belanja"][0, t]),
        "defisit": _r(c["defisit"][0, t]),
        "defisit_pct_pdb": _r(c["defisit_pct_pdb"][0, t], 3),
        "keseimbangan_primer": _r(c["keseimbangan_primer"][0, t]),
        "keseimbangan_primer_pct_pdb": _r(c["keseimbangan_primer_pct_pdb"][0, t], 3),
        "pembiayaan": _r(c["pembiayaan"][0, t]),
        "pembiayaan_utang": _r(c["pembiayaan_utang"][0, t]),
        "utang": _r(c["utang"][0, t]),
        "utang_pct_pdb": _r(c["utang_pct_pdb"][0, t], 3),
        "pendapatan_rincian": {
            k: _r(sum(c[p][0, t] for p in parts)) for k, parts in REVENUE_LINES.items()
        },
        "belanja_rincian": {
            k: _r(sum(c[p][0, t] for p in parts)) for k, parts in SPENDING_LINES.items()
        },
    }
    if run.draws is not None:
        d = run.draws
        row["prob_defisit_di_atas_3pct"] = _r(
            np.mean(d["defisit_pct_pdb"][:, t] > DEFICIT_LIMIT), 4
        )
        row["prob_utang_di_atas_60pct"] = _r(np.mean(d["utang_pct_pdb"][:, t] > DEBT_LIMIT), 4)
        row["kuantil_defisit_pct_pdb"] = {
            k: v[0] for k, v in fan(d["defisit_pct_pdb"][:, t : t + 1]).items()
        }
        row["kuantil_utang_pct_pdb"] = {
            k: v[0] for k, v in fan(d["utang_pct_pdb"][:, t : t + 1]).items()
        }
    return row


def _clean(value: float) -> float | None:
    return None if isinstance(value, float) and math.isnan(value) else value


def summarise(run: Run, actuals: Actuals | None = None) -> dict[str, Any]:
    """The JSON-ready result of a run (the contract of issue 6)."""
    s = run.scenario
    years = [_year(run, t) for t in range(len(s.years))]
    out: dict[str, Any] = {
        "nama": s.nama,
        "jenis": s.jenis,
        "tahun_dasar": s.tahun_dasar,
        "draws": s.draws,
        "seed": s.seed,
        "asumsi": {str(y): s.asumsi[y] for y in s.years},
        "kebijakan": {k: _clean(v) for k, v in s.kebijakan.items()},
        "tahun": years,
        "aturan_fiskal": check(years),
        "posisi_awal": {
            "sumber": run.posture.source,
            "tahun": run.posture.year,
            "utang_akhir_tahun_sebelumnya": _r(run.posture.debt_before),
            "pdb_nominal_apbn": _r(run.posture.gdp, 1),
        },
        "proyeksi_tahun_berjalan": landing(actuals, s.tahun_dasar, run.central, run.draws)
        if actuals is not None and actuals.snapshot
        else None,
        "satuan": {"rupiah": "Rp triliun", "rasio": "persen PDB", "peluang": "0-1"},
        "parameter": asdict(calibrate()),
    }
    if run.draws is not None:
        out["fan_chart"] = {
            "kuantil": ["p5", "p10", "p50", "p90", "p95"],
            "defisit_pct_pdb": fan(run.draws["defisit_pct_pdb"]),
            "utang_pct_pdb": fan(run.draws["utang_pct_pdb"]),
        }
    return out


def simulate(scenario: Scenario, settings: Settings | None = None) -> dict[str, Any]:
    """Run ``scenario`` from the latest actuals (or the domain history) and summarise it.

    Examples
    --------
    >>> from treasury.simulation.assumptions import parse_scenario
    >>> result = simulate(parse_scenario({"tahun_dasar": 2026}))  # doctest: +SKIP
    >>> result["tahun"][0]["defisit"]  # doctest: +SKIP
    689.1
    """
    actuals = _actuals(settings)
    return summarise(run_arrays(scenario, actuals), actuals)
