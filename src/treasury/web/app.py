"""The web app factory: base layout, language switch, health, and each product's router."""

from __future__ import annotations

import gzip
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.exc import DBAPIError

from treasury import __version__
from treasury.config import get_settings
from treasury.db import migrate
from treasury.i18n import format_date, format_rupiah, pick_language
from treasury.web.metrics import MetricsMiddleware, exposition
from treasury.web.security import SecurityMiddleware
from treasury.web.texts import text

HERE = Path(__file__).parent
SRC = HERE.parent
#: plotly.js as shipped inside the ``plotly`` wheel (served at /static/vendor/plotly.min.js).
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

#: Products plugged into the portal: each offers ``routes.router`` and a ``templates/`` folder.
PRODUCTS: tuple[str, ...] = ("opendata", "dashboards", "ml", "simulation", "assistant")

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.loader = ChoiceLoader(
    [FileSystemLoader(HERE / "templates")]
    + [FileSystemLoader(SRC / product / "templates") for product in PRODUCTS]
)
templates.env.globals["rupiah"] = format_rupiah
templates.env.globals["tanggal"] = format_date


def language(request: Request) -> str:
    """The page language: ``?lang=`` first, then the ``lang`` cookie, else Indonesian."""
    return pick_language(request.query_params.get("lang") or request.cookies.get("lang"))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the shared context (language, texts, formatters)."""
    lang = language(request)
    texts = context.pop("texts", None)

    def t(key: str) -> str:
        if texts and key in texts:
            entry = texts[key]
            return str(entry.get(lang) or entry["id"])
        return text(key, lang)

    response = templates.TemplateResponse(
        request, template, {"lang": lang, "t": t, **context}, status_code=status_code
    )
    if request.query_params.get("lang"):
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At startup, bring the app database to the latest schema."""
    migrate(get_settings().app_database_url)
    yield


@cache
def _plotly_gzip() -> bytes:
    """plotly.js compressed once per process."""
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=9)


def create_app() -> FastAPI:
    """Build the FastAPI application serving the portal and the APIs."""
    from treasury.web.home import router as home_router
    from treasury.web.live import router as live_router

    app = FastAPI(
        title="Treasury Big Data",
        version=__version__,
        description="Open data, dashboards and analytics over the treasury's data.",
        lifespan=lifespan,
    )
    app.state.render = render

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        """plotly.js from the installed ``plotly`` wheel: charts without a CDN; gzip-compressed
        for browsers that accept it (4.6 MB -> 1.4 MB over a Kanwil's or KPPN's WAN link)."""
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            return Response(
                _plotly_gzip(),
                media_type="text/javascript",
                headers={**headers, "Content-Encoding": "gzip"},
            )
        return FileResponse(PLOTLY_JS, media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(home_router)
    app.include_router(live_router)
    for product in PRODUCTS:
        app.include_router(importlib.import_module(f"treasury.{product}.routes").router)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """Liveness: the process answers."""
        return JSONResponse({"status": "ok", "home": str(get_settings().home)})

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    def readyz() -> JSONResponse:
        """Readiness: 200 when the serving snapshot opens and the app database answers."""
        problems = readiness_problems()
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def metrics() -> Response:
        """Prometheus metrics: requests, latency, rows exported, pipeline runs, queue lag."""
        return Response(exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    app.add_exception_handler(DBAPIError, database_unavailable)
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(MetricsMiddleware)
    return app


def readiness_problems() -> dict[str, str]:
    """What keeps this worker from serving: ``{"snapshot" | "database": reason}``, or empty."""
    from sqlalchemy import text as sql_text

    from treasury.db.session import get_engine
    from treasury.warehouse.serving import open_snapshot

    problems: dict[str, str] = {}
    try:
        con = open_snapshot()
        try:
            con.execute("SELECT run_id FROM _snapshot").fetchone()
        finally:
            con.close()
    except Exception as error:  # any failure means not ready; say which
        problems["snapshot"] = f"the serving snapshot does not open: {error}".splitlines()[0]
    try:
        with get_engine().connect() as connection:
            connection.execute(sql_text("SELECT 1"))
    except Exception as error:
        problems["database"] = f"the app database does not answer: {type(error).__name__}"
    return problems


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A database outage outside the API envelope routes: 503 in the error envelope."""
    del request, exc
    return JSONResponse(
        {
            "ok": False,
            "error": {
                "status": 503,
                "code": "database_unavailable",
                "message": "the app database is not answering; try again in a moment",
                "hint": None,
            },
        },
        status_code=503,
        headers={"Retry-After": "5"},
    )
