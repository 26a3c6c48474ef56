"""The analysis pages (issue 16). Each part's pages live in their own module and join ``router`` here;
``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

from gridgov.analysis.monthly_web import router as monthly_pages  # noqa: E402

router.include_router(monthly_pages)
