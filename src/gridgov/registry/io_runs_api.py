"""Register imports in the background with progress (JSON API): ``POST /registry/imports``
(multipart ``kind`` + ``file``, 202 with the queued run) and ``GET /registry/imports/{run_id}``
(state, done/total, and at the end the rows created or each bad row's line, column and reason).
The synchronous ``POST /registry/import`` stays for small files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from pydantic import BaseModel

from gridgov.authz.principals import RegistryImporter
from gridgov.deps import SessionDep
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath
from gridgov.registry import import_runs, importing
from gridgov.registry.io_api import Kind

router = APIRouter(tags=["registry"])


class RowProblem(BaseModel):
    line: int
    column: str
    reason: str


class RunAnswer(BaseModel):
    id: int
    kind: Kind
    state: Literal["queued", "running", "done", "failed"]
    done: int
    total: int
    created: int
    message: str
    errors: list[RowProblem]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def start(request: Request, session, me, background: BackgroundTasks, kind: str, file: UploadFile) -> dict:
    """Records the run and hands the work to the background (shared with the import page)."""
    content = file.file.read(importing.MAX_FILE_BYTES + 1)
    state = request.app.state
    board = import_runs.board_of(state)
    run = import_runs.start_run(session, me, kind, content, board=board, now=utc_now())
    background.add_task(import_runs.run_import, state.write_sessionmaker, board, run["id"], me, kind, content,
                        file.filename or "", state.cipher)
    return run


@router.post("/registry/imports", status_code=202, response_model=RunAnswer,
             summary="在后台导入（大文件）：立即返回导入任务，之后查询进度；全部有效才写入")
def start_import(request: Request, session: SessionDep, me: RegistryImporter, background: BackgroundTasks,
                 kind: Annotated[Kind, Form()], file: UploadFile = File(...)) -> dict:
    return start(request, session, me, background, kind, file)


@router.get("/registry/imports/{run_id}", response_model=RunAnswer,
            summary="后台导入的进度与结果（本人或辖区内发起的导入）")
def get_import(run_id: IdPath, request: Request, session: SessionDep, me: RegistryImporter) -> dict:
    return import_runs.get_run(session, me, run_id, board=import_runs.board_of(request.app.state))
