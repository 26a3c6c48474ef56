"""Import and export of the register (JSON API): ``POST /registry/import`` (multipart, ``kind``),
``GET /registry/export.xlsx`` (masked) and ``POST /registry/export-full.xlsx`` (full, audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gridgov.authz.principals import RegistryFullExporter, RegistryImporter, RegistryReader
from gridgov.deps import ReplicaSessionDep, SessionDep
from gridgov.kit.clock import utc_now
from gridgov.openapi import XLSX, file_answer
from gridgov.registry import exporting, importing

router = APIRouter(tags=["registry"])

Kind = Literal["addresses", "houses", "people", "units"]
GridQuery = Annotated[str | None, Query(max_length=17, pattern=r"^\d{12}(\d{3}(\d{2})?)?$",
                                        description="网格或村（社区）编码，默认整个辖区")]


class ImportAnswer(BaseModel):
    kind: Kind
    created: int


class FullExport(BaseModel):
    kind: Kind
    grid: str | None = Field(None, max_length=17, pattern=r"^\d{12}(\d{3}(\d{2})?)?$")
    reason: str = Field("", max_length=24, description="理由：verification 核查核对、transfer 数据移交、"
                                                       "statistics 统计分析、other 其他（须填说明）")
    reason_text: str = Field("", max_length=200)


def _xlsx(content: bytes, name: str) -> Response:
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store"})


@router.post("/registry/import", response_model=ImportAnswer,
             summary="从 Excel（.xlsx）或 CSV 导入标准地址、实有房屋、实有人口或实有单位：全部有效才写入")
def import_register(request: Request, session: SessionDep, me: RegistryImporter, kind: Annotated[Kind, Form()],
                    file: UploadFile = File(...)) -> ImportAnswer:
    result = importing.import_file(session, me, kind, file.file.read(), filename=file.filename or "",
                                   cipher=request.app.state.cipher, now=utc_now())
    return ImportAnswer(**result)


@router.get("/registry/export.xlsx", summary="导出基础信息（证件号码、联系方式脱敏，带导出人水印）",
            **file_answer(XLSX))
def export_masked(request: Request, session: ReplicaSessionDep, me: RegistryReader, kind: Kind,
                  grid: GridQuery = None) -> Response:
    content = exporting.export_masked(session, me, kind, grid, cipher=request.app.state.cipher, now=utc_now())
    return _xlsx(content, f"registry-{kind}.xlsx")


@router.post("/registry/export-full.xlsx",
             summary="导出未脱敏的基础信息（须有权限和理由，记入审计日志与个人信息访问记录）",
             **file_answer(XLSX))
def export_full(data: FullExport, request: Request, session: SessionDep, me: RegistryFullExporter) -> Response:
    content = exporting.export_full(session, me, data.kind, data.grid, data.reason, data.reason_text,
                                    cipher=request.app.state.cipher, now=utc_now())
    return _xlsx(content, f"registry-{data.kind}-full.xlsx")
