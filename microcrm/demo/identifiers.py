"""SIREN/SIRET with a Luhn key, E.164 phone numbers, e-mail addresses and web domains."""

from __future__ import annotations

import random
import re
from functools import cache

import phonenumbers

from microcrm.text import fold

#: La Poste's SIREN: its SIRETs follow another checksum rule, never generate it.
_LA_POSTE_SIREN = "356000000"

#: E.164 country code and the 3-digit heads of overseas numbers (landline, mobile).
_OVERSEAS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "GP": ("590", ("590",), ("690", "691")),
    "MQ": ("596", ("596",), ("696", "697")),
    "GF": ("594", ("594",), ("694",)),
    "RE": ("262", ("262",), ("692", "693")),
    "YT": ("262", ("269",), ("639",)),
}


def luhn_check_digit(digits: str) -> str:
    """The digit that makes ``digits + digit`` pass the Luhn test (SIREN/SIRET key)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: it will sit at an even distance from the key
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_siren(rng: random.Random, taken: set[str]) -> str:
    """A SIREN (8 random digits + Luhn key) not in ``taken``; it is added to ``taken``."""
    while True:
        head = str(rng.randint(30_000_000, 99_999_999))
        siren = head + luhn_check_digit(head)
        if siren not in taken and siren != _LA_POSTE_SIREN:
            taken.add(siren)
            return siren


def siret_for(siren: str, establishment: int = 1) -> str:
    """The SIRET of establishment number ``establishment`` (NIC ``0001`` + key for the first)."""
    head = f"{siren}{establishment:04d}"
    return head + luhn_check_digit(head)


def _valid_heads(country_code: str, heads: tuple[str, ...], fill: int) -> tuple[str, ...]:
    """Heads extended by 2 digits whose numbers phonenumbers accepts (sampled at the ends)."""
    samples = ("0" * fill, "9" * fill, "4738291"[:fill])
    valid = []
    for head in heads:
        for block in range(100):
            prefix = f"{head}{block:02d}"
            numbers = (phonenumbers.parse(f"+{country_code}{prefix}{s}") for s in samples)
            if all(phonenumbers.is_valid_number(n) for n in numbers):
                valid.append(prefix)
    return tuple(valid)


@cache
def phone_blocks(zone: str, mobile: bool) -> tuple[str, tuple[str, ...], int]:
    """(country code, valid prefixes, digits left to draw) for a zone ("1"…"5" or "RE"…)."""
    if zone in _OVERSEAS:
        cc, landline, mobiles = _OVERSEAS[zone]
        return cc, _valid_heads(cc, mobiles if mobile else landline, 4), 4
    heads = ("6", "7") if mobile else (zone,)
    return "33", _valid_heads("33", heads, 6), 6


def phone_number(rng: random.Random, zone: str, *, mobile: bool = False) -> str:
    """A valid E.164 number ("+33142685300") of the landline zone or a mobile."""
    cc, prefixes, fill = phone_blocks(zone, mobile)
    return f"+{cc}{rng.choice(prefixes)}{rng.randrange(10**fill):0{fill}d}"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LEGAL_WORDS = frozenset({"sarl", "sas", "sasu", "eurl", "sa", "snc", "selarl", "sci", "earl",
                          "gaec", "ets", "et", "de", "la", "le", "les", "du", "des", "l", "d"})


def slug(text: str, sep: str = "-") -> str:
    """ASCII lower-case form for domains and e-mail local parts ("Lefèvre" → "lefevre")."""
    return _NOT_SLUG.sub(sep, fold(text)).strip(sep)


def company_domain(rng: random.Random, name: str) -> str:
    """A web domain derived from the raison sociale ("plomberie-martin.fr")."""
    words = [w for w in slug(name, " ").split() if w not in _LEGAL_WORDS]
    if not words:
        words = slug(name, " ").split() or ["entreprise"]
    joiner = "-" if rng.random() < 0.6 else ""
    base = joiner.join(words[:3])[:40].strip("-")
    return f"{base}.{rng.choices(('fr', 'com', 'eu', 'net'), (70, 22, 4, 4))[0]}"


def person_email(rng: random.Random, first: str, last: str, domain: str) -> str:
    """first.last@domain, or one of the other usual patterns."""
    f, la = slug(first), slug(last)
    pattern = rng.random()
    if pattern < 0.65:
        local = f"{f}.{la}"
    elif pattern < 0.80:
        local = f"{f[:1]}.{la}" if rng.random() < 0.5 else f"{f[:1]}{la}"
    elif pattern < 0.90:
        local = f
    else:
        local = f"{la}.{f}"
    return f"{local}@{domain}"
