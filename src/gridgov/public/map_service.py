"""The optional public map of resident reports (issue 17): off unless the deployment turns it on.

**Off by default, a deployment setting** (``GRIDGOV_PUBLIC_MAP``, with ``GRIDGOV_PUBLIC_MAP_CELL_M`` and
``GRIDGOV_PUBLIC_MAP_CLOSED_DAYS``), not a profile one: no regulation asks for a public map of
reports, so it is no rule of the city's text; publishing is the operator's decision after its own
privacy review (《个人信息保护法》), which must be able to take the map down at once without a new
profile. While it is off, the page and the API answer 404 like any unknown address.

**What it shows**: reports from residents (sources ``resident`` and ``hotline``) open now or closed
within the last ``closed_days`` days (not refused, not merged into another), each only as a count in
a square cell of ``cell_m`` metres (default 500; at least 200), by grid and type, open or closed. No
description, no title, no address, no photo, no date, no reporter: the type is the only word of the
report that is shown. Rounding: see :mod:`gridgov.public.map_rules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gridgov.cases.resident_messages import RESIDENT_SOURCES
from gridgov.cases.service import category_names
from gridgov.cases.vocabulary import CaseState
from gridgov.errors import NotFound
from gridgov.public import map_repository as repo
from gridgov.public.map_rules import Report, cells


def ensure_on(settings) -> None:
    """404 while the deployment has not turned the public map on."""
    if not settings.public_map:
        raise NotFound("页面或资源不存在")


CACHE_SECONDS = 60
"""One answer serves every visitor for this long (per process): the map is an overview, and a public
address that read up to ``MAX_REPORTS`` rows on every request would be an easy way to load the database."""


def cached_public_map(state, session: Session, *, profile, now: datetime) -> dict:
    """:func:`public_map` under the app's settings and case types (``state``: ``app.state``), kept there
    for :data:`CACHE_SECONDS`."""
    ensure_on(state.settings)
    kept = getattr(state, "public_map_cache", None)
    if kept is not None and now < kept[0]:
        return kept[1]
    data = public_map(session, settings=state.settings, profile=profile, case_types=state.case_types, now=now)
    state.public_map_cache = (now + timedelta(seconds=CACHE_SECONDS), data)
    return data


def public_map(session: Session, *, settings, profile, case_types, now: datetime) -> dict:
    ensure_on(settings)
    type_names = case_types.names() if case_types is not None else {}
    since = now - timedelta(days=settings.public_map_closed_days)
    rows = repo.resident_reports(session, sources=RESIDENT_SOURCES, closed_since=since)
    categories = category_names(session, profile, {row[4] for row in rows})
    reports = []
    for lon, lat, grid_code, grid_name, category, type_code, state in rows:
        code = type_code or category
        name = type_names.get(type_code or "") or categories.get(category, category)
        reports.append(Report(lon, lat, grid_code, grid_name, code, name, state != CaseState.CLOSED))
    found = cells(reports, settings.public_map_cell_m)
    return {"cell_m": settings.public_map_cell_m, "closed_days": settings.public_map_closed_days,
            "reports": len(reports), "cells": found}
