"""The dashboards product's routes: its pages and API, mounted by :func:`treasury.web.app.create_app`.

Pages (server-rendered, one JSON spec per figure drawn by plotly.js in the browser):
``/dashboards/apbn``, ``/dashboards/subsidies``, ``/analytics/expenditure``, ``/analytics/cash``,
``/analytics/investment``, ``/regions/{province_code}``, ``/regions/kppn/{kppn_code}``.
Per figure: ``/dashboards/{board}/figures/{figure_id}.csv`` and ``.xlsx`` (exactly the numbers
shown) and ``/api/v1/dashboards/{board}/figures/{figure_id}`` (native envelope); the board's
headline numbers and alerts at ``/api/v1/dashboards/{board}``. Filters are query parameters
(``year``, ``month_from``, ``month_to``, ``ministry``, ``province``, ``kabkota``, ``satker``).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treasury.access import Principal
from treasury.access.http import current_principal
from treasury.access.principal import INTERNAL_ROLES
from treasury.dashboards.board import Board, Context
from treasury.dashboards.filters import FilterError, Filters
from treasury.dashboards.labels import names_of
from treasury.dashboards.regions import kppn_offices
from treasury.dashboards.registry import BOARDS, BoardInfo
from treasury.dashboards.source import Source
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, success
from treasury.i18n import format_number, format_percent, format_rupiah, pick_language
from treasury.warehouse.reader import ReadError

router = APIRouter(tags=["dashboards"])
api = APIRouter(
    prefix="/api/v1/dashboards",
    tags=["dashboards"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)
PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _lang(request: Request) -> str:
    return pick_language(request.query_params.get("lang") or request.cookies.get("lang"))


def _check(principal: Principal) -> None:
    """Dashboards read internal marts: a login as an internal user is needed."""
    if not principal.is_authenticated:
        raise ReadError(
            401, "unauthorized", "log in to see dashboards", "POST /login or send a token"
        )
    if principal.role not in INTERNAL_ROLES:
        raise ReadError(403, "forbidden", "dashboards are for Ministry of Finance users")


def _filters(params: dict[str, str], **fixed: str) -> Filters:
    try:
        return Filters.parse({**params, **fixed})
    except FilterError as exc:
        raise ReadError(
            400, "bad_filter", str(exc), "see the filter fields in the API docs"
        ) from None


def build_board(
    info: BoardInfo, principal: Principal, filters: Filters, lang: str
) -> tuple[Board, Source]:
    """Build one board for a viewer (all reads through the Reader as ``principal``)."""
    source = Source.for_principal(principal)
    try:
        board = source.build(lambda: info.build(Context(source, filters, lang)))
    finally:
        source.audit_cached()
    return board, source


def page_path(board: str, filters: Filters) -> str:
    """The page of a board (region pages carry their code in the path)."""
    if board == "region":
        return f"/regions/{filters.province}"
    if board == "kppn":
        return f"/regions/kppn/{filters.kppn}"
    return BOARDS[board].path


def _page(request: Request, principal: Principal, key: str, **fixed: str) -> Response:
    lang = _lang(request)
    render = request.app.state.render
    if not principal.is_authenticated:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    info = BOARDS[key]
    try:
        _check(principal)
        filters = _filters(dict(request.query_params), **fixed)
        board, _ = build_board(info, principal, filters, lang)
    except ReadError as exc:
        response: HTMLResponse = render(
            request,
            "dashboards/error.html",
            status_code=exc.status,
            principal=principal,
            error=exc,
            title=info.title_id if lang == "id" else info.title_en,
        )
        return response
    response = render(
        request,
        "dashboards/board.html",
        principal=principal,
        board=board,
        info=info,
        page=page_path(key, board.filters),
        specs={f.id: f.spec() for f in board.figures},
        links=_links(key, board),
        kpi_value=_kpi_value,
        provinces=sorted(names_of("province").items()),
        months=range(1, 13),
    )
    return response


def _links(key: str, board: Board) -> dict[str, dict[str, str]]:
    query = board.filters.query()
    return {
        f.id: {
            "csv": f"/dashboards/{key}/figures/{f.id}.csv{query}",
            "xlsx": f"/dashboards/{key}/figures/{f.id}.xlsx{query}",
            "api": f"/api/v1/dashboards/{key}/figures/{f.id}{query}",
        }
        for f in board.figures
    }


def _kpi_value(kpi: Any, lang: str) -> dict[str, str]:
    """Display texts of a headline number."""
    if kpi.unit == "percent":
        value = format_percent(kpi.value, 2, lang)
        budget = format_percent(kpi.budget, 1, lang) if kpi.budget is not None else ""
    elif kpi.unit == "count":
        value = format_number(kpi.value, 0, lang)
        budget = format_number(kpi.budget, 0, lang) if kpi.budget is not None else ""
    else:
        value = format_rupiah(kpi.value, lang)
        budget = format_rupiah(kpi.budget, lang) if kpi.budget is not None else ""
    return {
        "value": value,
        "budget": budget,
        "share": format_percent(kpi.share, 1, lang) if kpi.share is not None else "",
        "change": (("+" if kpi.change > 0 else "") + format_number(kpi.change, 1, lang) + "%")
        if kpi.change is not None
        else "",
    }


def _page_route(key: str) -> Any:
    def page(request: Request, principal: PrincipalDep) -> Response:
        return _page(request, principal, key)

    page.__name__ = f"{key}_page"
    page.__doc__ = f"{BOARDS[key].title_en} (page)."
    return page


@router.get("/regions/kppn/{kppn_code}", response_class=HTMLResponse)
def kppn_page(request: Request, kppn_code: str, principal: PrincipalDep) -> Response:
    """A KPPN's region: its satker against the national picture, TKD and Dana Desa."""
    if kppn_code not in kppn_offices():
        return _missing(request, principal, f"no KPPN {kppn_code!r}")
    return _page(request, principal, "kppn", kppn=kppn_code)


@router.get("/regions/{province_code}", response_class=HTMLResponse)
def region_page(request: Request, province_code: str, principal: PrincipalDep) -> Response:
    """A province (Kanwil region) against the national picture, TKD and Dana Desa stages."""
    if province_code not in names_of("province"):
        return _missing(request, principal, f"no province {province_code!r}")
    return _page(request, principal, "region", province=province_code)


def _missing(request: Request, principal: Principal, message: str) -> Response:
    response: Response = request.app.state.render(
        request,
        "dashboards/error.html",
        status_code=404,
        principal=principal,
        error=ReadError(404, "not_found", message, "see /regions/35 or /regions/kppn/086"),
        title="404",
    )
    return response


for _info in BOARDS.values():
    if "{" in _info.path:
        continue
    router.add_api_route(
        _info.path, _page_route(_info.key), methods=["GET"], response_class=HTMLResponse
    )


def _figure(
    request: Request, principal: Principal, board: str, figure_id: str
) -> tuple[Any, Board]:
    info = BOARDS.get(board)
    if info is None:
        raise ReadError(404, "not_found", f"no dashboard {board!r}", f"one of {', '.join(BOARDS)}")
    _check(principal)
    filters = _filters(dict(request.query_params))
    needed = {"region": "province", "kppn": "kppn"}.get(board)
    if needed and not getattr(filters, needed):
        raise ReadError(400, "bad_filter", f"{needed}: the {board} figures need ?{needed}=<code>")
    built, _ = build_board(info, principal, filters, _lang(request))
    figure = built.figure(figure_id)
    if figure is None:
        raise ReadError(
            404,
            "not_found",
            f"no figure {figure_id!r} on {board}",
            f"figures: {', '.join(f.id for f in built.figures)}",
        )
    return figure, built


DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/dashboards/{board}/figures/{filename}", tags=["dashboards"])
def figure_download(
    request: Request, board: str, filename: str, principal: PrincipalDep
) -> Response:
    """The numbers of one figure (``<figure_id>.csv`` or ``.xlsx``), same filters as the page."""
    figure_id, _, fmt = filename.rpartition(".")
    try:
        if fmt not in DOWNLOADS:
            raise ReadError(404, "not_found", f"no download {filename!r}: use .csv or .xlsx")
        figure, _ = _figure(request, principal, board, figure_id)
    except ReadError as exc:
        return Response(exc.message + "\n", status_code=exc.status, media_type="text/plain")
    body = figure.csv() if fmt == "csv" else figure.xlsx()
    return Response(
        body,
        media_type=DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{board}-{figure_id}.{fmt}"'},
    )


@api.get("/{board}")
def board_api(request: Request, board: str, principal: PrincipalDep) -> dict[str, Any]:
    """A board's headline numbers, alerts (with suggested actions) and its figure ids."""
    info = BOARDS.get(board)
    if info is None:
        raise ReadError(404, "not_found", f"no dashboard {board!r}", f"one of {', '.join(BOARDS)}")
    _check(principal)
    built, source = build_board(
        info, principal, _filters(dict(request.query_params)), _lang(request)
    )
    return success(built.summary(), as_of=_iso(built), queries=source.queries)


@api.get("/{board}/figures/{figure_id}")
def figure_api(
    request: Request, board: str, figure_id: str, principal: PrincipalDep
) -> dict[str, Any]:
    """One figure's data (columns and rows, exactly what the chart shows) and plotly spec."""
    figure, built = _figure(request, principal, board, figure_id)
    return success(
        {**figure.table(), "plot": figure.spec()},
        board=board,
        filters=built.filters.params(),
        as_of=_iso(built),
    )


def _iso(board: Board) -> str | None:
    return board.as_of.isoformat() + "Z" if board.as_of else None


router.include_router(api)
