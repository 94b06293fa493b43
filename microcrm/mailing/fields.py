"""The merge-field catalogue (in French) and the substitution of ``{{ champ }}`` tags.

Field names are matched after folding (``Civilité``, ``civilite`` and
``CIVILITE`` are the same field; spaces and hyphens count as ``_``), so a
MERGEFIELD typed in Word with accents still finds its value. A name that is
neither in :data:`FIELDS` nor among the run's custom fields raises
:class:`UnknownFieldError` — always before anything is produced.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from microcrm.crm.company import CompanyInfo
from microcrm.crm.validation import format_phone
from microcrm.mailing.errors import UnknownFieldError
from microcrm.mailing.recipients import Recipient
from microcrm.text import long_date, short_date, strip_accents

#: ``{{ champ }}`` tags (Jinja-like, as docxtpl writes them).
TAG = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")

#: Civility as stored (models.Civility) → word written in full, salutation.
CIVILITIES: dict[str, tuple[str, str]] = {
    "M.": ("Monsieur", "Monsieur,"),
    "Mme": ("Madame", "Madame,"),
    "Mlle": ("Mademoiselle", "Mademoiselle,"),
    "Dr": ("Docteur", "Docteur,"),
    "Me": ("Maître", "Maître,"),
}
NEUTRAL_SALUTATION = "Madame, Monsieur,"


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One merge field offered to the user.

    Attributes:
        name: The key written in templates (``formule_appel``).
        label: French label shown in the editor's field menu.
        description: One sentence of help.
        example: A value shown in the catalogue and in previews without a recipient.
        per_recipient: False for run-level fields (date, our company), which may also
            appear in DOCX headers and footers.
    """

    name: str
    label: str
    description: str
    example: str
    per_recipient: bool = True


FIELDS: tuple[FieldDef, ...] = (
    FieldDef("civilite", "Civilité", "Civilité en toutes lettres du destinataire.", "Madame"),
    FieldDef("civilite_abregee", "Civilité abrégée", "Civilité telle que saisie.", "Mme"),
    FieldDef("nom", "Nom", "Nom de famille du destinataire.", "Martin"),
    FieldDef("prenom", "Prénom", "Prénom du destinataire.", "Claire"),
    FieldDef("nom_complet", "Nom complet", "Civilité, prénom et nom.", "Mme Claire Martin"),
    FieldDef("fonction", "Fonction", "Fonction du contact.", "Gérante"),
    FieldDef(
        "raison_sociale",
        "Raison sociale",
        "Raison sociale de l'organisation.",
        "Boulangerie Martin SARL",
    ),
    FieldDef("enseigne", "Enseigne", "Enseigne de l'organisation.", "Au Bon Pain"),
    FieldDef("reference", "Référence", "Référence (code client) de l'organisation.", "C00042"),
    FieldDef(
        "bloc_adresse",
        "Bloc adresse",
        "Adresse complète aux normes La Poste (6 lignes).",
        "MME CLAIRE MARTIN\n12 RUE DE LA PAIX\n35000 RENNES",
    ),
    FieldDef("code_postal", "Code postal", "Code postal du destinataire.", "35000"),
    FieldDef("ville", "Ville", "Ville du destinataire.", "Rennes"),
    FieldDef("pays", "Pays", "Pays (vide pour la France).", ""),
    FieldDef(
        "formule_appel",
        "Formule d'appel",
        "« Madame, » / « Monsieur, » ; « Madame, Monsieur, » si le nom est inconnu.",
        "Madame,",
    ),
    FieldDef("commercial", "Commercial", "Nom du commercial attitré.", "Julien Robert"),
    FieldDef(
        "commercial_email",
        "E-mail du commercial",
        "E-mail du commercial attitré.",
        "j.robert@exemple.fr",
    ),
    FieldDef(
        "commercial_telephone",
        "Téléphone du commercial",
        "Téléphone du commercial attitré.",
        "02 99 00 00 00",
    ),
    FieldDef(
        "date",
        "Date",
        "Date du courrier en toutes lettres.",
        "le 24 novembre 2026",
        per_recipient=False,
    ),
    FieldDef(
        "date_courte",
        "Date courte",
        "Date du courrier (jj/mm/aaaa).",
        "24/11/2026",
        per_recipient=False,
    ),
    FieldDef(
        "lieu",
        "Lieu",
        "Ville d'expédition (paramètres de l'entreprise).",
        "Rennes",
        per_recipient=False,
    ),
    FieldDef(
        "entreprise",
        "Notre raison sociale",
        "Raison sociale de votre entreprise.",
        "MicroCRM SARL",
        per_recipient=False,
    ),
    FieldDef(
        "entreprise_telephone",
        "Notre téléphone",
        "Téléphone de votre entreprise.",
        "02 99 00 00 00",
        per_recipient=False,
    ),
    FieldDef(
        "entreprise_email",
        "Notre e-mail",
        "E-mail de votre entreprise.",
        "contact@exemple.fr",
        per_recipient=False,
    ),
)
FIELDS_BY_NAME: dict[str, FieldDef] = {f.name: f for f in FIELDS}


def local_today() -> dt.date:
    """Today's date on this workstation (the date printed on letters)."""
    return dt.datetime.now(dt.UTC).astimezone().date()


@dataclass(frozen=True, slots=True)
class MergeContext:
    """Run-level values: our company, the date printed on the letters, custom fields.

    Attributes:
        company: Identity printed in the letterhead and the ``entreprise*`` fields.
        run_date: Date of the letters.
        custom: Custom fields (folded name → value), the same for every recipient.
        place: Where the letter is written from (« Rennes, le … »); defaults to the
            company's city.
    """

    company: CompanyInfo = field(default_factory=CompanyInfo)
    run_date: dt.date = field(default_factory=local_today)
    custom: Mapping[str, str] = field(default_factory=dict)
    place: str = ""

    def with_custom(self, **values: str) -> MergeContext:
        """A copy with more custom fields."""
        merged = {**self.custom, **{field_key(k): v for k, v in values.items()}}
        return MergeContext(self.company, self.run_date, merged, self.place)


def field_key(name: str) -> str:
    """The canonical form of a field name: no accents, lower case, ``_`` between words."""
    plain = strip_accents(name.strip(), compatibility=False).lower()
    return re.sub(r"[\s\-'’.]+", "_", plain).strip("_")


def field_catalogue(custom: Iterable[str] = ()) -> list[FieldDef]:
    """The built-in fields followed by the run's custom ones (for the editor's menu)."""
    extra = [
        FieldDef(field_key(c), c, "Champ personnalisé.", "", per_recipient=False)
        for c in custom
        if field_key(c) not in FIELDS_BY_NAME
    ]
    return [*FIELDS, *extra]


def known_fields(custom: Iterable[str] = ()) -> set[str]:
    """Every accepted (folded) field name."""
    return set(FIELDS_BY_NAME) | {field_key(c) for c in custom}


def french_date(day: dt.date) -> str:
    """``le 24 novembre 2026`` (``le 1er mai 2026`` for the first of a month)."""
    return f"le {long_date(day)}"


def formule_appel(civility: str | None, last_name: str | None) -> str:
    """The salutation: « Madame, », « Monsieur, »… or « Madame, Monsieur, » when unknown.

    A civility alone (no name) is not enough: the letter may reach someone else.
    """
    known = CIVILITIES.get((civility or "").strip())
    if known is None or not (last_name or "").strip():
        return NEUTRAL_SALUTATION
    return known[1]


def find_tags(text: str) -> list[str]:
    """Field names of the ``{{ champ }}`` tags of ``text``, as written, in order."""
    return [m.group(1) for m in TAG.finditer(text)]


def check_fields(names: Iterable[str], where: str, custom: Iterable[str] = ()) -> None:
    """Raise :class:`UnknownFieldError` for the first name that is not a known field."""
    known = known_fields(custom)
    for name in names:
        if field_key(name) not in known:
            raise UnknownFieldError(name, where, known)


def merge_values(recipient: Recipient, context: MergeContext) -> dict[str, str]:
    """Every field's value for one recipient (folded names; custom fields included)."""
    civility = recipient.civility or ""
    full_civility = CIVILITIES.get(civility, ("", ""))[0]
    values = {
        "civilite": full_civility,
        "civilite_abregee": civility,
        "nom": recipient.last_name,
        "prenom": recipient.first_name,
        "nom_complet": " ".join(
            p for p in (civility, recipient.first_name, recipient.last_name) if p
        ),
        "fonction": recipient.role,
        "raison_sociale": recipient.organisation_name,
        "enseigne": recipient.enseigne,
        "reference": recipient.reference,
        "bloc_adresse": "\n".join(recipient.lines),
        "code_postal": recipient.postcode,
        "ville": recipient.city,
        "pays": recipient.country,
        "formule_appel": formule_appel(civility, recipient.last_name),
        "commercial": recipient.salesperson,
        "commercial_email": recipient.salesperson_email,
        "commercial_telephone": format_phone(recipient.salesperson_phone),
    }
    values.update(run_values(context))
    return values


def run_values(context: MergeContext) -> dict[str, str]:
    """The run-level fields only (date, our company, custom fields)."""
    company = context.company
    values = {
        "date": french_date(context.run_date),
        "date_courte": short_date(context.run_date),
        "lieu": context.place or company.city,
        "entreprise": company.name,
        "entreprise_telephone": format_phone(company.phone),
        "entreprise_email": company.email,
    }
    values.update({field_key(k): v for k, v in context.custom.items()})
    return values


def example_values(context: MergeContext | None = None) -> dict[str, str]:
    """Values for a preview without a recipient: the catalogue's examples."""
    values = {f.name: f.example for f in FIELDS}
    if context is not None:
        values.update(run_values(context))
    return values


def substitute(text: str, values: Mapping[str, str], *, html_escape: bool = False) -> str:
    """Replace the ``{{ champ }}`` tags of ``text`` by their values.

    With ``html_escape`` (rich-text bodies), values are escaped and their line
    breaks become ``<br/>``. A tag naming an unknown field is left as is: callers
    check the template with :func:`check_fields` first.
    """

    def value(match: re.Match[str]) -> str:
        key = field_key(match.group(1))
        if key not in values:
            return match.group(0)
        found = values[key]
        if html_escape:
            return html.escape(found, quote=False).replace("\n", "<br/>")
        return found

    return TAG.sub(value, text)
