"""Which client a document belongs to, from the clues in its text, name and sender.

A :class:`ClientMatcher` is built once from the database (one read of the
organisations and their contacts) and then scores any number of documents
without touching it. Clues, from the strongest:

- a SIRET (or SIREN, or a French VAT number holding it) found in the text,
  checked with its Luhn key (python-stdnum), equal to a client's;
- the sender's e-mail address, or any address in the text, belonging to a
  client or to one of its contacts;
- the client reference (``Organisation.reference``) as a whole word;
- the domain of the sender or of an address/web site in the text, when it is
  a client's own domain (webmail domains such as gmail.com or orange.fr say
  nothing and are ignored, as are our own users' domains);
- the client's name (or its sign) as whole words after accent folding,
  legal forms (SARL, SAS…) and small words left out; short or common names
  count little, a name shared by several clients counts for none of them
  with certainty;
- a contact's first and last name.

Clues combine as independent evidence (1 − Π(1 − cᵢ)); when a second client
is also well supported, every confidence drops by half of its strongest
rival's, so that a document mentioning two clients is proposed, not filed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from stdnum.fr import siren as siren_check
from stdnum.fr import siret as siret_check

from microcrm.db import Database
from microcrm.models import Organisation, Person, User
from microcrm.text import fold

WEBMAIL_DOMAINS: Final = frozenset(
    (
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.fr",
        "live.fr",
        "live.com",
        "outlook.com",
        "outlook.fr",
        "msn.com",
        "yahoo.com",
        "yahoo.fr",
        "ymail.com",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "sfr.fr",
        "neuf.fr",
        "laposte.net",
        "bbox.fr",
        "aol.com",
        "icloud.com",
        "me.com",
        "gmx.fr",
        "gmx.com",
        "protonmail.com",
        "proton.me",
        "numericable.fr",
        "club-internet.fr",
        "aliceadsl.fr",
        "voila.fr",
        "example.com",
        "example.org",
        "example.invalid",
    )
)
LEGAL_FORMS: Final = frozenset(
    (
        "sarl",
        "sas",
        "sasu",
        "sa",
        "eurl",
        "sci",
        "snc",
        "scop",
        "scp",
        "selarl",
        "selas",
        "earl",
        "gaec",
        "ei",
        "eirl",
        "sca",
        "gie",
        "ets",
        "etablissements",
        "ste",
        "societe",
        "cie",
    )
)
SMALL_WORDS: Final = frozenset(
    (
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "a",
        "au",
        "aux",
        "en",
        "sur",
        "the",
    )
)
#: Single words too common in business letters to name a client on their own.
COMMON_WORDS: Final = frozenset(
    (
        "services",
        "service",
        "conseil",
        "conseils",
        "commerce",
        "transports",
        "transport",
        "batiment",
        "informatique",
        "distribution",
        "industrie",
        "boulangerie",
        "pharmacie",
        "restaurant",
        "garage",
        "mairie",
        "association",
        "groupe",
        "consulting",
        "solutions",
        "travaux",
        "renovation",
        "immobilier",
        "location",
        "maintenance",
        "facture",
        "commande",
        "livraison",
        "contrat",
        "courrier",
        "madame",
        "monsieur",
        "bonjour",
        "cordialement",
        "fontaine",
        "martin",
        "bernard",
        "thomas",
        "petit",
        "robert",
        "richard",
        "durand",
        "dubois",
        "moreau",
        "laurent",
        "simon",
        "michel",
        "lefebvre",
        "leroy",
        "roux",
        "david",
        "bertrand",
        "morel",
        "fournier",
        "girard",
        "bonnet",
        "dupont",
        "lambert",
        "france",
        "paris",
        "lyon",
        "marseille",
        "europe",
        "international",
        "nord",
        "sud",
        "ouest",
        "est",
    )
)

#: Confidence of one clue of each kind.
SIRET_HIT: Final = 0.99
SIREN_HIT: Final = 0.97
SENDER_ADDRESS: Final = 0.97
TEXT_ADDRESS: Final = 0.9
REFERENCE: Final = 0.9
SENDER_DOMAIN: Final = 0.9
TEXT_DOMAIN: Final = 0.8
NAME_LONG: Final = 0.85
NAME_SHORT: Final = 0.45
"""A single long word: a hint shown in proposals, never enough to file nor to be a rival."""
NAME_IN_FILENAME: Final = 0.9
CONTACT_NAME: Final = 0.6
SHARED: Final = 0.45
"""Any clue that points at several clients at once, for each of them."""
RIVAL: Final = 0.5
"""A second client at least this well supported makes the document ambiguous."""
MAX_NAME_WORDS: Final = 8

_Credit = Callable[[Iterable[int], float, str], None]
"""``credit(organisation_ids, confidence, reason)``: record one clue."""

_TOKEN = re.compile(r"[a-z0-9]+")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_WEB = re.compile(r"\b(?:https?://)?(?:www\.)([a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.IGNORECASE)
# Digits grouped as people type them ("732 829 320 00074"), not inside a longer number.
_SIRET_TEXT = re.compile(r"(?<!\d)(?<!\d )(\d{3}) ?(\d{3}) ?(\d{3}) ?(\d{5})(?! ?\d)")
_SIREN_TEXT = re.compile(r"(?<![\d-])(?<!\d )(\d{3}) ?(\d{3}) ?(\d{3})(?! ?\d)(?!-)")
_VAT = re.compile(r"\bFR ?[0-9A-Z]{2} ?(\d{3}) ?(\d{3}) ?(\d{3})\b")


@dataclass(frozen=True)
class ClientMatch:
    """A client proposed for a document, with a confidence (0–1) and the French reason."""

    organisation_id: int
    confidence: float
    reason: str


def name_key(name: str) -> tuple[str, ...]:
    """Words of a name that identify it: folded, without legal forms nor small words."""
    words = _TOKEN.findall(fold(name))
    return tuple(w for w in words if w not in LEGAL_FORMS and w not in SMALL_WORDS)


def _text_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(fold(text)) if w not in LEGAL_FORMS and w not in SMALL_WORDS]


def domain_of(value: str | None) -> str | None:
    """``cremerie.fr`` from an e-mail address or a web site."""
    if not value:
        return None
    value = value.strip().lower()
    if "@" in value:
        domain = value.rsplit("@", 1)[1]
    else:
        domain = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split(":", 1)[0]
    domain = domain.removeprefix("www.").strip(".> ")
    return domain if "." in domain else None


def _name_weight(key: tuple[str, ...]) -> float:
    """How much finding this name says: long, rare names more than short, common ones."""
    letters = sum(len(w) for w in key)
    if len(key) >= 2 and letters >= 8 and not all(w in COMMON_WORDS for w in key):
        return NAME_LONG
    if len(key) == 1 and len(key[0]) >= 7 and key[0] not in COMMON_WORDS and not key[0].isdigit():
        return NAME_SHORT
    return 0.0


@dataclass
class _Evidence:
    clues: list[tuple[float, str]] = field(default_factory=list)

    def add(self, confidence: float, reason: str) -> None:
        self.clues.append((confidence, reason))

    def score(self) -> tuple[float, str]:
        best: dict[str, float] = {}
        for conf, reason in self.clues:  # the same clue found twice counts once
            best[reason] = max(best.get(reason, 0.0), conf)
        doubt = 1.0
        for conf in best.values():
            doubt *= 1.0 - conf
        reasons = [r for r, _ in sorted(best.items(), key=lambda kv: -kv[1])]
        return 1.0 - doubt, " ; ".join(reasons[:3])


class ClientMatcher:
    """Client clues of the whole base, built once, then :meth:`match` any number of documents."""

    def __init__(self) -> None:
        self.siret: dict[str, set[int]] = defaultdict(set)
        self.siren: dict[str, set[int]] = defaultdict(set)
        self.address: dict[str, set[int]] = defaultdict(set)
        self.domain: dict[str, set[int]] = defaultdict(set)
        self.reference: dict[str, set[int]] = defaultdict(set)
        self.names: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self.contacts: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self.ignored_domains: set[str] = set(WEBMAIL_DOMAINS)
        self.labels: dict[int, str] = {}

    @classmethod
    def from_db(cls, db: Database) -> ClientMatcher:
        """Read the live organisations, their contacts and our users' domains."""
        matcher = cls()
        with db.read() as s:
            orgs = s.execute(
                select(
                    Organisation.id,
                    Organisation.name,
                    Organisation.enseigne,
                    Organisation.reference,
                    Organisation.siren,
                    Organisation.siret,
                    Organisation.website,
                    Organisation.email,
                ).where(Organisation.deleted_at.is_(None))
            ).all()
            persons = s.execute(
                select(
                    Person.organisation_id,
                    Person.first_name,
                    Person.last_name,
                    Person.email,
                    Person.is_staff,
                ).where(Person.deleted_at.is_(None))
            ).all()
            users = list(s.scalars(select(User.email)))
        for email in users:
            matcher.ignore_domain(domain_of(email))
        for p in persons:
            if p.is_staff:
                matcher.ignore_domain(domain_of(p.email))
        for o in orgs:
            matcher.add_organisation(
                o.id,
                name=o.name,
                enseigne=o.enseigne,
                reference=o.reference,
                siren=o.siren,
                siret=o.siret,
                website=o.website,
                email=o.email,
            )
        for p in persons:
            if p.organisation_id is not None and not p.is_staff:
                matcher.add_contact(p.organisation_id, p.first_name, p.last_name, p.email)
        return matcher

    def ignore_domain(self, domain: str | None) -> None:
        """A domain that names no client (our own, a webmail)."""
        if domain:
            self.ignored_domains.add(domain)

    def add_organisation(
        self,
        org_id: int,
        *,
        name: str,
        enseigne: str | None = None,
        reference: str | None = None,
        siren: str | None = None,
        siret: str | None = None,
        website: str | None = None,
        email: str | None = None,
    ) -> None:
        """Register one organisation's clues."""
        self.labels[org_id] = name
        if siret:
            self.siret[siret].add(org_id)
            self.siren[siret[:9]].add(org_id)
        if siren:
            self.siren[siren].add(org_id)
        if email:
            self.address[email.strip().lower()].add(org_id)
        for value in (email, website):
            domain = domain_of(value)
            if domain:
                self.domain[domain].add(org_id)
        if reference and len(reference) >= 4 and any(ch.isdigit() for ch in reference):
            self.reference[fold(reference)].add(org_id)
        for label in (name, enseigne):
            key = name_key(label or "")[:MAX_NAME_WORDS]
            if key and _name_weight(key) > 0:
                self.names[key].add(org_id)

    def add_contact(
        self, org_id: int, first_name: str | None, last_name: str | None, email: str | None
    ) -> None:
        """Register a contact person of an organisation."""
        if email:
            self.address[email.strip().lower()].add(org_id)
            domain = domain_of(email)
            if domain:
                self.domain[domain].add(org_id)
        key = name_key(f"{first_name or ''} {last_name or ''}")
        if len(key) >= 2 and sum(len(w) for w in key) >= 8:
            self.contacts[key].add(org_id)

    # -- matching ---------------------------------------------------------------------------

    def match(
        self, text: str, filename: str = "", sender_emails: Sequence[str] = ()
    ) -> list[ClientMatch]:
        """Clients the document may belong to, most likely first (empty: no clue)."""
        evidence: dict[int, _Evidence] = defaultdict(_Evidence)

        def credit(ids: Iterable[int], confidence: float, reason: str) -> None:
            found = set(ids)
            conf = confidence if len(found) == 1 else min(confidence, SHARED)
            for org in found:
                evidence[org].add(conf, reason)

        self._identifiers(text, credit)
        self._addresses(text, sender_emails, credit)
        self._names(text, filename, credit)
        scored = sorted(
            ((org, *ev.score()) for org, ev in evidence.items()), key=lambda t: (-t[1], t[0])
        )
        matches = [ClientMatch(org, conf, reason) for org, conf, reason in scored]
        if len(matches) >= 2 and matches[1].confidence >= RIVAL:
            # Two clients well supported: the document may concern either. Each one's
            # confidence drops by half its strongest rival's (the order stays), so that
            # such a document is proposed, never filed on its own.
            first, second = matches[0].confidence, matches[1].confidence
            matches = [
                ClientMatch(
                    m.organisation_id,
                    m.confidence * (1 - 0.5 * (second if i == 0 else first)),
                    m.reason + (" ; autre client possible" if i == 0 else ""),
                )
                for i, m in enumerate(matches)
            ]
        return matches

    def _identifiers(self, text: str, credit: _Credit) -> None:
        for match in _SIRET_TEXT.finditer(text):
            number = "".join(match.groups())
            if number in self.siret and siret_check.is_valid(number):
                credit(self.siret[number], SIRET_HIT, f"SIRET {number}")
        for regex in (_SIREN_TEXT, _VAT):
            for match in regex.finditer(text):
                number = "".join(match.groups())
                if number in self.siren and siren_check.is_valid(number):
                    credit(self.siren[number], SIREN_HIT, f"SIREN {number}")
        if self.reference:
            for word in set(_TOKEN.findall(fold(text))):
                if word in self.reference:
                    credit(self.reference[word], REFERENCE, f"référence client {word.upper()}")

    def _addresses(self, text: str, senders: Sequence[str], credit: _Credit) -> None:
        """Addresses and domains; each counts once, as sender if it is one (the stronger)."""
        addresses = {a.strip().lower(): True for a in senders}
        for found in _EMAIL.findall(text):
            addresses.setdefault(found.lower().strip("."), False)
        domains: dict[str, bool] = {}
        for address, is_sender in addresses.items():
            if address in self.address:
                credit(
                    self.address[address],
                    SENDER_ADDRESS if is_sender else TEXT_ADDRESS,
                    f"{'expéditeur' if is_sender else 'adresse'} {address}",
                )
            domain = domain_of(address)
            if domain:
                domains[domain] = domains.get(domain, False) or is_sender
        for found in _WEB.findall(text):
            domains.setdefault(found.lower().strip("."), False)
        for domain, is_sender in domains.items():
            if domain not in self.ignored_domains and domain in self.domain:
                credit(
                    self.domain[domain],
                    SENDER_DOMAIN if is_sender else TEXT_DOMAIN,
                    f"domaine {domain}",
                )

    def _names(self, text: str, filename: str, credit: _Credit) -> None:
        for source, words in (
            ("nom de fichier", _text_words(filename)),
            ("texte", _text_words(text)),
        ):
            for key, ids in self._find(words, self.names).items():
                weight = NAME_IN_FILENAME if source == "nom de fichier" else _name_weight(key)
                credit(ids, weight, f"nom « {self._label(ids, key)} » ({source})")
        for key, ids in self._find(_text_words(text), self.contacts).items():
            credit(ids, CONTACT_NAME, f"contact {' '.join(key).title()}")

    def _label(self, ids: set[int], key: tuple[str, ...]) -> str:
        return self.labels[next(iter(ids))] if len(ids) == 1 else " ".join(key)

    @staticmethod
    def _find(
        words: list[str], table: dict[tuple[str, ...], set[int]]
    ) -> dict[tuple[str, ...], set[int]]:
        """Entries of ``table`` whose key appears in ``words`` as consecutive words."""
        if not table:
            return {}
        lengths = sorted({len(k) for k in table})
        found: dict[tuple[str, ...], set[int]] = {}
        for start in range(len(words)):
            for n in lengths:
                key = tuple(words[start : start + n])
                if len(key) == n and key in table:
                    found[key] = table[key]
        return found


def match_document(
    text: str, filename: str, sender_emails: Sequence[str], *, matcher: ClientMatcher
) -> list[ClientMatch]:
    """:meth:`ClientMatcher.match` as a function (the matcher is built once per scan)."""
    return matcher.match(text, filename, sender_emails)
