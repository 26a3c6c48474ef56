"""Public JSON API (no login): grid boards."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["public"])
