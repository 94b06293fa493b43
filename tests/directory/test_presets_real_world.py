"""Presets on real exports: the exact headers (and preambles) of each source, a few French
rows, then detection, the guessed mapping and the full import into a real SQLite base.

Header rows are copied from the exports as their software writes them
(docs/import-formats.md §3): Outlook desktop in French and English (92 columns, all
quoted, Windows-1252) and Outlook.com (61 columns), Google Contacts (current and
older), LinkedIn « Connections.csv » (current, with its « Notes: » preamble, and the
two older shapes), Thunderbird (French and English), HubSpot (XLSX and CSV) and a
French list of people saved by Excel (`;`, Windows-1252).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from microcrm.db import Database
from microcrm.directory.csv_reader import open_csv
from microcrm.directory.importer import import_files, read_preview
from microcrm.directory.importer.sources import open_source
from microcrm.directory.presets import (
    IGNORED_COLUMNS,
    PRESET_LABELS,
    PRESETS,
    detect_preset,
    guess_mapping,
    normalize_header,
    note_columns,
    preset_scores,
)
from microcrm.directory.records import find_header_index, is_header_row, unique_headers
from microcrm.models import Organisation, Person

# --- the exports -------------------------------------------------------------------------

OUTLOOK_FR_HEADER = [
    "Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service", "Titre",
    "Rue (bureau)", "Rue (bureau) 2", "Rue (bureau) 3", "Ville (bureau)", "Dép/Région (bureau)",
    "Code postal (bureau)", "Pays/Région (bureau)",
    "Rue (domicile)", "Rue (domicile) 2", "Rue (domicile) 3", "Ville (domicile)",
    "Dép/Région (domicile)", "Code postal (domicile)", "Pays/Région (domicile)",
    "Rue (autre)", "Rue (autre) 2", "Rue (autre) 3", "Ville (autre)", "Dép/Région (autre)",
    "Code postal (autre)", "Pays/Région (autre)",
    "Téléphone de l'assistant(e)", "Télécopie (bureau)", "Téléphone (bureau)",
    "Téléphone 2 (bureau)", "Rappel", "Téléphone (voiture)", "Téléphone société",
    "Télécopie (domicile)", "Téléphone (domicile)", "Téléphone 2 (domicile)", "RNIS",
    "Tél. mobile", "Télécopie (autre)", "Téléphone (autre)", "Récepteur de radiomessagerie",
    "Téléphone principal", "Radio téléphone", "Téléphone TDD/TTY", "Télex",
    "Adresse de messagerie", "Type de messagerie", "Nom complet de l'adresse de messagerie",
    "Adresse de messagerie 2", "Type de messagerie 2",
    "Nom complet de l'adresse de messagerie 2", "Adresse de messagerie 3",
    "Type de messagerie 3", "Nom complet de l'adresse de messagerie 3",
    "Anniversaire", "Anniversaire de mariage ou fête", "Autre boîte postale",
    "B.P. professionnelle", "Boîte postale du domicile", "Bureau", "Catégories",
    "Code gouvernement", "Compte", "Conjoint(e)", "Critère de diffusion",
    "Disponibilité Internet", "Emplacement", "Enfants", "Informations facturation",
    "Initiales", "Kilométrage", "Langue", "Mots clés", "Nom de l'assistant(e)", "Notes",
    "Numéro d'identification de l'organisation", "Page Web", "Passe-temps", "Priorité",
    "Privé", "Profession", "Recommandé par", "Responsable", "Serveur d'annuaire", "Sexe",
    "Utilisateur 1", "Utilisateur 2", "Utilisateur 3", "Utilisateur 4",
]  # fmt: skip
OUTLOOK_FR_DEFAULTS = {
    "Anniversaire": "0/0/00",
    "Anniversaire de mariage ou fête": "0/0/00",
    "Critère de diffusion": "Normal",
    "Priorité": "Normale",
    "Privé": "Faux",
    "Sexe": "Non spécifié",
}
OUTLOOK_FR_ROWS = [
    {
        "Titre": "Mme",
        "Prénom": "Élodie",
        "Nom": "Lefèvre",
        "Société": "Cabinet Lefèvre",
        "Service": "Comptabilité",
        "Titre (2)": "Expert-comptable",
        "Rue (bureau)": "3 place Bellecour",
        "Ville (bureau)": "Lyon",
        "Code postal (bureau)": "69002",
        "Pays/Région (bureau)": "France",
        "Rue (domicile)": "8 chemin des Vignes",
        "Ville (domicile)": "Écully",
        "Code postal (domicile)": "69130",
        "Pays/Région (domicile)": "France",
        "Télécopie (bureau)": "04 78 12 34 57",
        "Téléphone (bureau)": "04 78 12 34 56",
        "Téléphone société": "04 78 12 34 00",
        "Téléphone (domicile)": "04 72 00 11 22",
        "Tél. mobile": "06 12 34 56 78",
        "Adresse de messagerie": "elodie.lefevre@cabinet-lefevre.fr",
        "Type de messagerie": "SMTP",
        "Nom complet de l'adresse de messagerie": (
            "Élodie Lefèvre (elodie.lefevre@cabinet-lefevre.fr)"
        ),
        "Adresse de messagerie 2": "elodie.lefevre@orange.fr",
        "Type de messagerie 2": "SMTP",
        "Nom complet de l'adresse de messagerie 2": "Élodie Lefèvre (elodie.lefevre@orange.fr)",
        "Catégories": "Clients;Salon 2024",
        "Notes": "Rencontrée au salon des experts-comptables",
        "Page Web": "www.cabinet-lefevre.fr",
    },
    {  # a private customer: no company, a home address only
        "Titre": "M.",
        "Prénom": "Bruno",
        "Nom": "Carré",
        "Rue (domicile)": "27 rue Nationale",
        "Ville (domicile)": "Tours",
        "Code postal (domicile)": "37000",
        "Pays/Région (domicile)": "France",
        "Téléphone (domicile)": "02 47 20 30 40",
        "Tél. mobile": "07 81 23 45 67",
        "Adresse de messagerie": "bruno.carre@laposte.net",
        "Type de messagerie": "SMTP",
        "Nom complet de l'adresse de messagerie": "Bruno Carré (bruno.carre@laposte.net)",
    },
]

OUTLOOK_EN_HEADER = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone",
    "Telex", "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type",
    "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage",
    "Notes", "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority",
    "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2",
    "User 3", "User 4", "Web Page",
]  # fmt: skip
OUTLOOK_EN_ROW = {
    "Title": "M.",
    "First Name": "Antoine",
    "Last Name": "Faure",
    "Company": "Faure Transports",
    "Department": "Exploitation",
    "Job Title": "Directeur d'exploitation",
    "Business Street": "ZI des Moulins",
    "Business City": "Valence",
    "Business Postal Code": "26000",
    "Business Country/Region": "France",
    "Business Fax": "04 75 40 00 02",
    "Business Phone": "04 75 40 00 01",
    "Mobile Phone": "06 70 00 00 03",
    "E-mail Address": "a.faure@faure-transports.fr",
    "E-mail Type": "SMTP",
    "E-mail Display Name": "Antoine Faure (a.faure@faure-transports.fr)",
    "E-mail 2 Address": "antoine.faure@gmail.com",
    "E-mail 2 Type": "SMTP",
    "E-mail 2 Display Name": "Antoine Faure (antoine.faure@gmail.com)",
    "Anniversary": "0/0/00",
    "Birthday": "0/0/00",
    "Gender": "Unspecified",
    "Priority": "Normal",
    "Private": "False",
    "Sensitivity": "Normal",
    "Web Page": "faure-transports.fr",
}

# Outlook.com (outlook.live.com/people, Manage > Export contacts).
OUTLOOK_COM_HEADER = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi",
    "Surname Yomi", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone",
    "Home Phone 2", "Business Phone", "Business Phone 2", "Mobile Phone", "Car Phone",
    "Other Phone", "Primary Phone", "Pager", "Business Fax", "Home Fax", "Other Fax",
    "Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone", "IMAddress",
    "Job Title", "Department", "Company", "Office Location", "Manager's Name",
    "Assistant's Name", "Assistant's Phone", "Company Yomi", "Business Street",
    "Business City", "Business State", "Business Postal Code", "Business Country/Region",
    "Home Street", "Home City", "Home State", "Home Postal Code", "Home Country/Region",
    "Other Street", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Personal Web Page", "Spouse", "Schools", "Hobby", "Location", "Web Page", "Birthday",
    "Anniversary", "Notes",
]  # fmt: skip
OUTLOOK_COM_ROW = {
    "First Name": "Isabelle",
    "Last Name": "Marchand",
    "Title": "Mme",
    "E-mail Address": "isabelle.marchand@marchand-avocats.fr",
    "E-mail 2 Address": "imarchand@hotmail.fr",
    "E-mail 3 Address": "i.marchand@avocatparis.org",
    "Business Phone": "01 44 55 66 77",
    "Mobile Phone": "06 22 33 44 55",
    "Job Title": "Avocate associée",
    "Company": "Marchand Avocats",
    "Business Street": "15 boulevard Haussmann",
    "Business City": "Paris",
    "Business Postal Code": "75009",
    "Business Country/Region": "France",
    "Personal Web Page": "https://isabellemarchand.fr",
    "Web Page": "https://www.marchand-avocats.fr",
}

GOOGLE_HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label",
    "Website 1 - Value",
]  # fmt: skip
GOOGLE_ROWS = [
    {
        "First Name": "Nathalie",
        "Last Name": "Girard",
        "Name Prefix": "Mme",
        "Organization Name": "Boulangerie Girard",
        "Organization Title": "Gérante",
        "Birthday": "1982-05-14",
        "Labels": "Fournisseurs ::: * myContacts",
        "E-mail 1 - Label": "* Work",
        "E-mail 1 - Value": "contact@boulangerie-girard.fr",
        "E-mail 2 - Label": "Home",
        "E-mail 2 - Value": "nathalie.girard@gmail.com",
        "Phone 1 - Label": "Work",
        "Phone 1 - Value": "04 78 42 10 10",
        "Phone 2 - Label": "Mobile",
        "Phone 2 - Value": "06 11 22 33 44",
        "Address 1 - Label": "Work",
        "Address 1 - Formatted": "12 rue Mercière\n69002 Lyon\nFrance",
        "Address 1 - Street": "12 rue Mercière",
        "Address 1 - City": "Lyon",
        "Address 1 - Postal Code": "69002",
        "Address 1 - Country": "France",
        "Website 1 - Label": "Work",
        "Website 1 - Value": "www.boulangerie-girard.fr",
    },
    {  # a private contact
        "First Name": "Marc",
        "Last Name": "Petit",
        "Notes": "Voisin du dépôt",
        "Labels": "* myContacts",
        "E-mail 1 - Label": "* Home",
        "E-mail 1 - Value": "marc.petit@free.fr",
        "Phone 1 - Label": "Home",
        "Phone 1 - Value": "01 45 67 89 10",
    },
]

GOOGLE_OLD_HEADER = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi",
    "Additional Name Yomi", "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials",
    "Nickname", "Short Name", "Maiden Name", "Birthday", "Gender", "Location",
    "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby", "Sensitivity",
    "Priority", "Subject", "Notes", "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value",
    "Phone 1 - Type", "Phone 1 - Value", "Address 1 - Type", "Address 1 - Formatted",
    "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region",
    "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
    "Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Yomi Name",
    "Organization 1 - Title", "Organization 1 - Department", "Organization 1 - Symbol",
    "Organization 1 - Location", "Organization 1 - Job Description", "Website 1 - Type",
    "Website 1 - Value",
]  # fmt: skip
GOOGLE_OLD_ROW = {
    "Name": "Hélène Roux",
    "Given Name": "Hélène",
    "Family Name": "Roux",
    "Group Membership": "Clients ::: * My Contacts",
    "E-mail 1 - Type": "* Work",
    "E-mail 1 - Value": "h.roux@garage-roux.fr",
    "Phone 1 - Type": "Work",
    "Phone 1 - Value": "05 56 44 33 22",
    "Organization 1 - Name": "Garage Roux",
    "Organization 1 - Title": "Directrice",
}

LINKEDIN_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
LINKEDIN = (
    LINKEDIN_PREAMBLE
    + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    + "Camille,Morel,https://www.linkedin.com/in/camille-morel-4a1b2c,"
    + "camille.morel@atelier-morel.fr,Atelier Morel,Gérante,12 Mar 2021\n"
    + 'Thomas,Nguyen,https://www.linkedin.com/in/thomasnguyen,,"Cabinet Nguyen & Associés, '
    + 'Experts-comptables",Associé,03 Jan 2024\n'
    + "Léa,Fontaine,https://www.linkedin.com/in/lea-fontaine-91b2,,,"
    + "Consultante indépendante,27 Sep 2019\n"
)
LINKEDIN_2019 = (
    "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    "Julien,Lambert,j.lambert@menuiserie-lambert.fr,Menuiserie Lambert,Artisan menuisier,"
    "14 Feb 2019\n"
)
LINKEDIN_2016 = (
    "FirstName,LastName,EmailAddress,Company,Position,ConnectedOn,Tags\n"
    'Sophie,Bernard,sophie.bernard@orange.fr,"Pharmacie du Marché",Pharmacienne titulaire,'
    "05/12/2016,Clients\n"
)

# Thunderbird, French build: the work block repeats « Ville, Pays/État, Code postal »,
# and every line ends with a comma.
THUNDERBIRD_FR_HEADER = [
    "Prénom", "Nom de famille", "Nom à afficher", "Surnom", "Adresse électronique principale",
    "Adresse électronique secondaire", "Nom de l’écran", "Tél. professionnel",
    "Tél. personnel", "Fax", "Pager", "Portable", "Adresse privée", "Adresse privée 2",
    "Ville", "Pays/État", "Code postal", "Pays/Région (domicile)", "Adresse professionnelle",
    "Adresse professionnelle 2", "Ville", "Pays/État", "Code postal", "Pays/Région (bureau)",
    "Profession", "Service", "Société", "Site web 1", "Site web 2", "Année de naissance",
    "Mois", "Jour", "Divers 1", "Divers 2", "Divers 3", "Divers 4", "Notes", "",
]  # fmt: skip
THUNDERBIRD_FR_ROWS = [
    {
        "Prénom": "Gilles",
        "Nom de famille": "Martin",
        "Nom à afficher": "Gilles Martin",
        "Adresse électronique principale": "gilles.martin@plomberie-martin.fr",
        "Adresse électronique secondaire": "gilles.martin@wanadoo.fr",
        "Tél. professionnel": "05 61 22 33 44",
        "Tél. personnel": "05 61 99 88 77",
        "Fax": "05 61 22 33 45",
        "Portable": "06 33 44 55 66",
        "Adresse privée": "14 allée des Tilleuls",
        "Ville": "Balma",
        "Pays/État": "Occitanie",
        "Code postal": "31130",
        "Pays/Région (domicile)": "France",
        "Adresse professionnelle": "7 rue du Languedoc",
        "Ville (2)": "Toulouse",
        "Code postal (2)": "31000",
        "Pays/Région (bureau)": "France",
        "Profession": "Plombier chauffagiste",
        "Société": "Plomberie Martin",
        "Site web 1": "www.plomberie-martin.fr",
        "Année de naissance": "1975",
        "Mois": "4",
        "Jour": "18",
        "Notes": "Devis chaudière envoyé",
    },
    {  # an address collected from a message: display name and e-mail only
        "Nom à afficher": "Chloé Dubois",
        "Adresse électronique principale": "chloe.dubois@gmail.com",
    },
]
# The other French wording (older builds), as in the menus' translation of the fields.
THUNDERBIRD_FR_OTHER_HEADER = [
    "Prénom", "Nom de famille", "Nom à afficher", "Surnom", "Première adresse électronique",
    "Adresse électronique secondaire", "Tél. professionnel", "Tél. personnel", "Fax", "Pager",
    "Portable", "Adresse privée", "Adresse privée 2", "Ville", "Pays/État", "Code postal",
    "Pays/Région", "Adresse professionnelle", "Adresse professionnelle 2", "Ville", "Pays/État",
    "Code postal", "Pays/Région", "Profession", "Service", "Société", "Page Web 1",
    "Page Web 2", "Année de naissance", "Mois", "Jour", "Divers 1", "Divers 2", "Divers 3",
    "Divers 4", "Notes",
]  # fmt: skip
THUNDERBIRD_EN_HEADER = [
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email",
    "Screen Name", "Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number",
    "Home Address", "Home Address 2", "Home City", "Home State", "Home ZipCode",
    "Home Country", "Work Address", "Work Address 2", "Work City", "Work State",
    "Work ZipCode", "Work Country", "Job Title", "Department", "Organization", "Web Page 1",
    "Web Page 2", "Birth Year", "Birth Month", "Birth Day", "Custom 1", "Custom 2",
    "Custom 3", "Custom 4", "Notes",
]  # fmt: skip
THUNDERBIRD_EN_ROW = {
    "First Name": "Yannick",
    "Last Name": "Le Gall",
    "Display Name": "Yannick Le Gall",
    "Primary Email": "yannick@voilerie-legall.bzh",
    "Work Phone": "02 98 44 55 66",
    "Mobile Number": "06 07 08 09 10",
    "Work Address": "2 quai de la Douane",
    "Work City": "Brest",
    "Work ZipCode": "29200",
    "Work Country": "France",
    "Job Title": "Maître voilier",
    "Organization": "Voilerie Le Gall",
    "Web Page 1": "http://www.voilerie-legall.bzh",
    "Web Page 2": "https://yannick-legall.fr",
}


def excel_time(text: str) -> dt.datetime:
    """A naive datetime, as Excel stores them (cells carry no time zone)."""
    return dt.datetime.fromisoformat(text)


HUBSPOT_HEADER = [
    "Record ID", "First Name", "Last Name", "Associated Company", "City", "Company Name",
    "Contact owner", "Country/Region", "Create Date", "Email", "Fax Number", "Job Title",
    "Last Activity Date", "Lead Status", "Lifecycle Stage", "Marketing contact status",
    "Mobile Phone Number", "Phone Number", "Postal Code", "Primary Associated Company ID",
    "Salutation", "State/Region", "Street Address", "Website URL",
]  # fmt: skip
HUBSPOT_ROWS: list[list[object]] = [
    [
        51234567801, "Aurélie", "Masson", "Masson Paysages", "Annecy", "Masson Paysages",
        "Inès Moreau", "France", excel_time("2024-03-12 09:14"), "aurelie@masson-paysages.fr",
        None, "Gérante", excel_time("2024-06-03 16:02"), "Open", "Customer",
        "Marketing contact", "06 45 67 89 01", "+33 4 50 11 22 33", 74000, 9876543210, "Mme",
        "Auvergne-Rhône-Alpes", "18 avenue d'Albigny", "masson-paysages.fr",
    ],
    [  # a lead without company: the address is his
        51234567802, "Karim", "Haddad", None, "Nantes", None, "Inès Moreau", "France",
        excel_time("2024-09-01 11:30"), "karim.haddad@outlook.fr", None, None, None, "New",
        "Lead", "Non-marketing contact", None, "02 40 11 22 33", 44000, None, "M.",
        "Pays de la Loire", "3 quai de la Fosse", None,
    ],
]  # fmt: skip
HUBSPOT_DEFAULT_VIEW = (
    "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,"
    "Primary Associated Company ID,Last Activity Date,Lead Status,Marketing contact status,"
    "Create Date,Associated Company\n"
    "51234567803,Laurent,Renaud,l.renaud@renaud-freres.fr,03 80 12 34 56,Inès Moreau,"
    "9876543299,2024-05-02 10:12,In progress,Marketing contact,2024-01-15 08:40,Renaud Frères\n"
)

# Saved from Excel « CSV (séparateur : point-virgule) »: Windows-1252, a postcode cell that
# lost its leading zero.
PERSONS = (
    "Nom;Prénom;Email;Téléphone;Adresse;CP;Ville\r\n"
    "Durand;Sylvie;sylvie.durand@free.fr;04 91 55 66 77;12 rue Paradis;13001;Marseille\r\n"
    "LEROY;Pascal;p.leroy@sfr.fr;0612345678;5 impasse des Lilas;6000;Nice\r\n"
)


# --- helpers ---------------------------------------------------------------------------------


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(
    header: Sequence[str],
    rows: Sequence[Mapping[str, str]],
    *,
    quote_all: bool = False,
    defaults: Mapping[str, str] | None = None,
) -> str:
    """Rows keyed by the readers' unique header names (« Titre (2) »), in header order."""
    names = unique_headers(header)
    assert all(set(row) <= set(names) for row in rows)
    out = io.StringIO()
    writer = csv.writer(
        out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow(header)
    for row in rows:
        values = {**(defaults or {}), **row}
        writer.writerow([values.get(name, "") for name in names])
    return out.getvalue()


def hubspot_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Contacts"
    sheet.append(HUBSPOT_HEADER)
    for row in HUBSPOT_ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


def detected(path: Path) -> tuple[str, dict[str, str]]:
    """The preset detected from a file's headers and the mapping guessed for it."""
    headers = open_source([path]).headers
    preset = detect_preset(headers)
    return preset, guess_mapping(headers, preset)


def headers_of(path: Path) -> list[str]:
    return open_source([path]).headers


_PERSON_COLUMNS = (
    "civility",
    "first_name",
    "last_name",
    "role",
    "email",
    "emails_other",
    "phone",
    "mobile",
    "phone_home",
    "fax",
    "website",
)
_ORG_COLUMNS = ("name", "phone", "fax", "email", "emails_other", "website")


def addresses(owner: Organisation | Person) -> list[tuple[str, str, str, str, str]]:
    """(kind, line 1, postcode, city, last normalised line) of each address."""
    return sorted(
        (a.kind, a.line1, a.postcode, a.city, a.lines[-1] if a.lines else "")
        for a in owner.addresses
    )


def stored_person(db: Database, last_name: str) -> dict[str, Any]:
    """The person's columns, its organisation's name and its addresses."""
    with db.read() as session:
        person = session.scalars(select(Person).where(Person.last_name == last_name)).one()
        out: dict[str, Any] = {name: getattr(person, name) for name in _PERSON_COLUMNS}
        out["organisation"] = person.organisation.name if person.organisation else None
        out["addresses"] = addresses(person)
        return out


def stored_organisation(db: Database, name: str) -> dict[str, Any]:
    """The organisation's columns, its persons' last names and its addresses."""
    with db.read() as session:
        org = session.scalars(select(Organisation).where(Organisation.name == name)).one()
        out: dict[str, Any] = {column: getattr(org, column) for column in _ORG_COLUMNS}
        out["persons"] = sorted(p.last_name for p in org.persons)
        out["addresses"] = addresses(org)
        out["tags"] = sorted(tag.name for tag in org.tags)
        return out


def person_values(**values: Any) -> dict[str, Any]:
    """Every person column None but those given; no organisation, no address."""
    base: dict[str, Any] = dict.fromkeys(_PERSON_COLUMNS)
    base.update(organisation=None, addresses=[])
    base.update(values)
    return base


def org_values(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(_ORG_COLUMNS)
    base.update(persons=[], addresses=[], tags=[])
    base.update(values)
    return base


def imported(db: Database, path: Path, preset: str) -> dict[str, Any]:
    """Import one file (preset detected) as prospects; its report entry."""
    report = import_files(db, [path], base="prospect")
    (entry,) = report.to_dict()["files"]
    assert entry["preset"] == preset
    assert entry["rejected"]["total"] == 0, entry["rejected"]
    return dict(entry)


# --- the presets' tables -----------------------------------------------------------------------


def test_new_presets_are_listed_with_french_labels() -> None:
    for key in ("linkedin", "thunderbird", "hubspot", "persons"):
        assert key in PRESETS
        assert PRESET_LABELS[key][0].isupper()
    assert list(PRESET_LABELS)[-1] == "generic"


def test_ignored_columns_are_never_mapped() -> None:
    for preset, columns in IGNORED_COLUMNS.items():
        synonyms = {normalize_header(n) for names in PRESETS[preset].values() for n in names}
        assert not synonyms & {normalize_header(c) for c in columns}, preset


@pytest.mark.parametrize(
    ("header", "preset"),
    [
        (OUTLOOK_FR_HEADER, "outlook"),
        (OUTLOOK_EN_HEADER, "outlook"),
        (OUTLOOK_COM_HEADER, "outlook"),
        (GOOGLE_HEADER, "google"),
        (GOOGLE_OLD_HEADER, "google"),
        (THUNDERBIRD_FR_HEADER, "thunderbird"),
        (THUNDERBIRD_FR_OTHER_HEADER, "thunderbird"),
        (THUNDERBIRD_EN_HEADER, "thunderbird"),
        (HUBSPOT_HEADER, "hubspot"),
    ],
)
def test_exports_are_recognised_and_their_noise_ignored(header: list[str], preset: str) -> None:
    """Each export's header is recognised; its technical columns stay out of the notes."""
    headers = unique_headers(header)
    assert detect_preset(headers) == preset
    present = {normalize_header(h) for h in headers}
    ignored = [c for c in IGNORED_COLUMNS.get(preset, ()) if normalize_header(c) in present]
    assert bool(ignored) == (preset in IGNORED_COLUMNS)
    notes = note_columns(headers, preset, guess_mapping(headers, preset))
    assert notes and not set(ignored) & set(notes)


# --- LinkedIn ------------------------------------------------------------------------------------


def test_linkedin_preamble_is_skipped(tmp_path: Path) -> None:
    path = write_text(tmp_path / "Connections.csv", LINKEDIN)
    lines = list(csv.reader(io.StringIO(LINKEDIN)))
    assert [len([c for c in row if c]) for row in lines[:4]] == [1, 1, 0, 7]
    assert find_header_index([len([c for c in row if c]) for row in lines]) == 3
    assert is_header_row(lines[3])
    source = open_csv(path)
    assert (source.delimiter, source.header_line) == (",", 4)
    records = list(source)
    assert [r.locator for r in records] == ["ligne 5", "ligne 6", "ligne 7"]
    assert "Notes:" not in {v for r in records for v in r.fields.values()}
    assert source.issues == []
    preview = read_preview([path])
    assert (preview.preset, preview.records, preview.rows[0][0]) == ("linkedin", 3, "Camille")


def test_linkedin_detection_and_mapping(tmp_path: Path) -> None:
    preset, mapping = detected(write_text(tmp_path / "Connections.csv", LINKEDIN))
    assert preset == "linkedin"
    assert mapping == {
        "org.name": "Company",
        "person.first_name": "First Name",
        "person.last_name": "Last Name",
        "person.role": "Position",
        "person.email": "Email Address",
        "person.website": "URL",  # the profile is the person's, never the company's site
    }
    headers = headers_of(tmp_path / "Connections.csv")
    assert note_columns(headers, preset, mapping) == ["Connected On"]


@pytest.mark.parametrize(
    ("text", "email", "extra"),
    [
        (LINKEDIN_2019, "Email Address", {}),
        (LINKEDIN_2016, "EmailAddress", {"tags": "Tags"}),
    ],
)
def test_older_linkedin_exports(
    tmp_path: Path, text: str, email: str, extra: dict[str, str]
) -> None:
    preset, mapping = detected(write_text(tmp_path / "Connections.csv", text))
    assert preset == "linkedin"
    assert mapping["person.email"] == email
    assert mapping["org.name"] == "Company"
    assert mapping["person.role"] == "Position"
    assert "person.website" not in mapping and "org.website" not in mapping
    for target, header in extra.items():
        assert mapping[target] == header


def test_linkedin_import(sqlite_db: Database, tmp_path: Path) -> None:
    entry = imported(sqlite_db, write_text(tmp_path / "Connections.csv", LINKEDIN), "linkedin")
    assert (entry["organisations_created"], entry["persons_created"]) == (2, 3)
    assert stored_organisation(sqlite_db, "Atelier Morel") == org_values(
        name="Atelier Morel", persons=["Morel"]
    )
    assert stored_person(sqlite_db, "Morel") == person_values(
        first_name="Camille",
        last_name="Morel",
        role="Gérante",
        email="camille.morel@atelier-morel.fr",
        website="https://www.linkedin.com/in/camille-morel-4a1b2c",
        organisation="Atelier Morel",
    )
    assert stored_person(sqlite_db, "Nguyen") == person_values(
        first_name="Thomas",
        last_name="Nguyen",
        role="Associé",
        website="https://www.linkedin.com/in/thomasnguyen",
        organisation="Cabinet Nguyen & Associés, Experts-comptables",
    )
    assert stored_person(sqlite_db, "Fontaine") == person_values(  # no company: on her own
        first_name="Léa",
        last_name="Fontaine",
        role="Consultante indépendante",
        website="https://www.linkedin.com/in/lea-fontaine-91b2",
    )


# --- Outlook -------------------------------------------------------------------------------------


def outlook_fr(tmp_path: Path) -> Path:
    text = csv_text(
        OUTLOOK_FR_HEADER, OUTLOOK_FR_ROWS, quote_all=True, defaults=OUTLOOK_FR_DEFAULTS
    )
    return write_text(tmp_path / "contacts.CSV", text, "cp1252")


def test_outlook_fr_detection_and_mapping(tmp_path: Path) -> None:
    assert len(OUTLOOK_FR_HEADER) == 92
    path = outlook_fr(tmp_path)
    preset, mapping = detected(path)
    assert preset == "outlook"
    assert mapping == {
        "org.name": "Société",
        "org.phone": "Téléphone société",
        "org.fax": "Télécopie (bureau)",
        "org.website": "Page Web",
        "person.civility": "Titre",
        "person.first_name": "Prénom",
        "person.last_name": "Nom",
        "person.role": "Titre (2)",
        "person.email": "Adresse de messagerie",
        "person.phone": "Téléphone (bureau)",
        "person.mobile": "Tél. mobile",
        "person.phone_home": "Téléphone (domicile)",
        "person.fax": "Télécopie (domicile)",
        "person.emails_other": "Adresse de messagerie 2",
        "address.line1": "Rue (bureau)",
        "address.line2": "Rue (bureau) 2",
        "address.line3": "Rue (bureau) 3",
        "address.postcode": "Code postal (bureau)",
        "address.city": "Ville (bureau)",
        "address.country": "Pays/Région (bureau)",
        "home.line1": "Rue (domicile)",
        "home.line2": "Rue (domicile) 2",
        "home.line3": "Rue (domicile) 3",
        "home.postcode": "Code postal (domicile)",
        "home.city": "Ville (domicile)",
        "home.country": "Pays/Région (domicile)",
        "notes": "Notes",
        "tags": "Catégories",
    }
    notes = note_columns(headers_of(path), preset, mapping)
    for kept in (
        "Service",
        "Adresse de messagerie 3",
        "Téléphone 2 (bureau)",
        "Anniversaire",
        "Informations facturation",
        "Compte",
        "Profession",
    ):
        assert kept in notes
    for noise in (
        "Priorité",
        "Privé",
        "Critère de diffusion",
        "Sexe",
        "Type de messagerie",
        "Nom complet de l'adresse de messagerie",
        "Nom complet de l'adresse de messagerie 2",
        "Initiales",
        "Kilométrage",
        "Disponibilité Internet",
        "Serveur d'annuaire",
    ):
        assert noise not in notes


def test_outlook_fr_import(sqlite_db: Database, tmp_path: Path) -> None:
    entry = imported(sqlite_db, outlook_fr(tmp_path), "outlook")
    assert (entry["organisations_created"], entry["persons_created"]) == (1, 2)
    assert stored_organisation(sqlite_db, "Cabinet Lefèvre") == org_values(
        name="Cabinet Lefèvre",
        phone="+33478123400",
        fax="+33478123457",
        website="https://www.cabinet-lefevre.fr",
        persons=["Lefèvre"],
        addresses=[("principale", "3 place Bellecour", "69002", "Lyon", "69002 LYON")],
        tags=["Clients", "Salon 2024"],
    )
    assert stored_person(sqlite_db, "Lefèvre") == person_values(
        civility="Mme",
        first_name="Élodie",
        last_name="Lefèvre",
        role="Expert-comptable",
        email="elodie.lefevre@cabinet-lefevre.fr",
        emails_other="elodie.lefevre@orange.fr",
        phone="+33478123456",
        mobile="+33612345678",
        phone_home="+33472001122",
        organisation="Cabinet Lefèvre",
        addresses=[("domicile", "8 chemin des Vignes", "69130", "Écully", "69130 ECULLY")],
    )
    assert stored_person(sqlite_db, "Carré") == person_values(
        civility="M.",
        first_name="Bruno",
        last_name="Carré",
        email="bruno.carre@laposte.net",
        mobile="+33781234567",
        phone_home="+33247203040",
        addresses=[("domicile", "27 rue Nationale", "37000", "Tours", "37000 TOURS")],
    )


def test_outlook_en_import(sqlite_db: Database, tmp_path: Path) -> None:
    assert len(OUTLOOK_EN_HEADER) == 92
    text = csv_text(OUTLOOK_EN_HEADER, [OUTLOOK_EN_ROW], quote_all=True)
    path = write_text(tmp_path / "contacts.CSV", text, "cp1252")
    preset, mapping = detected(path)
    assert preset == "outlook"
    assert mapping["person.emails_other"] == "E-mail 2 Address"
    assert mapping["person.phone_home"] == "Home Phone"
    assert mapping["home.line1"] == "Home Street"
    assert mapping["home.country"] == "Home Country/Region"
    notes = note_columns(headers_of(path), preset, mapping)
    assert {"Department", "Anniversary", "Birthday", "Billing Information"} <= set(notes)
    assert not {"Priority", "Private", "Sensitivity", "Gender", "E-mail Type"} & set(notes)
    assert not {"E-mail Display Name", "E-mail 2 Display Name", "Mileage"} & set(notes)

    imported(sqlite_db, path, "outlook")
    assert stored_organisation(sqlite_db, "Faure Transports") == org_values(
        name="Faure Transports",
        fax="+33475400002",
        website="https://faure-transports.fr",
        persons=["Faure"],
        addresses=[("principale", "ZI des Moulins", "26000", "Valence", "26000 VALENCE")],
    )
    assert stored_person(sqlite_db, "Faure") == person_values(
        civility="M.",
        first_name="Antoine",
        last_name="Faure",
        role="Directeur d'exploitation",
        email="a.faure@faure-transports.fr",
        emails_other="antoine.faure@gmail.com",
        phone="+33475400001",
        mobile="+33670000003",
        organisation="Faure Transports",
    )


def test_outlook_com_import(sqlite_db: Database, tmp_path: Path) -> None:
    assert len(OUTLOOK_COM_HEADER) == 61
    path = write_text(
        tmp_path / "contacts.csv", csv_text(OUTLOOK_COM_HEADER, [OUTLOOK_COM_ROW]), "utf-8-sig"
    )
    preset, mapping = detected(path)
    assert preset == "outlook"
    assert mapping["person.civility"] == "Title"
    assert mapping["person.website"] == "Personal Web Page"
    assert mapping["org.website"] == "Web Page"
    notes = note_columns(headers_of(path), preset, mapping)
    assert "E-mail 3 Address" in notes  # a third address has no field: kept in the notes
    assert not {"Given Yomi", "Surname Yomi", "Company Yomi"} & set(notes)

    imported(sqlite_db, path, "outlook")
    assert stored_organisation(sqlite_db, "Marchand Avocats") == org_values(
        name="Marchand Avocats",
        website="https://www.marchand-avocats.fr",
        persons=["Marchand"],
        addresses=[("principale", "15 boulevard Haussmann", "75009", "Paris", "75009 PARIS")],
    )
    assert stored_person(sqlite_db, "Marchand") == person_values(
        civility="Mme",
        first_name="Isabelle",
        last_name="Marchand",
        role="Avocate associée",
        email="isabelle.marchand@marchand-avocats.fr",
        emails_other="imarchand@hotmail.fr",
        phone="+33144556677",
        mobile="+33622334455",
        website="https://isabellemarchand.fr",
        organisation="Marchand Avocats",
    )


@pytest.mark.parametrize("name", ["Name", "Nom"])
def test_outlook_single_name_column(name: str) -> None:
    """Re-saved Outlook lists holding the whole name in one column: the full-name target."""
    if name == "Name":
        headers = [name, "E-mail Address", "Business Phone", "Company", "Job Title",
                   "Business Street", "Business City", "Business Postal Code"]  # fmt: skip
    else:
        headers = [name, "Adresse de messagerie", "Téléphone (bureau)", "Société", "Titre",
                   "Rue (bureau)", "Ville (bureau)", "Code postal (bureau)"]  # fmt: skip
    assert detect_preset(headers) == "outlook"
    mapping = guess_mapping(headers, "outlook")
    assert mapping["person.full_name"] == name
    assert "person.last_name" not in mapping
    # With a first-name column, « Nom » stays the last name.
    assert guess_mapping(["Prénom", "Nom"], "outlook") == {
        "person.first_name": "Prénom",
        "person.last_name": "Nom",
    }


# --- Google ----------------------------------------------------------------------------------------


def test_google_import(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_text(tmp_path / "contacts.csv", csv_text(GOOGLE_HEADER, GOOGLE_ROWS), "utf-8-sig")
    preset, mapping = detected(path)
    assert preset == "google"
    assert mapping == {
        "org.name": "Organization Name",
        "org.website": "Website 1 - Value",
        "person.civility": "Name Prefix",
        "person.first_name": "First Name",
        "person.last_name": "Last Name",
        "person.role": "Organization Title",
        "person.email": "E-mail 1 - Value",
        "person.phone": "Phone 1 - Value",
        "person.mobile": "Phone 2 - Value",
        "person.emails_other": "E-mail 2 - Value",
        "address.line1": "Address 1 - Street",
        "address.line2": "Address 1 - Extended Address",
        "address.line3": "Address 1 - PO Box",
        "address.postcode": "Address 1 - Postal Code",
        "address.city": "Address 1 - City",
        "address.country": "Address 1 - Country",
        "notes": "Notes",
        "tags": "Labels",
    }
    notes = note_columns(headers_of(path), preset, mapping)
    assert notes == [
        "Middle Name",
        "Name Suffix",
        "Nickname",
        "File As",
        "Organization Department",
        "Birthday",
        "Address 1 - Region",
    ]

    imported(sqlite_db, path, "google")
    assert stored_organisation(sqlite_db, "Boulangerie Girard") == org_values(
        name="Boulangerie Girard",
        website="https://www.boulangerie-girard.fr",
        persons=["Girard"],
        addresses=[("principale", "12 rue Mercière", "69002", "Lyon", "69002 LYON")],
        tags=["Fournisseurs"],
    )
    assert stored_person(sqlite_db, "Girard") == person_values(
        civility="Mme",
        first_name="Nathalie",
        last_name="Girard",
        role="Gérante",
        email="contact@boulangerie-girard.fr",
        emails_other="nathalie.girard@gmail.com",
        phone="+33478421010",
        mobile="+33611223344",
        organisation="Boulangerie Girard",
    )
    assert stored_person(sqlite_db, "Petit") == person_values(
        first_name="Marc",
        last_name="Petit",
        email="marc.petit@free.fr",
        phone="+33145678910",
    )


def test_older_google_export(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_text(tmp_path / "google.csv", csv_text(GOOGLE_OLD_HEADER, [GOOGLE_OLD_ROW]))
    preset, mapping = detected(path)
    assert preset == "google"
    assert mapping["person.full_name"] == "Name"
    assert mapping["person.first_name"] == "Given Name"
    assert mapping["org.name"] == "Organization 1 - Name"
    assert mapping["tags"] == "Group Membership"
    notes = note_columns(headers_of(path), preset, mapping)
    assert not {"Yomi Name", "Priority", "Sensitivity", "E-mail 1 - Type"} & set(notes)

    imported(sqlite_db, path, "google")
    assert stored_person(sqlite_db, "Roux") == person_values(
        first_name="Hélène",
        last_name="Roux",
        role="Directrice",
        email="h.roux@garage-roux.fr",
        phone="+33556443322",
        organisation="Garage Roux",
    )


# --- Thunderbird -------------------------------------------------------------------------------


def test_thunderbird_fr_import(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_text(tmp_path / "carnet.csv", csv_text(THUNDERBIRD_FR_HEADER, THUNDERBIRD_FR_ROWS))
    assert open_csv(path).headers[-1] == "Colonne 38"  # the trailing comma
    preset, mapping = detected(path)
    assert preset == "thunderbird"
    assert mapping == {
        "org.name": "Société",
        "org.website": "Site web 1",
        "person.first_name": "Prénom",
        "person.last_name": "Nom de famille",
        "person.full_name": "Nom à afficher",
        "person.role": "Profession",
        "person.email": "Adresse électronique principale",
        "person.phone": "Tél. professionnel",
        "person.mobile": "Portable",
        "person.phone_home": "Tél. personnel",
        "person.fax": "Fax",
        "person.emails_other": "Adresse électronique secondaire",
        "person.website": "Site web 2",
        "address.line1": "Adresse professionnelle",
        "address.line2": "Adresse professionnelle 2",
        "address.postcode": "Code postal (2)",
        "address.city": "Ville (2)",
        "address.country": "Pays/Région (bureau)",
        "home.line1": "Adresse privée",
        "home.line2": "Adresse privée 2",
        "home.postcode": "Code postal",
        "home.city": "Ville",
        "home.country": "Pays/Région (domicile)",
        "notes": "Notes",
    }
    notes = note_columns(headers_of(path), preset, mapping)
    assert {"Pays/État", "Pays/État (2)", "Surnom", "Service", "Année de naissance"} <= set(notes)

    imported(sqlite_db, path, "thunderbird")
    assert stored_organisation(sqlite_db, "Plomberie Martin") == org_values(
        name="Plomberie Martin",
        website="https://www.plomberie-martin.fr",
        persons=["Martin"],
        addresses=[("principale", "7 rue du Languedoc", "31000", "Toulouse", "31000 TOULOUSE")],
    )
    assert stored_person(sqlite_db, "Martin") == person_values(
        first_name="Gilles",
        last_name="Martin",
        role="Plombier chauffagiste",
        email="gilles.martin@plomberie-martin.fr",
        emails_other="gilles.martin@wanadoo.fr",
        phone="+33561223344",
        mobile="+33633445566",
        phone_home="+33561998877",
        fax="+33561223345",
        organisation="Plomberie Martin",
        addresses=[("domicile", "14 allée des Tilleuls", "31130", "Balma", "31130 BALMA")],
    )
    assert stored_person(sqlite_db, "Dubois") == person_values(  # from the display name
        first_name="Chloé", last_name="Dubois", email="chloe.dubois@gmail.com"
    )


def test_thunderbird_other_french_wording() -> None:
    headers = unique_headers(THUNDERBIRD_FR_OTHER_HEADER)
    assert detect_preset(headers) == "thunderbird"
    mapping = guess_mapping(headers, "thunderbird")
    assert mapping["person.email"] == "Première adresse électronique"
    assert mapping["org.website"] == "Page Web 1"
    assert mapping["person.website"] == "Page Web 2"
    assert (mapping["home.city"], mapping["address.city"]) == ("Ville", "Ville (2)")
    assert (mapping["home.country"], mapping["address.country"]) == (
        "Pays/Région",
        "Pays/Région (2)",
    )


def test_thunderbird_en_import(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "addressbook.csv", csv_text(THUNDERBIRD_EN_HEADER, [THUNDERBIRD_EN_ROW])
    )
    preset, mapping = detected(path)
    assert preset == "thunderbird"
    assert mapping["address.postcode"] == "Work ZipCode"
    assert mapping["home.postcode"] == "Home ZipCode"

    imported(sqlite_db, path, "thunderbird")
    assert stored_organisation(sqlite_db, "Voilerie Le Gall") == org_values(
        name="Voilerie Le Gall",
        website="http://www.voilerie-legall.bzh",
        persons=["Le Gall"],
        addresses=[("principale", "2 quai de la Douane", "29200", "Brest", "29200 BREST")],
    )
    assert stored_person(sqlite_db, "Le Gall") == person_values(
        first_name="Yannick",
        last_name="Le Gall",
        role="Maître voilier",
        email="yannick@voilerie-legall.bzh",
        phone="+33298445566",
        mobile="+33607080910",
        website="https://yannick-legall.fr",
        organisation="Voilerie Le Gall",
    )


# --- HubSpot -----------------------------------------------------------------------------------


def test_hubspot_xlsx_import(sqlite_db: Database, tmp_path: Path) -> None:
    path = hubspot_workbook(tmp_path / "hubspot-crm-exports-all-contacts-2024-09-02.xlsx")
    preset, mapping = detected(path)
    assert preset == "hubspot"
    assert mapping == {
        "org.name": "Company Name",
        "org.website": "Website URL",
        "person.civility": "Salutation",
        "person.first_name": "First Name",
        "person.last_name": "Last Name",
        "person.role": "Job Title",
        "person.email": "Email",
        "person.phone": "Phone Number",
        "person.mobile": "Mobile Phone Number",
        "person.fax": "Fax Number",
        "address.line1": "Street Address",
        "address.postcode": "Postal Code",
        "address.city": "City",
        "address.country": "Country/Region",
    }
    notes = note_columns(headers_of(path), preset, mapping)
    assert notes == [
        "Associated Company",
        "Contact owner",
        "Create Date",
        "Last Activity Date",
        "Lead Status",
        "Lifecycle Stage",
        "State/Region",
    ]

    imported(sqlite_db, path, "hubspot")
    assert stored_organisation(sqlite_db, "Masson Paysages") == org_values(
        name="Masson Paysages",
        website="https://masson-paysages.fr",
        persons=["Masson"],
        addresses=[
            ("principale", "18 avenue d'Albigny", "74000", "Annecy", "74000 ANNECY"),
        ],
    )
    assert stored_person(sqlite_db, "Masson") == person_values(
        civility="Mme",
        first_name="Aurélie",
        last_name="Masson",
        role="Gérante",
        email="aurelie@masson-paysages.fr",
        phone="+33450112233",
        mobile="+33645678901",
        organisation="Masson Paysages",
    )
    assert stored_person(sqlite_db, "Haddad") == person_values(
        civility="M.",
        first_name="Karim",
        last_name="Haddad",
        email="karim.haddad@outlook.fr",
        phone="+33240112233",
        addresses=[("principale", "3 quai de la Fosse", "44000", "Nantes", "44000 NANTES")],
    )


def test_hubspot_default_view_csv(tmp_path: Path) -> None:
    preset, mapping = detected(write_text(tmp_path / "contacts.csv", HUBSPOT_DEFAULT_VIEW))
    assert preset == "hubspot"
    assert mapping == {
        "org.name": "Associated Company",
        "person.first_name": "First Name",
        "person.last_name": "Last Name",
        "person.email": "Email",
        "person.phone": "Phone Number",
    }


# --- lists of people and the generic preset ------------------------------------------------------


def test_persons_list_import(sqlite_db: Database, tmp_path: Path) -> None:
    path = write_text(tmp_path / "adherents.csv", PERSONS, "cp1252")
    preset, mapping = detected(path)
    assert preset == "persons"
    assert preset_scores(headers_of(path))["broker"] == 1.0  # broker-like, yet no company
    assert mapping == {
        "person.first_name": "Prénom",
        "person.last_name": "Nom",
        "person.email": "Email",
        "person.phone": "Téléphone",
        "address.line1": "Adresse",
        "address.postcode": "CP",
        "address.city": "Ville",
    }

    entry = imported(sqlite_db, path, "persons")
    assert (entry["organisations_created"], entry["persons_created"]) == (0, 2)
    assert stored_person(sqlite_db, "Durand") == person_values(
        first_name="Sylvie",
        last_name="Durand",
        email="sylvie.durand@free.fr",
        phone="+33491556677",
        addresses=[("principale", "12 rue Paradis", "13001", "Marseille", "13001 MARSEILLE")],
    )
    assert stored_person(sqlite_db, "LEROY") == person_values(
        first_name="Pascal",
        last_name="LEROY",
        email="p.leroy@sfr.fr",
        phone="+33612345678",
        addresses=[("principale", "5 impasse des Lilas", "06000", "Nice", "06000 NICE")],
    )


def test_persons_list_with_one_name_column() -> None:
    headers = ["Nom", "Courriel", "Portable", "Ville", "Remarques"]
    assert detect_preset(headers) == "persons"
    assert guess_mapping(headers, "persons") == {
        "person.full_name": "Nom",
        "person.email": "Courriel",
        "person.mobile": "Portable",
        "address.city": "Ville",
        "notes": "Remarques",
    }


def test_a_company_column_keeps_the_broker_preset() -> None:
    headers = ["Raison sociale", "Nom", "Prénom", "Email", "Téléphone", "CP", "Ville"]
    assert preset_scores(headers)["persons"] == 0.0
    assert detect_preset(headers) == "broker"
    mapping = guess_mapping(headers, "broker")
    assert (mapping["org.email"], mapping["org.phone"]) == ("Email", "Téléphone")


@pytest.mark.parametrize(
    "header",
    [
        "Remarque",
        "Remarques",
        "Commentaire",
        "Commentaires",
        "Observation",
        "Observations",
        "Note",
        "Notes",
        "Comments",
        "Description",
    ],
)
def test_generic_notes_headers(header: str) -> None:
    assert guess_mapping(["Société", "Ville", header], "generic")["notes"] == header


def test_generic_contact_columns_without_company_are_the_persons() -> None:
    headers = ["Nom", "Prénom", "Email", "Téléphone", "Fax", "Site web", "Remarque"]
    assert guess_mapping(headers, "generic") == {
        "person.first_name": "Prénom",
        "person.last_name": "Nom",
        "person.email": "Email",
        "person.phone": "Téléphone",
        "person.fax": "Fax",
        "person.website": "Site web",
        "notes": "Remarque",
    }
    with_company = guess_mapping(["Entreprise", *headers], "generic")
    assert with_company["org.email"] == "Email"
    assert with_company["org.phone"] == "Téléphone"
    assert with_company["org.website"] == "Site web"
