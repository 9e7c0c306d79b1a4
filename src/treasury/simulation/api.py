"""Simulation API (native envelope): run, save, read, compare and export scenarios.

``POST /api/v1/simulations`` runs a scenario (the YAML contract as JSON, plus ``simpan``) and
saves it; ``POST /api/v1/simulations/preview`` runs without saving (the page's live redraw,
2,000 draws by default); ``GET /api/v1/simulations/{id}`` reads a saved run. Bad input answers
400 with one message per field, and nothing is saved.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response

from treasury.access.http import PrincipalDep, SessionDep
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, success
from treasury.simulation import store
from treasury.simulation.assumptions import ScenarioError, parse_scenario
from treasury.simulation.calibration import sensitivity_table
from treasury.simulation.export import xlsx_bytes
from treasury.simulation.simulate import simulate
from treasury.warehouse.reader import ReadError

PREVIEW_DRAWS = 2_000
MAX_PREVIEW_DRAWS = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(
    prefix="/api/v1/simulations",
    tags=["simulation"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)

ScenarioBody = Annotated[
    dict[str, Any],
    Body(
        examples=[
            {
                "nama": "Rupiah melemah",
                "tahun_dasar": 2026,
                "asumsi": {"2026": {"kurs": 17500, "icp": 85}},
                "kebijakan": {"harga_bbm_pct": 10},
                "draws": 10000,
                "seed": 42,
            }
        ]
    ),
]


Lang = Annotated[str, Query(pattern="^(id|en)$", description="language of error messages")]


def _checked(
    body: dict[str, Any], default_draws: int = 0, lang: str = "en"
) -> tuple[dict[str, Any], Any]:
    raw = {k: v for k, v in body.items() if k != "simpan"}
    raw.setdefault("draws", default_draws)
    try:
        return raw, parse_scenario(raw)
    except ScenarioError as exc:
        raise ReadError(
            400,
            "bad_scenario",
            "; ".join(f"{e.field}: {e.pesan if lang == 'id' else e.message}" for e in exc.errors),
            "fix the fields named; assumptions of years left out take the budget's values",
        ) from None


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ReadError(400, "bad_ids", "ids must be whole numbers separated by commas") from None
    if not all(1 <= i < 2**31 for i in ids):
        raise ReadError(400, "bad_ids", "ids are positive whole numbers")
    if not 1 <= len(ids) <= store.MAX_COMPARE:
        raise ReadError(400, "bad_ids", f"give 1 to {store.MAX_COMPARE} simulation ids")
    return ids


def _results(session: SessionDep, ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for i in ids:
        saved = store.get(session, i)
        if saved is None:
            raise ReadError(404, "not_found", f"no simulation {i}", "GET /api/v1/simulations")
        found.append(saved["hasil"] | {"id": i})
    return found


@router.post("", status_code=201)
def create_simulation(
    body: ScenarioBody, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Run a scenario and save it (``"simpan": false`` runs without saving)."""
    raw, scenario = _checked(body)
    started = time.perf_counter()
    result = simulate(scenario)
    seconds = round(time.perf_counter() - started, 4)
    if body.get("simpan", True) is not False:
        result["id"] = store.save(session, raw, result, principal.user)
        session.commit()  # before the answer: the next request (the saved list) must see it
    return success(result, seconds=seconds)


@router.post("/preview")
def preview_simulation(
    body: ScenarioBody, principal: PrincipalDep, lang: Lang = "en"
) -> dict[str, Any]:
    """Run a scenario quickly without saving (2,000 draws unless ``draws`` says otherwise)."""
    _, scenario = _checked(body, PREVIEW_DRAWS, lang)
    if scenario.draws > MAX_PREVIEW_DRAWS:
        raise ReadError(
            400,
            "bad_scenario",
            f"draws: a preview takes at most {MAX_PREVIEW_DRAWS:,} draws",
            "POST /api/v1/simulations for larger runs",
        )
    started = time.perf_counter()
    result = simulate(scenario)
    return success(result, seconds=round(time.perf_counter() - started, 4))


@router.get("")
def list_simulations(session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    """The latest saved scenarios (without their results)."""
    rows = store.recent(session)
    return success(rows, count=len(rows))


@router.get("/sensitivity")
def sensitivity(principal: PrincipalDep) -> dict[str, Any]:
    """The model's sensitivity table beside the Nota Keuangan's (Rp T per shock)."""
    return success(sensitivity_table())


@router.get("/compare")
def compare_simulations(
    session: SessionDep, principal: PrincipalDep, ids: Annotated[str, Query(max_length=100)]
) -> dict[str, Any]:
    """Up to four saved scenarios side by side (``ids=1,2,3``)."""
    results = _results(session, _ids(ids))
    return success(store.compare(results), ids=[r["id"] for r in results])


@router.get("/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_simulations(
    session: SessionDep, principal: PrincipalDep, ids: Annotated[str, Query(max_length=100)]
) -> Response:
    """Saved scenarios (``ids=1,2``) as one XLSX workbook."""
    results = _results(session, _ids(ids))
    return Response(
        xlsx_bytes(results),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="simulasi-apbn.xlsx"'},
    )


@router.get("/{simulation_id}")
def get_simulation(
    session: SessionDep,
    principal: PrincipalDep,
    simulation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> dict[str, Any]:
    """A saved scenario: its input, seed and result."""
    saved = store.get(session, simulation_id)
    if saved is None:
        raise ReadError(
            404, "not_found", f"no simulation {simulation_id}", "GET /api/v1/simulations"
        )
    return success(saved)
