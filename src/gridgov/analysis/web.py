"""The analysis pages (issue 16). Each part's pages live in their own module and join ``router`` here;
``app.py`` mounts it."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.analysis import (
    appraisal_web,
    cogovernance_web,
    dashboard_web,
    index_web,
    monthly_web,
    public_web,
    warnings_web,
)

router = APIRouter()
for part in (appraisal_web, cogovernance_web, dashboard_web, index_web, monthly_web, public_web, warnings_web):
    router.include_router(part.router)
