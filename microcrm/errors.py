"""Typed domain errors that the UI shows and the CLI prints (docs/architecture.md §2.1)."""

from __future__ import annotations


class MicroCRMError(Exception):
    """Base of every error meant for the user; ``message`` is French and complete."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(MicroCRMError):
    """A value the user gave is not acceptable; ``field`` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field} : {self.message}"


class ConflictError(MicroCRMError):
    """Another workstation saved the same row first (optimistic concurrency).

    ``entity`` and ``entity_id`` name the row; ``deleted`` is true when the
    other workstation deleted it rather than changed it.
    """

    def __init__(self, entity: str, entity_id: int, *, deleted: bool = False) -> None:
        what = "supprimé" if deleted else "modifié"
        super().__init__(
            f"Cet enregistrement ({entity} n° {entity_id}) a été {what} sur un autre poste "
            "pendant que vous le modifiiez."
        )
        self.entity = entity
        self.entity_id = entity_id
        self.deleted = deleted


class NotFoundError(MicroCRMError):
    """The requested row does not exist (or is in the trash)."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} introuvable : {key}")
        self.entity = entity
        self.key = key


class BusyError(MicroCRMError):
    """The shared database stayed locked past the retry deadline."""

    def __init__(self) -> None:
        super().__init__(
            "Base occupée : un autre poste écrit depuis trop longtemps. "
            "Réessayez dans un instant ; vos saisies sont conservées."
        )


class StorageError(MicroCRMError):
    """The database location cannot be used safely (bad share, newer schema, corruption)."""
