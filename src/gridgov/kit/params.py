"""Bounded integers for every integer a request carries: ids in paths and bodies, pages and sizes.

An integer from a request reaches the database as a bound parameter; one beyond what a column holds
(2^31 on PostgreSQL's ``integer``, 2^63 on SQLite) makes the driver fail with a 500. Every route takes
its integers through these aliases, so the bound is written once; ``tests/kit/test_params.py`` fails
when a route or a request body has an integer without both bounds.

An id out of range names nothing: the error handler answers 404 for a path id that fails these
bounds (like a missing row), 422 for a query or body value.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**31 - 1
"""The largest id any table holds (PostgreSQL ``integer``; SQLite ids never get near it)."""

MAX_PAGE = 1_000_000
"""No list has this many pages; with at most 500 rows a page the offset stays far inside 64 bits."""

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号（正整数）")]
"""An id in a path: ``def get(staff_id: IdPath)``."""

IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a JSON body: ``staff_id: IdField``, ``ids: list[IdField]``."""

PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码（从 1 开始）")]
"""``page: PageQuery = 1``."""

