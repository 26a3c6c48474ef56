"""The register's JSON API (issue 15). Each part's routes live in their own module and join
``router`` here; ``app.py`` includes it under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.registry import io_api

router = APIRouter(tags=["registry"])
router.include_router(io_api.router)
