"""Helpers of the hotline tests: a hotline client's principal, a call, the services with the demo's profile."""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from gridgov.accounts.demo import demo_places
from gridgov.authz.principal import Principal
from gridgov.cases import casetypes
from gridgov.interop import hotline
from gridgov.interop.clients import create_client, principal_for_key
from gridgov.interop.hotline_schemas import IntakeIn
from gridgov.kit.crypto import FieldCipher
from gridgov.models import User
from gridgov.policy.loader import load_profile

from ..conftest import TEST_SECRET_KEY

CITY = "321100000000"
PROFILE = load_profile("zhenjiang")
TYPES = casetypes.load(None, PROFILE)
CIPHER = FieldCipher(TEST_SECRET_KEY)
MEDIA = Path(tempfile.gettempdir())
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
_tickets = itertools.count(1)
_clients = itertools.count(1)


def places(session):
    return demo_places(session, CITY)


def principal(session, username: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     scope_code=user.scope_code, department_code=user.department_code)


def hotline_client(session, area: str) -> Principal:
    """The principal of a new hotline client of ``area``, as the door resolves its key."""
    _client, key = create_client(session, name=f"hotline-{next(_clients)}", kind="hotline", area_code=area, now=NOW)
    session.flush()
    return principal_for_key(session, key, profile=PROFILE, now=NOW)


def ticket() -> str:
    return f"T{next(_tickets):06d}"


def call(grid: str, **overrides) -> IntakeIn:
    fields = {"external_id": ticket(), "description": "小区门口路灯不亮已经三天，晚上行人看不清",
              "phone": "13800138000", "address": "解放路 12 号", "grid_code": grid, "category": "H-UNMAPPED",
              "category_name": "市政设施"}
    return IntakeIn(**{**fields, **overrides})


def submit(session, client, data: IntakeIn, now: datetime = NOW):
    return hotline.submit(session, client, data, now=now, profile=PROFILE, cipher=CIPHER, media_root=MEDIA,
                          case_types=TYPES)
