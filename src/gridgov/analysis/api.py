"""The analysis JSON API (issue 16). Each part's routes live in their own module and join ``router``
here; ``app.py`` includes it under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import stats_api

router = APIRouter(tags=["analysis"])
router.include_router(stats_api.router)
