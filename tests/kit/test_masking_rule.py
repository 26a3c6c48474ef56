"""The masking rule of :mod:`gridgov.kit.masking`, on published ID numbers and on phones of every shape.

The ID numbers are the examples printed in GB 11643-1999 (not made with the module's own check
digit function); their check digit is verified here with an independent computation.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from gridgov.kit import crypto
from gridgov.kit.masking import birth_year, mask_id_number, mask_phone, mask_record

PUBLISHED_IDS = ["11010519491231002X", "440524188001010014"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_published_vectors_are_valid_by_an_independent_check(number):
    assert "10X98765432"[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True)) % 11] == number[17]


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_an_id_number_shows_its_last_four_characters_only(number):
    masked = mask_id_number(number)
    assert masked == "*" * 14 + number[-4:]
    assert number[:6] not in masked and number[6:14] not in masked  # no region, no birth date
    assert mask_id_number(number.lower()) == masked  # a lower-case x is the same number


def test_short_empty_and_old_id_masks():
    assert mask_id_number("") == "" and mask_id_number(None) == ""
    assert mask_id_number("1234567") == "*******"  # too short to show four of it
    assert mask_id_number(" 11010519491231002X ") == "**************002X"
    # a mask stored under the old rule (region digits kept) is masked again when it is read
    assert mask_id_number("110***********002X") == "**************002X"
    for number in PUBLISHED_IDS:
        assert mask_id_number(mask_id_number(number)) == mask_id_number(number)


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("19900001234", "199****1234"),
    ("0511-84441234", "0511-******34"),
    ("051184441234", "0511******34"),
    ("010-12345678", "010-******78"),
    ("0511-8444123", "0511-******3"),
    ("0511-84441234-123", "0511-********-123"),
    ("84441234", "****1234"),
    ("12345", "***45"),
    ("123456", "***456"),
    ("110", "***"),
    ("1234", "****"),
    ("", ""),
])
def test_phone_masks(phone, masked):
    assert mask_phone(phone) == masked
    assert mask_phone(masked) == masked  # idempotent: a stored mask never shows more when masked again


@pytest.mark.parametrize("phone", ["0511-84441234", "010-12345678", "0511-8444123", "84441234", "12345", "123456",
                                   "1234567", "0571-87654321-9", "+8613812345678", "051184441234", "95598"])
def test_a_number_other_than_a_mobile_hides_at_least_half_its_digits(phone):
    masked = mask_phone(phone)
    digits = sum(c.isdigit() for c in phone)
    hidden = masked.count("*")
    assert len(masked) == len(phone) and hidden * 2 >= digits, (phone, masked)
    assert re.sub(r"\d", "", masked).replace("*", "") == re.sub(r"\d", "", phone)  # separators stay in place


def test_old_phone_masks_are_brought_under_the_rule():
    assert mask_phone("*2345") == "***45"  # the old rule kept the last four of a five-digit number
    assert mask_phone("*********1234") == "*********1234"


def test_birth_year_and_records():
    assert birth_year(date(1949, 12, 31)) == 1949 and birth_year(None) is None
    assert mask_record(None) is None
    assert mask_record({"id_number": "11010519491231002X", "phone": "13812345678", "name": "张三",
                        "birth_date": "1949-12-31", "reporter_phone": "0511-84441234"}) == {
        "id_number": "**************002X", "phone": "138****5678", "name": "张三", "birth_year": 1949,
        "reporter_phone": "0511-******34"}


def test_the_old_import_path_still_works():
    assert crypto.mask_id_number is mask_id_number and crypto.mask_phone is mask_phone


@pytest.mark.parametrize(("value", "masked"), [
    ("1234567890", "******7890"),  # ten digits, no area code: half is five, but at most the last four
    ("0511-1234", "0511-****"),  # the area code is exactly the half: it alone is shown
])
def test_phone_masks_at_their_boundaries(value, masked):
    assert mask_phone(value) == masked


def test_an_id_value_of_exactly_eight_characters_shows_its_last_four():
    assert mask_id_number("12345678") == "****5678"
