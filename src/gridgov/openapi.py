"""What the API document says about errors: the one body every error answer has.

Every error of the API is ``{"detail": "中文说明", "code": "...", "errors": [...]}`` (see the handlers
in :mod:`gridgov.app`). FastAPI would document its own ``HTTPValidationError`` for 422, a body we never
send; :data:`ERROR_RESPONSES` documents ours for every status an API route can answer with, and is given
to each API router as it is included, so no route can be left out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response


class ErrorBody(BaseModel):
    """The body of every error answer of the API."""

    detail: str = Field(description="给用户看的中文说明")
    code: str = Field(description="机器可读的错误类别，如 invalid、not_found、forbidden")
    errors: list[dict[str, Any]] | None = Field(
        None, description="逐项说明（如哪个字段、导入文件的哪一行有误），没有时省略"
    )


_MEANINGS = {
    400: "请求有误",
    401: "未登录或登录已失效",
    403: "无权进行该操作",
    404: "资源不存在或不在管辖范围内",
    409: "与当前状态冲突",
    413: "请求内容太大",
    422: "请求参数或内容有误",
    429: "请求太频繁",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": meaning} for status, meaning in _MEANINGS.items()
}
"""Responses documented on every API operation (FastAPI then adds no HTTPValidationError)."""


def file_answer(*media_types: str, description: str = "文件") -> dict[str, Any]:
    """The 200 of a route that answers a file (CSV, xlsx, GeoJSON, a photo), for ``responses=``,
    with ``response_class=Response`` so the document does not also promise JSON."""
    def body(media_type: str) -> dict[str, Any]:
        if media_type.endswith("+json"):
            return {"schema": {"type": "object"}}
        return {"schema": {"type": "string", "format": "binary"}}

    return {"responses": {200: {"description": description, "content": {t: body(t) for t in media_types}}},
            "response_class": Response}


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
IMAGES = ("image/jpeg", "image/png", "image/webp")
