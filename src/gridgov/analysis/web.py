"""The analysis pages (issue 16). Each part's pages live in their own module and join ``router`` here;
``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import public_web

router = APIRouter()
router.include_router(public_web.router)
from gridgov.analysis import dashboard_web

router.include_router(dashboard_web.router)

from gridgov.analysis.monthly_web import router as monthly_pages  # noqa: E402

router.include_router(monthly_pages)
from gridgov.analysis import appraisal_web

router.include_router(appraisal_web.router)
from gridgov.analysis import index_web

router.include_router(index_web.router)
