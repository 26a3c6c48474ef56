"""The board section: the public board of each grid (A5)."""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Model, _unique
from gridgov.policy.schema.vocabulary import BoardField, BoardPublisher, OnlinePolicy


class Board(_Model):
    """The public board of each grid (A5)."""

    fields: list[BoardField] = _unique("公示内容", min_length=1)
    published_by: list[BoardPublisher] = _unique("公示责任方", min_length=1)
    online: OnlinePolicy = Field(title="网上公布")
    supervision_phone: str = Field(title="监督电话", pattern=r"^[0-9][0-9\-]{2,19}$")
    complaint_handling_working_days: int = Field(title="网格员投诉处理时限（工作日）", ge=1, le=60)
