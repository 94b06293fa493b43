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
    "org.website": "Site Internet",
    "person.civility": "Civilité",
    "person.first_name": "Prénom",
    "person.last_name": "Nom",
    "person.full_name": "Dirigeant ou contact (nom complet)",
    "person.role": "Fonction",
    "person.email": "E-mail du contact",
    "person.phone": "Téléphone du contact",
    "person.mobile": "Mobile du contact",
    "address.line1": "Adresse (ligne 1)",
    "address.line2": "Adresse (ligne 2)",
    "address.line3": "Adresse (ligne 3)",
    "address.postcode": "Code postal",
    "address.city": "Ville",
    "address.country": "Pays",
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
    "broker": "Fichier de prospection (loueur de fichiers)",
    "generic": "Autre fichier",
}
"""Preset names and their French labels."""

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
    "person.role": ("Titre (2)", "Job Title"),
    "person.email": ("Adresse de messagerie", "Adresse de courrier", "E-mail Address"),
    "person.phone": ("Téléphone (bureau)", "Business Phone"),
    "person.mobile": ("Tél. mobile", "Mobile Phone"),
    "address.line1": ("Rue (bureau)", "Business Street"),
    "address.line2": ("Rue (bureau) 2", "Business Street 2"),
    "address.line3": ("Rue (bureau) 3", "Business Street 3"),
    "address.postcode": ("Code postal (bureau)", "Business Postal Code"),
    "address.city": ("Ville (bureau)", "Business City"),
    "address.country": ("Pays/Région (bureau)", "Business Country/Region"),
    "notes": ("Notes",),
    "tags": ("Catégories", "Categories"),
}

_GOOGLE: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("Organization Name", "Organization 1 - Name"),
    "person.civility": ("Name Prefix",),
    "person.first_name": ("First Name", "Given Name"),
    "person.last_name": ("Last Name", "Family Name"),
    "person.role": ("Organization Title", "Organization 1 - Title"),
    "person.email": ("E-mail 1 - Value",),
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

_VCARD: Final[dict[str, tuple[str, ...]]] = {
    "org.name": ("organisation",),
    "org.fax": ("fax",),
    "org.website": ("website",),
    "person.civility": ("civility",),
    "person.first_name": ("first_name",),
    "person.last_name": ("last_name",),
    "person.full_name": ("full_name",),
    "person.role": ("role",),
    "person.email": ("email",),
    "person.phone": ("phone_work",),
    "person.mobile": ("phone_mobile",),
    "address.line1": ("street",),
    "address.line2": ("complement",),
    "address.line3": ("po_box",),
    "address.postcode": ("postcode",),
    "address.city": ("city",),
    "address.country": ("country",),
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

PRESETS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "sirene": _SIRENE,
    "outlook": _OUTLOOK,
    "google": _GOOGLE,
    "vcard": _VCARD,
    "broker": _BROKER,
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
    ),
}

#: Broker files match when this many distinct targets are recognised.
_BROKER_FULL_SCORE: Final = 5
#: Below this score, a file is "generic".
DETECTION_THRESHOLD: Final = 0.5
_PUNCTUATION: Final = re.compile(r"[^a-z0-9]+")


def normalize_header(header: str) -> str:
    """Fold a header for comparison: ``"Tél. (bureau)"`` → ``"tel bureau"``."""
    return _PUNCTUATION.sub(" ", fold(header)).strip()


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
    broker_hits = sum(
        any(normalize_header(synonym) in present for synonym in synonyms)
        for synonyms in _BROKER.values()
    )
    scores["broker"] = min(1.0, broker_hits / _BROKER_FULL_SCORE)
    return scores


def detect_preset(headers: Sequence[str]) -> str:
    """Pick the preset that best explains a file's headers.

    Ties go to the most specific preset (SIRENE, vCard, Outlook, Google, then
    broker); a best score under :data:`DETECTION_THRESHOLD` gives ``generic``.

    Args:
        headers: The file's column names.

    Returns:
        A key of :data:`PRESET_LABELS`.
    """
    scores = preset_scores(headers)
    best = max(scores, key=scores.__getitem__)  # first of equals: dict order
    return best if scores[best] >= DETECTION_THRESHOLD else "generic"


def _synonyms(preset: str) -> dict[str, tuple[str, ...]]:
    if preset == "generic":
        merged: dict[str, tuple[str, ...]] = {}
        for synonyms in (_BROKER, _OUTLOOK, _GOOGLE):
            for target, names in synonyms.items():
                merged[target] = merged.get(target, ()) + names
        return merged
    if preset not in PRESETS:
        raise ValueError(f"Préréglage inconnu : {preset}")
    return PRESETS[preset]


def guess_mapping(headers: Sequence[str], preset: str) -> dict[str, str]:
    """Guess which column feeds each target, using the preset's synonyms.

    A column feeds at most one target; the first synonym present wins.
    ``generic`` tries the broker, Outlook and Google synonyms in turn.

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
    return mapping


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
