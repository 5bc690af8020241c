"""The staff lending settings form (``edu_portal.staff.lending``) without a
browser: the daily digest's address is optional, sent to applications as
``contact_email`` (None when empty), and a malformed one is an error at its
field in Latvian and English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from edu_portal.staff.lending import parse_settings_form
from edu_portal.web.i18n import Lang, current_lang, set_lang


@pytest.fixture(autouse=True)
def latvian() -> Iterator[None]:
    before = current_lang()
    set_lang(Lang.LV)
    yield
    set_lang(before)


def form(**fields: str) -> dict[str, str]:
    return {"accepting": "yes", "offer_count": "0", **fields}


def test_the_digest_address_is_sent_as_contact_email() -> None:
    body, errors = parse_settings_form(form(contact_email="  pieteikumi@skola.lv "))
    assert not errors
    assert body["contact_email"] == "pieteikumi@skola.lv"


def test_an_empty_digest_address_means_no_digest() -> None:
    body, errors = parse_settings_form(form(contact_email=""))
    assert not errors
    assert body["contact_email"] is None
    body, errors = parse_settings_form(form())
    assert not errors
    assert body["contact_email"] is None


@pytest.mark.parametrize("bad", ["pieteikumi", "pieteikumi@skola", "@skola.lv", "a b@skola.lv"])
def test_a_malformed_digest_address_is_an_error_at_its_field_in_both_languages(bad: str) -> None:
    _body, errors = parse_settings_form(form(contact_email=bad))
    assert errors.get("contact_email") == "Ievadiet e-pasta adresi šādi: pieteikumi@skola.lv"
    set_lang(Lang.EN)
    _body, errors = parse_settings_form(form(contact_email=bad))
    assert errors.get("contact_email") == "Enter an e-mail address like pieteikumi@skola.lv"
