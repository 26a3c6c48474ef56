"""The people API (实有人口): list and search (masked), register, read (logged), edit, reveal (with a
reason, audited, ``Cache-Control: no-store``) and a person's access log.

An ID number is personal data: ``GET /people?id_number=`` works as the issue names it, but the pages
use ``POST /people/search`` (the number in the body, not in a URL), and the server's access log
never writes the number (:func:`gridgov.registry.access.install_log_redaction`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gridgov.authz.principals import RegistryReader, RegistryRevealer, RegistryWriter
from gridgov.deps import SessionDep, client_ip
from gridgov.kit.clock import utc_now
from gridgov.kit.params import IdPath, PageQuery
from gridgov.registry import access, people
from gridgov.registry.people_schemas import (
    AccessPage,
    PersonCreate,
    PersonPage,
    PersonRead,
    PersonRevealed,
    PersonSearch,
    PersonUpdate,
    RevealRequest,
)

router = APIRouter(tags=["registry"])
access.install_log_redaction()

NO_STORE = "no-store"
PageSize = Annotated[int, Query(ge=1, le=200, description="每页条数")]


def _cipher(request: Request):
    return request.app.state.cipher


@router.get("/people", response_model=PersonPage, summary="辖区内的实有人口（脱敏）；按姓名、证件号码、网格、标签查找")
def list_people(request: Request, session: SessionDep, me: RegistryReader,
                q: Annotated[str | None, Query(max_length=50, description="姓名（包含）")] = None,
                id_number: Annotated[str | None, Query(max_length=24, description="证件号码（精确匹配；页面请用 "
                                                                                  "POST /people/search）")] = None,
                grid: Annotated[str | None, Query(max_length=17)] = None,
                tag: Annotated[str | None, Query(max_length=40)] = None,
                page: PageQuery = 1, page_size: PageSize = 50) -> PersonPage:
    return people.list_people(session, me, q=q, id_number=id_number, grid=grid, tag=tag, page=page,
                              page_size=page_size, cipher=_cipher(request), now=utc_now(), ip=client_ip(request))


@router.post("/people/search", response_model=PersonPage,
             summary="查找实有人口（条件放在请求体中，证件号码不出现在网址里）")
def search_people(data: PersonSearch, request: Request, session: SessionDep, me: RegistryReader) -> PersonPage:
    return people.list_people(session, me, q=data.q, id_number=data.id_number, grid=data.grid, tag=data.tag,
                              page=data.page, page_size=data.page_size, cipher=_cipher(request), now=utc_now(),
                              ip=client_ip(request))


@router.post("/people", response_model=PersonRead, status_code=201, summary="登记实有人口")
def create_person(data: PersonCreate, request: Request, session: SessionDep, me: RegistryWriter) -> PersonRead:
    person = people.create_person(session, me, data, cipher=_cipher(request), now=utc_now())
    return people.person_read(session, me, person)


@router.get("/people/{person_id}", response_model=PersonRead, summary="实有人口详情（脱敏；查看记入访问记录）")
def get_person(person_id: IdPath, request: Request, session: SessionDep, me: RegistryReader) -> PersonRead:
    return people.view_person(session, me, person_id, now=utc_now(), ip=client_ip(request))


@router.patch("/people/{person_id}", response_model=PersonRead, summary="修改实有人口")
def update_person(person_id: IdPath, data: PersonUpdate, request: Request, session: SessionDep,
                  me: RegistryWriter) -> PersonRead:
    person = people.update_person(session, me, person_id, data, cipher=_cipher(request), now=utc_now())
    return people.person_read(session, me, person)


@router.post("/people/{person_id}/reveal", response_model=PersonRevealed,
             summary="查看完整证件号码与手机号（须说明理由；仅本次回答，记入访问记录和审计日志）")
def reveal(person_id: IdPath, data: RevealRequest, request: Request, response: Response, session: SessionDep,
           me: RegistryRevealer) -> PersonRevealed:
    response.headers["Cache-Control"] = NO_STORE
    return people.reveal(session, me, person_id, data, cipher=_cipher(request), now=utc_now(), ip=client_ip(request))


@router.get("/people/{person_id}/access-log", response_model=AccessPage,
            summary="谁在何时因何查看、查找或查看了完整信息")
def access_log(person_id: IdPath, session: SessionDep, me: RegistryReader, page: PageQuery = 1,
               page_size: PageSize = 50) -> AccessPage:
    return people.access_log(session, me, person_id, page=page, page_size=page_size)
