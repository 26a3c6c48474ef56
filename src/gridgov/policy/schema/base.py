"""The base of every profile section: unknown keys are errors, and a section's cross-field rules
are collected and reported all at once, each under the path of the field at fault."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

# ---------------------------------------------------------------------------------------------
# Problems: a validator collects every broken rule of its section, each with a relative path.


def rule_problems(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """One validation error that carries several ``(relative path, Chinese message)`` problems.

    The loader expands it into one line per problem, each path joined to the section's location.
    """
    summary = "；".join(f"{p}: {m}" if p else m for p, m in problems)
    return PydanticCustomError("profile_rule", "{summary}", {"summary": summary, "problems": problems})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Checked(_Model):
    """A section with cross-field rules: subclasses list the problems in :meth:`problems`."""

    def problems(self) -> list[tuple[str, str]]:
        return []

    @model_validator(mode="after")
    def _check_rules(self):
        found = self.problems()
        for field_name, info in type(self).model_fields.items():
            value = getattr(self, field_name)
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if isinstance(value, list) and extra.get("unique"):
                seen: set[Any] = set()
                for i, item in enumerate(value):
                    key = _jsonable(getattr(item, "code", item))
                    if key in seen:
                        found.append((f"{field_name}[{i}]", f"重复的取值 {key!r}"))
                    seen.add(key)
        if found:
            raise rule_problems(found)
        return self


def _unique(title: str, **kw) -> Any:
    return Field(title=title, json_schema_extra={"unique": True}, **kw)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    return value
