"""The governance index page (``/index``): the trend by month (ECharts) and one row per child area,
each indicator with its raw counts and links to the lists behind them. A thin adapter over
:mod:`.governance_index` (the same answer as ``GET /api/v1/index``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gridgov.analysis import governance_index
from gridgov.authz.principals import AnalysisReader
from gridgov.deps import CipherDep, ProfileDep, ReplicaSessionDep
from gridgov.kit.clock import utc_now
from gridgov.territory import service as territory
from gridgov.web.templating import templates

router = APIRouter()

WEB_LISTS = {"/api/v1/cases?": "/cases/mine?", "/api/v1/people?": "/registry/people?",
             "/api/v1/complaints": "/complaints"}
"""The page of a list the API links to (same filters), where there is one."""


def web_url(url: str) -> str:
    for api, page in WEB_LISTS.items():
        if url.startswith(api):
            return page + url[len(api):]
    return url


def _with_pages(rows: list[dict]) -> None:
    for row in rows:
        for g in row["groups"]:
            for i in g["indicators"]:
                for link in i["links"]:
                    link["page"] = web_url(link["url"])


@router.get("/index")
def index_page(request: Request, session: ReplicaSessionDep, me: AnalysisReader, profile: ProfileDep, cipher: CipherDep,
               area: Annotated[str | None, Query(max_length=15)] = None,
               date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
               date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None):
    result = governance_index.governance_index(session, me, area=area, date_from=date_from, date_to=date_to,
                                               profile=profile, cipher=cipher, now=utc_now())
    _with_pages([result["total"], *result["areas"], *result["trend"]])
    chart = {"months": [t["name"] for t in result["trend"]], "index": [t["index"] for t in result["trend"]],
             "groups": [{"name": g["name"], "scores": [next(x["score"] for x in t["groups"] if x["code"] == g["code"])
                                                      for t in result["trend"]]}
                        for g in result["definition"]["groups"]]}
    chosen = result["area"]["code"]
    options = [o for o in territory.area_options(session, me, selected=chosen if len(chosen) == 12 else None)
               if me.covers(o["code"])] if len(me.scope_code) == 12 else []
    return templates.TemplateResponse(request, "analysis/index.html", {
        "result": result, "chart": chart, "area_options": options,
        "indicator_names": {i["code"]: i for g in result["definition"]["groups"] for i in g["indicators"]},
    })
