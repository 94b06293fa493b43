"""The business's own identity: name, legal identifiers, contact details, logo.

Every workstation prints the same letterhead, so the identity lives in the
database, not in ``settings.toml``: ``app_meta["company"]`` holds the fields
as JSON and ``app_meta["company_logo"]`` the logo as base64 PNG (no schema
change). The logo arrives already scaled (the UI does it with Qt); this
module only checks that it is a PNG of reasonable size.

Identifiers in the footer follow the usual French mentions (Code de
commerce R123-237: form, capital, RCS city and SIREN; CGI art. 242 nonies A:
intra-community VAT number).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy.orm import Session
from stdnum.fr import tva as stdnum_tva

from microcrm.crm import validation as v
from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.models import AppMeta
from microcrm.storage import journal

COMPANY_KEY = "company"
LOGO_KEY = "company_logo"
#: Journal entity written when the identity changes, so other workstations can refresh.
JOURNAL_ENTITY = "company"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_LOGO_BYTES = 2_000_000
NBSP = "\u00a0"
POSTCODE = re.compile(r"^\d{5}$")

#: Legal forms offered in the form (the field stays free text).
LEGAL_FORMS = (
    "SARL",
    "SAS",
    "SASU",
    "EURL",
    "SA",
    "SNC",
    "SCI",
    "SCOP",
    "SELARL",
    "EI",
    "Micro-entreprise",
    "Association loi 1901",
)

FIELD_LABELS = {
    "name": "Raison sociale",
    "legal_form": "Forme juridique",
    "capital_cents": "Capital",
    "siret": "SIRET",
    "rcs_city": "Ville du RCS",
    "vat_number": "N° de TVA intracommunautaire",
    "address_line1": "Adresse",
    "address_line2": "Complément d'adresse",
    "postcode": "Code postal",
    "city": "Ville",
    "phone": "Téléphone",
    "email": "E-mail",
    "website": "Site web",
    "legal_mentions": "Mentions légales",
    "logo_png": "Logo",
}


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    """The business using MicroCRM, as shown on letters and documents.

    Stored values are clean: SIRET as 14 digits, VAT number compact
    (``FR44732829320``), phone in E.164, capital in euro cents.
    """

    name: str = ""
    legal_form: str = ""
    capital_cents: int | None = None
    siret: str = ""
    rcs_city: str = ""
    vat_number: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    legal_mentions: str = ""
    logo_png: bytes = b""

    @property
    def siren(self) -> str:
        """The SIREN, derived from the SIRET (its first nine digits)."""
        return self.siret[:9]

    @property
    def is_empty(self) -> bool:
        """True when nothing was ever entered."""
        return self == CompanyInfo()

    def legal_line(self) -> str:
        """The usual French footer of a letter or an invoice.

        ``"SARL au capital de 10 000 € — RCS Rennes 732 829 320 — SIRET 732 829 320 00074 —
        TVA FR 44 732 829 320"``; missing parts are left out. Spaces inside each part are
        non-breaking, so a narrow footer wraps only between parts.
        """
        parts: list[str] = []
        capital = format_euros(self.capital_cents) if self.capital_cents else ""
        if self.legal_form:
            parts.append(
                f"{self.legal_form} au capital de {capital}" if capital else self.legal_form
            )
        elif capital:
            parts.append(f"Capital de {capital}")
        if self.siren and self.rcs_city:
            parts.append(f"RCS {self.rcs_city} {format_siren(self.siren)}")
        if self.siret:
            parts.append(f"SIRET {format_siret(self.siret)}")
        if self.vat_number:
            parts.append(f"TVA {format_vat(self.vat_number)}")
        return " — ".join(p.replace(" ", NBSP) for p in parts)

    def address_lines(self) -> list[str]:
        """Name and postal address, one line each, for a letterhead."""
        town = f"{self.postcode} {self.city}".strip()
        lines = [self.name, self.address_line1, self.address_line2, town]
        return [line for line in lines if line]

    def contact_line(self) -> str:
        """Phone, e-mail and web site joined for a letterhead (``02 99 … — contact@…``)."""
        parts = [v.format_phone(self.phone), self.email, self.website.removeprefix("https://")]
        return " — ".join(p for p in parts if p)


def vat_number_from_siren(siren: str) -> str:
    """The French intra-community VAT number of a SIREN, compact (``FR44732829320``).

    Key = (12 + 3 × (SIREN mod 97)) mod 97, written on two digits.

    Raises:
        ValidationError: the SIREN is not valid.
    """
    cleaned = v.clean_siren(siren, "siret")
    if cleaned is None:
        raise ValidationError("siret", "Le SIREN est vide : impossible de calculer la TVA.")
    key = (12 + 3 * (int(cleaned) % 97)) % 97
    return f"FR{key:02d}{cleaned}"


def format_siren(siren: str) -> str:
    """``732829320`` → ``732 829 320`` (non-breaking spaces)."""
    return NBSP.join((siren[:3], siren[3:6], siren[6:9])) if len(siren) == 9 else siren


def format_siret(siret: str) -> str:
    """``73282932000074`` → ``732 829 320 00074`` (non-breaking spaces)."""
    return f"{format_siren(siret[:9])}{NBSP}{siret[9:]}" if len(siret) == 14 else siret


def format_vat(vat: str) -> str:
    """``FR44732829320`` → ``FR 44 732 829 320`` (non-breaking spaces)."""
    if len(vat) == 13 and vat.startswith("FR") and vat[4:].isdigit():
        return NBSP.join((vat[:2], vat[2:4], format_siren(vat[4:])))
    return vat


def format_euros(cents: int | None) -> str:
    """An amount for a French document: ``1000000`` → ``10 000 €``, ``762245`` → ``7 622,45 €``.

    Thousands use the narrow no-break space and the euro sign a no-break space
    (French typography, CLDR ``fr_FR``).
    """
    if cents is None:
        return ""
    amount = Decimal(cents) / 100
    pattern = "#,##0" if cents % 100 == 0 else "#,##0.00"
    return f"{format_decimal(amount, format=pattern, locale='fr_FR')}{NBSP}€"


def format_amount(cents: int | None) -> str:
    """An amount for an input field, without the euro sign (``10 000``, ``7 622,45``)."""
    return format_euros(cents).removesuffix(f"{NBSP}€")


def parse_amount(text: str, field: str = "capital_cents") -> int | None:
    """Euro cents from what a user typed (``10 000``, ``10.000 €``, ``7 622,45``), or None.

    Raises:
        ValidationError: not an amount, negative, or more than two decimals.
    """
    raw = text or ""
    cleaned = re.sub(r"(?i)\s|€|eur(os?)?", "", raw.replace("\u202f", "").replace(NBSP, ""))
    if not cleaned:
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = Decimal(-1)
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(field, f"Le montant « {raw.strip()} » n'est pas valide.")
    return int(amount * 100)


def clean_vat(value: str, siren: str = "", field: str = "vat_number") -> str:
    """A valid French VAT number, compact (``FR44732829320``), or ``""``.

    Raises:
        ValidationError: wrong key or format, or it does not match ``siren``.
    """
    compact = re.sub(r"[\s.\-\u00a0\u202f]", "", value or "").upper()
    if not compact:
        return ""
    if not compact.startswith("FR") or not stdnum_tva.is_valid(compact):
        raise ValidationError(
            field, f"Le numéro de TVA « {value.strip()} » n'est pas un numéro français valide."
        )
    if siren and compact[4:].isdigit() and compact[4:] != siren:
        raise ValidationError(
            field,
            f"Le numéro de TVA {format_vat(compact)} ne correspond pas au SIREN "
            f"{format_siren(siren)} (attendu : {format_vat(vat_number_from_siren(siren))}).",
        )
    return compact


def validate_company(info: CompanyInfo) -> CompanyInfo:
    """Cleaned copy of the identity.

    Raises:
        ValidationError: naming the first field in error, with a French message.
    """
    siret = v.clean_siret(info.siret) or ""
    postcode = info.postcode.strip()
    if postcode and not POSTCODE.match(postcode):
        raise ValidationError("postcode", f"Le code postal « {postcode} » doit avoir 5 chiffres.")
    if info.capital_cents is not None and info.capital_cents < 0:
        raise ValidationError("capital_cents", "Le capital ne peut pas être négatif.")
    logo = info.logo_png
    if logo and not logo.startswith(PNG_SIGNATURE):
        raise ValidationError("logo_png", "Le logo doit être une image PNG.")
    if len(logo) > MAX_LOGO_BYTES:
        raise ValidationError(
            "logo_png", "Le logo est trop lourd (plus de 2 Mo) : choisissez une image plus petite."
        )
    return replace(
        info,
        name=v.required(info.name, "name", "La raison sociale"),
        legal_form=info.legal_form.strip(),
        siret=siret,
        rcs_city=info.rcs_city.strip(),
        vat_number=clean_vat(info.vat_number, siret[:9]),
        address_line1=info.address_line1.strip(),
        address_line2=info.address_line2.strip(),
        postcode=postcode,
        city=info.city.strip(),
        phone=v.clean_phone(info.phone, "phone", postcode) or "",
        email=v.clean_email(info.email) or "",
        website=v.clean_website(info.website) or "",
        legal_mentions=info.legal_mentions.strip(),
    )


def _from_json(text: str | None, logo: str | None) -> CompanyInfo:
    """Tolerant decoding: unknown keys (a newer app) are ignored, missing ones default."""
    try:
        data: Any = json.loads(text) if text else {}
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    values: dict[str, Any] = {}
    for f in fields(CompanyInfo):
        value = data.get(f.name)
        if f.name == "capital_cents":
            values[f.name] = value if isinstance(value, int) else None
        elif f.name != "logo_png" and isinstance(value, str):
            values[f.name] = value
    try:
        values["logo_png"] = base64.b64decode(logo, validate=True) if logo else b""
    except (binascii.Error, ValueError):
        values["logo_png"] = b""
    return CompanyInfo(**values)


def load_company(db: Database) -> CompanyInfo:
    """The stored identity (an empty :class:`CompanyInfo` when none was saved)."""
    with db.read() as session:
        text = session.get(AppMeta, COMPANY_KEY)
        logo = session.get(AppMeta, LOGO_KEY)
        return _from_json(text.value if text else None, logo.value if logo else None)


def _put(session: Session, key: str, value: str | None) -> None:
    row = session.get(AppMeta, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value


def save_company(db: Database, info: CompanyInfo) -> CompanyInfo:
    """Validate and store the identity (last save wins: it is edited rarely, by one person).

    Returns:
        The cleaned identity as stored.

    Raises:
        ValidationError: a field is invalid (nothing written).
    """
    clean = validate_company(info)
    data = asdict(clean)
    del data["logo_png"]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    logo = base64.b64encode(clean.logo_png).decode("ascii") if clean.logo_png else None

    def write(session: Session) -> None:
        _put(session, COMPANY_KEY, text)
        _put(session, LOGO_KEY, logo)
        journal.record(session, JOURNAL_ENTITY, [0], "update")

    db.run_write(write)
    return clean
