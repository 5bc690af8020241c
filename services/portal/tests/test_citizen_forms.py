"""The citizen pages' forms (``mydata.forms``, ``applications.forms``) without
a browser or a server: each rule, and its message at its field in Latvian and
English (the same texts the pages showed before the forms were objects)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from edu_contracts.personal_code import old_format_check_digit
from edu_portal.mydata.forms import TermsForm, WhoseForm
from edu_portal.web.forms import PageForm
from edu_portal.web.i18n import Lang, current_lang, set_lang


@pytest.fixture(autouse=True)
def latvian() -> Iterator[None]:
    before = current_lang()
    set_lang(Lang.LV)
    yield
    set_lang(before)


def valid_code() -> str:
    head = "0101101234"  # born 01.01.2010, century digit 1
    return f"{head[:6]}-{head[6:]}{old_format_check_digit(head)}"


def errors_in_both(form: type[PageForm], data: dict[str, Any], **context: Any) -> dict[str, Any]:
    """The errors' messages, Latvian then English: {field: (lv, en)}."""
    parsed, lv = form.parse(data, **context)
    assert parsed is None
    set_lang(Lang.EN)
    _parsed, en = form.parse(data, **context)
    set_lang(Lang.LV)
    return {field: (message, en.get(field)) for field, message in lv.items()}


def ok(form: type[PageForm], data: dict[str, Any], **context: Any) -> Any:
    parsed, errors = form.parse(data, **context)
    assert not errors, errors.items()
    assert parsed is not None
    return parsed


# --- the terms ------------------------------------------------------------------------

TERMS = (
    "Lai turpinātu, apstipriniet, ka piekrītat lietošanas noteikumiem",
    "Confirm that you agree to the terms of use to continue",
)


def test_the_terms_box_must_be_ticked() -> None:
    assert ok(TermsForm, {"agree": "yes", "_csrf": "x"}).agree == "yes"
    assert errors_in_both(TermsForm, {}) == {"agree": TERMS}
    assert errors_in_both(TermsForm, {"agree": "no"}) == {"agree": TERMS}


# --- whose data --------------------------------------------------------------------------


def test_whose_data_oneself_a_listed_person_or_a_typed_code() -> None:
    child = valid_code()
    assert ok(WhoseForm, {"whose": "self"}, known=set()).subject is None
    assert ok(WhoseForm, {"whose": child}, known={child}).subject == child
    typed = ok(WhoseForm, {"whose": "other", "personal_code": child.replace("-", "")}, known=set())
    assert typed.subject == child  # normalised
    # A typed code is ignored unless "another person" is chosen.
    assert ok(WhoseForm, {"whose": "self", "personal_code": "x"}, known=set()).subject is None


def test_whose_data_must_be_chosen_from_the_list() -> None:
    expected = {
        "whose": (
            "Izvēlieties, par kuru personu vēlaties saņemt datus",
            "Choose whose data you want to see",
        )
    }
    assert errors_in_both(WhoseForm, {}, known=set()) == expected
    assert errors_in_both(WhoseForm, {"whose": valid_code()}, known=set()) == expected


def test_another_persons_code_is_required_and_checked() -> None:
    missing = errors_in_both(WhoseForm, {"whose": "other", "personal_code": " "}, known=set())
    assert missing == {
        "personal_code": (
            "Ievadiet pārstāvētās personas kodu",
            "Enter the personal code of the person you represent",
        )
    }
    bad = errors_in_both(WhoseForm, {"whose": "other", "personal_code": "12345"}, known=set())
    assert bad == {
        "personal_code": (
            "Ievadiet derīgu personas kodu, piemēram, 123456-12345",
            "Enter a valid personal code, like 123456-12345",
        )
    }
