"""A case referred to a legal professional (法律进网格, issue 18: ZJ§23, JS§22, QZ§17).

``refer_legal``: the agency holding the case, or a worker of its grid, asks a legal professional who
serves the case's grid (a schedule in force on the grid, or on its village or town) a question about
it; ``legal_opinion``: that professional answers. Each is an action of the lifecycle (the state stays),
so the case's file records it; the referral itself is a row of ``legal_referrals`` (the question, the
opinion, when), which is what lets the professional's account see the case
(:data:`gridgov.authz.scope.PARTNER_CASES`) and act on it (``Actor.referred``). The register of the
professionals is :mod:`gridgov.cogovernance.legal`; this module only reads it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from gridgov.areas import ancestor_codes, grid_village_code
from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.errors import Conflict, Invalid
from gridgov.kit.clock import local
from gridgov.models import Case
from gridgov.models.accounts import Role
from gridgov.models.legal import LEGAL_KIND_LABELS, LegalProfessional, LegalReferral, LegalSchedule


def places_of_grid(grid_code: str) -> list[str]:
    """The codes a schedule serving this grid may be attached to: the grid, its village, town and above."""
    return [grid_code, *ancestor_codes(grid_village_code(grid_code))]


def _serves(grid_code: str, today: date) -> ColumnElement[bool]:
    return exists().where(
        LegalSchedule.professional_id == LegalProfessional.id,
        LegalSchedule.area_code.in_(places_of_grid(grid_code)),
        LegalSchedule.valid_from <= today,
        or_(LegalSchedule.valid_to.is_(None), LegalSchedule.valid_to >= today),
    )


def serving(session: Session, grid_code: str, today: date) -> list[LegalProfessional]:
    """The active professionals serving a grid on ``today`` (the case page's choice for ``refer_legal``):
    public knowledge (the grid's board shows them), so read as the system."""
    stmt = scoped(select(LegalProfessional).where(LegalProfessional.active.is_(True), _serves(grid_code, today))
                  .order_by(LegalProfessional.kind, LegalProfessional.name, LegalProfessional.id),
                  SYSTEM, LegalProfessional)
    return list(session.scalars(stmt))


def choices(session: Session, case: Case, now: datetime) -> list[dict[str, Any]]:
    return [{"id": p.id, "label": f"{p.name}（{LEGAL_KIND_LABELS.get(p.kind, p.kind)} · {p.institution}）"}
            for p in serving(session, case.grid_code, local(now).date())]


def is_referred(session: Session, principal: Principal, case: Case) -> bool:
    """Whether the principal is a legal professional (its account that of an active professional) this
    case was referred to (``Actor.referred``)."""
    if principal.role != Role.LEGAL_PROFESSIONAL or not principal.user_id:
        return False
    stmt = scoped(select(LegalReferral.id)
                  .join(LegalProfessional, LegalProfessional.id == LegalReferral.professional_id)
                  .where(LegalReferral.case_id == case.id, LegalProfessional.active.is_(True)).limit(1),
                  principal, LegalReferral)
    return session.scalar(stmt) is not None


def professional_to_refer(session: Session, case: Case, data: dict[str, Any], now: datetime) -> LegalProfessional:
    """The professional a ``refer_legal`` names: active and serving the case's grid today, else 422."""
    raw = data.get("professional")
    pid = int(raw) if isinstance(raw, str) and raw.strip().isdigit() else raw
    found = next((p for p in serving(session, case.grid_code, local(now).date()) if p.id == pid), None)
    if found is None or isinstance(pid, bool):
        raise Invalid("所选法律服务人员不存在，或不在该事件所在网格（村、镇）提供服务",
                      details=[{"field": "professional", "error": "取值无效"}])
    return found


def refer(session: Session, principal: Principal, case: Case, professional: LegalProfessional, data: dict[str, Any],
          now: datetime) -> dict[str, Any]:
    """Records the referral; returns what the file entry keeps."""
    question = str(data["question"]).strip()
    row = LegalReferral(case_id=case.id, professional_id=professional.id, question=question,
                        referred_by=principal.user_id, referred_at=now)
    session.add(row)
    session.flush()
    data["note"] = question
    return {"referral": row.id, "professional": professional.id, "professional_name": professional.name,
            "institution": professional.institution}


def answer(session: Session, principal: Principal, case: Case, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Records the opinion on the latest referral of this case to the acting professional; 409 when
    every referral to it is answered already (a new question is a new referral)."""
    row = session.scalar(scoped(
        select(LegalReferral).where(LegalReferral.case_id == case.id, LegalReferral.opinion.is_(None))
        .order_by(LegalReferral.referred_at.desc(), LegalReferral.id.desc()).limit(1).with_for_update(),
        principal, LegalReferral))
    if row is None:
        raise Conflict("转请你的问题均已出具意见；如有新的问题，请由承办方再次转请")
    row.opinion, row.answered_at = str(data["opinion"]).strip(), now
    data["note"] = row.opinion
    return {"referral": row.id, "professional": row.professional_id}


def referred_users(session: Session, case: Case) -> list[int]:
    """The accounts of the professionals with an unanswered referral of the case (told to answer)."""
    stmt = scoped(select(LegalProfessional.user_id)
                  .join(LegalReferral, LegalReferral.professional_id == LegalProfessional.id)
                  .where(LegalReferral.case_id == case.id, LegalReferral.opinion.is_(None),
                         LegalProfessional.user_id.is_not(None)), SYSTEM, LegalProfessional)
    return [uid for uid in session.scalars(stmt) if uid]
