"""The register's JSON API (issue 15). Each part's routes live in their own module and join
``router`` here; ``app.py`` includes it under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry.care_api import router as care_router
from gridgov.registry.io_api import router as io_router
from gridgov.registry.io_runs_api import router as io_runs_router
from gridgov.registry.people_api import router as people_router
from gridgov.registry.places_api import router as places_router

router = APIRouter(tags=["registry"])
for part in (people_router, places_router, care_router, io_router, io_runs_router):
    router.include_router(part)
