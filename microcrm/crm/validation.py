"""Field validation and cleaning for records typed by users (French messages)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import phonenumbers
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from microcrm.errors import ValidationError
from microcrm.text import fold

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAF = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")
#: Postcode prefix → phone region of the overseas départements and collectivities.
OVERSEAS_REGIONS = {"971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT"}


_LOCALES_FOR_COUNTRY_NAMES = ("fr", "en", "de", "es", "it", "nl", "pt")


def _country_key(name: str) -> str:
    return " ".join(fold(name).replace(".", " ").replace("-", " ").split())


@functools.cache
def _country_codes() -> dict[str, str]:
    """Folded country name (in the languages address books are written in) or code → region."""
    from babel import Locale

    codes: dict[str, str] = {}
    for locale in _LOCALES_FOR_COUNTRY_NAMES:
        for code, name in Locale(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                codes.setdefault(_country_key(name), code)
                codes.setdefault(code.lower(), code)
    codes.update({"usa": "US", "u s a": "US", "uk": "GB", "england": "GB", "deutschland": "DE"})
    return codes


def phone_region(country: str = "", postcode: str = "") -> str:
    """The region numbers are read in: the address's country, else France (or its DOM).

    ``country`` is the country as typed (« Allemagne », « Germany », « DE »…); an
    unknown or empty one means France. A French postcode of an overseas
    département (971…976) gives that département's own region.
    """
    key = _country_key(country)
    region = _country_codes().get(key, "FR") if key else "FR"
    if region == "FR":
        return OVERSEAS_REGIONS.get(postcode[:3], "FR")
    return region


def digits_only(value: str) -> str:
    """Remove spaces, dots and dashes users type inside numbers."""
    return re.sub(r"[\s.\-\u00a0\u202f]", "", value)


def _clean_company_number(value: str, field: str, label: str, length: int,
                          is_valid: Callable[[str], bool]) -> str | None:
    value = digits_only(value or "")
    if not value:
        return None
    if not value.isdigit() or len(value) != length:
        raise ValidationError(
            field, f"Le {label} doit comporter {length} chiffres (saisi : {len(value)})."
        )
    if not is_valid(value):
        raise ValidationError(
            field, f"Le {label} {value} n'est pas valide : clé de contrôle incorrecte."
        )
    return value


def clean_siret(value: str, field: str = "siret") -> str | None:
    """A valid 14-digit SIRET (Luhn key checked, La Poste's 356000000 rule included), or None.

    Raises:
        ValidationError: the SIRET is malformed or its key is wrong.
    """
    return _clean_company_number(value, field, "SIRET", 14, stdnum_siret.is_valid)


def clean_siren(value: str, field: str = "siren") -> str | None:
    """A valid 9-digit SIREN, or None.

    Raises:
        ValidationError: the SIREN is malformed or its key is wrong.
    """
    return _clean_company_number(value, field, "SIREN", 9, stdnum_siren.is_valid)


def clean_naf(value: str, field: str = "naf_code") -> str | None:
    """NAF rév. 2 code written ``NN.NNL`` (``6201z`` → ``62.01Z``), or None.

    Raises:
        ValidationError: not of the form NN.NNL.
    """
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return None
    if not NAF.match(value):
        raise ValidationError(field, f"Le code NAF « {value} » doit s'écrire comme 62.01Z.")
    return value if "." in value else f"{value[:2]}.{value[2:]}"


def clean_email(value: str, field: str = "email") -> str | None:
    """A plausible e-mail address (lower-cased domain), or None.

    Raises:
        ValidationError: not an e-mail address.
    """
    value = (value or "").strip()
    if not value:
        return None
    if not EMAIL.match(value):
        raise ValidationError(field, f"L'adresse e-mail « {value} » n'est pas valide.")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(value: str, field: str = "phone", postcode: str = "") -> str | None:
    """A phone number in E.164 (``+33142685300``), French by default, or None.

    Overseas départements (971…976 postcodes) resolve to their own region so
    that ``0590…`` numbers are read as Guadeloupe, not mainland France.

    Raises:
        ValidationError: the number cannot be a valid phone number.
    """
    value = (value or "").strip()
    if not value:
        return None
    region = OVERSEAS_REGIONS.get(postcode[:3], "FR")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(field, f"Le numéro de téléphone « {value} » n'est pas valide.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def show_emails(value: str | None) -> str:
    """Stored further e-mails (one per line) as shown on one line: ``a@x.fr, b@y.fr``."""
    return ", ".join(line.strip() for line in (value or "").splitlines() if line.strip())


def format_phone(value: str | None) -> str:
    """E.164 to the French display form (``+33142685300`` → ``01 42 68 53 00``)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_emails(value: str, field: str = "emails_other") -> str | None:
    """Several e-mail addresses, each checked, joined one per line; None when empty.

    They may be given one per line or separated by ``,`` or ``;``; duplicates are dropped.

    Raises:
        ValidationError: one of them is not an e-mail address (named in the message).
    """
    found: list[str] = []
    for part in re.split(r"[\n,;]+", value or ""):
        email = clean_email(part, field)
        if email is not None and email.lower() not in {e.lower() for e in found}:
            found.append(email)
    return "\n".join(found) or None


def clean_website(value: str, field: str = "website") -> str | None:
    """A web address with its scheme (``www.x.fr`` → ``https://www.x.fr``), or None.

    Raises:
        ValidationError: spaces or no dot in the host.
    """
    value = (value or "").strip()
    if not value:
        return None
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    host = value.split("//", 1)[1].split("/", 1)[0]
    if " " in value or "." not in host:
        raise ValidationError(field, f"L'adresse du site « {value} » n'est pas valide.")
    return value


def required(value: str, field: str, label: str) -> str:
    """The stripped value.

    Raises:
        ValidationError: the value is empty.
    """
    value = (value or "").strip()
    if not value:
        raise ValidationError(field, f"{label} est obligatoire.")
    return value
