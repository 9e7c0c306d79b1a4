"""The portal's home page: what data there is and how recent it is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from treasury.config import get_settings
from treasury.warehouse.query import QueryError, run_query
from treasury.warehouse.serving import current_snapshot

router = APIRouter(tags=["portal"])

SUMMARY_SQL = """
select tahun,
       sum(case when pos = 'pendapatan' then realisasi else 0 end) as pendapatan,
       sum(case when pos = 'belanja' then realisasi else 0 end) as belanja,
       sum(case when pos = 'pembiayaan' then realisasi else 0 end) as pembiayaan
from mart_apbn_bulanan group by tahun order by tahun
"""


AS_OF_SQL = "select max(tanggal) from mart_kas_harian"


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The home page: APBN realization per year from the serving snapshot."""
    from treasury.web.app import render

    settings = get_settings()
    snapshot = current_snapshot(settings)
    years: list[dict[str, Any]] = []
    data_as_of = None
    if snapshot is not None:
        try:
            years = run_query(SUMMARY_SQL, settings=settings).to_pylist()
            data_as_of = run_query(AS_OF_SQL, settings=settings).column(0)[0].as_py()
        except QueryError:
            years = []
    for row in years:
        row["defisit"] = row["belanja"] - row["pendapatan"]
    return render(request, "home.html", snapshot=snapshot, years=years, data_as_of=data_as_of)
