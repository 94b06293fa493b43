"""Row cleaning of the import wizard: one mapped RawRecord → typed values or a rejection.

Applies docs/import-formats.md §6 rules 1–5 and 9 to one row, with no database access
(de-duplication happens later). A value that cannot be repaired is dropped with a
warning naming the field and the raw value; the row is kept. A row is rejected only
for the reasons of rule 9:

* ``formula_injection``: a name or company starting with ``=`` or ``@``, or with
  ``+``/``-`` followed by something other than a digit (§4, CSV injection);
* ``no_identity``: neither an organisation name (or enseigne) nor a person name;
* ``name_only``: a name and nothing else — footers such as ``Total : 250 fiches``.
  Names, civility and role do not count as "something else"; any other cleaned
  value does (SIRET, phone, e-mail, website, any address field, NAF, headcount,
  legal form, notes, tags). Values dropped with a warning do not count. A row
  naming both a company and a person is a contact, never a footer.

Nothing is lost silently: a row without a company gives its company-level contact
values (e-mail, phone, fax, site) to its person, a row without a person gives the
person's to the company, and what has no field of its own (a second phone, an
unmapped column) is kept in the notes as « Libellé : valeur ».
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Final

import phonenumbers

from microcrm.crm.codes import naf_table
from microcrm.crm.validation import (
    clean_email,
    clean_naf,
    clean_siren,
    clean_siret,
    clean_website,
    phone_region,
)
from microcrm.directory.presets import TARGET_LABELS
from microcrm.directory.records import RawRecord, ReadIssue
from microcrm.errors import ValidationError
from microcrm.postal.foreign import is_domestic
from microcrm.postal.normalize import AddressInput, Status, normalize_address
from microcrm.postal.reference import PostalReference
from microcrm.text import fold

# Reason codes (stable identifiers; the UI may translate them).
SIRET_UNRECOVERABLE: Final = "siret_unrecoverable"
SIRET_INVALID: Final = "siret_invalid"
SIREN_INVALID: Final = "siren_invalid"
PHONE_INVALID: Final = "phone_invalid"
EMAIL_INVALID: Final = "email_invalid"
WEBSITE_INVALID: Final = "website_invalid"
NAF_INVALID: Final = "naf_invalid"
NAF_UNKNOWN: Final = "naf_unknown"
HEADCOUNT_INVALID: Final = "headcount_invalid"
LEGAL_FORM_UNKNOWN: Final = "legal_form_unknown"
NO_IDENTITY: Final = "no_identity"
NAME_ONLY: Final = "name_only"
FORMULA_INJECTION: Final = "formula_injection"

#: Masked value of a non-diffusible SIRENE field: never stored (§1).
MASKED: Final = "[ND]"

_SCIENTIFIC: Final = re.compile(r"\d+(?:[.,]\d+)?E[+-]?\d+", re.IGNORECASE)
_NUMBER_NOISE: Final = re.compile(r"[\s.\-\u00a0\u202f]")
_FORMULA: Final = re.compile(r"[=@]|[+-](?!\d)")
_PLACEHOLDER: Final = re.compile(r"[-–—._/\\*]+|0?0/0?0/0{2,4}")
"""Cells that say "nothing here": dashes, dots, and Outlook's empty date « 0/0/00 »."""
_PLACEHOLDER_START: Final = frozenset("-–—._/\\*0[")
"""First characters of a placeholder or of SIRENE's mask ``[ND]`` (a quick test first)."""
_MULTI_VALUE: Final = re.compile(r"\s*:::\s*")
_EMAIL_SEPARATORS: Final = re.compile(r"\s*(?::::|[,;\n])\s*")
_TAG_SEPARATORS: Final = re.compile(r"\s*(?::::|;)\s*")

# (lowest, highest, INSEE code) of the *tranches d'effectif salarié* (§1).
_BANDS: Final = (
    (0, 0, "00"),
    (1, 2, "01"),
    (3, 5, "02"),
    (6, 9, "03"),
    (10, 19, "11"),
    (20, 49, "12"),
    (50, 99, "21"),
    (100, 199, "22"),
    (200, 249, "31"),
    (250, 499, "32"),
    (500, 999, "41"),
    (1000, 1999, "42"),
    (2000, 4999, "51"),
    (5000, 9999, "52"),
    (10000, 10**9, "53"),
)
_BAND_CODES: Final = frozenset(code for _low, _high, code in _BANDS) | {"NN"}
_LEGAL_ABBREVIATIONS: Final = {
    "ei": "1000",
    "entrepreneur individuel": "1000",
    "entreprise individuelle": "1000",
    "snc": "5202",
    "selarl": "5485",
    "eurl": "5498",
    "sarl": "5499",
    "sa": "5599",
    "sas": "5710",
    "sasu": "5720",
    "selas": "5785",
    "gaec": "6533",
    "sci": "6540",
    "earl": "6598",
    "association": "9220",
    "association loi 1901": "9220",
}
_CIVILITIES: Final = {
    "m": "M.",
    "mr": "M.",
    "monsieur": "M.",
    "mme": "Mme",
    "madame": "Mme",
    "mlle": "Mlle",
    "mademoiselle": "Mlle",
    "me": "Me",
    "maitre": "Me",
    "dr": "Dr",
    "docteur": "Dr",
    "pr": "Pr",
    "professeur": "Pr",
}


@dataclass(slots=True)
class OrganisationValues:
    """Cleaned organisation fields; ``None`` when absent or dropped."""

    name: str | None = None
    enseigne: str | None = None
    siret: str | None = None
    siren: str | None = None
    naf_code: str | None = None
    headcount: str | None = None
    legal_form: str | None = None
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    emails_other: str | None = None
    website: str | None = None


@dataclass(slots=True)
class PersonValues:
    """Cleaned person fields; ``None`` when absent or dropped."""

    civility: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    phone_home: str | None = None
    fax: str | None = None
    emails_other: str | None = None
    website: str | None = None


@dataclass(slots=True)
class AddressValues:
    """The address as typed (postcode repaired) plus the postal normaliser's verdict.

    Attributes:
        line1: First free line as typed.
        line2: Second free line as typed.
        line3: Third free line as typed.
        postcode: Postcode, a lost leading zero put back.
        city: City as typed.
        country: Country as typed (empty for France).
        lines: NF Z10-011 lines from :func:`normalize_address` (no identity lines).
        status: ``valid``, ``corrected`` or ``invalid``.
        errors: The normaliser's error codes.
    """

    line1: str = ""
    line2: str = ""
    line3: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    lines: tuple[str, ...] = ()
    status: Status = "valid"
    errors: tuple[str, ...] = ()


@dataclass(slots=True)
class CleanRow:
    """A row ready for de-duplication and import.

    Attributes:
        locator: Where the row was read (``"ligne 12"``).
        organisation: Organisation values, or None when the row names none.
        person: Person values, or None when the row names nobody.
        address: Address, or None when no address field is filled.
        home_address: The person's home address (``home.*`` targets), or None.
        notes: Notes, kept whole, then the values kept « En-tête : valeur »: unmapped
            columns and values with no field of their own (a second phone…).
        tags: Categories, split on ``;`` and Google's ``:::``.
        warnings: Values dropped or repaired (severity ``"warning"``).
    """

    locator: str
    organisation: OrganisationValues | None = None
    person: PersonValues | None = None
    address: AddressValues | None = None
    home_address: AddressValues | None = None
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    warnings: list[ReadIssue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RowRejected:
    """A row refused under §6 rule 9, with a French reason naming the row and the field."""

    locator: str
    reason: str
    detail: str

    def as_issue(self) -> ReadIssue:
        """The rejection as a :class:`ReadIssue` (severity ``"error"``)."""
        return ReadIssue(self.locator, self.reason, self.detail, "error")


class _Row:
    """Reads mapped values of one record and collects warnings."""

    def __init__(self, record: RawRecord, mapping: dict[str, str]) -> None:
        self.record = record
        self.mapping = mapping
        self.warnings: list[ReadIssue] = []
        self.kept: list[str] = []
        """Values with no field of their own, « Libellé : valeur », for the notes."""
        fields = record.fields
        # Every mapped value read once: the cleaning asks ~50 targets a row, most unmapped.
        self._values = {
            target: value
            for target, header in mapping.items()
            if (cell := fields.get(header)) and (value := cell_value(cell))
        }

    def keep(self, label: str, value: str) -> None:
        self.kept.append(f"{label} : {value}")

    def raw(self, target: str) -> str:
        return self._values.get(target, "")

    def first(self, target: str) -> str:
        """First of several values joined by Google's ``:::``."""
        return _MULTI_VALUE.split(self.raw(target), maxsplit=1)[0]

    def warn(self, target: str, reason: str, raw: str, why: str) -> None:
        label = TARGET_LABELS[target]
        detail = f"{label} : « {raw} » {why}, valeur non reprise."
        self.warnings.append(ReadIssue(self.record.locator, reason, detail, "warning"))


def cell_value(raw: str) -> str:
    """A cell's value as the cleaning reads it, stripped.

    SIRENE's mask and placeholders that say "nothing here" (``-``, ``--``, ``—``,
    ``.``) are empty, not data: a LinkedIn contact's company « - » is no company.
    """
    value = raw.strip()
    if value and value[0] in _PLACEHOLDER_START and (
        value == MASKED or _PLACEHOLDER.fullmatch(value)
    ):
        return ""
    return value


def fix_postcode(raw: str, country: str = "") -> str:
    """Put back the leading zero Excel drops (``1000`` → ``01000``); other text as is.

    Only French postcodes are repaired: a foreign one (``12345-6789``, a US ZIP+4;
    ``SW1A 1AA``) is kept as typed.
    """
    if not is_domestic(country):
        return raw.strip()
    value = _NUMBER_NOISE.sub("", raw)
    if value.isdigit() and len(value) == 4:
        return "0" + value
    return value if value.isdigit() else raw.strip()


def _pad(digits: str, length: int, shortest: int) -> str:
    """Zero-pad a number cell that lost its leading zeros (§6 rule 1)."""
    if digits.isdigit() and shortest <= len(digits) < length:
        return digits.rjust(length, "0")
    return digits


def _clean_siret(row: _Row, org: OrganisationValues) -> None:
    raw = row.raw("org.siret")
    if raw:
        if _SCIENTIFIC.fullmatch(raw.replace(" ", "")):
            row.warn(
                "org.siret",
                SIRET_UNRECOVERABLE,
                raw,
                "a été abîmé par Excel (notation scientifique)",
            )
        else:
            try:
                org.siret = clean_siret(_pad(_NUMBER_NOISE.sub("", raw), 14, 10))
            except ValidationError:
                row.warn("org.siret", SIRET_INVALID, raw, "n'est pas un SIRET valide")
    if org.siret:
        org.siren = org.siret[:9]
        return
    raw = row.raw("org.siren")
    if raw:
        try:
            org.siren = clean_siren(_pad(_NUMBER_NOISE.sub("", raw), 9, 7))
        except ValidationError:
            row.warn("org.siren", SIREN_INVALID, raw, "n'est pas un SIREN valide")


def clean_phone_value(raw: str, postcode: str, country: str = "") -> str | None:
    """A phone number in E.164, or None when unusable (§6 rule 2).

    Accepts ``01.42…``, ``+33 (0)1…``, ``0033…``, ``33…`` and number cells that
    lost their leading 0; a national number is read in the country of the row's
    address (``0351 443322`` on a German card is German), an overseas postcode
    giving its own region (0590… is Guadeloupe).
    """
    region = phone_region(country, postcode)
    value = raw.replace("(0)", " ").strip()
    digits = _NUMBER_NOISE.sub("", value).replace("(", "").replace(")", "")
    if digits.isdigit() and region == "FR":
        if len(digits) == 9 and digits[0] != "0":
            value = "0" + digits
        elif len(digits) == 11 and digits.startswith("33"):
            value = "+" + digits
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone(row: _Row, target: str, postcode: str, country: str = "") -> str | None:
    raw = row.first(target)
    if not raw:
        return None
    number = clean_phone_value(raw, postcode, country)
    if number is None:
        row.warn(target, PHONE_INVALID, raw, "n'est pas un numéro de téléphone valide")
    return number


def _email(row: _Row, target: str) -> str | None:
    raw = row.first(target)
    try:
        return clean_email(raw)
    except ValidationError:
        row.warn(target, EMAIL_INVALID, raw, "n'est pas une adresse e-mail valide")
        return None


def _emails(row: _Row, target: str, *more: str | None) -> str | None:
    """Several addresses (one per line, ``,``, ``;`` or Google's ``:::``), each checked."""
    if not row.raw(target) and not any(more):
        return None
    found: list[str] = []
    for raw in (*_EMAIL_SEPARATORS.split(row.raw(target)), *(m for m in more if m)):
        part = raw.strip()
        if not part:
            continue
        try:
            email = clean_email(part)
        except ValidationError:
            row.warn(target, EMAIL_INVALID, part, "n'est pas une adresse e-mail valide")
            continue
        if email is not None and email.lower() not in {e.lower() for e in found}:
            found.append(email)
    return "\n".join(found) or None


def _website(row: _Row, target: str) -> str | None:
    raw_site = row.first(target)
    try:
        return clean_website(raw_site)
    except ValidationError:
        row.warn(target, WEBSITE_INVALID, raw_site, "n'est pas une adresse de site")
        return None


def _naf(row: _Row) -> str | None:
    raw = row.raw("org.naf_code")
    try:
        code = clean_naf(raw)
    except ValidationError:
        row.warn("org.naf_code", NAF_INVALID, raw, "n'est pas un code NAF (62.01Z)")
        return None
    if code is not None and code not in naf_table():
        row.warn("org.naf_code", NAF_UNKNOWN, raw, "est absent de la NAF rév. 2")
        return None
    return code


def headcount_code(raw: str) -> str | None:
    """INSEE band of a headcount: ``12`` or ``De 20 à 49 salariés`` → ``"11"``/``"12"``.

    A range spanning several bands gets the band of its lower bound.
    """
    text = fold(raw)
    if "non employeur" in text:
        return "NN"
    text = re.sub(r"(?<=\d)[\s.](?=\d{3}\b)", "", text)
    numbers = [int(number) for number in re.findall(r"\d+", text)]
    if not numbers:
        return None
    for low, high, code in _BANDS:
        if low <= numbers[0] <= high:
            return code
    return None  # pragma: no cover - the bands cover every integer


def _headcount(row: _Row) -> str | None:
    code_raw = row.raw("org.headcount_code").upper()
    if code_raw in _BAND_CODES:
        return code_raw
    if code_raw:
        row.warn("org.headcount_code", HEADCOUNT_INVALID, code_raw, "n'est pas une tranche INSEE")
    raw = row.raw("org.headcount")
    if not raw:
        return None
    code = headcount_code(raw)
    if code is None:
        row.warn("org.headcount", HEADCOUNT_INVALID, raw, "n'est pas un effectif reconnu")
    return code


def _legal_form(row: _Row) -> str | None:
    raw = row.raw("org.legal_form")
    if not raw:
        return None
    if raw.isdigit() and len(raw) == 4:
        return raw  # an INSEE code outside our short list is kept as is (codes.py)
    key = re.sub(r"[^a-z0-9 ]+", "", fold(raw)).strip()
    code = _LEGAL_ABBREVIATIONS.get(key)
    if code is None:
        row.warn("org.legal_form", LEGAL_FORM_UNKNOWN, raw, "n'est pas une forme juridique connue")
    return code


def split_manager(text: str, *, address_book: bool = False) -> PersonValues:
    """Split a broker's one-cell manager: ``M. Jean DUPONT - Gérant``.

    Words in capitals are the surname; without any, the last word is. A role
    follows the last `` - `` (or `` – ``, ``,``). In an address book
    (``address_book``) a display name holds no role: « Dupont, Jean » is the
    surname, then the first name.
    """
    person = PersonValues()
    if address_book:
        surname, comma, given = text.partition(",")
        if comma and surname.strip() and given.strip():
            person.last_name, person.first_name = surname.strip(), given.strip()
            return person
        text = text.replace(" - ", " ")
    parts = re.split(r"\s+[-–]\s+|,\s*", text, maxsplit=1)
    name, role = parts[0], parts[1] if len(parts) > 1 else ""
    words = name.split()
    if words and fold(words[0]).rstrip(".") in _CIVILITIES:
        person.civility = _CIVILITIES[fold(words.pop(0)).rstrip(".")]
    upper = [word for word in words if word.isupper() and len(word.strip(".-'")) > 1]
    if upper:
        person.last_name = " ".join(upper)
        first = [word for word in words if word not in upper]
    else:
        person.last_name = words[-1] if words else None
        first = words[:-1]
    person.first_name = " ".join(first) or None
    person.role = role.strip() or None
    return person


def _civility(raw: str) -> str | None:
    if not raw:
        return None
    return _CIVILITIES.get(fold(raw).rstrip("."), raw)


def _address(
    row: _Row, reference: PostalReference | None, prefix: str = "address"
) -> AddressValues | None:
    typed = {
        name: row.raw(f"{prefix}.{name}")
        for name in ("line1", "line2", "line3", "postcode", "city", "country")
    }
    if not any(typed.values()):
        return None
    typed["postcode"] = fix_postcode(typed["postcode"], typed["country"])
    normalized = normalize_address(AddressInput(**typed), reference)
    return AddressValues(
        **typed,
        lines=normalized.lines,
        status=normalized.status,
        errors=normalized.errors,
    )


def _organisation(row: _Row, postcode: str, country: str) -> OrganisationValues:
    org = OrganisationValues(
        name=row.raw("org.name") or None,
        enseigne=row.raw("org.enseigne") or None,
    )
    _clean_siret(row, org)
    org.naf_code = _naf(row)
    org.headcount = _headcount(row)
    org.legal_form = _legal_form(row)
    org.phone = _phone(row, "org.phone", postcode, country)
    org.fax = _phone(row, "org.fax", postcode, country)
    emails = _emails(row, "org.email")
    first, _, rest = (emails or "").partition("\n")
    org.email = first or None
    org.emails_other = _emails(row, "org.emails_other", *rest.splitlines())
    org.website = _website(row, "org.website")
    _more_values(row, ("org.phone", "org.fax", "org.website"))
    return org


def _person(row: _Row, postcode: str, country: str, address_book: bool) -> PersonValues:
    person = PersonValues(
        civility=_civility(row.raw("person.civility")),
        first_name=row.raw("person.first_name") or None,
        last_name=row.raw("person.last_name") or None,
        role=row.raw("person.role") or None,
    )
    full = row.raw("person.full_name")
    if full:  # dedicated columns win; the one-cell form fills the gaps
        split = split_manager(full, address_book=address_book)
        for name in ("civility", "first_name", "last_name", "role"):
            if getattr(person, name) is None:
                setattr(person, name, getattr(split, name))
    emails = _emails(row, "person.email")
    first, _, rest = (emails or "").partition("\n")
    person.email = first or None
    person.emails_other = _emails(row, "person.emails_other", *rest.splitlines())
    person.phone = _phone(row, "person.phone", postcode, country)
    person.mobile = _phone(row, "person.mobile", postcode, country)
    person.phone_home = _phone(row, "person.phone_home", postcode, country)
    person.fax = _phone(row, "person.fax", postcode, country)
    person.website = _website(row, "person.website")
    _more_values(
        row,
        ("person.phone", "person.mobile", "person.phone_home", "person.fax", "person.website"),
    )
    return person


def _more_values(row: _Row, targets: tuple[str, ...]) -> None:
    """Google's ``:::`` lists: the first value fills the field, the others go to the notes."""
    for target in targets:
        value = row.raw(target)
        if ":::" not in value:
            continue
        for position, extra in enumerate(_MULTI_VALUE.split(value)[1:], start=2):
            if extra:
                row.keep(f"{TARGET_LABELS[target]} ({position})", extra)


def _join_emails(*values: str | None) -> str | None:
    found: list[str] = []
    for value in values:
        for email in (value or "").splitlines():
            if email and email.lower() not in {e.lower() for e in found}:
                found.append(email)
    return "\n".join(found) or None


def _to_person(row: _Row, org: OrganisationValues, person: PersonValues) -> None:
    """A row that names nobody's company: its contact values are the person's.

    A French contact list (``Nom;Prénom;Email;Téléphone``) maps its e-mail and phone to the
    organisation's targets; with no organisation they belong to the person — never lost.
    """
    person.emails_other = _join_emails(
        person.emails_other, org.email if person.email else None, org.emails_other
    )
    person.email = person.email or org.email
    for name, label in (("phone", "Téléphone"), ("fax", "Télécopie"), ("website", "Site")):
        value = getattr(org, name)
        if value and not getattr(person, name):
            setattr(person, name, value)
        elif value and value != getattr(person, name):
            row.keep(label, value)
    for name in ("siret", "siren", "naf_code", "headcount", "legal_form"):
        value = getattr(org, name)
        if value:
            row.keep(_ORG_NOTE_LABELS[name], value)


def _to_organisation(row: _Row, org: OrganisationValues, person: PersonValues) -> None:
    """A row that names a company and nobody in it: the contact values are the company's."""
    org.emails_other = _join_emails(
        org.emails_other, person.email if org.email else None, person.emails_other
    )
    org.email = org.email or person.email
    for source, target in (("phone", "phone"), ("mobile", "phone"), ("fax", "fax"),
                           ("website", "website")):  # fmt: skip
        value = getattr(person, source)
        if value and not getattr(org, target):
            setattr(org, target, value)
        elif value and value != getattr(org, target):
            row.keep(_PERSON_NOTE_LABELS[source], value)
    for name in ("civility", "role", "phone_home"):
        value = getattr(person, name)
        if value:
            row.keep(_PERSON_NOTE_LABELS[name], value)


_ORG_NOTE_LABELS: Final = {
    "siret": "SIRET", "siren": "SIREN", "naf_code": "Code NAF", "headcount": "Tranche d'effectif",
    "legal_form": "Forme juridique",
}
_PERSON_NOTE_LABELS: Final = {
    "phone": "Téléphone du contact", "mobile": "Mobile", "fax": "Télécopie du contact",
    "website": "Site du contact", "civility": "Civilité", "role": "Fonction",
    "phone_home": "Téléphone du domicile",
}


def _injection(row: _Row) -> RowRejected | None:
    for target in (
        "org.name",
        "org.enseigne",
        "person.first_name",
        "person.last_name",
        "person.full_name",
    ):
        value = row.raw(target)
        if _FORMULA.match(value):
            return RowRejected(
                row.record.locator,
                FORMULA_INJECTION,
                f"{row.record.locator}, {TARGET_LABELS[target]} : « {value[:40]} » "
                "ressemble à une formule de tableur, ligne refusée.",
            )
    return None


def clean_row(
    record: RawRecord,
    mapping: dict[str, str],
    reference: PostalReference | None = None,
    note_columns: Sequence[str] = (),
    *,
    address_book: bool = False,
) -> CleanRow | RowRejected:
    """Map and clean one record (docs/import-formats.md §6 rules 1–5 and 9).

    Nothing the row holds is lost silently: each value lands in a field, or in the
    notes under a label (``note_columns``, a second phone, a company-level value of a
    row without company…), or is reported as dropped in a warning.

    Args:
        record: The record as read.
        mapping: Target → source header (see ``presets.guess_mapping``).
        reference: Postcode reference for the postal normaliser; the shared one
            by default.
        note_columns: Unmapped columns kept in the notes as « En-tête : valeur »
            (see ``presets.note_columns``).
        address_book: The file is an address book (``presets.ADDRESS_BOOKS``): a
            one-cell name is « Nom, Prénom », never « Nom, Fonction ».

    Returns:
        The typed values with their warnings, or the reason the row is refused.
    """
    row = _Row(record, mapping)
    rejected = _injection(row)
    if rejected is not None:
        return rejected
    address = _address(row, reference)
    home = _address(row, reference, "home")
    located = address or home
    postcode = located.postcode if located else ""
    country = located.country if located else ""
    org = _organisation(row, postcode, country)
    person = _person(row, postcode, country, address_book)
    for header in note_columns:
        value = cell_value(record.fields.get(header, ""))
        if value:
            row.keep(header, value)
    tags = [
        tag
        for tag in _TAG_SEPARATORS.split(row.raw("tags"))
        if tag and not tag.startswith("* ")  # Google's system groups (* myContacts)
    ]
    has_org = bool(org.name or org.enseigne)
    has_person = bool(person.first_name or person.last_name)
    columns = ", ".join(f"« {mapping[t]} »" for t in mapping if t in TARGET_LABELS)
    if not has_org and not has_person:
        return RowRejected(
            record.locator,
            NO_IDENTITY,
            f"{record.locator} : ni raison sociale ni nom de personne "
            f"(colonnes {columns or 'aucune'}), ligne refusée.",
        )
    if has_person and not has_org:
        _to_person(row, org, person)
    elif has_org and not has_person:
        _to_organisation(row, org, person)
        if home is not None:
            if address is None:
                address, home = home, None
            else:
                row.keep("Adresse personnelle", " ".join(home.lines) or home.city)
                home = None
    if _name_only(row, (org, person), address, home, tags):
        name = (
            org.name
            or org.enseigne
            or " ".join(part for part in (person.first_name, person.last_name) if part)
        )
        return RowRejected(
            record.locator,
            NAME_ONLY,
            f"{record.locator} : « {name} » seul, sans aucune autre donnée "
            "(ligne de total ou de pied de tableau ?), ligne refusée.",
        )
    notes = "\n".join(part for part in (row.raw("notes"), *row.kept) if part)
    return CleanRow(
        locator=record.locator,
        organisation=org if has_org else None,
        person=person if has_person else None,
        address=address,
        home_address=home if has_person else None,
        notes=notes,
        tags=tags,
        warnings=row.warnings,
    )


def _name_only(
    row: _Row,
    values: tuple[OrganisationValues, PersonValues],
    address: AddressValues | None,
    home: AddressValues | None,
    tags: list[str],
) -> bool:
    """A name and nothing else: a footer such as ``Total : 250 fiches`` (§6 rule 9).

    A row naming both a company and a person is a contact, never a footer. Otherwise
    any cleaned value counts, but not one dropped with a warning: a footer's count
    (« 250 ») lands in some column and is no SIRET, phone or e-mail.
    """
    org, person = values
    if (org.name or org.enseigne) and (person.first_name or person.last_name):
        return False
    if address is not None or home is not None or tags or row.kept or row.raw("notes"):
        return False
    skip = {"name", "enseigne", "civility", "first_name", "last_name", "role"}
    return not any(
        getattr(item, f.name) for item in values for f in fields(item) if f.name not in skip
    )
