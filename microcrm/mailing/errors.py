"""Errors of the publipostage, French messages for the wizard and the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from microcrm.errors import MicroCRMError


class UnknownFieldError(MicroCRMError):
    """A template names a merge field that does not exist; raised before any output.

    Attributes:
        field: The field as written in the template.
        where: Where it was found, in French (« l'objet du modèle « relance » »).
    """

    def __init__(self, field: str, where: str, known: Iterable[str] = ()) -> None:
        names = ", ".join(sorted(known))
        hint = f" Champs disponibles : {names}." if names else ""
        super().__init__(f"Champ de fusion inconnu « {field} » dans {where}.{hint}")
        self.field = field
        self.where = where


class TemplateError(MicroCRMError):
    """A template cannot be used as it is (unreadable file, unsupported syntax, unknown name)."""


class RunCancelledError(MicroCRMError):
    """The user cancelled a run: no output file was left and nothing was written."""

    def __init__(self) -> None:
        super().__init__("Publipostage annulé : aucun fichier produit, rien n'a été enregistré.")
