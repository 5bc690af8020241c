# ruff: noqa: RUF001 - Latvian typography uses the en dash ("turpmāk ... Iestāde") on purpose
"""Every user-facing text of the PDFs, in Latvian and English.

The My-data headings and the no-data message are quoted from the e-service
description (seeds part A) and must stay exactly as they are.
"""

from __future__ import annotations

from edu_contracts.documents import DocumentKind, Language
from edu_contracts.my_data import RepresentationBasis

LV = Language.LV
EN = Language.EN

TEXTS: dict[Language, dict[str, str]] = {
    LV: {
        # shared
        "page": "Lapa {page} no {pages}",
        "number": "Nr. {number}",
        "application": "Iesniegums {reference}",
        "number_label": "Dokumenta numurs",
        "system": "Valsts izglītības informācijas sistēma",
        "verify_note": "Dokumenta autentiskumu var pārbaudīt pēc tā numura un SHA-256 "
        "kontrolsummas.",
        "sample_banner": "PARAUGS – iepazīšanās nolūkiem pirms pieteikuma iesniegšanas, "
        "nav derīgs dokuments",
        "sample_mark": "PARAUGS",
        "time_zone": "(Rīgas laiks)",
        # handover act
        f"title.{DocumentKind.HANDOVER_ACT}": "Pieņemšanas-nodošanas akts",
        f"subject.{DocumentKind.HANDOVER_ACT}": "Izglītības resursa nodošana individuālai "
        "lietošanai",
        "handover.intro": "{institution} (turpmāk – Iestāde) nodod un resursa saņēmējs pieņem "
        "individuālai lietošanai ārpus Iestādes šādu izglītības resursu.",
        "institution": "Izglītības iestāde",
        "institution.name": "Nosaukums",
        "institution.registration_number": "Reģistrācijas numurs",
        "institution.address": "Adrese",
        "recipient": "Resursa saņēmējs",
        "learner": "Izglītojamais",
        "person.name": "Vārds, uzvārds",
        "person.code": "Personas kods",
        "item.handed_over": "Nodotais resurss",
        "item.returned": "Atgrieztais resurss",
        "item.resource_type": "Resursa veids",
        "item.model": "Modelis",
        "item.inventory_number": "Inventāra numurs",
        "item.serial_number": "Sērijas numurs",
        "accepted": "Saņēmēja apstiprinātie dokumenti",
        "accepted.intro": "Resursa saņēmējs ir iepazinies ar šiem dokumentiem un apņemas "
        "tos ievērot:",
        "accepted.item": "{title}, versija {version}",
        "confirmation": "Elektronisks apstiprinājums",
        "confirmation.by": "Saņemšanu apstiprināja",
        "confirmation.at": "Apstiprināšanas laiks",
        "confirmation.method": "Autentifikācijas veids",
        "confirmation.note": "Resursa saņemšana apstiprināta elektroniski portālā Latvija.lv "
        "pēc personas autentifikācijas. Elektronisks apstiprinājums aizstāj parakstu.",
        "auth.bank": "internetbanka",
        "auth.eparaksts": "eParaksts",
        "auth.eid": "eID karte",
        # return act
        f"title.{DocumentKind.RETURN_ACT}": "Resursa atgriešanas akts",
        f"subject.{DocumentKind.RETURN_ACT}": "Izglītības resursa atgriešana izglītības iestādē",
        "return.intro": "Izglītības resurss atgriezts Iestādei: {institution}.",
        "returned_by": "Resursu atgrieza",
        "return.condition": "Stāvoklis un pieņemšana",
        "return.condition_label": "Resursa stāvoklis",
        "return.note": "Piezīmes",
        "return.received_by": "Pieņēma",
        "return.returned_at": "Atgriešanas laiks",
        "condition.good": "labā stāvoklī",
        "condition.damaged": "bojāts",
        "condition.incomplete": "nepilnā komplektācijā",
        "condition.lost": "nozaudēts",
        "condition.stolen": "nozagts",
        # my-data printout
        f"title.{DocumentKind.MY_DATA_PRINTOUT}": "Mani dati izglītības reģistros",
        f"subject.{DocumentKind.MY_DATA_PRINTOUT}": "Izdruka no Valsts izglītības "
        "informācijas sistēmas",
        "mydata.extracted_at": "Izdrukas datums un laiks",
        "mydata.subject": "Persona",
        "mydata.basis": "Pieprasījums",
        "mydata.no_data": "Valsts izglītības informācijas sistēmā nav pieejama informācija "
        "par šo personu",
        f"basis.{RepresentationBasis.SELF}": "par sevi",
        f"basis.{RepresentationBasis.MINOR_CHILD}": "par nepilngadīgu bērnu",
        f"basis.{RepresentationBasis.CUSTODY}": "par personu aizgādnībā",
        f"basis.{RepresentationBasis.GUARDIANSHIP}": "par personu aizbildnībā",
        "block.person": "Informācija par personu",
        "block.institutions": "Personas izglītības iestādes",
        "block.documents": "Izglītības dokumenti",
        "block.scholarships": "Stipendijas",
        "block.preschool_queue": "Rinda pirmsskolas iestādē",
        "person.given_name": "Vārds",
        "person.family_name": "Uzvārds",
        "person.birth_date": "Dzimšanas datums",
        "col.institution": "Izglītības iestāde",
        "col.programme": "Izglītības programma",
        "col.class_group": "Klase / grupa",
        "col.from": "No",
        "col.to": "Līdz",
        "col.document_type": "Dokumenta veids",
        "col.series_and_number": "Sērija un numurs",
        "col.issue_date": "Izsniegts",
        "col.qualification": "Programma / kvalifikācija",
        "col.scholarship_type": "Stipendijas veids",
        "col.amount": "Summa, EUR",
        "col.registered_on": "Reģistrēts rindā",
        "col.desired_start": "Vēlamais uzsākšanas datums",
        "col.position": "Vieta rindā",
        # usage rules (step-5 document)
        # stocktake report (#22)
        "title.stocktake": "Inventarizācijas pārskats",
        "subject.stocktake": "Izglītības resursu inventarizācija",
        "stocktake.started": "Sākta",
        "stocktake.finished": "Pabeigta",
        "stocktake.not_finished": "Nav pabeigta",
        "stocktake.counts": "Gaidīti {expected}, redzēti {seen}, nav redzēti {missing}",
        "stocktake.missing": "Nav redzēti",
        "stocktake.none_missing": "Visi gaidītie resursi ir redzēti.",
        "stocktake.seen": "Redzēti",
        "stocktake.inventory": "Inventāra numurs",
        "stocktake.serial": "Sērijas numurs",
        "stocktake.model": "Modelis",
        "stocktake.seen_at": "Redzēts",
        "stocktake.seen_by": "Atzīmēja",
        "title.usage_rules": "Izglītības resursa lietošanas noteikumi",
        "subject.usage_rules": "Noteikumi, kurus resursa saņēmējs apstiprina, saņemot resursu",
        "usage_rules.version": "Versija {version}",
        "usage_rules.1": "Izglītības iestāde nodod izglītības resursu (turpmāk – resurss) "
        "individuālai lietošanai mācību vajadzībām ārpus izglītības iestādes.",
        "usage_rules.2": "Resursa saņēmējs rūpējas par resursa saglabāšanu, lieto to atbilstoši "
        "paredzētajam mērķim un nenodod to lietošanā trešajām personām.",
        "usage_rules.3": "Resursu aizliegts pārdot, ieķīlāt, izīrēt vai citādi atsavināt.",
        "usage_rules.4": "Ja resurss ir bojāts, nozaudēts vai nozagts, resursa saņēmējs par to "
        "nekavējoties informē izglītības iestādi, e-pakalpojumā atverot pieteikumu un "
        "iesniedzot notikušā aprakstu.",
        "usage_rules.5": "Resursu atgriež izglītības iestādē pēc tās pieprasījuma vai, beidzot "
        "mācības iestādē, pilnā komplektācijā un labā stāvoklī, ņemot vērā dabisko nolietojumu.",
        "usage_rules.6": "Pēc resursa atgriešanas pieteikums un tā dokumenti ir pieejami "
        "25 mēnešus, pēc tam tie tiek automātiski dzēsti.",
        "usage_rules.confirm": "Saņemot resursu, saņēmējs šos noteikumus apstiprina e-pakalpojumā "
        "elektroniski; tie nav jādrukā un jāparaksta.",
    },
    EN: {
        "page": "Page {page} of {pages}",
        "number": "No. {number}",
        "application": "Application {reference}",
        "number_label": "Document number",
        "system": "State Education Information System",
        "verify_note": "The authenticity of this document can be checked by its number and "
        "SHA-256 checksum.",
        "sample_banner": "SAMPLE – for reading before you apply; not a valid document",
        "sample_mark": "SAMPLE",
        "time_zone": "(Riga time)",
        f"title.{DocumentKind.HANDOVER_ACT}": "Handover-acceptance act",
        f"subject.{DocumentKind.HANDOVER_ACT}": "Handover of an education resource for "
        "individual use",
        "handover.intro": "{institution} (the Institution) hands over, and the recipient "
        "accepts, the following education resource for individual use outside the "
        "Institution.",
        "institution": "Education institution",
        "institution.name": "Name",
        "institution.registration_number": "Registration number",
        "institution.address": "Address",
        "recipient": "Recipient",
        "learner": "Learner",
        "person.name": "Name",
        "person.code": "Personal code",
        "item.handed_over": "Resource handed over",
        "item.returned": "Resource returned",
        "item.resource_type": "Resource type",
        "item.model": "Model",
        "item.inventory_number": "Inventory number",
        "item.serial_number": "Serial number",
        "accepted": "Documents accepted by the recipient",
        "accepted.intro": "The recipient has read these documents and undertakes to comply "
        "with them:",
        "accepted.item": "{title}, version {version}",
        "confirmation": "Electronic confirmation",
        "confirmation.by": "Receipt confirmed by",
        "confirmation.at": "Confirmed at",
        "confirmation.method": "Authentication method",
        "confirmation.note": "Receipt of the resource was confirmed electronically on the "
        "Latvija.lv portal after the person was authenticated. The electronic confirmation "
        "takes the place of a signature.",
        "auth.bank": "internet bank",
        "auth.eparaksts": "eParaksts",
        "auth.eid": "eID card",
        f"title.{DocumentKind.RETURN_ACT}": "Resource return act",
        f"subject.{DocumentKind.RETURN_ACT}": "Return of an education resource to the institution",
        "return.intro": "The education resource was returned to the Institution: {institution}.",
        "returned_by": "Returned by",
        "return.condition": "Condition and receipt",
        "return.condition_label": "Condition of the resource",
        "return.note": "Notes",
        "return.received_by": "Received by",
        "return.returned_at": "Returned at",
        "condition.good": "good",
        "condition.damaged": "damaged",
        "condition.incomplete": "incomplete",
        "condition.lost": "lost",
        "condition.stolen": "stolen",
        f"title.{DocumentKind.MY_DATA_PRINTOUT}": "My data in the education registers",
        f"subject.{DocumentKind.MY_DATA_PRINTOUT}": "Extract from the State Education "
        "Information System",
        "mydata.extracted_at": "Date and time of the extract",
        "mydata.subject": "Person",
        "mydata.basis": "Request",
        "mydata.no_data": "No information about this person is available in the State "
        "Education Information System",
        f"basis.{RepresentationBasis.SELF}": "about myself",
        f"basis.{RepresentationBasis.MINOR_CHILD}": "about my minor child",
        f"basis.{RepresentationBasis.CUSTODY}": "about a person under my custody",
        f"basis.{RepresentationBasis.GUARDIANSHIP}": "about a person under my guardianship",
        "block.person": "Information about the person",
        "block.institutions": "The person's education institutions",
        "block.documents": "Education documents",
        "block.scholarships": "Scholarships",
        "block.preschool_queue": "Queue for a pre-school institution",
        "person.given_name": "Given name",
        "person.family_name": "Family name",
        "person.birth_date": "Date of birth",
        "col.institution": "Education institution",
        "col.programme": "Education programme",
        "col.class_group": "Class / group",
        "col.from": "From",
        "col.to": "To",
        "col.document_type": "Document type",
        "col.series_and_number": "Series and number",
        "col.issue_date": "Issued",
        "col.qualification": "Programme / qualification",
        "col.scholarship_type": "Scholarship type",
        "col.amount": "Amount, EUR",
        "col.registered_on": "Registered in the queue",
        "col.desired_start": "Desired start date",
        "col.position": "Position in the queue",
        # stocktake report (#22)
        "title.stocktake": "Stocktake report",
        "subject.stocktake": "Stocktake of education resources",
        "stocktake.started": "Started",
        "stocktake.finished": "Finished",
        "stocktake.not_finished": "Not finished",
        "stocktake.counts": "Expected {expected}, seen {seen}, not seen {missing}",
        "stocktake.missing": "Not seen",
        "stocktake.none_missing": "Every expected resource was seen.",
        "stocktake.seen": "Seen",
        "stocktake.inventory": "Inventory number",
        "stocktake.serial": "Serial number",
        "stocktake.model": "Model",
        "stocktake.seen_at": "Seen at",
        "stocktake.seen_by": "Marked by",
        "title.usage_rules": "Terms of use of the education resource",
        "subject.usage_rules": "Terms the recipient confirms on receiving the resource",
        "usage_rules.version": "Version {version}",
        "usage_rules.1": "The education institution lends the education resource (the "
        "resource) for individual use for learning purposes outside the institution.",
        "usage_rules.2": "The recipient looks after the resource, uses it for its intended "
        "purpose and does not let third parties use it.",
        "usage_rules.3": "The resource must not be sold, pledged, rented out or otherwise "
        "disposed of.",
        "usage_rules.4": "If the resource is damaged, lost or stolen, the recipient informs the "
        "institution without delay by opening the application in the e-service and "
        "submitting a description of what happened.",
        "usage_rules.5": "The resource is returned to the institution when it asks for it or "
        "when the learner leaves the institution, complete and in good condition, allowing "
        "for normal wear.",
        "usage_rules.6": "After the resource is returned, the application and its documents "
        "remain available for 25 months and are then deleted automatically.",
        "usage_rules.confirm": "On receiving the resource the recipient confirms these terms "
        "electronically in the e-service; they are not printed or signed.",
    },
}

USAGE_RULE_KEYS = tuple(f"usage_rules.{n}" for n in range(1, 7))
CONDITIONS = ("good", "damaged", "incomplete", "lost", "stolen")


def text(language: Language, key: str, **values: object) -> str:
    template = TEXTS[language][key]
    return template.format(**values) if values else template
