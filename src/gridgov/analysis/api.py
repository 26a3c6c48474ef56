"""The analysis JSON API (issue 16). Each part's routes live in their own module and join ``router``
here; ``app.py`` includes it under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import appraisal_api, index_api, monthly_api, public_api, stats_api, warnings_api

router = APIRouter(tags=["analysis"])
for part in (appraisal_api, index_api, monthly_api, public_api, stats_api, warnings_api):
    router.include_router(part.router)
