"""Catalogue JSON API: the public lists and their versions, applications and rectification
notices. Mounted under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from gridgov.authz import Permission, Principal, require
from gridgov.authz.principals import CatalogueApplicant, CatalogueManager
from gridgov.catalogue import applications, filing, publication, rectification
from gridgov.catalogue.schemas import (
    ApplicationCreate,
    ApplicationRead,
    CompareRead,
    DecisionIn,
    FilingIn,
    ListRead,
    RectificationAnswer,
    RectificationCreate,
    RectificationRead,
    ReviewIn,
    VersionRead,
)
from gridgov.deps import ProfileDep, ReplicaSessionDep, SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath

router = APIRouter(tags=["catalogue"])

Public = Annotated[Principal | None, Depends(require(Permission.PUBLIC))]


@router.get("/catalogue/lists", response_model=list[ListRead], summary="某区域适用的事项清单（公开）")
def lists(area: str, session: ReplicaSessionDep, me: Public) -> list[ListRead]:
    return publication.lists_in_force(session, area, now=utc_now())


@router.get("/catalogue/lists/{list_id}/versions", response_model=list[VersionRead], summary="清单的历次版本（公开）")
def versions(list_id: IdPath, session: ReplicaSessionDep, me: Public) -> list[VersionRead]:
    return publication.versions(session, list_id)


@router.get("/catalogue/lists/{list_id}/versions/{a}/compare/{b}", response_model=CompareRead,
            summary="比较清单的两个版本（公开）")
def compare(list_id: IdPath, a: IdPath, b: IdPath, session: ReplicaSessionDep, me: Public) -> CompareRead:
    return publication.compare(session, list_id, a, b)


@router.post("/catalogue/applications", response_model=ApplicationRead, status_code=201, summary="提出清单申请")
def submit(data: ApplicationCreate, session: SessionDep, me: CatalogueApplicant,
           profile: ProfileDep) -> ApplicationRead:
    app = applications.submit(session, me, data, profile=profile, now=utc_now())
    return applications.to_read(session, [app], profile=profile)[0]


@router.get("/catalogue/applications", response_model=list[ApplicationRead], summary="清单申请（本部门或辖区）")
def list_applications(session: SessionDep, me: CatalogueApplicant, profile: ProfileDep,
                      status: str | None = None) -> list[ApplicationRead]:
    return applications.list_read(session, me, status=status or None, profile=profile)


@router.get("/catalogue/applications/{application_id}", response_model=ApplicationRead, summary="清单申请详情")
def get_application(application_id: IdPath, session: SessionDep, me: CatalogueApplicant,
                    profile: ProfileDep) -> ApplicationRead:
    return applications.read_one(session, me, application_id, profile=profile)


@router.post("/catalogue/applications/{application_id}/review", response_model=ApplicationRead, summary="审核清单申请")
def review(application_id: IdPath, session: SessionDep, me: CatalogueManager, profile: ProfileDep,
           body: ReviewIn | None = None) -> ApplicationRead:
    app = applications.review(session, me, application_id, body or ReviewIn(), profile=profile, now=utc_now())
    return applications.to_read(session, [app], profile=profile)[0]


@router.post("/catalogue/applications/{application_id}/approve", response_model=ApplicationRead,
             summary="批准（或登记批准）清单申请")
def approve(application_id: IdPath, session: SessionDep, me: CatalogueManager, profile: ProfileDep,
            body: DecisionIn | None = None) -> ApplicationRead:
    app = applications.approve(session, me, application_id, body or DecisionIn(), profile=profile, now=utc_now())
    return applications.to_read(session, [app], profile=profile)[0]


@router.post("/catalogue/applications/{application_id}/refuse", response_model=ApplicationRead,
             summary="不予批准清单申请")
def refuse(application_id: IdPath, session: SessionDep, me: CatalogueManager, profile: ProfileDep,
           body: DecisionIn | None = None) -> ApplicationRead:
    app = applications.refuse(session, me, application_id, body or DecisionIn(), profile=profile, now=utc_now())
    return applications.to_read(session, [app], profile=profile)[0]


@router.get("/catalogue/rectifications", response_model=list[RectificationRead], summary="整改通知（本部门或辖区）")
def list_rectifications(session: SessionDep, me: CatalogueApplicant) -> list[RectificationRead]:
    return rectification.list_read(session, me)


@router.post("/catalogue/rectifications", response_model=RectificationRead, status_code=201,
             summary="责令限期整改（强制退出前）")
def issue(data: RectificationCreate, session: SessionDep, me: CatalogueManager,
          profile: ProfileDep) -> RectificationRead:
    return rectification.to_read(session, [rectification.issue(session, me, data, profile=profile, now=utc_now())])[0]


@router.post("/catalogue/rectifications/{notice_id}/answer", response_model=RectificationRead, summary="答复整改通知")
def answer(notice_id: IdPath, data: RectificationAnswer, session: SessionDep,
           me: CatalogueApplicant) -> RectificationRead:
    return rectification.to_read(session, [rectification.answer(session, me, notice_id, data, now=utc_now())])[0]


@router.get("/catalogue/filings", response_model=list[VersionRead], summary="待备案的县级清单版本（市网格化机构）")
def pending_filings(session: SessionDep, me: CatalogueManager, profile: ProfileDep) -> list[VersionRead]:
    return [publication.version_read(v) for v, _ in filing.pending_filings(session, me, profile=profile)]


@router.post("/catalogue/versions/{version_id}/file", response_model=VersionRead,
             summary="登记县级清单版本报市备案（JM§9）")
def file_version(version_id: IdPath, session: SessionDep, me: CatalogueManager, profile: ProfileDep,
                 body: FilingIn | None = None) -> VersionRead:
    version = filing.file_version(session, me, version_id, (body or FilingIn()).note, profile=profile, now=utc_now())
    return publication.version_read(version)
