"""What the import wizard needs beside the importer itself, with no Qt in it.

:mod:`microcrm.directory.importer` reads, plans and writes an import; this
module adds:

* French labels of the reason codes of rejected rows and warnings;
* named column mappings (:class:`~microcrm.directory.presets.MappingProfile`)
  kept as JSON files in the user's configuration folder;
* grouping the files chosen in the wizard into import sources (a SIRENE
  StockEtablissement file goes with its StockUniteLegale file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from microcrm.directory.presets import MappingProfile
from microcrm.errors import ValidationError
from microcrm.text import fold, strip_accents

REASON_LABELS: Final[dict[str, str]] = {
    "too_many_fields": "Trop de champs",
    "encoding_error": "Caractères illisibles",
    "encoding_repaired": "Encodage réparé",
    "malformed_row": "Ligne illisible",
    "closed_establishment": "Établissement fermé",
    "non_diffusible": "Non diffusible (opposition commerciale)",
    "unknown_siren": "SIREN absent du fichier des unités légales",
    "siret_unrecoverable": "SIRET perdu par Excel",
    "siret_invalid": "SIRET invalide",
    "siren_invalid": "SIREN invalide",
    "phone_invalid": "Téléphone invalide",
    "email_invalid": "E-mail invalide",
    "website_invalid": "Site Internet invalide",
    "naf_invalid": "Code NAF invalide",
    "naf_unknown": "Code NAF inconnu",
    "headcount_invalid": "Effectif illisible",
    "legal_form_unknown": "Forme juridique inconnue",
    "no_identity": "Ni nom ni raison sociale",
    "name_only": "Un nom et rien d'autre",
    "formula_injection": "Formule dans un champ d'identité",
    "siret_in_trash": "SIRET d'une fiche de la corbeille",
    "siret_kept_by_existing": "SIRET laissé à la fiche existante (créée quand même)",
    "tag_too_long": "Catégorie trop longue (plus de 80 caractères)",
    "bad_card": "Fiche illisible",
    "group_card": "Liste de contacts, non importée",
    "value_dropped": "Valeur non reprise (image)",
    "merge_conflict": "Valeur non reprise à la fusion",
}
"""Reason codes of rejected rows and warnings (readers, cleaning, importer) in French."""


def reason_label(code: str) -> str:
    """French label of a reason code; an unknown code is shown as it is."""
    return REASON_LABELS.get(code, code)


# -- saved column mappings --------------------------------------------------------------------

PROFILE_FOLDER: Final = "import-profiles"
"""Folder, inside the user's configuration folder, holding one JSON file per profile."""


def _slug(name: str) -> str:
    ascii_name = strip_accents(name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "profil"


class ProfileStore:
    """Named column mappings saved by the user, one JSON file each.

    A profile is found by its name (case kept, compared exactly); saving a
    name again replaces the profile. Unreadable files are skipped when
    listing: a hand-edited profile must not stop the wizard.
    """

    def __init__(self, config_folder: Path) -> None:
        self.folder = config_folder / PROFILE_FOLDER

    def _path(self, name: str) -> Path:
        return self.folder / f"{_slug(name)}.json"

    def list(self) -> list[MappingProfile]:
        """Every readable profile, sorted by name (accents and case ignored)."""
        if not self.folder.is_dir():
            return []
        profiles: list[MappingProfile] = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                profiles.append(MappingProfile.from_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(profiles, key=lambda p: fold(p.name))

    def load(self, name: str) -> MappingProfile:
        """The profile of that name.

        Raises:
            ValidationError: no profile has this name, or its file is unreadable.
        """
        for profile in self.list():
            if profile.name == name:
                return profile
        raise ValidationError("profil", f"Profil d'import introuvable : « {name} ».")

    def save(self, profile: MappingProfile) -> Path:
        """Write the profile (replacing one of the same name) and return its file.

        Raises:
            ValidationError: empty name or nothing mapped.
        """
        name = " ".join(profile.name.split())
        if not name:
            raise ValidationError("profil", "Donnez un nom au profil d'import.")
        if not profile.mapping:
            raise ValidationError("profil", "Le profil n'associe aucune colonne à un champ.")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        saved = MappingProfile(name, profile.preset, dict(profile.mapping))
        path.write_text(saved.to_json(), encoding="utf-8")
        return path

    def delete(self, name: str) -> None:
        """Remove the profile of that name, if any."""
        self._path(name).unlink(missing_ok=True)


# -- files into sources -----------------------------------------------------------------------


def _sirene_kind(path: Path) -> str:
    name = path.name.casefold()
    if "stocketablissement" in name:
        return "etablissement"
    if "stockunitelegale" in name:
        return "unite_legale"
    return ""


def group_paths(paths: Iterable[Path]) -> list[list[Path]]:
    """Group the chosen files into import sources, in the order chosen.

    A SIRENE ``StockEtablissement…`` file is paired with a
    ``StockUniteLegale…`` file chosen (the two are joined on SIREN and form
    one source, establishments first, where the first of the two was
    chosen); every other file is a source alone.
    The same file chosen twice is kept once.
    """
    unique = list(dict.fromkeys(Path(p) for p in paths))
    legal_units = [p for p in unique if _sirene_kind(p) == "unite_legale"]
    pairs = {
        etab: legal_units.pop(0)
        for etab in unique
        if _sirene_kind(etab) == "etablissement" and legal_units
    }
    paired = set(pairs.values())
    return [[path, pairs[path]] if path in pairs else [path]
            for path in unique if path not in paired]  # fmt: skip


