"""The register's pages (issue 15). Each part's pages live in their own module and join ``router``
here; ``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry.care_web import router as care_pages
from gridgov.registry.io_web import router as io_pages
from gridgov.registry.people_web import router as people_pages
from gridgov.registry.places_web import router as places_pages
from gridgov.registry.report_web import router as report_pages

router = APIRouter()
for part in (people_pages, places_pages, care_pages, io_pages, report_pages):
    router.include_router(part)
