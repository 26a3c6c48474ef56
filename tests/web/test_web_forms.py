"""The form-refusal helpers are written once (web/forms.py) and used by every domain's pages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from gridgov.errors import Conflict, Invalid
from gridgov.web import forms


class _Form(BaseModel):
    name: str
    age: int


def _validation_error() -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"age": "x"})
    return caught.value


def test_a_validation_error_says_each_field_after_the_prefix():
    text = forms.message(_validation_error(), prefix="请检查填写的内容：")
    assert text.startswith("请检查填写的内容：name ")
    assert "；age " in text


def test_a_describe_function_words_each_field():
    assert forms.message(_validation_error(), lambda e: str(e["loc"][0])) == "name；age"


def test_a_domain_error_keeps_its_message_and_status():
    assert forms.message(Conflict("已经办结")) == "已经办结"
    assert forms.status_of(Conflict("已经办结")) == 409
    assert forms.status_of(Invalid("不对")) == 422
    assert forms.status_of(_validation_error()) == 422


def test_the_pages_use_the_one_helper():
    from gridgov.cases import forms as case_forms
    from gridgov.staff import web as staff_web

    assert case_forms.message is forms.message and case_forms.status_of is forms.status_of
    assert not hasattr(staff_web, "_status") and staff_web.forms is forms
