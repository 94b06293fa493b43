"""Row cleaning: docs/import-formats.md §6 rules 1–5 and 9 on realistic rows of each preset."""

from __future__ import annotations

import pytest

from microcrm.directory.clean import (
    CleanRow,
    RowRejected,
    clean_phone_value,
    clean_row,
    fix_postcode,
    headcount_code,
    split_manager,
)
from microcrm.directory.presets import guess_mapping
from microcrm.directory.records import RawRecord
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.directory.vcard_reader import VCARD_FIELDS
from microcrm.postal.reference import PostalReference, load_reference

BROKER_ROW = {
    "Raison sociale": "BOULANGERIE MARTIN SARL",
    "Enseigne": "Au Bon Pain",
    "Adresse": "12 rue de la Paix",
    "Complément d'adresse": "",
    "CP": "75002",
    "Ville": "Paris",
    "Tél": "01 42 68 53 00",
    "Fax": "",
    "E-mail": "Contact@Boulangerie-Martin.FR",
    "Site Internet": "www.boulangerie-martin.fr",
    "SIRET": "732 829 320 00074",
    "Code NAF": "10.71 c",
    "Forme juridique": "SARL",
    "Effectif": "De 20 à 49 salariés",
    "Dirigeant": "M. Jean DUPONT - Gérant",
}


@pytest.fixture(scope="module")
def reference() -> PostalReference:
    return load_reference()


def clean(
    fields: dict[str, str], preset: str, reference: PostalReference, locator: str = "ligne 2"
) -> CleanRow | RowRejected:
    mapping = guess_mapping(list(fields), preset)
    return clean_row(RawRecord(locator, fields), mapping, reference)


def accepted(fields: dict[str, str], preset: str, reference: PostalReference) -> CleanRow:
    row = clean(fields, preset, reference)
    assert isinstance(row, CleanRow), row
    return row


def broker(reference: PostalReference, **changes: str) -> CleanRow | RowRejected:
    return clean({**BROKER_ROW, **changes}, "broker", reference)


def reasons(row: CleanRow) -> list[str]:
    return [warning.reason for warning in row.warnings]


# --- Realistic rows, one per preset -------------------------------------------------


def test_broker_row(reference: PostalReference) -> None:
    row = broker(reference)
    assert isinstance(row, CleanRow)
    assert row.warnings == []
    org, person, address = row.organisation, row.person, row.address
    assert org is not None and person is not None and address is not None
    assert org.name == "BOULANGERIE MARTIN SARL"
    assert org.enseigne == "Au Bon Pain"
    assert org.siret == "73282932000074"
    assert org.siren == "732829320"
    assert org.naf_code == "10.71C"
    assert org.headcount == "12"
    assert org.legal_form == "5499"
    assert org.phone == "+33142685300"
    assert org.email == "Contact@boulangerie-martin.fr"
    assert org.website == "https://www.boulangerie-martin.fr"
    assert (person.civility, person.first_name, person.last_name, person.role) == (
        "M.",
        "Jean",
        "DUPONT",
        "Gérant",
    )
    assert address.line1 == "12 rue de la Paix"
    assert address.lines == ("12 RUE DE LA PAIX", "75002 PARIS")
    assert address.status == "valid"


def test_outlook_row(reference: PostalReference) -> None:
    fields = {
        "Titre": "Mme",
        "Prénom": "Élodie",
        "Nom": "Lefèvre",
        "Société": "Cabinet Lefèvre",
        "Titre (2)": "Expert-comptable",
        "Rue (bureau)": "3 place Bellecour",
        "Code postal (bureau)": "69002",
        "Ville (bureau)": "Lyon",
        "Pays/Région (bureau)": "France",
        "Téléphone (bureau)": "+33 (0)4 78 12 34 56",
        "Tél. mobile": "0033612345678",
        "Adresse de messagerie": "elodie.lefevre@CABINET-LEFEVRE.fr",
        "Catégories": "Clients;Salon 2024",
        "Notes": "Rencontrée au salon",
    }
    row = accepted(fields, "outlook", reference)
    assert row.warnings == []
    assert row.person is not None and row.organisation is not None
    assert row.person.civility == "Mme"
    assert row.person.role == "Expert-comptable"
    assert row.person.phone == "+33478123456"
    assert row.person.mobile == "+33612345678"
    assert row.person.email == "elodie.lefevre@cabinet-lefevre.fr"
    assert row.organisation.name == "Cabinet Lefèvre"
    assert row.tags == ["Clients", "Salon 2024"]
    assert row.notes == "Rencontrée au salon"
    assert row.address is not None and row.address.lines[-1] == "69002 LYON"


def test_google_row(reference: PostalReference) -> None:
    fields = {
        "First Name": "Paul",
        "Last Name": "Durand",
        "Organization Name": "",
        "E-mail 1 - Value": "paul@exemple.fr ::: paul.durand@perso.fr",
        "Phone 1 - Value": "06 12 34 56 78 ::: 01 42 68 53 00",
        "Labels": "* myContacts ::: Fournisseurs",
    }
    row = accepted(fields, "google", reference)
    assert row.organisation is None
    assert row.person is not None
    assert row.person.email == "paul@exemple.fr"
    assert row.person.phone == "+33612345678"
    assert row.tags == ["Fournisseurs"]
    assert row.address is None


def test_vcard_row(reference: PostalReference) -> None:
    fields = dict.fromkeys(VCARD_FIELDS, "")
    fields.update(
        full_name="Dr Anne MOREAU",
        organisation="Clinique du Parc",
        role="Directrice",
        phone_work="0590 91 23 45",
        street="Rue Schœlcher",
        postcode="97110",
        city="Pointe-à-Pitre",
    )
    row = accepted(fields, "vcard", reference)
    assert row.person is not None
    assert (row.person.civility, row.person.first_name, row.person.last_name) == (
        "Dr",
        "Anne",
        "MOREAU",
    )
    assert row.person.role == "Directrice"
    assert row.person.phone == "+590590912345"  # Guadeloupe, not mainland France


def test_sirene_row(reference: PostalReference) -> None:
    fields = dict.fromkeys(SIRENE_FIELDS, "")
    fields.update(
        name="LA POSTE",
        siren="356000000",
        siret="35600000000048",
        naf_code="53.10Z",
        headcount_code="53",
        legal_form_code="5510",
        street="9 RUE DU COLONEL PIERRE AVIA",
        postcode="75015",
        city="PARIS 15",
        country="[ND]",
    )
    row = accepted(fields, "sirene", reference)
    assert row.organisation is not None
    assert row.organisation.siret == "35600000000048"
    assert row.organisation.siren == "356000000"
    assert row.organisation.headcount == "53"
    assert row.organisation.legal_form == "5510"
    assert row.address is not None and row.address.country == ""


# --- Rule 1: SIRET / SIREN ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("73282932000074", "73282932000074"),
        ("732.829.320-00074", "73282932000074"),
        ("1234568210003", "01234568210003"),  # 13-digit text: one zero back
        ("100000910008", "00100000910008"),  # number cell: padded to 14
    ],
)
def test_siret_repaired(reference: PostalReference, raw: str, expected: str) -> None:
    row = broker(reference, SIRET=raw)
    assert isinstance(row, CleanRow)
    assert row.organisation is not None
    assert row.organisation.siret == expected
    assert row.organisation.siren == expected[:9]


def test_siret_scientific_notation_unrecoverable(reference: PostalReference) -> None:
    row = broker(reference, SIRET="7,32829E+13")
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.siret is None
    assert reasons(row) == ["siret_unrecoverable"]
    warning = row.warnings[0]
    assert warning.severity == "warning"
    assert warning.locator == "ligne 2"
    assert "SIRET" in warning.detail and "7,32829E+13" in warning.detail


def test_siret_invalid_dropped_row_kept(reference: PostalReference) -> None:
    row = broker(reference, SIRET="73282932000075")
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.siret is None
    assert row.organisation.siren is None
    assert reasons(row) == ["siret_invalid"]
    assert "73282932000075" in row.warnings[0].detail


def test_siren_column(reference: PostalReference) -> None:
    fields = {"Raison sociale": "ACME", "SIREN": "732 829 320", "CP": "75002"}
    row = accepted(fields, "broker", reference)
    assert row.organisation is not None and row.organisation.siren == "732829320"
    bad = accepted({**fields, "SIREN": "732829321"}, "broker", reference)
    assert reasons(bad) == ["siren_invalid"]


# --- Rule 2: phones -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "postcode", "expected"),
    [
        ("01.42.68.53.00", "75002", "+33142685300"),
        ("+33 (0)1 42 68 53 00", "75002", "+33142685300"),
        ("0033 1 42 68 53 00", "75002", "+33142685300"),
        ("33142685300", "75002", "+33142685300"),
        ("142685300", "75002", "+33142685300"),  # number cell without its 0
        ("0696 12 34 56", "97200", "+596696123456"),  # Martinique
        ("0262 12 34 56", "97400", "+262262123456"),  # La Réunion
        ("0262 12 34 56", "75002", None),
        ("12", "", None),
        ("pas de numéro", "", None),
    ],
)
def test_clean_phone_value(raw: str, postcode: str, expected: str | None) -> None:
    assert clean_phone_value(raw, postcode) == expected


def test_phone_invalid_warning(reference: PostalReference) -> None:
    row = broker(reference, **{"Tél": "01 42", "Fax": "142685301"})
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.phone is None
    assert row.organisation.fax == "+33142685301"
    assert reasons(row) == ["phone_invalid"]
    assert "« 01 42 »" in row.warnings[0].detail
    assert "Téléphone" in row.warnings[0].detail


def test_four_digit_postcode_padded(reference: PostalReference) -> None:
    row = broker(reference, CP="1000", Ville="Bourg-en-Bresse")
    assert isinstance(row, CleanRow) and row.address is not None
    assert row.address.postcode == "01000"
    assert row.organisation is not None and row.organisation.phone == "+33142685300"


# --- Rules 3 and 4: postcode, address, e-mail ---------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1000", "01000"), ("75 008", "75008"), ("97110", "97110"), ("B-1000", "B-1000")],
)
def test_fix_postcode(raw: str, expected: str) -> None:
    assert fix_postcode(raw) == expected


def test_address_normalised_with_typed_fields_kept(reference: PostalReference) -> None:
    row = broker(reference, Adresse="12, r. de la paix", CP="75002", Ville="paris 2e")
    assert isinstance(row, CleanRow) and row.address is not None
    assert row.address.line1 == "12, r. de la paix"
    assert row.address.city == "paris 2e"
    assert row.address.lines[-1] == "75002 PARIS"
    assert row.address.status in {"valid", "corrected"}


def test_address_invalid_is_a_status_not_a_rejection(reference: PostalReference) -> None:
    row = broker(reference, CP="00000", Ville="Nulle Part")
    assert isinstance(row, CleanRow) and row.address is not None
    assert row.address.status == "invalid"
    assert row.address.errors


def test_email_invalid_warning(reference: PostalReference) -> None:
    row = broker(reference, **{"E-mail": "contact@@boulangerie"})
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.email is None
    assert reasons(row) == ["email_invalid"]
    assert "contact@@boulangerie" in row.warnings[0].detail


def test_website_invalid_warning(reference: PostalReference) -> None:
    row = broker(reference, **{"Site Internet": "en construction"})
    assert isinstance(row, CleanRow)
    assert reasons(row) == ["website_invalid"]


# --- Rule 5: NAF, headcount, legal form ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("6201z", "62.01Z"), ("62.01 Z", "62.01Z"), ("6201Z", "62.01Z")]
)
def test_naf_normalised(reference: PostalReference, raw: str, expected: str) -> None:
    row = broker(reference, **{"Code NAF": raw})
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.naf_code == expected


def test_naf_unknown_and_invalid(reference: PostalReference) -> None:
    unknown = broker(reference, **{"Code NAF": "99.99Z"})
    assert isinstance(unknown, CleanRow) and unknown.organisation is not None
    assert unknown.organisation.naf_code is None
    assert reasons(unknown) == ["naf_unknown"]
    invalid = broker(reference, **{"Code NAF": "Boulangerie"})
    assert isinstance(invalid, CleanRow)
    assert reasons(invalid) == ["naf_invalid"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "11"),
        ("0", "00"),
        ("1", "01"),
        ("De 20 à 49 salariés", "12"),
        ("20-49", "12"),
        ("1 000 à 1 999 salariés", "42"),
        ("1\u202f500", "42"),
        ("10 000 salariés et plus", "53"),
        ("Non employeur", "NN"),
        ("inconnu", None),
    ],
)
def test_headcount_code(raw: str, expected: str | None) -> None:
    assert headcount_code(raw) == expected


def test_headcount_invalid_warning(reference: PostalReference) -> None:
    row = broker(reference, Effectif="NC")
    assert isinstance(row, CleanRow) and row.organisation is not None
    assert row.organisation.headcount is None
    assert reasons(row) == ["headcount_invalid"]


def test_legal_form(reference: PostalReference) -> None:
    sas = broker(reference, **{"Forme juridique": "S.A.S."})
    assert isinstance(sas, CleanRow) and sas.organisation is not None
    assert sas.organisation.legal_form == "5710"
    odd = broker(reference, **{"Forme juridique": "Coopérative bizarre"})
    assert isinstance(odd, CleanRow)
    assert reasons(odd) == ["legal_form_unknown"]


# --- Broker manager in one cell -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M. Jean DUPONT - Gérant", ("M.", "Jean", "DUPONT", "Gérant")),
        ("Madame Marie-Claire DE LA TOUR", ("Mme", "Marie-Claire", "DE LA TOUR", None)),
        ("Pierre Martin, Président", (None, "Pierre", "Martin", "Président")),
        ("DURAND", (None, None, "DURAND", None)),
    ],
)
def test_split_manager(text: str, expected: tuple[str | None, ...]) -> None:
    person = split_manager(text)
    assert (person.civility, person.first_name, person.last_name, person.role) == expected


def test_dedicated_manager_columns_win(reference: PostalReference) -> None:
    fields = {**BROKER_ROW, "Nom dirigeant": "MARTIN", "Civilité": "Monsieur"}
    row = accepted(fields, "broker", reference)
    assert row.person is not None
    assert row.person.last_name == "MARTIN"
    assert row.person.civility == "M."
    assert row.person.first_name == "Jean"  # gap filled from the one-cell form


# --- Rule 9: rejections -------------------------------------------------------------


def test_no_identity(reference: PostalReference) -> None:
    row = broker(reference, **{"Raison sociale": "", "Enseigne": "", "Dirigeant": ""})
    assert isinstance(row, RowRejected)
    assert row.reason == "no_identity"
    assert row.detail.startswith("ligne 2 :")
    assert "« Raison sociale »" in row.detail
    issue = row.as_issue()
    assert issue.severity == "error" and issue.reason == "no_identity"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Raison sociale", '=HYPERLINK("http://x";"clic")'),
        ("Raison sociale", "@SUM(A1)"),
        ("Enseigne", "+cmd|' /C calc'!A0"),
        ("Dirigeant", "-Dupont"),
    ],
)
def test_formula_injection(reference: PostalReference, column: str, value: str) -> None:
    row = broker(reference, **{column: value})
    assert isinstance(row, RowRejected)
    assert row.reason == "formula_injection"
    assert row.detail.startswith("ligne 2, ")
    assert value[:10] in row.detail


def test_sign_followed_by_digit_is_not_injection(reference: PostalReference) -> None:
    row = broker(reference, **{"Raison sociale": "+33 Immobilier"})
    assert isinstance(row, CleanRow)


def test_name_only_footer_rejected(reference: PostalReference) -> None:
    fields = dict.fromkeys(BROKER_ROW, "")
    fields["Raison sociale"] = "Total : 250 entreprises"
    row = clean(fields, "broker", reference, locator="ligne 252")
    assert isinstance(row, RowRejected)
    assert row.reason == "name_only"
    assert row.detail.startswith("ligne 252 :")
    assert "Total : 250 entreprises" in row.detail


def test_name_with_only_invalid_values_is_name_only(reference: PostalReference) -> None:
    fields = dict.fromkeys(BROKER_ROW, "")
    fields.update({"Raison sociale": "ACME", "SIRET": "123"})
    row = clean(fields, "broker", reference)
    assert isinstance(row, RowRejected) and row.reason == "name_only"


def test_person_with_a_note_is_kept(reference: PostalReference) -> None:
    note = "Rappeler en septembre. " * 435  # 10,005 characters
    fields = {"Prénom": "Luc", "Nom": "Bernard", "Notes": note}
    row = accepted(fields, "outlook", reference)
    assert row.notes == note.strip()
    assert len(row.notes) >= 10_000


def test_unknown_headcount_code_warning(reference: PostalReference) -> None:
    fields = dict.fromkeys(SIRENE_FIELDS, "")
    fields.update(name="ACME", siret="73282932000074", headcount_code="99")
    row = accepted(fields, "sirene", reference)
    assert row.organisation is not None and row.organisation.headcount is None
    assert reasons(row) == ["headcount_invalid"]
