"""Every text a person reads in a message, in Latvian and English: one entry
per kind of message (subject, paragraphs), and the plain-text and HTML bodies
built from them. Placeholders: ``{ref}`` the application number, ``{reason}``,
``{until}``, ``{date}``; the daily digest's ``{count}`` and ``{refs}`` (the
numbers of the applications, comma-separated)."""

from __future__ import annotations

import datetime as dt
from html import escape

from edu_contracts.documents import Language
from edu_contracts.notifications import MessageKind

LV = Language.LV
EN = Language.EN

TEXTS: dict[MessageKind, dict[Language, tuple[str, tuple[str, ...]]]] = {
    MessageKind.SUBMITTED: {
        LV: (
            "Pieteikums {ref} ir iesniegts",
            (
                "Jūsu pieteikums {ref} ir iesniegts izglītības iestādei.",
                "Kad iestāde pieņems lēmumu, mēs jums par to paziņosim.",
            ),
        ),
        EN: (
            "Application {ref} has been submitted",
            (
                "Your application {ref} has been submitted to the educational institution.",
                "We will let you know when the institution has made its decision.",
            ),
        ),
    },
    MessageKind.VERIFICATION_REJECTED: {
        LV: (
            "Pieteikums {ref} netika pieņemts",
            (
                "Pārbaudot valsts reģistru datus, pieteikums {ref} neatbilst nosacījumiem, "
                "tāpēc tas netika nodots iestādei.",
                "Sīkāk skatiet pieteikuma lapā.",
            ),
        ),
        EN: (
            "Application {ref} was not accepted",
            (
                "Checked against the state registers, application {ref} does not meet the "
                "conditions, so it was not passed to the institution.",
                "See the application's page for details.",
            ),
        ),
    },
    MessageKind.GRANTED: {
        LV: (
            "Pieteikums {ref} ir apstiprināts",
            (
                "Iestāde ir apstiprinājusi jūsu pieteikumu {ref}.",
                "Kad resurss būs gatavs izsniegšanai, mēs jums paziņosim.",
            ),
        ),
        EN: (
            "Application {ref} has been granted",
            (
                "The institution has granted your application {ref}.",
                "We will let you know when the resource is ready to be issued.",
            ),
        ),
    },
    MessageKind.REFUSED: {
        LV: (
            "Pieteikums {ref} ir atteikts",
            ("Iestāde ir atteikusi jūsu pieteikumu {ref}.", "Iemesls: {reason}"),
        ),
        EN: (
            "Application {ref} has been refused",
            ("The institution has refused your application {ref}.", "Reason: {reason}"),
        ),
    },
    MessageKind.POSTPONED: {
        LV: (
            "Lēmums par pieteikumu {ref} ir atlikts",
            (
                "Iestāde ir atlikusi lēmumu par jūsu pieteikumu {ref} līdz {until}.",
                "Iemesls: {reason}",
            ),
        ),
        EN: (
            "The decision on application {ref} has been postponed",
            (
                "The institution has postponed its decision on your application {ref} "
                "until {until}.",
                "Reason: {reason}",
            ),
        ),
    },
    MessageKind.READY_FOR_ISSUE: {
        LV: (
            "Gatavs izsniegšanai: pieteikums {ref}",
            (
                "Resurss pēc jūsu pieteikuma {ref} ir gatavs izsniegšanai.",
                "Dodoties uz iestādi, ņemiet līdzi tālruni vai planšetdatoru: ar to "
                "saņemšanu apstiprināsiet portālā.",
            ),
        ),
        EN: (
            "Ready for issue: application {ref}",
            (
                "The resource you applied for with application {ref} is ready to be issued.",
                "When you go to the institution, take your phone or tablet with you: you "
                "confirm receipt on it in the portal.",
            ),
        ),
    },
    MessageKind.HANDOVER_ACT_READY: {
        LV: (
            "Pieņemšanas-nodošanas akts: pieteikums {ref}",
            (
                "Pieņemšanas-nodošanas akts pēc pieteikuma {ref} ir sagatavots.",
                "To var apskatīt un lejupielādēt portālā.",
            ),
        ),
        EN: (
            "Handover act: application {ref}",
            (
                "The handover act for application {ref} is ready.",
                "You can view and download it in the portal.",
            ),
        ),
    },
    MessageKind.RETURN_RECORDED: {
        LV: (
            "Resursa atgriešana reģistrēta: pieteikums {ref}",
            (
                "Iestāde ir reģistrējusi resursa atgriešanu pēc pieteikuma {ref}.",
                "Atgriešanas akts ir pieejams portālā.",
            ),
        ),
        EN: (
            "Return recorded: application {ref}",
            (
                "The institution has recorded the return of the resource for application {ref}.",
                "The return act is available in the portal.",
            ),
        ),
    },
    MessageKind.LOSS_REPORTED: {
        LV: (
            "Ziņojums saņemts: pieteikums {ref}",
            (
                "Jūsu ziņojums par pazaudētu vai nozagtu resursu (pieteikums {ref}) ir saņemts.",
                "Iestāde ar jums sazināsies par turpmāko rīcību.",
            ),
        ),
        EN: (
            "Report received: application {ref}",
            (
                "Your report of a lost or stolen resource (application {ref}) has been received.",
                "The institution will contact you about what happens next.",
            ),
        ),
    },
    MessageKind.DELETION_NOTICE: {
        LV: (
            "Pieteikums {ref} tiks dzēsts {date}",
            (
                "Jūsu pieteikums {ref} un tā dokumenti tiks dzēsti {date}.",
                "Ja dokumenti jums vēl ir vajadzīgi, lejupielādējiet tos līdz šim datumam.",
            ),
        ),
        EN: (
            "Application {ref} will be deleted on {date}",
            (
                "Your application {ref} and its documents will be deleted on {date}.",
                "If you still need the documents, download them before that date.",
            ),
        ),
    },
    MessageKind.DAILY_DIGEST: {
        LV: (
            "Jauni pieteikumi {date}: {count}",
            (
                "Iestādē {date} iesniegto jauno resursu pieteikumu skaits: {count}.",
                "Pieteikumu numuri: {refs}.",
                "Pieteikumus var izskatīt portāla iesniegumu sarakstā.",
            ),
        ),
        EN: (
            "New applications on {date}: {count}",
            (
                "New resource applications submitted to the institution on {date}: {count}.",
                "Application numbers: {refs}.",
                "You can review them in the applications list of the portal.",
            ),
        ),
    },
}

LINK_LABEL = {LV: "Atvērt portālā", EN: "Open in the portal"}
GREETING = {LV: "Labdien!", EN: "Hello,"}
FOOTER = {
    LV: "Šī ir automātiska vēstule no izglītības e-pakalpojumiem; uz to nav jāatbild.",
    EN: "This is an automatic message from the education e-services; please do not reply.",
}
NO_REASON = {LV: "nav norādīts", EN: "not given"}
UNNUMBERED = {LV: "(bez numura)", EN: "(no number)"}

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(day: dt.date, language: Language) -> str:
    """How a person in that language writes the date: 03.12.2026. / 3 December 2026."""
    if language is EN:
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day:%d.%m.%Y}."


def render(
    kind: MessageKind, language: Language, values: dict[str, str], link: str
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of one message; ``values`` are plain text
    (escaped here for the HTML)."""
    subject_t, paragraphs_t = TEXTS[kind][language]
    subject = subject_t.format(**values)
    paragraphs = [p.format(**values) for p in paragraphs_t]
    text = "\n\n".join(
        [GREETING[language], *paragraphs, f"{LINK_LABEL[language]}: {link}", FOOTER[language]]
    )
    html_paragraphs = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (
        f'<!DOCTYPE html><html lang="{language.value}"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head><body>"
        f"<p>{escape(GREETING[language])}</p>{html_paragraphs}"
        f'<p><a href="{escape(link)}">{escape(LINK_LABEL[language])}</a></p>'
        f'<p style="color:#505a5f">{escape(FOOTER[language])}</p></body></html>'
    )
    return subject, text + "\n", html
