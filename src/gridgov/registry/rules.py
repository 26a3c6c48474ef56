"""Pure rules of the register: the check digits of ID numbers (GB 11643) and unified social credit
codes (GB 32100), and the canonical text of a standard address. No I/O."""

from __future__ import annotations

from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015's 31 characters (no I, O, S, V, Z)."""
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_id_number(text: str) -> str:
    """Spaces removed and a lowercase x raised: ``11010519491231002x`` → ``…002X``."""
    return "".join(text.split()).upper()


def id_check_digit(first17: str) -> str:
    """The 18th character of a GB 11643 citizen identity number for its first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_number_problem(text: str) -> str | None:
    """Why ``text`` is not a valid 18-digit citizen identity number (GB 11643), or None."""
    number = normalise_id_number(text)
    if len(number) != 18:
        return "身份证号码应为 18 位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码前 17 位应为数字，末位为数字或 X"
    if birth_date_of(number) is None:
        return "身份证号码中的出生日期无效"
    if id_check_digit(number[:17]) != number[17]:
        return "身份证号码校验位不正确"
    return None


def birth_date_of(number: str) -> date | None:
    """The birth date digits 7–14 of an 18-digit ID number encode, or None when not a date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> str:
    """GB/T 2261.1 gender code from the 17th digit of an ID number: odd 1 男, even 2 女."""
    return "1" if int(number[16]) % 2 else "2"


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100) for its first 17."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalise_uscc(text: str) -> str:
    return "".join(text.split()).upper()


def uscc_problem(text: str) -> str | None:
    """Why ``text`` is not a valid unified social credit code (GB 32100), or None."""
    code = normalise_uscc(text)
    if len(code) != 18:
        return "统一社会信用代码应为 18 位"
    if any(c not in USCC_CHARSET for c in code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）"
    if uscc_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None
