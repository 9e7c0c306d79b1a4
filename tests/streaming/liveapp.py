"""The web app with the live router, whether or not ``create_app`` mounts it yet."""

from __future__ import annotations

from fastapi import FastAPI

from treasury.web.app import create_app
from treasury.web.live import router


def make_app() -> FastAPI:
    """``create_app()`` plus :data:`treasury.web.live.router` if it is not already included."""
    app = create_app()
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/api/v1/live/today" not in paths:
        app.include_router(router)
    return app
