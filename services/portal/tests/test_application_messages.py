"""The application page's "Messages sent" section (issue #23 point 5): what
was sent and when, newest first as the API gives it, or a line saying nothing
was sent yet; in Latvian and English."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from edu_contracts.applications_api import ApplicationView
from edu_portal.labels import TAG_MODIFIERS, status_labels
from edu_portal.web.i18n import Lang, set_lang
from edu_portal.web.templates import build_environment


def application(messages: list[dict[str, Any]]) -> ApplicationView:
    now = dt.datetime(2026, 9, 1, 9, 30, tzinfo=dt.UTC)
    return ApplicationView.model_validate(
        {
            "id": str(uuid.uuid4()),
            "reference": "IR-7K3M-Q9TX",
            "version": 4,
            "status": "granted",
            "created_at": now,
            "updated_at": now,
            "role": "parent_or_guardian",
            "learner": {"full_name": "Jānis Bērziņš"},
            "messages": messages,
        }
    )


def content(app: ApplicationView, lang: Lang) -> str:
    """The page's content block, rendered as the page renders it."""
    set_lang(lang)
    try:
        env = build_environment()
        template = env.get_template("applications/application.html")
        context = template.new_context(
            {
                # The page's imports (a block rendered alone does not run them).
                "m": env.get_template("applications/_macros.html").module,
                "forms": env.get_template("layout/forms.html").module,
                "app": app,
                "status_labels": status_labels(),
                "tag_classes": TAG_MODIFIERS,
                "can_withdraw": False,
                "can_edit_contact": False,
                "can_confirm_receipt": False,
                "can_report": False,
                "role_names": {"parent_or_guardian": "-"},
                "groups": {},
                "type_names": {},
                "kind_names": {},
                "incident_names": {},
                "decision_names": {},
                "actor_names": {},
                "rejection_names": {},
            }
        )
        return "".join(template.blocks["content"](context))
    finally:
        set_lang(Lang.LV)


SENT = [
    {
        "kind": "granted",
        "subject": "Pieteikums IR-7K3M-Q9TX ir apstiprināts",
        "sent_at": "2026-09-02T08:00:00Z",
        "channel": "email",
    },
    {
        "kind": "submitted",
        "subject": "Pieteikums IR-7K3M-Q9TX ir iesniegts",
        "sent_at": "2026-09-01T09:30:00Z",
        "channel": "email",
    },
]


@pytest.mark.parametrize(("lang", "heading"), [(Lang.LV, "Paziņojumi"), (Lang.EN, "Messages sent")])
def test_the_page_lists_each_message_sent_newest_first(lang: Lang, heading: str) -> None:
    html = content(application(SENT), lang)
    assert f"<h2>{heading}</h2>" in html
    section = html[html.index(heading) :]
    granted = section.index("Pieteikums IR-7K3M-Q9TX ir apstiprināts")
    assert granted < section.index("Pieteikums IR-7K3M-Q9TX ir iesniegts")


def test_the_page_says_when_nothing_was_sent_yet() -> None:
    assert "Par šo pieteikumu vēl nav nosūtīts neviens paziņojums." in content(
        application([]), Lang.LV
    )
    assert "No messages have been sent about this application yet." in content(
        application([]), Lang.EN
    )
