"""Errors of the publipostage, French messages for the wizard and the CLI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from microcrm.errors import MicroCRMError


class UnknownFieldError(MicroCRMError):
    """A template names a merge field that does not exist; raised before any output.

    Attributes:
        field: The (first) unknown field as written in the template.
        where: Where it was found, in French (« l'objet du modèle « relance » »).
        unknown: Every unknown field and where it is, the first one included.
    """

    def __init__(
        self,
        field: str,
        where: str,
        known: Iterable[str] = (),
        *,
        others: Sequence[tuple[str, str]] = (),
    ) -> None:
        names = ", ".join(sorted(known))
        hint = f" Champs disponibles : {names}." if names else ""
        if others:
            listed = "".join(f", « {name} » dans {place}" for name, place in others)
            text = f"Champs de fusion inconnus : « {field} » dans {where}{listed}.{hint}"
        else:
            text = f"Champ de fusion inconnu « {field} » dans {where}.{hint}"
        super().__init__(text)
        self.field = field
        self.where = where
        self.unknown = [(field, where), *others]


class TemplateError(MicroCRMError):
    """A template cannot be used as it is (unreadable file, unsupported syntax, unknown name)."""


class RunCancelledError(MicroCRMError):
    """The user cancelled a run: no output file was left and nothing was written."""

    def __init__(self) -> None:
        super().__init__("Publipostage annulé : aucun fichier produit, rien n'a été enregistré.")
