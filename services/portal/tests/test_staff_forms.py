"""The staff pages' forms (``edu_portal.staff.forms``, ``staff.lending_form``)
without a browser or a server: what each accepts, the staff API body it gives,
and what it says is wrong, at which field, in Latvian and English."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest
from edu_contracts.applications import ReturnCondition
from edu_contracts.staff_api import DecisionKind
from edu_portal.staff.forms import (
    BulkGrantForm,
    CloseIncidentForm,
    GrantForm,
    InstitutionChoice,
    PostponeForm,
    RefuseForm,
    ReturnForm,
)
from edu_portal.staff.lending_form import LendingSettingsForm, lending_as_typed
from edu_portal.web.forms import NO_VERSION
from edu_portal.web.i18n import Lang, set_lang

FILL_IN = {Lang.LV: "Aizpildiet šo lauku", Lang.EN: "Fill in this field"}
A_DATE = {Lang.LV: "Ievadiet datumu, piemēram, 2026-09-15", Lang.EN: "Enter a date like 2026-09-15"}
EMAIL = {
    Lang.LV: "Ievadiet e-pasta adresi šādi: pieteikumi@skola.lv",
    Lang.EN: "Enter an e-mail address like pieteikumi@skola.lv",
}
BOTH = [Lang.LV, Lang.EN]


pytestmark = pytest.mark.usefixtures("latvian")


# --- the hidden version ----------------------------------------------------------------------


def test_the_version_the_page_showed_goes_along_and_a_garbled_one_is_unknown() -> None:
    form, _ = GrantForm.parse({"version": "7"})
    assert form is not None
    assert form.body().version == 7
    for data in ({}, {"version": "x"}, {"version": ""}):
        form, errors = GrantForm.parse(data)
        assert form is not None
        assert not errors
        assert form.version == NO_VERSION


# --- one application's actions ----------------------------------------------------------------


def test_grant_needs_nothing_but_the_version() -> None:
    form, errors = GrantForm.parse({"version": "3", "csrf_token": "x", "confirmed": "yes"})
    assert not errors
    assert form is not None
    body = form.body()
    assert (body.decision, body.reason, body.postponed_until) == (DecisionKind.GRANT, None, None)


@pytest.mark.parametrize("lang", BOTH)
def test_a_refusal_needs_its_reason(lang: Lang) -> None:
    set_lang(lang)
    form, errors = RefuseForm.parse({"version": "2", "reason": "   "})
    assert form is None
    assert errors.items() == [("reason", FILL_IN[lang])]
    form, errors = RefuseForm.parse({"version": "2", "reason": " Visi datori izsniegti "})
    assert form is not None
    assert form.body().model_dump(exclude_none=True) == {
        "version": 2,
        "decision": DecisionKind.REFUSE,
        "reason": "Visi datori izsniegti",
    }


def test_a_long_reason_is_cut_to_what_the_api_takes() -> None:
    form, _ = RefuseForm.parse({"version": "2", "reason": "x" * 5000})
    assert form is not None
    assert len(form.body().reason or "") == 2000


@pytest.mark.parametrize("lang", BOTH)
def test_postponing_needs_a_reason_and_a_date_like_2026_09_15(lang: Lang) -> None:
    set_lang(lang)
    form, errors = PostponeForm.parse({"version": "2"})
    assert form is None
    assert errors.items() == [("reason", FILL_IN[lang]), ("postponed_until", FILL_IN[lang])]
    form, errors = PostponeForm.parse(
        {"version": "2", "reason": "Gaidām", "postponed_until": "15.09.2026"}
    )
    assert errors.items() == [("postponed_until", A_DATE[lang])]
    form, _ = PostponeForm.parse(
        {"version": "2", "reason": "Gaidām", "postponed_until": "2026-09-15"}
    )
    assert form is not None
    assert form.body().postponed_until == dt.date(2026, 9, 15)


@pytest.mark.parametrize("lang", BOTH)
def test_a_return_needs_one_of_the_conditions_and_may_have_a_note_and_a_date(lang: Lang) -> None:
    set_lang(lang)
    _, errors = ReturnForm.parse({"version": "5"})
    assert errors.items() == [("condition", FILL_IN[lang])]
    _, errors = ReturnForm.parse({"version": "5", "condition": "broken", "returned_on": "vakar"})
    choose = {Lang.LV: "Izvēlieties vienu no iespējām", Lang.EN: "Choose one of the options"}
    assert errors.items() == [("condition", choose[lang]), ("returned_on", A_DATE[lang])]
    form, _ = ReturnForm.parse({"version": "5", "condition": "damaged"})
    assert form is not None
    assert form.body().model_dump(exclude_none=True) == {
        "version": 5,
        "condition": ReturnCondition.DAMAGED,
    }


@pytest.mark.parametrize("lang", BOTH)
def test_closing_an_incident_needs_a_note(lang: Lang) -> None:
    set_lang(lang)
    _, errors = CloseIncidentForm.parse({"version": "6"})
    assert errors.items() == [("note", FILL_IN[lang])]
    form, _ = CloseIncidentForm.parse({"version": "6", "note": "Ziņots policijai"})
    assert form is not None
    assert form.body().note == "Ziņots policijai"


# --- bulk grant --------------------------------------------------------------------------------


def test_bulk_grant_takes_the_ticked_applications_with_their_versions() -> None:
    one, two = uuid4(), uuid4()
    form, _ = BulkGrantForm.parse({"app": [f"{one}:3", "garbage", f"{two}:1", f"{uuid4()}:0"]})
    assert form is not None
    assert [(t.id, t.version) for t in form.body().applications] == [(one, 3), (two, 1)]
    form, _ = BulkGrantForm.parse({"app": f"{one}:3"})  # one box ticked: one value
    assert form is not None
    assert len(form.app) == 1


def test_bulk_grant_with_nothing_usable_ticked_is_refused() -> None:
    for data in ({}, {"app": "nonsense"}, {"app": ["", " "]}):
        form, errors = BulkGrantForm.parse(data)
        assert form is None
        assert errors.get("app")


def test_bulk_grant_takes_at_most_a_hundred() -> None:
    form, _ = BulkGrantForm.parse({"app": [f"{uuid4()}:1" for _ in range(150)]})
    assert form is not None
    assert len(form.app) == 100


# --- lending settings ----------------------------------------------------------------------------


def settings(**fields: str) -> dict[str, str]:
    return {"version": "1", "accepting": "yes", "offer_count": "0", **fields}


def offer(n: int, **fields: str) -> dict[str, str]:
    row = {
        "resource_type": "laptop",
        "description": "Dators",
        "target_group": "everyone",
        "use": "individual",
        **fields,
    }
    return {f"offer-{n}-{k}": v for k, v in row.items()}


def test_the_digest_address_is_sent_as_contact_email() -> None:
    form, errors = LendingSettingsForm.parse(settings(contact_email="  pieteikumi@skola.lv "))
    assert not errors
    assert form is not None
    assert form.body().contact_email == "pieteikumi@skola.lv"


def test_an_empty_digest_address_means_no_digest() -> None:
    for data in (settings(contact_email=""), settings()):
        form, errors = LendingSettingsForm.parse(data)
        assert not errors
        assert form is not None
        assert form.body().contact_email is None


@pytest.mark.parametrize("bad", ["pieteikumi", "pieteikumi@skola", "@skola.lv", "a b@skola.lv"])
def test_a_malformed_digest_address_is_an_error_at_its_field_in_both_languages(bad: str) -> None:
    for lang in BOTH:
        set_lang(lang)
        _, errors = LendingSettingsForm.parse(settings(contact_email=bad))
        assert errors.items() == [("contact_email", EMAIL[lang])]


@pytest.mark.parametrize("lang", BOTH)
def test_accepting_must_be_said_and_the_period_must_not_end_before_it_starts(lang: Lang) -> None:
    set_lang(lang)
    say = {
        Lang.LV: "Norādiet, vai iestāde pieņem iesniegumus",
        Lang.EN: "Say whether the institution accepts applications",
    }
    before = {
        Lang.LV: "Pēdējā diena nevar būt pirms pirmās dienas",
        Lang.EN: "The last day must not be before the first day",
    }
    _, errors = LendingSettingsForm.parse(settings(accepting="maybe"))
    assert errors.items() == [("accepting", say[lang])]
    _, errors = LendingSettingsForm.parse(
        settings(accepting_from="2026-09-15", accepting_to="2026-09-01")
    )
    assert errors.items() == [("accepting_to", before[lang])]
    _, errors = LendingSettingsForm.parse(settings(accepting_from="rīt"))
    assert errors.items() == [("accepting_from", A_DATE[lang])]


def test_the_resources_rows_become_the_offers_and_a_removed_or_blank_row_is_left_out() -> None:
    data = settings(
        offer_count="2",
        **offer(0, offer_id="S-1", for_groups="1.a, 2.b,", items_available="12"),
        **offer(1, remove="yes"),
        **offer(2, description="Planšete", resource_type="tablet"),
    )
    form, errors = LendingSettingsForm.parse(data)
    assert not errors
    assert form is not None
    body = form.body()
    assert body.version == 1
    assert body.accepting_applications is True
    assert [(o.offer_id, o.description, o.for_groups, o.items_available) for o in body.offers] == [
        ("S-1", "Dators", ["1.a", "2.b"], 12),
        (None, "Planšete", [], None),
    ]
    form, _ = LendingSettingsForm.parse(
        settings(offer_count="1", **offer(0), **{"offer-1-use": "x"})
    )
    assert form is not None
    assert len(form.body().offers) == 1


@pytest.mark.parametrize("lang", BOTH)
def test_a_resource_rows_errors_are_at_its_own_fields(lang: Lang) -> None:
    set_lang(lang)
    data = settings(
        offer_count="1",
        **offer(0, description="", resource_type="boat", items_available="-1"),
        **offer(1, use="somewhere"),
    )
    _, errors = LendingSettingsForm.parse(data)
    words = {
        Lang.LV: {
            "offer-0-resource_type": "Izvēlieties resursa veidu",
            "offer-0-description": "Ievadiet resursa aprakstu vai modeli",
            "offer-0-items_available": "Ievadiet veselu vienību skaitu vai atstājiet tukšu",
            "offer-1-use": "Izvēlieties, kā resursu izmanto",
        },
        Lang.EN: {
            "offer-0-resource_type": "Choose the resource type",
            "offer-0-description": "Enter a description or model of the resource",
            "offer-0-items_available": "Enter a whole number of items, or leave it empty",
            "offer-1-use": "Choose how the resource is used",
        },
    }
    assert dict(errors.items()) == words[lang]


def test_a_form_with_errors_is_shown_again_as_typed() -> None:
    data = settings(
        accepting="no", accepting_from="2026-09-01", accepting_to="nav", contact_email="x"
    )
    shown = lending_as_typed({**data, **offer(0, items_available="abc"), "offer_count": "0"})
    assert shown["accepting_applications"] is False
    assert (shown["accepting_from"], shown["accepting_to"]) == ("2026-09-01", None)
    assert shown["contact_email"] == "x"
    assert [(o["description"], o["items_available"]) for o in shown["offers"]] == [("Dators", None)]


# --- staff sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", BOTH)
def test_staff_sign_in_for_an_institution_the_registers_say_the_person_works_at(
    lang: Lang,
) -> None:
    set_lang(lang)
    known = {"IE-1": "Rīgas skola", "IE-2": "Cēsu skola"}
    form, _ = InstitutionChoice.parse({"institution": "IE-2"}, known=known)
    assert form is not None
    assert form.institution == "IE-2"
    choose = {
        Lang.LV: "Izvēlieties iestādi, kurā strādājat",
        Lang.EN: "Choose the institution you work for",
    }
    for data in ({}, {"institution": "IE-9"}):
        form, errors = InstitutionChoice.parse(data, known=known)
        assert form is None
        assert errors.items() == [("institution", choose[lang])]
