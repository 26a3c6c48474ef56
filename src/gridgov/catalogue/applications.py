"""Applications to change a list (C2, C3): admission, temporary admission, change and exit.

A linkage department applies to the agency of its own level (ZJ§8, QZ§7), a town agency where the
profile lists it (JM§9), the agency itself for an exit (ZJ§8). The agency reviews, recording expert
opinions where the profile asks (LZ§15), then decides on its own authority (QZ§7, JM§9) or records
the decision of whoever the profile names (the party committee or government, ZJ§8; the county
government, LZ§15) with the reference of their document. The approver is fixed when the
application is submitted, so a later change of profile does not strand it half-way.

An application for administrative licensing, penalty or compulsion is refused at once, and kept
(status ``refused`` with the reason) so the refusal can be audited (C4). Each approved change takes
effect at once and publishes a new version of the list (C5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit.service import record
from gridgov.authz.principal import Principal
from gridgov.authz.scope import sees_area
from gridgov.catalogue import repository as repo
from gridgov.catalogue import rules as crules
from gridgov.catalogue.publication import exit_matter, local_day, publish_version
from gridgov.catalogue.schemas import (
    ApplicationCreate,
    ApplicationRead,
    DecisionIn,
    MatterIn,
    ReviewIn,
    StepRead,
)
from gridgov.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gridgov.models import CatalogueList, Matter
from gridgov.models.accounts import AGENCY_OR_SYSADMIN_ROLES
from gridgov.models.catalogue import CatalogueApplication
from gridgov.territory import rules


def _problem(field: str, reason: str) -> dict[str, Any]:
    return {"field": field, "reason": reason}


# ---------------------------------------------------------------- who is applying


def applicant_of(session: Session, principal: Principal, cat_list: CatalogueList):
    """(applicant kind, department, same area) of the principal towards this list."""
    if principal.department_code:
        dept = repo.get_department(session, principal.department_code)
        if dept is None or not dept.is_active:
            raise Forbidden("所属联动部门不存在或已停用")
        return crules.DEPARTMENT, dept, dept.area_code == cat_list.area_code
    if principal.role in AGENCY_OR_SYSADMIN_ROLES and len(principal.scope_code) == rules.AREA_CODE_LEN:
        if principal.scope_code == cat_list.area_code:
            return crules.AGENCY, None, True
        if str(principal.level) == "town" and rules.parent_area_code(principal.scope_code) == cat_list.area_code:
            return crules.TOWN_AGENCY, None, True
    return None, None, False


def check_list_agency(principal: Principal, cat_list: CatalogueList, what: str = "审核和决定") -> None:
    """Only the agency of the list's own level reviews and decides (the same-level agency, ZJ§8,
    QZ§7; the county agency for a county list, LZ§15, JM§9)."""
    if not principal:
        return
    if (principal.department_code or principal.role not in AGENCY_OR_SYSADMIN_ROLES
            or principal.scope_code != cat_list.area_code):
        raise Forbidden(f"清单申请由清单所在层级（{cat_list.area_code}）的网格化机构{what}")


def targets(session: Session, me: Principal, profile) -> list[dict[str, Any]]:
    """The lists the principal may apply to, each with the kinds of application it may make."""
    out = []
    for cat_list in repo.lists_under(session, me):
        applicant, _dept, same_area = applicant_of(session, me, cat_list)
        kinds = [k for k in crules.APPLICATION_KINDS
                 if crules.applicant_problem(profile.catalogue, k, applicant, same_area=same_area) is None
                 and (k != crules.TEMPORARY or (profile.catalogue.temporary_admission and cat_list.kind != "negative"))]
        if kinds:
            out.append({"list": cat_list, "kinds": kinds})
    return out


def form_matters(session: Session, me: Principal, targets: list[dict[str, Any]]) -> Sequence[Matter]:
    """The matters in force an application form may name: those of the target lists (a department
    sees only the matters of its own kind, or of no kind)."""
    matters = repo.matters_in_force(session, [t["list"].id for t in targets])
    if me.department_code:
        dept = repo.get_department(session, me.department_code)
        matters = [m for m in matters if not m.department_kind or (dept and m.department_kind == dept.kind)]
    return matters


# ---------------------------------------------------------------- submitting


def submit(session: Session, principal: Principal, data: ApplicationCreate, *, profile,
           now: datetime) -> CatalogueApplication:
    """Record an application after checking who applies and what is asked. Every problem is
    reported at once (422) and nothing is written; a forbidden power type alone is not a problem
    of the form but a refusal, stored with its reason."""
    catalogue = profile.catalogue
    cat_list = repo.get_list(session, data.list_id)
    if not sees_area(principal, cat_list.area_code):
        raise NotFound(f"清单 {data.list_id} 不存在")
    dept = None
    if principal:
        applicant, dept, same_area = applicant_of(session, principal, cat_list)
        problem = crules.applicant_problem(catalogue, data.kind, applicant, same_area=same_area)
        if problem:
            raise Forbidden(problem)
    elif data.kind not in crules.APPLICATION_KINDS:
        raise Invalid(f"申请类型 {data.kind!r} 无效")
    problems: list[dict[str, Any]] = []
    if not data.reason.strip():
        problems.append(_problem("reason", "请写明申请理由"))
    matter_fields: dict[str, Any] | None = None
    matter: Matter | None = None
    power_type = "none"
    today = local_day(now)
    if data.kind in (crules.ADMISSION, crules.TEMPORARY):
        matter_fields, power_type = _check_new_matter(session, data.matter, dept, profile, problems)
        if data.kind == crules.TEMPORARY:
            problem = crules.temporary_problem(catalogue, data.end_date, today, cat_list.kind)
            if problem:
                problems.append(_problem("end_date", problem))
    else:
        matter = _check_listed_matter(session, data.matter_id, cat_list, dept, problems)
        if matter is not None and data.kind == crules.CHANGE:
            matter_fields, power_type = _check_change(data.matter, matter, profile, problems)
    if data.kind != crules.EXIT and (matter_fields or data.kind != crules.CHANGE):
        class_code = (matter_fields or {}).get("class_code", matter.class_code if matter else "")
        problem = _class_problem(session, cat_list, class_code or "", profile, today)
        if problem:
            problems.append(_problem("matter.class_code", problem))
    refusal = crules.power_type_problem(catalogue, power_type, cat_list.kind, crules.forbidden_source(profile))
    if problems:
        if refusal:
            problems.append(_problem("matter.power_type", refusal))
        raise Invalid("清单申请未提交：" + "；".join(p["reason"] for p in problems), details=problems)
    path = crules.approval_path(catalogue, data.kind)
    app = CatalogueApplication(
        kind=data.kind, list_id=cat_list.id, area_code=_application_area(principal, cat_list),
        department_code=dept.code if dept else None, matter_id=matter.id if matter else None,
        matter=matter_fields, reason=data.reason.strip(),
        end_date=data.end_date if data.kind == crules.TEMPORARY else None,
        status=crules.SUBMITTED, expert_opinions=[], review_note="", approver=path.approver, decision_note="",
        submitted_by=principal.user_id if principal else None, submitted_at=now,
    )
    session.add(app)
    session.flush()
    record(session, actor=principal, action="catalogue_application_submitted", now=now,
           object_type="catalogue_application", object_id=app.id, area_code=app.area_code,
           after={"kind": app.kind, "list_id": app.list_id, "matter_id": app.matter_id,
                  "matter": (matter_fields or {}).get("name", matter.name if matter else "")})
    if refusal:
        app.status, app.decided_at, app.decision_note, app.approver = crules.REFUSED, now, refusal, ""
        session.flush()
        record(session, actor=None, action="catalogue_application_refused", now=now,
               object_type="catalogue_application", object_id=app.id, area_code=app.area_code,
               before={"status": crules.SUBMITTED}, after={"status": crules.REFUSED}, detail=refusal,
               actor_name="system")
    return app


def directory_classes(session: Session, cat_list: CatalogueList, profile, day) -> dict[str, str] | None:
    """The classes a matter of ``cat_list`` must name: code → name of the matters in force on the
    city classification directory the county list follows (JM§9); None where the list follows no
    directory."""
    if not crules.classifies_by_directory(profile.catalogue) or not cat_list.follows_list_id:
        return None
    followed = repo.find_list(session, cat_list.follows_list_id)
    if followed is None or followed.kind != crules.DIRECTORY:
        return None
    return {m.code: m.name for m in repo.matters_of_list(session, followed.id, day)}


def _class_problem(session: Session, cat_list: CatalogueList, class_code: str, profile, day) -> str | None:
    classes = directory_classes(session, cat_list, profile, day)
    return None if classes is None else crules.class_problem(class_code, classes)


def _application_area(principal: Principal, cat_list: CatalogueList) -> str:
    """Where the application lies for scoping: the applicant's area (a town agency's town), so the
    applicant and every agency above it see it."""
    if principal and len(principal.scope_code) == rules.AREA_CODE_LEN \
            and principal.scope_code.startswith(rules.area_prefix(cat_list.area_code)):
        return principal.scope_code
    return cat_list.area_code


def _department_kinds(profile) -> set[str]:
    return {d.code for d in profile.departments}


def _check_new_matter(session: Session, proposed: MatterIn | None, dept, profile, problems) -> tuple[dict, str]:
    if proposed is None:
        problems.append(_problem("matter", "请填写申请纳入的事项"))
        return {}, "none"
    fields = proposed.model_dump()
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    if not fields["name"]:
        problems.append(_problem("matter.name", "请填写事项名称"))
    if not fields["department_kind"] and dept is not None:
        fields["department_kind"] = dept.kind
    if fields["department_kind"] and fields["department_kind"] not in _department_kinds(profile):
        problems.append(_problem("matter.department_kind",
                                 f"主管部门 {fields['department_kind']!r} 不在本地政策的联动部门中"))
    if fields["code"] and repo.code_taken(session, fields["code"]):
        problems.append(_problem("matter.code", f"事项编码 {fields['code']} 已被使用"))
    for p in crules.limits_problems(fields.get("limits")):
        problems.append(_problem("matter.limits", p))
    _check_resources(fields, problems)
    if fields["power_type"] not in crules.POWER_TYPES:
        problems.append(_problem("matter.power_type",
                                 crules.power_type_problem(profile.catalogue, fields["power_type"], "")))
        return fields, "none"
    return fields, fields["power_type"]


def _check_resources(fields: dict, problems) -> None:
    fields["resources"], found = crules.resources_of(fields.get("resources"))
    problems.extend(_problem("matter.resources", p) for p in found)


def _check_listed_matter(session: Session, matter_id: int | None, cat_list: CatalogueList, dept,
                         problems) -> Matter | None:
    if matter_id is None:
        problems.append(_problem("matter_id", "请选择清单中的事项"))
        return None
    matter = repo.find_matter(session, matter_id)
    if matter is None or matter.list_id != cat_list.id:
        problems.append(_problem("matter_id", f"事项 {matter_id} 不在该清单中"))
        return None
    if matter.status != crules.IN_FORCE:
        problems.append(_problem("matter_id", f"事项 {matter.code} 已退出清单"))
        return None
    if dept is not None and matter.department_kind and matter.department_kind != dept.kind:
        problems.append(_problem("matter_id", f"事项 {matter.code} 不是本部门的事项"))
    pending = repo.pending_for_matter(session, matter.id)
    if pending is not None:
        problems.append(_problem("matter_id", f"事项 {matter.code} 已有未办结的申请（第 {pending.id} 号）"))
    return matter


def _check_change(proposed: MatterIn | None, matter: Matter, profile, problems) -> tuple[dict, str]:
    """A change names the fields it changes (those sent); unchanged values are dropped."""
    if proposed is None:
        problems.append(_problem("matter", "请填写调整后的事项内容"))
        return {}, matter.power_type
    sent = proposed.model_dump(include=proposed.model_fields_set & set(crules.CHANGE_FIELDS))
    sent = {k: (v.strip() if isinstance(v, str) else v) for k, v in sent.items()}
    changes = {k: v for k, v in sent.items() if getattr(matter, k) != v}
    if "name" in changes and not changes["name"]:
        problems.append(_problem("matter.name", "事项名称不能为空"))
    if changes.get("department_kind") and changes["department_kind"] not in _department_kinds(profile):
        problems.append(_problem("matter.department_kind",
                                 f"主管部门 {changes['department_kind']!r} 不在本地政策的联动部门中"))
    for p in crules.limits_problems(changes.get("limits")):
        problems.append(_problem("matter.limits", p))
    if "resources" in changes:
        _check_resources(changes, problems)
        if changes["resources"] == matter.resources:
            del changes["resources"]
    if not changes:
        problems.append(_problem("matter", "调整后的内容与现行内容相同"))
    power_type = changes.get("power_type", matter.power_type)
    if power_type not in crules.POWER_TYPES:
        problems.append(_problem("matter.power_type", crules.power_type_problem(profile.catalogue, power_type, "")))
        power_type = "none"
    return {"code": matter.code, **changes}, power_type


# ---------------------------------------------------------------- review and decision


def review(session: Session, principal: Principal, application_id: int, data: ReviewIn, *, profile,
           now: datetime) -> CatalogueApplication:
    app = repo.get_application(session, principal, application_id, for_update=True)
    cat_list = repo.find_list(session, app.list_id)
    check_list_agency(principal, cat_list, "审核")
    problem = crules.step_problem(crules.REVIEW, app.status)
    if problem:
        raise Conflict(problem)
    opinions = [o.model_dump() for o in data.expert_opinions if o.opinion.strip() or o.expert.strip()]
    path = crules.approval_path(profile.catalogue, app.kind)
    problem = crules.review_problem(path, opinions)
    if problem:
        raise Invalid(problem, details=[_problem("expert_opinions", problem)])
    app.status, app.expert_opinions, app.review_note = crules.REVIEWED, opinions, data.note.strip()
    app.reviewed_by, app.reviewed_at = (principal.user_id if principal else None), now
    session.flush()
    record(session, actor=principal, action="catalogue_application_reviewed", now=now,
           object_type="catalogue_application", object_id=app.id, area_code=app.area_code,
           before={"status": crules.SUBMITTED}, after={"status": crules.REVIEWED, "experts": len(opinions)},
           detail=data.note.strip()[:500])
    return app


def stored_path(app: CatalogueApplication, profile) -> crules.ApprovalPath:
    path = crules.approval_path(profile.catalogue, app.kind)
    if app.approver and app.approver != path.approver:
        label = crules.approver_label(app.approver)
        path = crules.ApprovalPath(app.kind, app.approver, label, app.approver in crules.RECORDED_APPROVERS,
                                   path.experts_required, path.steps)
    return path


def _decision_note(path: crules.ApprovalPath, data: DecisionIn) -> str:
    note = data.note.strip()
    if path.records_decision:
        head = f"{path.approver_label}文件：{data.document.strip()}"
        return f"{head}；{note}" if note else head
    return note


def approve(session: Session, principal: Principal, application_id: int, data: DecisionIn, *, profile,
            now: datetime) -> CatalogueApplication:
    """Approve (or record the approval of) a reviewed application and put it into effect: the
    list changes and a new version is published with today's date."""
    return _decide(session, principal, application_id, data, approve=True, profile=profile, now=now)


def refuse(session: Session, principal: Principal, application_id: int, data: DecisionIn, *, profile,
           now: datetime) -> CatalogueApplication:
    return _decide(session, principal, application_id, data, approve=False, profile=profile, now=now)


def _decide(session, principal, application_id: int, data: DecisionIn, *, approve: bool, profile,
            now: datetime) -> CatalogueApplication:
    app = repo.get_application(session, principal, application_id, for_update=True)
    cat_list = repo.find_list(session, app.list_id)
    check_list_agency(principal, cat_list, "作出决定")
    problem = crules.step_problem(crules.APPROVE if approve else crules.REFUSE, app.status)
    if problem:
        raise Conflict(problem)
    path = stored_path(app, profile)
    problem = crules.decision_problem(path, data.document, data.note, approve=approve)
    if problem:
        field = "document" if "文号" in problem else "note"
        raise Invalid(problem, details=[_problem(field, problem)])
    if approve and app.kind != crules.EXIT:
        power_type = (app.matter or {}).get("power_type")
        if power_type is None and app.matter_id:
            power_type = repo.find_matter(session, app.matter_id).power_type
        refusal = crules.power_type_problem(profile.catalogue, power_type or "none", cat_list.kind,
                                            crules.forbidden_source(profile))
        if refusal:
            raise Conflict(refusal)
        # The class may have left the directory since the application was made (JM§9).
        class_code = (app.matter or {}).get("class_code")
        if class_code is None and app.matter_id:
            class_code = repo.find_matter(session, app.matter_id).class_code
        problem = _class_problem(session, cat_list, class_code or "", profile, local_day(now))
        if problem:
            raise Conflict(problem)
    before = app.status
    app.status = crules.APPROVED if approve else crules.REFUSED
    app.decided_by, app.decided_at = (principal.user_id if principal else None), now
    app.decision_note = _decision_note(path, data)
    session.flush()
    record(session, actor=principal,
           action="catalogue_application_approved" if approve else "catalogue_application_refused", now=now,
           object_type="catalogue_application", object_id=app.id, area_code=app.area_code,
           before={"status": before},
           after={"status": app.status, "approver": path.approver, "document": data.document.strip()},
           detail=app.decision_note[:500])
    if approve:
        _put_into_effect(session, principal, app, cat_list, profile=profile, now=now)
    return app


def _put_into_effect(session: Session, principal: Principal, app: CatalogueApplication,
                     cat_list: CatalogueList, *, profile, now: datetime) -> None:
    today = local_day(now)
    if app.kind in (crules.ADMISSION, crules.TEMPORARY):
        fields = dict(app.matter or {})
        code = fields.get("code") or repo.next_matter_code(session, cat_list)
        if repo.code_taken(session, code):
            raise Conflict(f"事项编码 {code} 已被使用")
        matter = Matter(
            list_id=cat_list.id, code=code, name=fields.get("name", ""), class_code=fields.get("class_code", ""),
            description=fields.get("description", ""), department_kind=fields.get("department_kind", ""),
            legal_basis=fields.get("legal_basis", ""), power_type=fields.get("power_type", "none"),
            on_site=bool(fields.get("on_site")), limits=fields.get("limits") or None,
            evidence=fields.get("evidence", ""), resources=fields.get("resources") or None, status=crules.IN_FORCE,
            temporary_until=app.end_date if app.kind == crules.TEMPORARY else None, admitted_on=today,
            exit_reason="", created_at=now, updated_at=now,
        )
        session.add(matter)
        session.flush()
        app.matter_id = matter.id
        app.matter = {**fields, "code": code}
        extra = f"至 {app.end_date} 止" if app.kind == crules.TEMPORARY and app.end_date else ""
        record(session, actor=principal, action="matter_admitted", now=now, object_type="matter", object_id=code,
               area_code=cat_list.area_code, after={"name": matter.name, "list_id": cat_list.id,
                                                    "temporary_until": str(matter.temporary_until or "")})
        publish_version(session, cat_list, now=now, actor=principal, application_id=app.id, profile=profile,
                        summary=crules.summary_of(app.kind, code, matter.name, extra=extra))
    elif app.kind == crules.EXIT:
        matter = repo.find_matter(session, app.matter_id)
        if exit_matter(session, matter, reason=app.reason, now=now, actor=principal, application_id=app.id,
                       profile=profile) is None:
            raise Conflict(f"事项 {matter.code} 已退出清单")
    else:
        matter = repo.find_matter(session, app.matter_id)
        if matter.status != crules.IN_FORCE:
            raise Conflict(f"事项 {matter.code} 已退出清单")
        changes = {k: v for k, v in (app.matter or {}).items() if k in crules.CHANGE_FIELDS}
        before = {k: getattr(matter, k) for k in changes}
        for k, v in changes.items():
            setattr(matter, k, v)
        matter.updated_at = now
        session.flush()
        record(session, actor=principal, action="matter_changed", now=now, object_type="matter", object_id=matter.code,
               area_code=cat_list.area_code, before=before, after=changes)
        labels = "、".join(crules.FIELD_LABELS.get(k, k) for k in changes)
        publish_version(session, cat_list, now=now, actor=principal, application_id=app.id, profile=profile,
                        summary=crules.summary_of(crules.CHANGE, matter.code, matter.name, extra=labels))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class ApplicationDetail:
    """One application as its page shows it."""

    application: CatalogueApplication
    item: ApplicationRead
    list: CatalogueList
    names: dict[int, str]
    department: Any
    current: Matter | None
    path: crules.ApprovalPath
    is_agency: bool


def detail(session: Session, principal: Principal, application_id: int, *, profile) -> ApplicationDetail:
    """An application opened through the door, with the names, department and matter its page shows."""
    app = repo.get_application(session, principal, application_id)
    cat_list = repo.get_list(session, app.list_id)
    try:
        check_list_agency(principal, cat_list)
        is_agency = True
    except DomainError:
        is_agency = False
    current = None
    if app.kind in (crules.EXIT, crules.CHANGE) and app.matter_id:
        current = repo.find_matter(session, app.matter_id)
    return ApplicationDetail(
        application=app, item=to_read(session, [app], profile=profile)[0], list=cat_list,
        names=repo.user_names(session, (app.submitted_by, app.reviewed_by, app.decided_by)),
        department=repo.get_department(session, app.department_code), current=current,
        path=stored_path(app, profile), is_agency=is_agency,
    )


def list_read(session: Session, principal: Principal, *, status: str | None, profile) -> list[ApplicationRead]:
    """The applications the principal may see (its department's or its jurisdiction's), as read."""
    return to_read(session, repo.list_applications(session, principal, status=status), profile=profile)


def read_one(session: Session, principal: Principal, application_id: int, *, profile) -> ApplicationRead:
    """One application opened through the door; 404 outside the jurisdiction, as missing."""
    return to_read(session, [repo.get_application(session, principal, application_id)], profile=profile)[0]


def to_read(session: Session, apps: Sequence[CatalogueApplication], *, profile) -> list[ApplicationRead]:
    names = repo.list_names(session, {a.list_id for a in apps})
    codes = repo.matter_codes(session, {a.matter_id for a in apps if a.matter_id})
    out = []
    order = [crules.SUBMITTED, crules.REVIEWED, crules.APPROVED]
    for a in apps:
        path = stored_path(a, profile)
        reached = order.index(a.status) if a.status in order else (1 if a.reviewed_at else 0)
        steps = [StepRead(code=s.code, label=s.label, done=i <= reached) for i, s in enumerate(path.steps)]
        if a.status == crules.REFUSED:
            steps.append(StepRead(code=crules.REFUSED, label="不予批准", done=True))
        out.append(ApplicationRead(
            id=a.id, kind=a.kind, kind_label=crules.APPLICATION_KIND_LABELS.get(a.kind, a.kind), list_id=a.list_id,
            list_name=names.get(a.list_id, ""), area_code=a.area_code, department_code=a.department_code,
            matter_id=a.matter_id, matter_code=codes.get(a.matter_id), matter=a.matter, reason=a.reason,
            end_date=a.end_date, status=a.status,
            status_label=crules.APPLICATION_STATUS_LABELS.get(a.status, a.status),
            expert_opinions=list(a.expert_opinions or []), review_note=a.review_note, reviewed_by=a.reviewed_by,
            reviewed_at=a.reviewed_at, approver=a.approver,
            approver_label=crules.approver_label(a.approver) if a.approver else "系统",
            records_decision=path.records_decision, experts_required=path.experts_required,
            decision_note=a.decision_note, decided_by=a.decided_by, decided_at=a.decided_at,
            submitted_by=a.submitted_by, submitted_at=a.submitted_at, steps=steps,
        ))
    return out
