"""Pages (HTML). Each domain's ``web.py`` router is included here."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.accounts.admin_web import router as user_admin_pages
from gridgov.accounts.web import router as accounts_pages
from gridgov.audit.web import router as audit_pages
from gridgov.instructions.web import router as instruction_pages
from gridgov.cases.web import router as case_pages
from gridgov.catalogue.public_web import router as catalogue_public_pages
from gridgov.catalogue.web import router as catalogue_manage_pages
from gridgov.notify.web import router as notification_pages
from gridgov.public.web import router as public_pages
from gridgov.staff.web import router as staff_pages
from gridgov.territory.adjustments_web import router as adjustment_pages
from gridgov.territory.web import router as territory_pages
from gridgov.web.apidocs import router as api_docs_page

router = APIRouter(include_in_schema=False)
router.include_router(accounts_pages)
router.include_router(user_admin_pages)
router.include_router(territory_pages)
router.include_router(adjustment_pages)
router.include_router(staff_pages)
router.include_router(public_pages)
router.include_router(audit_pages)
router.include_router(case_pages)
router.include_router(instruction_pages)
router.include_router(catalogue_manage_pages)
router.include_router(catalogue_public_pages)
router.include_router(notification_pages)
router.include_router(api_docs_page)
