"""The register's pages (issue 15). Each part's pages live in their own module and join ``router``
here; ``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry.places_web import router as places_pages

router = APIRouter()
router.include_router(places_pages)
