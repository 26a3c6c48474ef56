"""The 12345 hotline's intake API (issue 17): ``POST /api/v1/intake`` and ``GET /api/v1/intake/{external_id}``,
for a hotline client authenticated by its API key (``Authorization: Bearer <api_key>``). Mounted under /api/v1."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from gridgov.authz.principals import IntakeClient
from gridgov.deps import CipherDep, ProfileDep, SessionDep
from gridgov.interop import hotline
from gridgov.interop.hotline_schemas import TICKET, IntakeIn, IntakeRead
from gridgov.kit.clock import utc_now

router = APIRouter(tags=["hotline"])

Ticket = Annotated[str, Path(pattern=TICKET, max_length=64, description="热线工单编号")]


@router.post("/intake", response_model=IntakeRead, status_code=201, summary="热线工单转为事件（同一工单号幂等）",
             responses={200: {"model": IntakeRead, "description": "该工单已登记过：返回已有的事件，未重复登记"}})
def submit(data: IntakeIn, request: Request, response: Response, session: SessionDep, me: IntakeClient,
           profile: ProfileDep, cipher: CipherDep) -> IntakeRead:
    found, created = hotline.submit(session, me, data, now=utc_now(), profile=profile, cipher=cipher,
                                    media_root=request.app.state.settings.media_path,
                                    case_types=request.app.state.case_types)
    response.status_code = 201 if created else 200
    return found


@router.get("/intake/{external_id}", response_model=IntakeRead, summary="热线工单的办理状态和答复")
def get_intake(external_id: Ticket, request: Request, session: SessionDep, me: IntakeClient) -> IntakeRead:
    return hotline.read(session, me, external_id, case_types=request.app.state.case_types)
