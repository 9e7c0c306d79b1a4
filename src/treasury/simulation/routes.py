"""The simulation product's face: the ``/simulation`` page and the simulations API.

The page has a slider per assumption and lever; each change asks
``POST /api/v1/simulations/preview`` (2,000 draws) and redraws the fan charts, the table and
the fiscal-rule checks; a logged-in or anonymous user can save the scenario (10,000 draws),
compare up to four saved ones and download them as XLSX.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from treasury.access.http import PrincipalDep
from treasury.simulation.api import PREVIEW_DRAWS
from treasury.simulation.api import router as api_router
from treasury.simulation.assumptions import KEBIJAKAN, budget_assumptions, default_base_year
from treasury.simulation.calibration import sensitivity_table
from treasury.simulation.texts import TEXTS

router = APIRouter()
router.include_router(api_router)

#: Slider ranges per assumption: (lowest, highest, step).
SLIDERS = {
    "pertumbuhan_ekonomi": (-5.0, 10.0, 0.1),
    "inflasi": (0.0, 12.0, 0.1),
    "kurs": (12_000.0, 22_000.0, 50.0),
    "yield_sbn_10th": (3.0, 14.0, 0.05),
    "icp": (30.0, 150.0, 1.0),
    "lifting_minyak": (400.0, 800.0, 1.0),
    "lifting_gas": (600.0, 1_400.0, 1.0),
}
#: Slider ranges per lever (narrower than what the API accepts) and their starting value.
LEVER_SLIDERS = {
    "tambahan_rasio_pajak": (-2.0, 2.0, 0.1, 0.0),
    "harga_bbm_pct": (-30.0, 100.0, 5.0, 0.0),
    "harga_lpg_pct": (-30.0, 100.0, 5.0, 0.0),
    "tarif_listrik_pct": (-30.0, 100.0, 5.0, 0.0),
    "volume_bbm_pct": (-30.0, 30.0, 1.0, 0.0),
    "volume_lpg_pct": (-30.0, 30.0, 1.0, 0.0),
    "volume_listrik_pct": (-30.0, 30.0, 1.0, 0.0),
    "pertumbuhan_belanja_pegawai": (-5.0, 20.0, 0.5, 8.0),
    "pertumbuhan_belanja_barang": (-5.0, 20.0, 0.5, 8.0),
    "pertumbuhan_belanja_modal": (-10.0, 30.0, 0.5, 8.0),
    "pertumbuhan_bansos": (-10.0, 30.0, 0.5, 8.0),
    "dau_pct_pdn": (5.0, 20.0, 0.1, 11.0),
}


def _sliders(base_year: int) -> dict[str, list[dict[str, Any]]]:
    budget = budget_assumptions(base_year)
    asumsi = [
        {"key": k, "min": lo, "max": hi, "step": step, "value": budget[k]}
        for k, (lo, hi, step) in SLIDERS.items()
    ]
    levers = [
        {"key": k, "min": lo, "max": hi, "step": step, "value": start, "unit": KEBIJAKAN[k][3]}
        for k, (lo, hi, step, start) in LEVER_SLIDERS.items()
    ]
    return {"asumsi": asumsi, "kebijakan": levers}


@router.get("/simulation", response_class=HTMLResponse, include_in_schema=False)
def simulation_page(request: Request, principal: PrincipalDep) -> HTMLResponse:
    """The scenario page: sliders, fan charts, rule checks, saved scenarios and compare."""
    base_year = default_base_year()
    response: HTMLResponse = request.app.state.render(
        request,
        "simulation/page.html",
        texts=TEXTS,
        principal=principal,
        tahun_dasar=base_year,
        sliders=_sliders(base_year),
        preview_draws=PREVIEW_DRAWS,
        sensitivity=sensitivity_table(),
    )
    return response
