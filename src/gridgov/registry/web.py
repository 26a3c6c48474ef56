"""The register's pages (issue 15). Each part's pages live in their own module and join ``router``
here; ``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry.care_web import router as care_router

router = APIRouter()
router.include_router(care_router)
