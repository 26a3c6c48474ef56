"""The register's pages (issue 15). Each part's pages live in their own module and join ``router``
here; ``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry import io_web

router = APIRouter()
router.include_router(io_web.router)
