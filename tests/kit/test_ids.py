"""Resident ID numbers and phones (:mod:`gridgov.kit.ids`) on fixed vectors, never on numbers the module made.

The first two numbers are the examples printed in GB 11643-1999. Both have a 0 in positions 3, 15 and 16,
where a wrong weight would go unnoticed, so two more fixed numbers with no zero there are added; every
vector is checked here by the standard's own definition (ISO 7064 MOD 11-2: weight of position i is
2^(17−i) mod 11), which shares nothing with the module's weight table.
"""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.kit.ids import birth_date_of, id_number_problem, normalise_phone, phone_problem, with_check_digit

PUBLISHED = ["11010519491231002X", "440524188001010014"]
MORE = ["513902197604179870", "632823198507195868", "450321200002297716"]  # the last one born on 29 Feb 2000
VALID = PUBLISHED + MORE
BIRTHS = [date(1949, 12, 31), date(1880, 1, 1), date(1976, 4, 17), date(1985, 7, 19), date(2000, 2, 29)]


def _check_digit(first17: str) -> str:
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


@pytest.mark.parametrize("number", VALID)
def test_the_vectors_are_valid_by_the_standard_and_cover_every_weight(number):
    assert _check_digit(number[:17]) == number[17]


def test_every_position_of_some_vector_is_non_zero():
    """A weight one too high changes the sum by the digit, so each position needs a non-zero digit somewhere."""
    assert all(any(v[i] != "0" for v in VALID) for i in range(17))


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number):
    assert id_number_problem(number) is None
    assert id_number_problem(f"  {number.lower()} ") is None  # a lower-case x, spaces around


@pytest.mark.parametrize("number", VALID)
@pytest.mark.parametrize("position", range(18))
def test_any_changed_digit_fails_the_check(number, position):
    wrong = str((int(number[position]) + 1) % 10) if number[position].isdigit() else "0"
    changed = number[:position] + wrong + number[position + 1:]
    assert id_number_problem(changed) is not None


@pytest.mark.parametrize("number", [
    "11010519491231002",  # 17 characters
    "11010519491231002X1",  # 19
    "1101051949123100X2",  # X not last
    "11010519491231002Y",  # Y is no check digit
    "",
])
def test_a_number_of_the_wrong_shape_is_refused_for_its_length(number):
    assert id_number_problem(number) == "身份证号码应为 18 位（最后一位可为 X）"


def test_an_impossible_birth_date_is_refused_for_its_date():
    impossible = "32010219900231123"  # 31 Feb 1990, with a correct check digit so only the date is wrong
    assert id_number_problem(impossible + _check_digit(impossible)) == "身份证号码中的出生日期无效"
    not_leap = "32010219000229123"  # 1900 was not a leap year
    assert id_number_problem(not_leap + _check_digit(not_leap)) == "身份证号码中的出生日期无效"


def test_a_wrong_check_digit_is_refused_for_its_check_digit():
    assert id_number_problem("110105194912310021") == "身份证号码校验位不正确"


@pytest.mark.parametrize(("number", "born"), list(zip(VALID, BIRTHS, strict=True)))
def test_the_birth_date_is_read_from_positions_7_to_14(number, born):
    assert birth_date_of(f" {number} ") == born


@pytest.mark.parametrize("number", VALID)
def test_the_check_digit_is_appended_as_the_standard_says(number):
    assert with_check_digit(number[:17]) == number


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "0511-84441234", "01088886666", "010-8888666"])
def test_mainland_mobiles_and_landlines_are_accepted(phone):
    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "511-84441234", "0511-0444123", ""])
def test_other_phones_are_refused(phone):
    assert "手机号码" in phone_problem(phone)


def test_a_phone_loses_spaces_brackets_and_the_country_code():
    assert normalise_phone(" +86 (138) 1234 5678 ") == "13812345678"
    assert normalise_phone("（0511）8444 1234") == "051184441234"
    assert normalise_phone(None) == ""
