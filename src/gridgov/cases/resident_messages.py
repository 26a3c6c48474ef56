"""Telling a resident reporter by SMS what became of the case (issue 17; QZ§17: the result goes back to
whoever raised the matter).

A case raised by a resident or through the hotline (source ``resident`` or ``hotline``, whoever typed
it in) or with no reporter account at all, and carrying the reporter's mobile number: that resident
is told by SMS, in the transaction of the action (stored, sent after
commit: :mod:`gridgov.notify.outbound`), at the steps the profile lists in
``messages.tell_resident``:

- ``accepted``: the case is first taken up, by the grid worker's verification (核实) or the
  agency's acceptance (受理), whichever comes first (told once per case);
- ``refused``: 不予受理, with the reason given;
- ``closed``: the case is closed (not merged into another), with the evaluation link
  ``/track?case_no=…``: the case number only, which the resident already has; the tracking page
  asks for the tracking code (or phone and SMS code) before it shows anything.

A reporter with an account (a grid worker, a dispatcher) is told in the app as well (``_tell_reporter``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy.orm import Session

from gridgov.cases.workflow import CaseAction, CaseState
from gridgov.models import Case
from gridgov.notify import outbound

_TAKEN_UP = (CaseAction.VERIFY, CaseAction.ACCEPT)
RESIDENT_SOURCES = frozenset({"resident", "hotline"})


def has_resident_reporter(case: Case) -> bool:
    return bool(case.reporter_phone_enc) and (case.reporter_user_id is None or case.source in RESIDENT_SOURCES)


def event_of(case: Case, action: CaseAction) -> str | None:
    """Which event of ``messages.tell_resident`` this action is, if any."""
    if action in _TAKEN_UP:
        return "accepted"
    if action is CaseAction.REJECT and case.state == CaseState.REJECTED:
        return "refused"
    if case.state == CaseState.CLOSED and action not in (CaseAction.MERGE, CaseAction.REOPEN, CaseAction.EVALUATE):
        return "closed"
    return None


def evaluation_link(case_no: str) -> str:
    return outbound.site_link(f"/track?case_no={quote(case_no)}")


def tell_resident(session: Session, case: Case, action: CaseAction, *, seq: int, reason: str, now: datetime,
                  profile) -> None:
    """Stores the SMS to the case's resident reporter for this action, if the profile asks for one."""
    if not has_resident_reporter(case):
        return
    event = event_of(case, action)
    if event is None or event not in profile.messages.tell_resident:
        return
    params: dict[str, str] = {"case_no": case.case_no}
    key = f"case:{case.case_no}:{event}"  # accepted: once per case
    if event == "refused":
        params["reason"], key = reason or "未说明", f"{key}:{seq}"
    elif event == "closed":
        params["evaluation_link"], key = evaluation_link(case.case_no), f"{key}:{seq}"
    outbound.send_sealed(session, profile=profile, phone_enc=case.reporter_phone_enc,
                         phone_mask=case.reporter_phone_mask, template=event, params=params, now=now,
                         case_id=case.id, dedupe_key=key)
