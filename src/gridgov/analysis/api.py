"""The analysis JSON API (issue 16). Each part's routes live in their own module and join ``router``
here; ``app.py`` includes it under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import public_api, stats_api

router = APIRouter(tags=["analysis"])
router.include_router(stats_api.router)
router.include_router(public_api.router)
from gridgov.analysis import monthly_api, stats_api

router.include_router(monthly_api.router)
from gridgov.analysis import appraisal_api, stats_api

router.include_router(appraisal_api.router)
from gridgov.analysis import index_api, stats_api

router.include_router(index_api.router)
