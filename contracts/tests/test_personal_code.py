import pytest
from edu_contracts.personal_code import (
    PersonalCode,
    PersonalCodeError,
    birth_date_of,
    normalize_personal_code,
    old_format_check_digit,
)
from pydantic import BaseModel


class Holder(BaseModel):
    code: PersonalCode


def test_old_format_with_valid_check_digit_is_normalised() -> None:
    first_ten = "1403861101"
    check = old_format_check_digit(first_ten)
    assert check is not None
    assert normalize_personal_code(f"{first_ten}{check}") == f"140386-1101{check}"
    assert normalize_personal_code(f" 140386-1101{check} ") == f"140386-1101{check}"


def test_old_format_birth_date_uses_century_digit() -> None:
    assert str(birth_date_of("140386-11016")) == "1986-03-14"
    code = "010916-2" + "202"
    check = old_format_check_digit(code.replace("-", ""))
    assert str(birth_date_of(f"{code}{check}")) == "2016-09-01"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("140386-11017", "personal_code_checksum"),
        ("140386-1101", "personal_code_format"),
        ("14038611016x", "personal_code_format"),
        ("140386-51016", "personal_code_format"),  # century digit 5
        ("310286-11016", "personal_code_date"),  # 31 February
        ("", "personal_code_format"),
    ],
)
def test_invalid_old_codes_are_refused_with_a_reason(code: str, reason: str) -> None:
    with pytest.raises(PersonalCodeError) as err:
        normalize_personal_code(code)
    assert err.value.reason == reason


def test_new_format_is_accepted_without_checksum_and_has_no_birth_date() -> None:
    assert normalize_personal_code("32123456789") == "321234-56789"
    assert birth_date_of("321234-56789") is None


def test_new_format_must_have_eleven_digits() -> None:
    with pytest.raises(PersonalCodeError):
        normalize_personal_code("321234-5678")


def test_pydantic_type_validates_and_normalises() -> None:
    assert Holder(code="14038611016").code == "140386-11016"
    with pytest.raises(ValueError, match="check digit"):
        Holder(code="140386-11017")


def test_every_valid_check_digit_round_trips() -> None:
    accepted = 0
    for serial in range(200):
        first_ten = f"0101001{serial:03d}"
        check = old_format_check_digit(first_ten)
        if check is None:  # no check digit works: such serials are never issued
            for digit in range(10):
                with pytest.raises(PersonalCodeError):
                    normalize_personal_code(f"{first_ten}{digit}")
            continue
        accepted += 1
        assert normalize_personal_code(f"{first_ten}{check}")
    assert accepted > 150
