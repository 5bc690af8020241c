"""Names shown on the My data pages, in the page's language. The five block
names are the seeds' (part A step 4), in their order."""

from __future__ import annotations

from edu_contracts.my_data import RepresentationBasis

from edu_portal.web.i18n import _

BLOCK_ORDER = ("person", "institutions", "documents", "scholarships", "preschool_queue")


def block_names() -> dict[str, str]:
    return {
        "person": _("Information about the person"),
        "institutions": _("The person's education institutions"),
        "documents": _("Education documents"),
        "scholarships": _("Scholarships"),
        "preschool_queue": _("Queue for a pre-school institution"),
    }


def basis_names() -> dict[str, str]:
    return {
        RepresentationBasis.SELF: _("About myself"),
        RepresentationBasis.MINOR_CHILD: _("My minor child"),
        RepresentationBasis.CUSTODY: _("A person in my custody"),
        RepresentationBasis.GUARDIANSHIP: _("A person under my guardianship"),
    }


def purpose_names() -> dict[str, str]:
    return {
        "my_data": _("Viewed in the e-service"),
        "my_data_pdf": _("Saved as PDF"),
    }


def no_data_message() -> str:
    return _(
        "No information about this person is available in the State Education Information System"
    )
