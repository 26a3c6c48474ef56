"""Where a case came from, beyond its source: the record of another domain that registered it as its
follow-up (issue 18: the deliberation whose decision set it going). Cases only read that link; the domain
that writes it (:mod:`gridgov.cogovernance.deliberation`) sits above them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.models.deliberation import DeliberationFollowUp


def deliberation_of(session: Session, case_id: int) -> int | None:
    """The deliberation a case (already opened through the door) is the follow-up of, or None."""
    return session.scalar(select(DeliberationFollowUp.deliberation_id)
                          .where(DeliberationFollowUp.case_id == case_id).limit(1))
