"""The registry section: the register of 一标三实 and special groups (issue 15)."""

from __future__ import annotations

from pydantic import Field

from gridgov.policy.schema.base import _Model


class Registry(_Model):
    """How the register keeps personal data."""

    retention_years: int = Field(title="迁出、死亡人员信息保存年限", ge=1, le=30)
    """Years a person's record is kept after it is archived (moved out, died); then the periodic job
    deletes it. No regulation sets it: a local default, set with PIPL art. 19 and 47 in mind
    (personal data is kept no longer than its purpose needs)."""
