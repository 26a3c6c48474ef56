"""Checks of Chinese resident ID numbers (GB 11643-1999)."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_problem(value: str) -> str | None:
    """None for a well-formed 18-digit ID number, else a Chinese reason."""
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号码应为 18 位（最后一位可为 X）"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    if _CHECK[sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True)) % 11] != value[17]:
        return "身份证号码校验位不正确"
    return None


def birth_date_of(value: str) -> date:
    value = value.strip()
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def with_check_digit(first17: str) -> str:
    """The full ID number for 17 digits (used to make demo and test data)."""
    return first17 + _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}$")


def normalise_phone(value: str) -> str:
    """Spaces and brackets dropped, a leading +86 dropped; a landline keeps its area-code hyphen."""
    return re.sub(r"[\s()（）]", "", value or "").removeprefix("+86")


def phone_problem(value: str) -> str | None:
    """Why ``value`` is not a mainland mobile (11 digits, 1[3-9]…) or landline (0 + area code +
    7–8 digits), or None."""
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return "应为 11 位手机号码，或带区号的固定电话（如 0511-84441234）"
