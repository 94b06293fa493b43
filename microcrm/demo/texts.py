"""Compose the French content of one demo document (devis, facture, courrier…).

Content is format-free: :mod:`microcrm.demo.render` turns a
:class:`DocContent` into PDF, DOCX, ODT, XLSX, RTF, HTML, CSV, TXT or EML bytes. Everything is drawn
from the ``rng`` passed in, so a document depends only on its seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from microcrm.demo import phrases
from microcrm.text import long_date

NBSP = "\u00a0"
VAT_RATE = 0.20

#: kind → (dossier, title prefix, weight, (format, weight)…)
KINDS: dict[str, tuple[str, str, int, tuple[tuple[str, int], ...]]] = {
    "devis": ("Devis", "Devis", 20, (("pdf", 60), ("docx", 25), ("odt", 10), ("rtf", 5))),
    "facture": ("Factures", "Facture", 20, (("pdf", 85), ("xlsx", 15))),
    "commande": ("Commandes", "Bon de commande", 8,
                 (("pdf", 50), ("docx", 30), ("xlsx", 10), ("csv", 10))),
    "courrier": ("Courrier", "Courrier", 17, (("docx", 50), ("pdf", 30), ("odt", 10),
                                              ("rtf", 10))),
    "compte_rendu": ("Divers", "Compte rendu de réunion", 8,
                     (("docx", 50), ("txt", 25), ("odt", 15), ("html", 10))),
    "note": ("Divers", "Note", 7, (("txt", 70), ("html", 15), ("rtf", 15))),
    "email": ("E-mails", "E-mail", 20, (("eml", 100),)),
}
#: Letters that carry no sales pitch.
_NOT_COMMERCIAL = ("Relance de paiement", "Réclamation concernant la livraison")
#: Dossiers of a client, in display order (Dossier.position).
DOSSIERS = ("Devis", "Commandes", "Factures", "Courrier", "E-mails", "Divers")


@dataclass(frozen=True, slots=True)
class Sender:
    """The demo company, author of outgoing documents."""

    name: str
    lines: tuple[str, ...]
    city: str
    siret: str
    phone: str
    domain: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """What a document needs to know about the client it is filed under."""

    organisation_id: int
    name: str
    lines: tuple[str, ...]
    city: str
    activity: str
    contact: str | None
    contact_email: str
    salutation: str
    user_id: int | None
    salesperson: str
    salesperson_email: str


@dataclass(slots=True)
class DocContent:
    """A document's content, ready to be rendered in any supported format."""

    kind: str
    fmt: str
    dossier: str
    title: str
    filename: str
    doc_date: dt.date
    sender: Sender
    recipient: Recipient
    subject: str
    place_date: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[tuple[str, str, str, str]] = field(default_factory=list)
    totals: list[tuple[str, str]] = field(default_factory=list)
    closing: str = ""
    signature: str = ""
    email_from: str = ""
    email_to: str = ""
    attachment: tuple[str, str] | None = None
    quote: str = ""


def money(amount: float) -> str:
    """``1 250,00 €`` with non-breaking spaces (French typography)."""
    return f"{amount:,.2f}".replace(",", NBSP).replace(".", ",") + f"{NBSP}€"


def _slots(rng: random.Random, doc_date: dt.date, rec: Recipient, sender: Sender) -> dict[str, str]:
    prev = doc_date - dt.timedelta(days=rng.randint(3, 40))
    nxt = doc_date + dt.timedelta(days=rng.randint(5, 60))
    slots = {
        "city": rec.city, "activity": rec.activity or "votre activité",
        "prev_date": long_date(prev), "next_date": long_date(nxt),
        "hour": f"{rng.randint(8, 17)} h {rng.choice(('00', '15', '30', '45'))}",
        "amount": money(rng.randint(180, 25000) + rng.choice((0, 0.5, 0.9))),
        "invoice": f"F{prev.year}-{rng.randint(1, 99999):05d}",
        "order": f"BC{prev.year}-{rng.randint(1, 99999):05d}",
        "contract": f"M{rng.randint(10000, 99999)}",
        "ticket": f"{rng.randint(100000, 999999)}",
        "qty": str(rng.randint(2, 40)), "qty2": str(rng.randint(41, 80)),
        "percent": str(rng.choice((2, 3, 3.5, 4, 5))).replace(".", ","),
        "validity": str(rng.choice((30, 60, 90))), "weeks": str(rng.randint(1, 6)),
        "salesperson": rec.salesperson, "phone": sender.phone,
        "contact": rec.contact or "le dirigeant", "year": str(doc_date.year + rng.randint(0, 2)),
        "civility": rec.salutation, "clients": str(rng.choice((300, 450, 800, 1200))),
    }
    slots["need"] = rng.choice(phrases.NEEDS).format(**slots)
    return slots


def _lines_table(rng: random.Random, content: DocContent) -> float:
    """Fill the priced lines and totals; returns the total TTC."""
    total = 0.0
    for designation, low, high in rng.sample(phrases.CATALOGUE, rng.randint(3, 9)):
        qty = rng.choice((1, 1, 1, 2) if low >= 500 else (1, 1, 2, 3, 4, 5, 8, 10, 12, 20))
        unit = round(rng.uniform(low, high) / 5) * 5 - rng.choice((0, 0.1, 0.01))
        line = qty * unit
        total += line
        content.table.append((designation, str(qty), money(unit), money(line)))
    vat = total * VAT_RATE
    content.totals = [("Total HT", money(total)), ("TVA 20 %", money(vat)),
                      ("Total TTC", money(total + vat))]
    return total + vat


def compose(rng: random.Random, kind: str, fmt: str, number: int, doc_date: dt.date, *,
            rec: Recipient, sender: Sender) -> DocContent:
    """Build the content of document ``number`` of ``kind`` for ``rec``."""
    dossier, prefix, _, _ = KINDS[kind]
    slots = _slots(rng, doc_date, rec, sender)
    ref = {"devis": "D", "facture": "F", "commande": "BC"}.get(kind, "")
    reference = f"{ref}{doc_date.year}-{number:05d}" if ref else ""
    title = f"{prefix} {reference}" if reference else f"{prefix} du {long_date(doc_date)}"
    subject = title
    if kind == "courrier":
        subject = rng.choice(phrases.LETTER_SUBJECTS)
        title = f"{subject} ({long_date(doc_date)})"
    elif kind == "email":
        subject = rng.choice(("Votre devis", "Intervention", "Commande", "Règlement",
                              "Compte rendu", "Demande d'assistance", "Proposition"))
        subject += f" – {rec.name}"
        title = f"E-mail : {subject}"
    stem = f"{title} - {rec.name}" if kind not in ("note", "email") else title
    content = DocContent(
        kind=kind, fmt=fmt, dossier=dossier, title=title[:255],
        filename=_filename(stem, fmt), doc_date=doc_date, sender=sender, recipient=rec,
        subject=subject, place_date=f"{sender.city}, le {long_date(doc_date)}",
        signature=rec.salesperson,
    )
    _BUILDERS[kind](rng, content, slots)
    return content


def _filename(stem: str, fmt: str) -> str:
    cleaned = "".join("-" if ch in '\\/:*?"<>|' else ch for ch in stem)
    return f"{cleaned[:120].strip()}.{fmt}"


def _details(rng: random.Random, c: DocContent, s: dict[str, str], count: int) -> list[str]:
    """Sentences about the priced lines (or the catalogue when there are none)."""
    products = [line[0] for line in c.table] or [p[0] for p in phrases.CATALOGUE]
    return [p.format(**s, product=rng.choice(products).lower())
            for p in rng.sample(phrases.DETAILS, count)]


def _devis(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(rng.choice(phrases.DEVIS_INTROS).format(**s))
    _lines_table(rng, c)
    c.paragraphs.extend(_details(rng, c, s, 4))
    c.paragraphs.extend(p.format(**s) for p in rng.sample(phrases.CONDITIONS, 5))
    c.paragraphs.extend(p.format(**s) for p in rng.sample(phrases.PRESENTATION, 2))
    c.closing = rng.choice(phrases.CLOSINGS).format(**s)


def _facture(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(f"Facture établie suivant votre commande {s['order']} du {s['prev_date']}."
                        f" Échéance : {s['next_date']}.")
    _lines_table(rng, c)
    c.paragraphs.extend(_details(rng, c, s, 3))
    c.paragraphs.extend(phrases.INVOICE_MENTIONS)
    c.paragraphs.append(f"{c.sender.name} – SIRET {c.sender.siret} – TVA intracommunautaire "
                        f"FR{rng.randint(10, 99)}{c.sender.siret[:9]}.")


def _commande(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(f"Bon de commande émis par {c.recipient.name} pour {s['need']}, "
                        f"suivant notre devis accepté du {s['prev_date']}.")
    _lines_table(rng, c)
    c.paragraphs.append(f"Livraison souhaitée le {s['next_date']} à l'adresse de facturation.")
    c.paragraphs.extend(_details(rng, c, s, 3))
    c.paragraphs.extend(p.format(**s) for p in rng.sample(phrases.CONDITIONS, 4))
    c.closing = "Bon pour accord, date, cachet et signature du client :"


def _courrier(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(f"{s['civility']},")
    c.paragraphs.extend(p.format(**s) for p in phrases.LETTER_PARAGRAPHS[c.subject])
    other = rng.choice([k for k in phrases.LETTER_PARAGRAPHS if k != c.subject])
    if c.subject not in _NOT_COMMERCIAL:
        c.paragraphs.append("Par ailleurs : " + phrases.LETTER_PARAGRAPHS[other][0].format(**s))
        c.paragraphs.extend(_details(rng, c, s, 2))
        c.paragraphs.append(rng.choice(phrases.PRESENTATION).format(**s))
    c.paragraphs.extend(p.format(**s) for p in rng.sample(phrases.FOLLOW_UPS, 2))
    c.closing = rng.choice(phrases.CLOSINGS).format(**s)


def _compte_rendu(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(f"Participants : {c.recipient.contact or 'la direction'} "
                        f"({c.recipient.name}), {c.recipient.salesperson} ({c.sender.name}).")
    c.paragraphs.append(f"Lieu : locaux du client à {c.recipient.city}. Objet : {s['need']}.")
    c.paragraphs.extend(f"– {p.format(**s)}" for p in rng.sample(phrases.MEETING_POINTS, 8))
    c.paragraphs.append("Propositions présentées :")
    c.paragraphs.extend(f"– {p}" for p in _details(rng, c, s, 3))
    c.paragraphs.append("Suite à donner : " + rng.choice(phrases.FOLLOW_UPS).format(**s))
    c.paragraphs.append(f"Compte rendu rédigé par {c.recipient.salesperson}, diffusé aux "
                        "participants.")


def _note(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    c.paragraphs.append(f"Client : {c.recipient.name} ({c.recipient.city})")
    c.paragraphs.append(f"Activité : {s['activity']}")
    c.paragraphs.extend(f"- {p.format(**s)}" for p in rng.sample(phrases.NOTE_LINES, 6))
    c.paragraphs.append("- " + _details(rng, c, s, 1)[0])


def _email(rng: random.Random, c: DocContent, s: dict[str, str]) -> None:
    rec = c.recipient
    seller = f"{rec.salesperson} <{rec.salesperson_email}>"
    client = f"{rec.contact or rec.name} <{rec.contact_email}>"
    incoming = rng.random() < 0.4
    c.email_from, c.email_to = (client, seller) if incoming else (seller, client)
    if incoming:
        c.subject = "RE: " + c.subject
    c.paragraphs.append("Bonjour," if incoming else f"Bonjour {s['civility']},")
    c.paragraphs.extend(p.format(**s) for p in rng.sample(phrases.EMAIL_BODIES, 2))
    c.paragraphs.extend(_details(rng, c, s, 2))
    c.paragraphs.append(rng.choice(phrases.FOLLOW_UPS).format(**s))
    c.paragraphs.append("Bien cordialement,")
    if incoming:  # the salesperson's message, quoted below the reply
        quoted = rng.choice(phrases.EMAIL_BODIES).format(**s)
        c.quote = f"Le {s['prev_date']}, {rec.salesperson} a écrit :\n> {quoted}"
    c.signature = (rec.contact or rec.name) if incoming else (
        f"{rec.salesperson}\n{c.sender.name}\n{c.sender.phone}")
    rows = [f"{designation};{rng.randint(1, 9)};{money(rng.uniform(low, high))}"
            for designation, low, high in rng.sample(phrases.CATALOGUE, 4)]
    header = "Désignation;Quantité;Prix unitaire HT"
    c.attachment = ("recapitulatif.csv", "\n".join([header, *rows, ""]))


_BUILDERS = {
    "devis": _devis, "facture": _facture, "commande": _commande, "courrier": _courrier,
    "compte_rendu": _compte_rendu, "note": _note, "email": _email,
}
