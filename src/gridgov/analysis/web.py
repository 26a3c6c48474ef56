"""The analysis pages (issue 16). Each part's pages live in their own module and join ``router`` here;
``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import warnings_web

router = APIRouter()
router.include_router(warnings_web.router)
