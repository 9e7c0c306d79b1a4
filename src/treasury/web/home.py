"""The portal's home page (what data there is, how recent, every product) and role landing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from treasury.access import Principal, Role
from treasury.access.http import current_principal
from treasury.access.orgs import provinces_of_kanwil
from treasury.access.principal import OrgType
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

#: The portal's products: (path, Indonesian title, English title, Indonesian and English blurb).
PRODUCTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("/dashboards/apbn", "Dasbor Realisasi APBN", "APBN realization dashboard",
     "Pendapatan, belanja, defisit, proyeksi dan peringatan", "Revenue, spending, deficit, projection and alerts"),
    ("/dashboards/subsidies", "Dasbor Subsidi", "Subsidy dashboard",
     "Subsidi energi dan nonenergi per provinsi", "Energy and non-energy subsidies by province"),
    ("/analytics/expenditure", "Analitik Belanja", "Expenditure analytics",
     "Penyerapan, layanan SP2D, penumpukan akhir tahun", "Absorption, SP2D service, year-end rush"),
    ("/analytics/cash", "Manajemen Kas", "Cash management",
     "Posisi kas harian, arus kas, pola musiman", "Daily cash position, flows, seasonality"),
    ("/analytics/investment", "Investasi Pemerintah", "Government investment",
     "PMN, penerusan pinjaman (SLA/RDI), piutang", "Equity injections, on-lending (SLA/RDI), receivables"),
    ("/regions/35", "Tampilan Wilayah", "Regional view",
     "Per provinsi (Kanwil) dan per KPPN", "By province (Kanwil) and by KPPN"),
    ("/data", "Katalog Open Data", "Open data catalog",
     "Dataset, API, unduhan, permintaan data", "Datasets, API, downloads, data requests"),
    ("/ml", "Machine Learning", "Machine learning",
     "Prakiraan, deteksi anomali dan risiko", "Forecasts, anomaly and risk detection"),
    ("/simulation", "Simulasi APBN", "Budget simulation",
     "Skenario asumsi makro dan aturan fiskal", "Macro scenarios and fiscal rules"),
    ("/assistant", "Asisten", "Assistant",
     "Tanya jawab dan pengenalan dokumen", "Questions and document recognition"),
    ("/api/docs", "Dokumentasi API", "API documentation",
     "API native, CKAN dan DCAT", "Native, CKAN and DCAT APIs"),
)  # fmt: skip


def landing(principal: Principal) -> str:
    """Where a user lands after logging in.

    Leadership, administrators, stewards and central analysts: the APBN dashboard; a Kanwil
    user: its (first) province's region page; a KPPN user: its KPPN page; external users: the
    open data catalog; anonymous: the login form.

    Examples
    --------
    >>> from treasury.access.principal import OrgType, Role
    >>> landing(Principal(user="a", role=Role.analyst, org_type=OrgType.kanwil, org_code="15"))
    '/regions/35'
    >>> landing(Principal(user="b", role=Role.analyst, org_type=OrgType.kppn, org_code="086"))
    '/regions/kppn/086'
    >>> landing(Principal(user="c", role=Role.admin))
    '/dashboards/apbn'
    """
    if not principal.is_authenticated:
        return "/login?next=/portal"
    if principal.role is Role.external:
        return "/data"
    if principal.org_type is OrgType.kanwil and principal.org_code:
        provinces = provinces_of_kanwil(principal.org_code)
        if provinces:
            return f"/regions/{provinces[0]}"
    if principal.org_type is OrgType.kppn and principal.org_code:
        return f"/regions/kppn/{principal.org_code}"
    return "/dashboards/apbn"


@router.get("/portal", include_in_schema=False)
def portal(principal: Annotated[Principal, Depends(current_principal)]) -> RedirectResponse:
    """Send each user to the home of its role (the login link asks to come back here)."""
    return RedirectResponse(landing(principal), status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> HTMLResponse:
    """The home page: APBN realization per year from the serving snapshot, every product."""
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
    return render(
        request,
        "home.html",
        snapshot=snapshot,
        years=years,
        data_as_of=data_as_of,
        principal=principal,
        products=PRODUCTS,
        my_home=landing(principal) if principal.is_authenticated else None,
    )
