"""Import presets: recognise a file's origin and map its columns onto our fields.

A preset lists, for each mapping target (``org.name``, ``person.email``…), the
column names that usually hold it in one kind of file (docs/import-formats.md
§3, §5). Headers are compared normalised (accents, case and punctuation folded), so
that a broker's ``TÉL.`` matches ``Tél``. The wizard shows the guessed mapping,
lets the user fix it, and may save it as a :class:`MappingProfile`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.directory.vcard_reader import VCARD_FIELDS
from microcrm.text import fold

TARGET_LABELS: Final[dict[str, str]] = {
    "org.name": "Raison sociale",
    "org.enseigne": "Enseigne",
    "org.siret": "SIRET",
    "org.siren": "SIREN",
    "org.naf_code": "Code NAF",
    "org.headcount": "Effectif (nombre ou tranche)",
    "org.headcount_code": "Tranche d'effectif INSEE (code)",
    "org.legal_form": "Forme juridique",
    "org.phone": "Téléphone de l'organisation",
    "org.fax": "Télécopie",
    "org.email": "E-mail de l'organisation",
    "org.emails_other": "Autres e-mails de l'organisation",
    "org.website": "Site Internet",
    "person.civility": "Civilité",
    "person.first_name": "Prénom",
    "person.last_name": "Nom",
    "person.full_name": "Dirigeant ou contact (nom complet)",
    "person.role": "Fonction",
    "person.email": "E-mail du contact",
    "person.phone": "Téléphone du contact",
    "person.mobile": "Mobile du contact",
    "person.phone_home": "Téléphone du domicile",
    "person.fax": "Télécopie du contact",
    "person.emails_other": "Autres e-mails du contact",
    "person.website": "Site ou profil du contact",
    "address.line1": "Adresse (ligne 1)",
    "address.line2": "Adresse (ligne 2)",
    "address.line3": "Adresse (ligne 3)",
    "address.postcode": "Code postal",
    "address.city": "Ville",
    "address.country": "Pays",
    "home.line1": "Adresse personnelle (ligne 1)",
    "home.line2": "Adresse personnelle (ligne 2)",
    "home.line3": "Adresse personnelle (ligne 3)",
    "home.postcode": "Adresse personnelle : code postal",
    "home.city": "Adresse personnelle : ville",
    "home.country": "Adresse personnelle : pays",
    "notes": "Notes",
    "tags": "Catégories",
}
"""Every mapping target, in wizard order, with its French label."""

TARGETS: Final = tuple(TARGET_LABELS)

PRESET_LABELS: Final[dict[str, str]] = {
    "sirene": "Fichier SIRENE (INSEE)",
    "outlook": "Contacts Outlook",
    "google": "Contacts Google",
    "vcard": "Cartes de visite (vCard)",
    "linkedin": "Relations LinkedIn",
    "thunderbird": "Carnet d'adresses Thunderbird",
    "hubspot": "Contacts HubSpot (export CRM)",
    "broker": "Fichier de prospection (loueur de fichiers)",
    "persons": "Liste de personnes (sans société)",
    "generic": "Autre fichier",
}
"""Preset names and their French labels."""

ADDRESS_BOOKS: Final = frozenset(
    {"outlook", "google", "vcard", "linkedin", "thunderbird", "hubspot", "persons"}
)
"""Presets of address books: each row is a person, the company is where they work. Their
contacts enter as prospects, their notes are the person's, and a one-cell name
« Dupont, Jean » is a surname and a first name (not a name and a role, as a broker writes)."""

# Outlook: French desktop headers, newer-build and English aliases (§3). The two
# "Titre" columns are told apart by position: the readers name the second one
# "Titre (2)" (records.unique_headers).
_OUTLOOK: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Société", "Company"),
    "org.phone": ("Téléphone société", "Company Main Phone"),
    "org.fax": ("Télécopie (bureau)", "Business Fax"),
    "org.website": ("Page Web", "Web Page"),
    "person.civility": ("Titre", "Title"),
    "person.first_name": ("Prénom", "First Name"),
    "person.last_name": ("Nom", "Last Name"),
    # Outlook.com's export and some re-saved files hold the whole name in one column.
    "person.full_name": ("Nom complet", "Name", "Full Name"),
    "person.role": ("Titre (2)", "Job Title"),
    "person.email": ("Adresse de messagerie", "Adresse de courrier", "E-mail Address"),
    "person.phone": ("Téléphone (bureau)", "Business Phone"),
    "person.mobile": ("Tél. mobile", "Mobile Phone"),
    "person.phone_home": ("Téléphone (domicile)", "Home Phone"),
    "person.fax": ("Télécopie (domicile)", "Home Fax"),
    # The third address (« Adresse de messagerie 3 ») has no field: it goes to the notes.
    "person.emails_other": (
        "Adresse de messagerie 2",
        "Adresse de courrier 2",
        "Autre adresse de messagerie",
        "E-mail 2 Address",
    ),
    "person.website": ("Personal Web Page",),
    "address.line1": ("Rue (bureau)", "Business Street"),
    "address.line2": ("Rue (bureau) 2", "Business Street 2"),
    "address.line3": ("Rue (bureau) 3", "Business Street 3"),
    "address.postcode": ("Code postal (bureau)", "Business Postal Code"),
    "address.city": ("Ville (bureau)", "Business City"),
    "address.country": (
        "Pays/Région (bureau)",
        "Pays (bureau)",
        "Business Country/Region",
        "Business Country",
    ),
    "home.line1": ("Rue (domicile)", "Home Street"),
    "home.line2": ("Rue (domicile) 2", "Home Street 2"),
    "home.line3": ("Rue (domicile) 3", "Home Street 3"),
    "home.postcode": ("Code postal (domicile)", "Home Postal Code"),
    "home.city": ("Ville (domicile)", "Home City"),
    "home.country": (
        "Pays/Région (domicile)",
        "Pays (domicile)",
        "Home Country/Region",
        "Home Country",
    ),
    "notes": ("Notes",),
    "tags": ("Catégories", "Categories"),
}

_GOOGLE: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Organization Name", "Organization 1 - Name"),
    "person.civility": ("Name Prefix",),
    "person.first_name": ("First Name", "Given Name"),
    "person.last_name": ("Last Name", "Family Name"),
    "person.full_name": ("Name",),  # older exports: the whole name first
    "person.role": ("Organization Title", "Organization 1 - Title"),
    "person.email": ("E-mail 1 - Value",),
    "person.emails_other": ("E-mail 2 - Value",),
    "person.phone": ("Phone 1 - Value",),
    "person.mobile": ("Phone 2 - Value",),
    "address.line1": ("Address 1 - Street",),
    "address.line2": ("Address 1 - Extended Address",),
    "address.line3": ("Address 1 - PO Box",),
    "address.postcode": ("Address 1 - Postal Code",),
    "address.city": ("Address 1 - City",),
    "address.country": ("Address 1 - Country",),
    "org.website": ("Website 1 - Value",),
    "notes": ("Notes",),
    "tags": ("Labels", "Group Membership"),
}

# vCard: the reader's own keys (vcard_reader.VCARD_FIELDS). A company card fills the org_*
# keys and no person key; home_* is the person's HOME address, mirroring the work one.
_VCARD: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("organisation",),
    "org.phone": ("org_phone",),
    "org.fax": ("fax",),
    "org.email": ("org_email",),
    "org.emails_other": ("org_emails_other",),
    "org.website": ("website",),
    "person.civility": ("civility",),
    "person.first_name": ("first_name",),
    "person.last_name": ("last_name",),
    "person.full_name": ("full_name",),
    "person.role": ("role",),
    "person.email": ("email",),
    "person.phone": ("phone_work",),
    "person.mobile": ("phone_mobile",),
    "person.phone_home": ("phone_home",),
    "person.emails_other": ("email_other",),
    "address.line1": ("street",),
    "address.line2": ("complement",),
    "address.line3": ("po_box",),
    "address.postcode": ("postcode",),
    "address.city": ("city",),
    "address.country": ("country",),
    "home.line1": ("home_street",),
    "home.line2": ("home_complement",),
    "home.line3": ("home_po_box",),
    "home.postcode": ("home_postcode",),
    "home.city": ("home_city",),
    "home.country": ("home_country",),
    "notes": ("notes",),
    "tags": ("categories",),
}

_SIRENE: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("name",),
    "org.enseigne": ("enseigne",),
    "org.siret": ("siret",),
    "org.siren": ("siren",),
    "org.naf_code": ("naf_code",),
    "org.headcount_code": ("headcount_code",),
    "org.legal_form": ("legal_form_code",),
    "address.line1": ("complement",),
    "address.line2": ("street",),
    # The address mail goes to (sirene_reader.mailing_address): the CEDEX line when the
    # establishment has one; files written before these columns existed fall back to the
    # geographic ones.
    "address.line3": ("mailing_service", "special_distribution"),
    "address.postcode": ("mailing_postcode", "postcode"),
    "address.city": ("mailing_city", "city"),
    "address.country": ("country",),
    "notes": ("notes",),
}

# List brokers have no standard (§3): synonyms, most usual first.
_BROKER: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Raison sociale", "Dénomination", "Société", "Nom entreprise", "Entreprise"),
    "org.enseigne": ("Enseigne", "Nom commercial"),
    "org.siret": ("SIRET", "N° SIRET", "Numéro SIRET"),
    "org.siren": ("SIREN", "N° SIREN"),
    "org.naf_code": ("Code NAF", "Code APE", "NAF", "APE", "Code NAF/APE"),
    "org.headcount": ("Effectif", "Tranche d'effectif", "Tranche effectif", "Effectifs"),
    "org.legal_form": ("Forme juridique",),
    "org.phone": ("Téléphone", "Tél", "Standard", "Tel", "Téléphone standard"),
    "org.fax": ("Fax", "Télécopie"),
    "org.email": ("E-mail", "Email", "Mail", "Adresse e-mail"),
    "org.website": ("Site Internet", "Site web", "Site", "URL"),
    "person.civility": ("Civilité", "Civilité dirigeant"),
    "person.first_name": ("Prénom dirigeant", "Prénom"),
    "person.last_name": ("Nom dirigeant", "Nom"),
    "person.full_name": ("Dirigeant", "Nom du dirigeant", "Contact"),
    "person.role": ("Fonction", "Fonction dirigeant", "Qualité"),
    "address.line1": ("Adresse", "Adresse 1", "Voie"),
    "address.line2": ("Complément d'adresse", "Adresse 2", "Complément"),
    "address.line3": ("Adresse 3", "Lieu-dit"),
    "address.postcode": ("CP", "Code postal"),
    "address.city": ("Ville", "Commune", "Localité"),
    "address.country": ("Pays",),
    "notes": ("Commentaire", "Commentaires", "Observations", "Notes"),
    "tags": ("Catégories", "Mots-clés"),
}

# LinkedIn « Connections.csv » (Settings > Data privacy > Get a copy of your data), English
# whatever the interface language: since about 2020 `First Name, Last Name, URL, Email
# Address, Company, Position, Connected On` under a « Notes: » preamble; before, the same
# without URL (and, earlier still, `FirstName, LastName, EmailAddress, …, ConnectedOn,
# Tags`). URL is the member's profile: the person's, never the company's site. « Connected
# On » has no field and stays in the notes.
_LINKEDIN: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Company",),
    "person.first_name": ("First Name", "FirstName"),
    "person.last_name": ("Last Name", "LastName"),
    "person.role": ("Position",),
    "person.email": ("Email Address", "EmailAddress"),
    "person.website": ("URL",),
    "tags": ("Tags",),
}

# Thunderbird address book, « Exporter… > Séparé par des virgules » (French and English
# builds). The home block comes first and the work block repeats its headers (`Ville`,
# `Code postal`…): the readers name the second ones « Ville (2) »… (records.unique_headers).
# « Pays/État » is the region (a mistranslation of « State »), not the country. « Page Web
# 1 » is the work page, « Page Web 2 » the home one. The single fax has no owner: the
# contact's.
_THUNDERBIRD: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Société", "Organization"),
    "org.website": ("Page Web 1", "Site web 1", "Web Page 1"),
    "person.first_name": ("Prénom", "First Name"),
    "person.last_name": ("Nom de famille", "Last Name"),
    "person.full_name": ("Nom à afficher", "Display Name"),
    "person.role": ("Profession", "Job Title"),
    "person.email": (
        "Première adresse électronique",
        "Adresse électronique principale",
        "Primary Email",
    ),
    "person.emails_other": (
        "Adresse électronique secondaire",
        "Deuxième adresse électronique",
        "Secondary Email",
    ),
    "person.phone": ("Tél. professionnel", "Work Phone"),
    "person.mobile": ("Portable", "Mobile Number"),
    "person.phone_home": ("Tél. personnel", "Home Phone"),
    "person.fax": ("Fax", "Fax Number"),
    "person.website": ("Page Web 2", "Site web 2", "Web Page 2"),
    "address.line1": ("Adresse professionnelle", "Work Address"),
    "address.line2": ("Adresse professionnelle 2", "Work Address 2", "Work Address2"),
    "address.postcode": ("Code postal (2)", "Work ZipCode", "Work Zip"),
    "address.city": ("Ville (2)", "Work City"),
    "address.country": ("Pays/Région (bureau)", "Pays/Région (2)", "Work Country"),
    "home.line1": ("Adresse privée", "Home Address"),
    "home.line2": ("Adresse privée 2", "Home Address 2", "Home Address2"),
    "home.postcode": ("Code postal", "Home ZipCode"),
    "home.city": ("Ville", "Home City"),
    "home.country": ("Pays/Région (domicile)", "Pays/Région", "Home Country"),
    "notes": ("Notes",),
}

# HubSpot contact export (CSV or XLSX), property labels in English. The default view
# gives `Record ID, First Name, Last Name, Email, Phone Number, Contact owner, Primary
# Associated Company ID, Last Activity Date, Lead Status, Marketing contact status, Create
# Date, Associated Company`; « all properties » adds the address, company and job columns.
# « Website URL » is the company's site (HubSpot derives the company domain from it).
_HUBSPOT: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Company Name", "Associated Company"),
    "org.website": ("Website URL",),
    "person.civility": ("Salutation",),
    "person.first_name": ("First Name",),
    "person.last_name": ("Last Name",),
    "person.role": ("Job Title",),
    "person.email": ("Email",),
    "person.emails_other": ("Additional email addresses",),
    "person.phone": ("Phone Number",),
    "person.mobile": ("Mobile Phone Number",),
    "person.fax": ("Fax Number",),
    "address.line1": ("Street Address",),
    "address.postcode": ("Postal Code",),
    "address.city": ("City",),
    "address.country": ("Country/Region",),
}

_NOTES: Final = (
    "Notes",
    "Note",
    "Remarques",
    "Remarque",
    "Commentaires",
    "Commentaire",
    "Observations",
    "Observation",
    "Comments",
    "Comment",
    "Description",
)
"""Headers of a free-text column, for the ``persons`` and ``generic`` presets."""

# French lists of people without any company column (`Nom;Prénom;Email;Téléphone;Adresse;
# CP;Ville`: members, private customers, a mailing list): every value is the person's.
_PERSONS: Final[dict[str, tuple[str, ...]]] = {
    "person.civility": ("Civilité", "Titre de civilité"),
    "person.first_name": ("Prénom",),
    "person.last_name": ("Nom", "Nom de famille"),
    "person.full_name": ("Nom complet", "Nom et prénom", "Nom prénom", "Prénom nom"),
    "person.role": ("Fonction", "Profession"),
    "person.email": (
        "Email",
        "E-mail",
        "Mail",
        "Courriel",
        "Adresse e-mail",
        "Adresse mail",
        "Adresse électronique",
    ),
    "person.emails_other": ("Email 2", "E-mail 2", "Autre e-mail", "Autre adresse e-mail"),
    "person.phone": ("Téléphone", "Tél", "Tel", "Téléphone fixe", "Tél. fixe", "Fixe"),
    "person.mobile": (
        "Portable",
        "Mobile",
        "Téléphone portable",
        "Tél. portable",
        "Téléphone mobile",
        "Tél. mobile",
        "GSM",
    ),
    "person.phone_home": ("Téléphone domicile", "Tél. domicile"),
    "person.fax": ("Fax", "Télécopie"),
    "person.website": ("Site web", "Site Internet", "Site"),
    "address.line1": ("Adresse", "Adresse 1", "Rue", "Voie"),
    "address.line2": ("Complément d'adresse", "Adresse 2", "Complément"),
    "address.line3": ("Adresse 3", "Lieu-dit"),
    "address.postcode": ("CP", "Code postal"),
    "address.city": ("Ville", "Commune", "Localité"),
    "address.country": ("Pays",),
    "notes": _NOTES,
    "tags": ("Catégories", "Catégorie", "Groupe", "Mots-clés"),
}

PRESETS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "sirene": _SIRENE,
    "outlook": _OUTLOOK,
    "google": _GOOGLE,
    "vcard": _VCARD,
    "linkedin": _LINKEDIN,
    "thunderbird": _THUNDERBIRD,
    "hubspot": _HUBSPOT,
    "broker": _BROKER,
    "persons": _PERSONS,
}
"""Header synonyms of each preset except ``generic``, by mapping target."""

# Headers that identify a preset; a score is the share found in the file.
_SIGNATURES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "sirene": (SIRENE_FIELDS,),
    "vcard": (VCARD_FIELDS,),
    "outlook": (
        (
            "Titre",
            "Prénom",
            "Nom",
            "Société",
            "Titre (2)",
            "Rue (bureau)",
            "Code postal (bureau)",
            "Ville (bureau)",
        ),
        (
            "First Name",
            "Last Name",
            "Company",
            "Job Title",
            "Business Street",
            "Business City",
            "Business Postal Code",
        ),
    ),
    "google": (
        (
            "Name Prefix",
            "Organization Name",
            "Organization Title",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Address 1 - Street",
            "Labels",
        ),
        (
            "Given Name",
            "Family Name",
            "Organization 1 - Name",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Group Membership",
        ),
        # The fixed columns every export starts with (the numbered e-mail, phone and
        # address groups are only written when a contact uses them).
        (
            "First Name",
            "Middle Name",
            "Last Name",
            "Phonetic First Name",
            "Phonetic Last Name",
            "Name Prefix",
            "Name Suffix",
            "File As",
            "Organization Name",
            "Organization Title",
            "Labels",
        ),
        (
            "Name",
            "Given Name",
            "Additional Name",
            "Family Name",
            "Yomi Name",
            "Name Prefix",
            "Name Suffix",
            "Short Name",
            "Maiden Name",
            "Group Membership",
        ),
    ),
    "linkedin": (
        ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"),
        ("First Name", "Last Name", "Email Address", "Company", "Position", "Connected On"),
        ("FirstName", "LastName", "EmailAddress", "Company", "Position", "ConnectedOn"),
    ),
    # The columns both French builds share (the e-mail and web page headers vary).
    "thunderbird": (
        (
            "Prénom",
            "Nom de famille",
            "Nom à afficher",
            "Surnom",
            "Tél. professionnel",
            "Tél. personnel",
            "Portable",
            "Adresse privée",
            "Adresse professionnelle",
            "Profession",
            "Société",
        ),
        (
            "First Name",
            "Last Name",
            "Display Name",
            "Nickname",
            "Primary Email",
            "Secondary Email",
            "Work Phone",
            "Home Phone",
            "Mobile Number",
            "Home Address",
            "Work Address",
            "Organization",
        ),
    ),
    "hubspot": (
        (
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Contact owner",
            "Lead Status",
            "Create Date",
        ),
        (
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Mobile Phone Number",
            "Company Name",
            "Job Title",
            "Street Address",
            "Postal Code",
            "Country/Region",
            "Website URL",
        ),
    ),
}

# Only what is clearly not the user's data: an export's technical fields and the defaults it
# writes on every row. Anything else unmapped is kept in the notes (a value the user typed is
# never dropped), so a column is listed here only with its reason.
IGNORED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "outlook": (
        # Message flags written on every row: « Normale », « Faux », « Normal ».
        "Priorité",
        "Priority",
        "Privé",
        "Private",
        "Critère de diffusion",
        "Sensitivity",
        # « Non spécifié » on every row; a real value is a personal datum the CRM has no
        # field for (the civility already says M. or Mme).
        "Sexe",
        "Gender",
        # The routing type of each address (SMTP, EX) and its display form « Nom
        # (adresse) », rebuilt by Outlook from the name and the address.
        "Type de messagerie",
        "Type de messagerie 2",
        "Type de messagerie 3",
        "Nom complet de l'adresse de messagerie",
        "Nom complet de l'adresse de messagerie 2",
        "Nom complet de l'adresse de messagerie 3",
        "Type de courrier",
        "Type de courrier 2",
        "Type de courrier 3",
        "Nom complet de l'adresse de courrier",
        "Nom complet de l'adresse de courrier 2",
        "Nom complet de l'adresse de courrier 3",
        "E-mail Type",
        "E-mail 2 Type",
        "E-mail 3 Type",
        "E-mail Display Name",
        "E-mail 2 Display Name",
        "E-mail 3 Display Name",
        # Derived by Outlook from the name.
        "Initiales",
        "Initials",
        # Technical: the free/busy publishing URL and the LDAP directory server.
        "Disponibilité Internet",
        "Internet Free Busy",
        "Serveur d'annuaire",
        "Directory Server",
        # The journal's expense field, not a contact datum.
        "Kilométrage",
        "Mileage",
        # Outlook.com: pronunciation aids for Japanese names (yomi).
        "Given Yomi",
        "Surname Yomi",
        "Company Yomi",
    ),
    "google": (
        # Pronunciation aids for names written in Japanese (phonetic, yomi).
        "Phonetic First Name",
        "Phonetic Middle Name",
        "Phonetic Last Name",
        "Yomi Name",
        "Given Name Yomi",
        "Additional Name Yomi",
        "Family Name Yomi",
        "Organization 1 - Yomi Name",
        # A link to the picture on Google's servers.
        "Photo",
        # Google's one-line rendering of the address parts mapped to the address.
        "Address 1 - Formatted",
        # The kind (« * Work », « Mobile ») of a value that has its own field; the labels of
        # the values kept in the notes stay beside them.
        "E-mail 1 - Label",
        "E-mail 1 - Type",
        "E-mail 2 - Label",
        "E-mail 2 - Type",
        "Phone 1 - Label",
        "Phone 1 - Type",
        "Phone 2 - Label",
        "Phone 2 - Type",
        "Address 1 - Label",
        "Address 1 - Type",
        "Website 1 - Label",
        "Website 1 - Type",
        # Older exports copy Outlook's flags and defaults (see "outlook").
        "Priority",
        "Sensitivity",
        "Gender",
        "Initials",
        "Directory Server",
        "Mileage",
    ),
    "hubspot": (
        # HubSpot's own record numbers, meaningless outside the HubSpot account.
        "Record ID",
        "Contact ID",
        "Primary Associated Company ID",
        # HubSpot's billing flag (marketing contacts count towards its subscription).
        "Marketing contact status",
    ),
}
"""Per preset: columns that hold no user data (technical fields, export defaults such as
Outlook's « Priorité : Normale »). They are listed in the import report as ignored; every
other unmapped column is kept in the record's notes under its header (:func:`note_columns`).
LinkedIn's « Connected On » is kept: when the contact was made is worth a note."""


def note_columns(headers: Sequence[str], preset: str, mapping: dict[str, str]) -> list[str]:
    """The unmapped columns whose values go to the notes, « En-tête : valeur », by default.

    Every column that feeds no target and is not a known technical column of the preset
    (:data:`IGNORED_COLUMNS`): a value the user gave us is stored, never silently lost.
    SIRENE files keep none (their other columns are INSEE bookkeeping).
    """
    if preset == "sirene":
        return []
    used = set(mapping.values())
    ignored = {normalize_header(name) for name in IGNORED_COLUMNS.get(preset, ())}
    return [h for h in headers if h not in used and normalize_header(h) not in ignored]


#: Broker files match when this many distinct targets are recognised.
_BROKER_FULL_SCORE: Final = 5
#: Lists of people match when this many distinct targets are recognised.
_PERSONS_FULL_SCORE: Final = 4
#: An export recognised by this share of its signature wins over the synonym presets
#: (``broker``, ``persons``), which score any French contact columns.
_SIGNATURE_WINS: Final = 0.8
#: Below this score, a file is "generic".
DETECTION_THRESHOLD: Final = 0.5
_PUNCTUATION: Final = re.compile(r"[^a-z0-9]+")


def normalize_header(header: str) -> str:
    """Fold a header for comparison: ``"Tél. (bureau)"`` → ``"tel bureau"``."""
    return _PUNCTUATION.sub(" ", fold(header)).strip()


_COMPANY_HEADERS: Final = frozenset(
    normalize_header(name)
    for synonyms in (_BROKER, _OUTLOOK, _GOOGLE, _LINKEDIN, _THUNDERBIRD, _HUBSPOT)
    for target in ("org.name", "org.enseigne", "org.siret", "org.siren")
    for name in synonyms.get(target, ())
)
"""Normalised headers naming a company or its SIRET: a list of people has none."""

_CONTACT_TWINS: Final = (
    ("org.email", "person.email"),
    ("org.emails_other", "person.emails_other"),
    ("org.phone", "person.phone"),
    ("org.fax", "person.fax"),
    ("org.website", "person.website"),
)
"""A company's contact targets and the person's that take their columns without company."""

_LONE_NAME_IS_FULL: Final = frozenset({"outlook", "persons"})
"""Presets where a « Nom » column without « Prénom » holds the whole name."""


def preset_scores(headers: Iterable[str]) -> dict[str, float]:
    """Score every preset against a file's headers.

    Args:
        headers: The file's column names.

    Returns:
        Preset name → score between 0 and 1 (``generic`` excluded).
    """
    present = {normalize_header(header) for header in headers}
    scores: dict[str, float] = {}
    for name, variants in _SIGNATURES.items():
        scores[name] = max(
            sum(normalize_header(header) in present for header in variant) / len(variant)
            for variant in variants
        )
    scores["persons"] = _persons_score(present)
    scores["broker"] = min(1.0, _hits(_BROKER, present) / _BROKER_FULL_SCORE)
    return scores


def _hits(synonyms: dict[str, tuple[str, ...]], present: set[str]) -> int:
    """How many targets of a preset find one of their headers among ``present``."""
    return sum(
        any(normalize_header(name) in present for name in names) for names in synonyms.values()
    )


def _persons_score(present: set[str]) -> float:
    """Score of a list of people: any company column (or no name column) rules it out."""
    if present & _COMPANY_HEADERS:
        return 0.0
    names = ("person.first_name", "person.last_name", "person.full_name")
    if not any(normalize_header(h) in present for target in names for h in _PERSONS[target]):
        return 0.0
    return min(1.0, _hits(_PERSONS, present) / _PERSONS_FULL_SCORE)


def detect_preset(headers: Sequence[str]) -> str:
    """Pick the preset that best explains a file's headers.

    An export recognised by most of its signature (:data:`_SIGNATURE_WINS`) wins;
    otherwise the best score does, ties going to the most specific preset (SIRENE,
    vCard, Outlook, Google, LinkedIn, Thunderbird, HubSpot, then a list of people and
    last broker); a best score under :data:`DETECTION_THRESHOLD` gives ``generic``.

    Args:
        headers: The file's column names.

    Returns:
        A key of :data:`PRESET_LABELS`.
    """
    scores = preset_scores(headers)
    signed = max(_SIGNATURES, key=scores.__getitem__)  # first of equals: dict order
    if scores[signed] >= _SIGNATURE_WINS:
        return signed
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= DETECTION_THRESHOLD else "generic"


def _synonyms(preset: str) -> dict[str, tuple[str, ...]]:
    if preset == "generic":
        merged: dict[str, tuple[str, ...]] = {"notes": _NOTES}
        for synonyms in (_BROKER, _OUTLOOK, _GOOGLE, _PERSONS, _THUNDERBIRD, _LINKEDIN, _HUBSPOT):
            for target, names in synonyms.items():
                merged[target] = merged.get(target, ()) + names
        return merged
    if preset not in PRESETS:
        raise ValueError(f"Préréglage inconnu : {preset}")
    return PRESETS[preset]


def guess_mapping(headers: Sequence[str], preset: str) -> dict[str, str]:
    """Guess which column feeds each target, using the preset's synonyms.

    A column feeds at most one target; the first synonym present wins.
    ``generic`` tries the usual notes headers (« Remarques », « Commentaire »…), then
    the broker, Outlook, Google, people-list, Thunderbird, LinkedIn and HubSpot
    synonyms in turn. Without any company column, the company's contact targets
    (e-mail, phone, fax, site) give their columns to the person's. In Outlook exports
    and lists of people, a lone « Nom » column (no « Prénom ») holds the full name.

    Args:
        headers: The file's column names, unique (as the readers give them).
        preset: A key of :data:`PRESET_LABELS`.

    Returns:
        Target → source header, for the targets found, in :data:`TARGETS` order.

    Raises:
        ValueError: unknown preset.
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalize_header(header), header)
    synonyms = _synonyms(preset)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for target in TARGETS:
        for synonym in synonyms.get(target, ()):
            found = by_norm.get(normalize_header(synonym))
            if found is not None and found not in used:
                mapping[target] = found
                used.add(found)
                break
    if preset in _LONE_NAME_IS_FULL:
        last = mapping.get("person.last_name")
        if (
            last is not None
            and normalize_header(last) == "nom"
            and "person.first_name" not in mapping
            and "person.full_name" not in mapping
        ):  # a lone « Nom » holds the whole name (« Jean Dupont », « DUPONT Jean »)
            mapping["person.full_name"] = mapping.pop("person.last_name")
    if "org.name" not in mapping and "org.enseigne" not in mapping:
        # No company column: the contact columns (a broker's « Email », « Téléphone ») are
        # the person's, as the wizard should show.
        for org_target, person_target in _CONTACT_TWINS:
            if org_target in mapping and person_target not in mapping:
                mapping[person_target] = mapping.pop(org_target)
    return {target: mapping[target] for target in TARGETS if target in mapping}


@dataclass(slots=True)
class MappingProfile:
    """A mapping the user saved to reuse on the next file of the same source.

    Attributes:
        name: The profile's name, chosen by the user.
        preset: The preset it started from.
        mapping: Target → source header.
    """

    name: str
    preset: str
    mapping: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise the profile (UTF-8 text, accents kept)."""
        return json.dumps(
            {"name": self.name, "preset": self.preset, "mapping": self.mapping},
            ensure_ascii=False,
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> MappingProfile:
        """Read a profile written by :meth:`to_json`.

        Raises:
            ValueError: not a profile, or an unknown preset or target.
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("Profil d'import illisible.")
        name, preset, mapping = data.get("name"), data.get("preset"), data.get("mapping")
        if not isinstance(name, str) or not isinstance(preset, str):
            raise ValueError("Profil d'import illisible : nom ou préréglage manquant.")
        if preset not in PRESET_LABELS:
            raise ValueError(f"Profil d'import : préréglage inconnu « {preset} ».")
        if not isinstance(mapping, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in mapping.items()
        ):
            raise ValueError("Profil d'import illisible : correspondances invalides.")
        unknown = sorted(set(mapping) - set(TARGETS))
        if unknown:
            raise ValueError(f"Profil d'import : champ inconnu « {unknown[0]} ».")
        return cls(name, preset, dict(mapping))
