"""Public pages (no login): grid boards and complaints."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
