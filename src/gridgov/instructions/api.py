"""Instructions (统一交办) in JSON: list and read; an agency sends; a department requests and the
agency approves or refuses; a worker completes one, refuses it (listed work only: ZJ§8, JS§16,
QZ§14) or opens a case from it.

``POST /instructions`` declares ``cases.act`` (not ``cases.create``) on purpose: a department that
tries to send directly must hear *why* it may not (D9: ask the agency), not a bare "no permission";
the service itself requires an agency role holding ``cases.create``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gridgov.authz.principals import CaseActor, CaseCreator, CaseReader
from gridgov.cases import service
from gridgov.cases.schemas import CaseRead
from gridgov.deps import CipherDep, ProfileDep, SessionDep
from gridgov.instructions import service as instructions
from gridgov.instructions.service import (
    InstructionCase,
    InstructionCreate,
    InstructionDecision,
    InstructionRead,
    InstructionRefusal,
    InstructionResult,
)
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath
from gridgov.models.accounts import GRID_WORKER_ROLES

router = APIRouter(tags=["cases"])


@router.get("/instructions", response_model=list[InstructionRead], summary="交办事项列表")
def list_instructions(session: SessionDep, me: CaseReader, status: str | None = None,
                      grid: str | None = None) -> list[InstructionRead]:
    return instructions.list_instructions(session, me, now=utc_now(), status=status, grid=grid)


@router.get("/instructions/{instruction_id}", response_model=InstructionRead, summary="交办事项详情")
def get_instruction(instruction_id: IdPath, session: SessionDep, me: CaseReader) -> InstructionRead:
    return instructions.instruction_read(session, me, instruction_id, now=utc_now())


@router.post("/instructions", status_code=201, response_model=InstructionRead, summary="机构向网格交办工作")
def send(data: InstructionCreate, session: SessionDep, me: CaseActor, profile: ProfileDep) -> InstructionRead:
    now = utc_now()
    inst = instructions.send_instruction(session, me, data, now=now, profile=profile)
    return instructions.reads(session, [inst], now)[0]


@router.post("/instruction-requests", status_code=201, response_model=InstructionRead, summary="部门申请交办")
def request_work(data: InstructionCreate, session: SessionDep, me: CaseActor, profile: ProfileDep) -> InstructionRead:
    now = utc_now()
    inst = instructions.request_instruction(session, me, data, now=now, profile=profile)
    return instructions.reads(session, [inst], now)[0]


@router.post("/instructions/{instruction_id}/approve", response_model=InstructionRead, summary="同意交办申请")
def approve(instruction_id: IdPath, session: SessionDep, me: CaseCreator, profile: ProfileDep,
            data: InstructionDecision | None = None) -> InstructionRead:
    now = utc_now()
    inst = instructions.decide_request(session, me, instruction_id, approve=True, data=data or InstructionDecision(),
                                       now=now, profile=profile)
    return instructions.reads(session, [inst], now)[0]


@router.post("/instructions/{instruction_id}/refuse", response_model=InstructionRead,
             summary="不同意交办申请（机构）；拒绝交办事项（网格员，须选择理由）")
def refuse(instruction_id: IdPath, data: InstructionRefusal, session: SessionDep, me: CaseCreator,
           profile: ProfileDep) -> InstructionRead:
    """One verb, two refusals: an agency refuses a department's request ({reason}); a worker of the
    grid refuses sent work ({reason_kind, reason}, ZJ§8, JS§16, QZ§14)."""
    now = utc_now()
    if me.role in GRID_WORKER_ROLES:
        inst = instructions.refuse_work(session, me, instruction_id, data, now=now, profile=profile)
    else:
        inst = instructions.decide_request(session, me, instruction_id, approve=False,
                                           data=InstructionDecision(reason=data.reason), now=now, profile=profile)
    return instructions.reads(session, [inst], now)[0]


@router.post("/instructions/{instruction_id}/complete", response_model=InstructionRead, summary="办结交办事项")
def complete(instruction_id: IdPath, data: InstructionResult, session: SessionDep, me: CaseActor) -> InstructionRead:
    now = utc_now()
    inst = instructions.complete_instruction(session, me, instruction_id, data.result, now=now)
    return instructions.reads(session, [inst], now)[0]


@router.post("/instructions/{instruction_id}/case", status_code=201, response_model=CaseRead,
             summary="由交办事项上报事件")
def open_case(instruction_id: IdPath, data: InstructionCase, request: Request, session: SessionDep, me: CaseCreator,
              profile: ProfileDep, cipher: CipherDep) -> CaseRead:
    now = utc_now()
    new = instructions.open_case(session, me, instruction_id, data, now=now, profile=profile, cipher=cipher,
                                 media_root=request.app.state.settings.media_path)
    return service.new_case_read(session, me, new, now=now, profile=profile)
