"""Routes of document recognition, included by :mod:`treasury.assistant.routes`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
