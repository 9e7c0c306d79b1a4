"""The ml product's routes: its pages and API, mounted by :func:`treasury.web.app.create_app`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
