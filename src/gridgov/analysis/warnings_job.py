"""The periodic job ``analysis_warnings``: tells each agency desk the warnings of its jurisdiction.

* At most one run per local hour: the run claims its hour by inserting the row of
  ``analysis_warning_runs`` (primary key; ON CONFLICT DO NOTHING). A second process, or the next tick,
  finds the hour taken and does nothing: the warnings are worked out once an hour, not every minute.
* A desk is the active agency users of one area and role: its warnings are computed as a principal of
  that area and role (what :func:`warnings_for` gives those users in ``GET /api/v1/warnings``, the
  visit counts of the tags that role may see), and each user is told each warning once: the notice's
  ``dedupe_key`` is ``warning:<the warning's stable key>:<user id>`` (the sweep's way, notify.notify).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.analysis import warnings_repository as repo
from gridgov.analysis.warnings_service import warnings_for
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM
from gridgov.kit.clock import local
from gridgov.models.analysis_warnings import WarningRun
from gridgov.notify import Notice, notify

NOTICE_KIND = "analysis_warning"
log = logging.getLogger("gridgov.analysis.warnings")


def _claim(session: Session, slot: str, now: datetime) -> bool:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (insert(WarningRun).values(slot=slot, ran_at=now, warnings=0, notices=0)
            .on_conflict_do_nothing(index_elements=["slot"]).returning(WarningRun.slot))
    return session.execute(stmt).first() is not None


def _case_types(profile):
    from gridgov.cases import casetypes
    from gridgov.config import get_settings

    try:
        return casetypes.load(get_settings().case_types, profile)
    except Exception:  # names only: a type is then shown by its code
        log.warning("case types not loaded for the warnings' names", exc_info=True)
        return None


def run_warnings(session: Session, now: datetime, profile, cipher) -> str | None:
    """Works out and tells the warnings if this hour is not yet done; says what it did (None: nothing)."""
    slot = local(now).strftime("%Y-%m-%dT%H")
    if not _claim(session, slot, now):
        return None
    case_types = _case_types(profile)
    raised, notices = set(), []
    for (scope_code, role), users in repo.agency_desks(session, SYSTEM).items():
        desk = Principal(user_id=0, username="analysis_warnings", display_name="预警", role=role,
                         scope_code=scope_code)
        for item in warnings_for(session, desk, profile=profile, cipher=cipher, now=now, case_types=case_types,
                                 role=role).items:
            raised.add(item.key)
            message = f"预警：{item.title}。{item.explanation}"
            notices += [Notice(user_id=uid, kind=NOTICE_KIND, message=message, link="/warnings",
                               dedupe_key=f"warning:{item.key}:{uid}") for uid in users]
    sent = notify(session, notices, now=now)
    run = session.get(WarningRun, slot)
    run.warnings, run.notices = len(raised), sent
    return f"预警 {len(raised)} 项，发出提醒 {sent} 条" if sent else None
