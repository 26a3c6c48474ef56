"""Pages (HTML). Each domain's ``web.py`` router is included here."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.accounts.web import router as accounts_pages
from gridgov.territory.web import router as territory_pages

router = APIRouter(include_in_schema=False)
router.include_router(accounts_pages)
router.include_router(territory_pages)
