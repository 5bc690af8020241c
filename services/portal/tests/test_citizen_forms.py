"""The citizen pages' forms (``mydata.forms``, ``applications.forms``) without
a browser or a server: each rule, and its message at its field in Latvian and
English (the same texts the pages showed before the forms were objects)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from edu_contracts.applications import ApplicantRole
from edu_contracts.applications_api import IncidentKind, SocialGroup
from edu_contracts.personal_code import old_format_check_digit
from edu_portal.applications.forms import (
    ContactForm,
    DocumentsForm,
    IncidentForm,
    InstitutionForm,
    ProfileForm,
    ReceiptForm,
    ResourceForm,
    SocialStatusForm,
    posted_version,
)
from edu_portal.mydata.forms import TermsForm, WhoseForm
from edu_portal.web.api import ApiProblem
from edu_portal.web.forms import NO_VERSION, ChangeForm, PageForm
from edu_portal.web.i18n import Lang, set_lang
from edu_runtime.riga import today_in_latvia

pytestmark = pytest.mark.usefixtures("latvian")


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


# --- the application wizard ------------------------------------------------------------------


def test_the_profile_is_oneself_or_a_represented_child() -> None:
    child = valid_code()
    adult = ok(ProfileForm, {"profile": "adult_learner"}, represented=set())
    assert (adult.role, adult.learner_code) == (ApplicantRole.ADULT_LEARNER, None)
    parent = ok(ProfileForm, {"profile": f"child:{child}"}, represented={child})
    assert (parent.role, parent.learner_code) == (ApplicantRole.PARENT_OR_GUARDIAN, child)
    expected = {"profile": ("Izvēlieties, kam ir pieteikums", "Choose who the application is for")}
    assert errors_in_both(ProfileForm, {}, represented=set()) == expected
    # A child the registers do not list is not a choice, whatever the form says.
    assert errors_in_both(ProfileForm, {"profile": f"child:{child}"}, represented=set()) == expected


def test_steps_need_their_choice_and_carry_the_version() -> None:
    assert ok(InstitutionForm, {"institution": "RIGA-01", "version": "3"}).version == 3
    assert errors_in_both(InstitutionForm, {"version": "3"}) == {
        "institution": ("Izvēlieties iestādi", "Choose the institution")
    }
    assert ok(ResourceForm, {"offer": "o-1", "version": "2"}).offer == "o-1"
    assert errors_in_both(ResourceForm, {}) == {
        "offer": ("Izvēlieties resursu", "Choose the resource")
    }
    assert ok(DocumentsForm, {"read": "yes"}).read == "yes"
    assert errors_in_both(DocumentsForm, {}) == {
        "read": (
            "Apstipriniet, ka esat izlasījis dokumentus",
            "Confirm that you have read the documents",
        )
    }


def test_one_version_rule_for_every_change_form() -> None:
    """Absent or garbled, the version is NO_VERSION (which no application has)."""
    assert ok(ChangeForm, {}).version == NO_VERSION
    assert ok(ChangeForm, {"version": "x"}).version == NO_VERSION
    assert posted_version({"version": ["7"]}) == 7
    assert posted_version(None) == NO_VERSION


def test_social_status_needs_a_group_only_when_supported() -> None:
    assert ok(SocialStatusForm, {"supported": "no", "social_group": "needy"}).group is None
    yes = ok(SocialStatusForm, {"supported": "yes", "social_group": "large_family"})
    assert yes.group is SocialGroup.LARGE_FAMILY
    assert errors_in_both(SocialStatusForm, {"social_group": "needy"}) == {
        "supported": (
            "Norādiet, vai izglītojamais pieder pie sociāli atbalstāmas grupas",
            "Say whether the learner belongs to a socially supported group",
        )
    }
    for group in ({}, {"social_group": "aliens"}):
        assert errors_in_both(SocialStatusForm, {"supported": "yes", **group}) == {
            "social_group": (
                "Izvēlieties sociāli atbalstāmo grupu",
                "Choose the socially supported group",
            )
        }


PHONE_LIKE = (
    "Ievadiet tālruņa numuru šādi: 2612 3456 vai +371 2612 3456",
    "Enter a phone number like 2612 3456 or +371 2612 3456",
)
EMAIL_LIKE = (
    "Ievadiet e-pasta adresi šādi: vards@piemers.lv",
    "Enter an e-mail address like name@example.lv",
)


def test_contact_details_are_required_and_look_right() -> None:
    good = ok(ContactForm, {"phone": " +371 2612-3456 ", "email": "a@b.lv", "version": "4"})
    assert (good.phone, good.email, good.version) == ("+371 2612-3456", "a@b.lv", 4)
    assert errors_in_both(ContactForm, {}) == {
        "phone": ("Ievadiet tālruņa numuru", "Enter a phone number"),
        "email": ("Ievadiet e-pasta adresi", "Enter an e-mail address"),
    }
    for phone in ("1234567", "2612 345x", "+1234567890123456"):
        assert errors_in_both(ContactForm, {"phone": phone, "email": "a@b.lv"}) == {
            "phone": PHONE_LIKE
        }
    for email in ("ab.lv", "a@b", "a@lv"):
        assert errors_in_both(ContactForm, {"phone": "26123456", "email": email}) == {
            "email": EMAIL_LIKE
        }


def test_the_services_contact_refusal_lands_at_the_fields_it_names() -> None:
    def refusal(*locs: list[str]) -> ApiProblem:
        errors = [{"loc": loc} for loc in locs]
        return ApiProblem(422, "validation_error", "", {"extra": {"errors": errors}})

    assert ContactForm.refused(refusal(["body", "phone"])).items() == [("phone", PHONE_LIKE[0])]
    assert ContactForm.refused(refusal(["body", "email"])).items() == [("email", EMAIL_LIKE[0])]
    assert ContactForm.refused(refusal()).items() == [("email", EMAIL_LIKE[0])]


# --- after submission ----------------------------------------------------------------------


def test_receipt_must_be_confirmed() -> None:
    assert ok(ReceiptForm, {"received": "yes", "version": "9"}).version == 9
    assert errors_in_both(ReceiptForm, {"version": "9"}) == {
        "received": (
            "Apstipriniet, ka esat saņēmis resursu",
            "Confirm that you have received the resource",
        )
    }


def test_an_incident_report_says_what_when_and_how() -> None:
    today = today_in_latvia()
    report = ok(
        IncidentForm,
        {"kind": "stolen", "description": "  Nozagts autobusā  ", "occurred_on": "31.08.2026."},
    )
    assert report.incident_kind is IncidentKind.STOLEN
    assert report.description == "Nozagts autobusā"
    assert report.occurred_on == dt.date(2026, 8, 31) or today < dt.date(2026, 8, 31)
    iso = ok(IncidentForm, {"kind": "lost", "description": "x" * 10, "occurred_on": "2025-01-02"})
    assert iso.occurred_on == dt.date(2025, 1, 2)
    assert ok(IncidentForm, {"kind": "lost", "description": "x" * 4000}).occurred_on is None

    assert errors_in_both(IncidentForm, {"description": "short"}) == {
        "kind": (
            "Norādiet, vai resurss ir pazaudēts vai nozagts",
            "Say whether the resource was lost or stolen",
        ),
        "description": (
            "Aprakstiet, kas notika (vismaz 10 rakstzīmes)",
            "Describe what happened (at least 10 characters)",
        ),
    }
    long = errors_in_both(IncidentForm, {"kind": "lost", "description": "x" * 4001})
    assert long == {
        "description": (
            "Apraksts var būt ne garāks par 4000 rakstzīmēm",
            "The description can be at most 4000 characters long",
        )
    }
    base = {"kind": "lost", "description": "x" * 10}
    for bad in ("31.13.2026", "vakar", "2026-02-30"):
        assert errors_in_both(IncidentForm, {**base, "occurred_on": bad}) == {
            "occurred_on": ("Ievadiet datumu šādi: 31.08.2026.", "Enter the date like 31.08.2026.")
        }
    tomorrow = (today + dt.timedelta(days=1)).strftime("%d.%m.%Y")
    assert errors_in_both(IncidentForm, {**base, "occurred_on": tomorrow}) == {
        "occurred_on": ("Datums nevar būt nākotnē", "The date cannot be in the future")
    }
