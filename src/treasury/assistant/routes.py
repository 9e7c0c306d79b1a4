"""The assistant product's routes: FAQ bot, data assistant and document recognition."""

from __future__ import annotations

from fastapi import APIRouter

from treasury.assistant.ocr.routes import router as ocr_router

router = APIRouter()
router.include_router(ocr_router)
