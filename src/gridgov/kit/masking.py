"""The masking rule for personal data shown to someone who may not see it in full.

The rule (one place; every list, detail, page, export, board and audit entry uses these functions):

A viewer without the ``staff.reveal`` permission must not get, across all the fields it can see
together about one person, enough to rebuild that person's ID number or phone. So:

1. **ID number** (居民身份证号码): only the last four characters are shown, every other character is
   ``*`` (``**************123X``). No region digits, no birth-date digits. A value shorter than 8
   characters is shown as ``*`` only.
2. **Birth date**: never shown (not in lists, details, exports, forms, audit entries). A screen that
   needs it shows the birth year (:func:`birth_year`) or an age instead. Together with an area code
   (the usual guess for the region digits), the year and the last four characters still leave
   every day of that year, of which about one in eleven passes the GB 11643 check digit: some 30
   candidate numbers, none of them confirmable (the ID-number search is for ``staff.reveal`` only).
3. **Phone**: an 11-digit mobile number (``1`` + 10 digits) shows its first three and last four
   digits (``138****5678``). Any other number shows at most half of its digits (rounded down) and
   hides at least half:

   * a fixed line with its area code (``0`` + 2 or 3 digits, e.g. ``010``, ``0511``) keeps the area
     code and shows as many trailing digits as the half allows (``0511-84441234`` →
     ``0511-******34``, ``010-12345678`` → ``010-******78``);
   * any other number (short numbers, numbers without area code) shows at most its last four
     digits within the half (``12345`` → ``***45``, ``84441234`` → ``****1234``);
   * a number of fewer than 5 digits is shown as ``*`` only.

   Separators (``-``) stay where they are.
4. The full values leave the server only through the reveal action (``POST /staff/{id}/reveal``)
   and the full export, both for ``staff.reveal`` holders and both written to the audit log. The
   audit log itself holds masked values only (:func:`mask_record` is applied to what is written
   and again to what is read, so an entry written before a rule change is shown by today's rule).

Every function here is idempotent: masking an already masked value never shows more of it, so a
mask stored under an older rule can be masked again when it is read.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

ID_TAIL = 4
"""Characters of an ID number left visible."""

_MOBILE = re.compile(r"^1\d{10}$")
_MOBILE_MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")
_AREA_CODE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})")
_MIN_PHONE_DIGITS = 5
_PHONE_TAIL = 4


def mask_id_number(value: str | None) -> str:
    """``320102199001011234`` → ``**************1234``; the last four characters only."""
    value = (value or "").strip().upper()
    if len(value) < 2 * ID_TAIL:
        return "*" * len(value)
    return "*" * (len(value) - ID_TAIL) + value[-ID_TAIL:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``; other numbers show at most half their digits (see the rule)."""
    value = (value or "").strip()
    if not value:
        return ""
    if _MOBILE.match(value):
        return value[:3] + "****" + value[-4:]
    if _MOBILE_MASKED.match(value):
        return value
    slots = [i for i, c in enumerate(value) if c.isdigit() or c == "*"]
    if len(slots) < _MIN_PHONE_DIGITS:
        return "".join("*" if c.isdigit() else c for c in value)
    budget = len(slots) // 2
    shown: set[int] = set()
    area = _AREA_CODE.match(value)
    if area and len(area.group(0)) <= budget:
        shown.update(range(len(area.group(0))))
        budget -= len(area.group(0))
        tail = budget
    else:
        tail = min(budget, _PHONE_TAIL)
    if tail:
        shown.update(slots[-tail:])
    return "".join(c if (i in shown or not c.isdigit()) else "*" for i, c in enumerate(value))


def birth_year(born: date | None) -> int | None:
    """What a screen may show of a birth date: its year."""
    return born.year if born is not None else None


_RECORD_MASKS = {
    "id_number": mask_id_number,
    "id_number_mask": mask_id_number,
    "phone": mask_phone,
    "phone_mask": mask_phone,
    "reporter_phone": mask_phone,
}


def mask_record(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A dict of recorded fields (an audit entry's before/after) with personal fields masked by
    this rule: ID numbers and phones masked, a birth date reduced to its year."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in _RECORD_MASKS and isinstance(value, str):
            out[key] = _RECORD_MASKS[key](value)
        elif key == "birth_date" and value:
            out["birth_year"] = int(str(value)[:4]) if str(value)[:4].isdigit() else None
        else:
            out[key] = value
    return out
