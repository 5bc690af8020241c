"""Names and messages of the resource-application pages, in the page's
language. The words of statuses, resource types and target groups, and the
status tag colours, are ``edu_portal.labels`` (over ``edu_contracts.labels``,
which the applications service's answers and exports use too)."""

from __future__ import annotations

from edu_contracts.applications import ApplicantRole, ApplicationStatus
from edu_contracts.registry import IneligibilityReason

from edu_portal.web.i18n import _

S = ApplicationStatus


# What a citizen may do in each status. The applications service is the
# authority (it refuses anything else with 409); these only decide which
# buttons a page offers, mirroring its state machine
# (tests/test_portal_application_texts.py keeps the two from drifting). A
# draft's contact details are changed in the wizard, not on this page.
WITHDRAWABLE = frozenset(
    {S.DRAFT, S.BEING_VERIFIED, S.SUBMITTED, S.POSTPONED, S.GRANTED, S.READY_FOR_ISSUE}
)
CONTACT_EDITABLE = frozenset(
    {S.BEING_VERIFIED, S.SUBMITTED, S.POSTPONED, S.GRANTED, S.READY_FOR_ISSUE, S.ISSUED}
)


def role_names() -> dict[ApplicantRole, str]:
    return {
        ApplicantRole.PARENT_OR_GUARDIAN: _("A parent or guardian, for my child"),
        ApplicantRole.ADULT_LEARNER: _("An adult learner, for myself"),
        ApplicantRole.EMPLOYEE: _("An employee of an education institution, for myself"),
    }


def social_group_names() -> dict[str, str]:
    return {
        "needy": _("Needy family"),
        "low_income": _("Low-income family"),
        "large_family": _("Large family"),
        "orphan_or_without_parental_care": _("Orphan or child left without parental care"),
        "disability": _("Child or person with a disability"),
        "foster_family": _("Child placed in a foster family"),
        "other": _("Another socially supported group"),
    }


def incident_kind_names() -> dict[str, str]:
    return {"lost": _("Lost"), "stolen": _("Stolen")}


def document_kind_names() -> dict[str, str]:
    return {
        "handover_act": _("Handover act"),
        "return_act": _("Return act"),
    }


def decision_names() -> dict[str, str]:
    return {"grant": _("Granted"), "refuse": _("Refused"), "postpone": _("Review postponed")}


def actor_role_names() -> dict[str, str]:
    return {"citizen": _("Applicant"), "staff": _("Institution"), "system": _("VIIS")}


def rejection_reason_names() -> dict[str, str]:
    """Why verification against the registers rejected an application."""
    r = IneligibilityReason
    return {
        r.NOT_REPRESENTED: _("The registers do not show you as the learner's representative."),
        r.LEARNER_NOT_MINOR: _("The learner is of age and applies for themself."),
        r.APPLICANT_NOT_ADULT: _("Learners under 18 apply through a parent or guardian."),
        r.NOT_ENROLLED: _("The learner does not study at this institution."),
        r.NOT_EMPLOYED: _("The registers do not show you employed at this institution."),
        r.INSTITUTION_UNKNOWN: _("The institution is not in the registers."),
        r.INSTITUTION_NOT_ELIGIBLE: _("This institution cannot receive resource applications."),
        r.INSTITUTION_NOT_ACCEPTING: _(
            "This institution is not accepting resource applications at the moment."
        ),
        r.RESOURCE_NOT_OFFERED: _("The institution no longer lends this resource."),
        r.TARGET_GROUP_MISMATCH: _(
            "This resource is only for learners of socially supported groups."
        ),
    }


def refusal_message(reason: str) -> str | None:
    """A person's message for a refusal of the API the person can cause, or None."""
    messages = {
        "not_represented": _("The registers do not show that you represent this person"),
        "personal_code_format": _("Enter a valid personal code, like 123456-12345"),
        "personal_code_date": _("Enter a valid personal code, like 123456-12345"),
        "personal_code_checksum": _("Enter a valid personal code, like 123456-12345"),
        "applicant_not_adult": _("Learners under 18 apply through a parent or guardian."),
        "not_enrolled": _("The registers show no institution where you study now."),
        "not_employed": _("The registers show no institution where you work now."),
        "institution_not_accepting": _(
            "This institution is not accepting resource applications at the moment. "
            "Choose another institution or apply later."
        ),
        "institution_not_eligible": _(
            "Applications can be made only to state and municipal institutions that run "
            "general or vocational education programmes."
        ),
        "institution_not_available": _("The learner does not study at this institution."),
        "institution_not_found": _("The institution is not in the registers."),
        "resource_not_offered": _("The institution does not lend this resource."),
        "target_group_mismatch": _(
            "This resource is only for learners of socially supported groups. "
            "Choose another resource, or change your answer about the social status."
        ),
        "social_group_required": _("Choose the socially supported group"),
        "documents_not_acknowledged": _(
            "The documents have changed. Read them again and confirm that you have read them."
        ),
    }
    return messages.get(reason)
