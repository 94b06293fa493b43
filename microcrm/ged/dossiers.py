"""The default set of dossiers every client gets (Devis, Commandes, Factures…), configurable.

The set is stored in ``app_meta`` under ``ged_dossiers`` (a JSON list), so
every workstation of a shared base creates the same dossiers. It only
governs dossiers created from now on: existing dossiers are never renamed
nor removed when the set changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.models import AppMeta
from microcrm.text import fold

DEFAULT_DOSSIERS: Final = ("Devis", "Commandes", "Factures", "Courrier", "E-mails", "Divers")
META_KEY: Final = "ged_dossiers"
NAME_MAX: Final = 120
"""Longest dossier name (``dossier.name`` column)."""
FORBIDDEN_CHARS: Final = "/\\"
"""Not allowed in a name: ``/`` separates the levels of a dossier path ("Factures / 2025")."""


def clean_dossier_name(name: str) -> str:
    """``name`` trimmed, or :class:`ValidationError` if it cannot name a dossier."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("name", "Le nom du dossier est obligatoire.")
    if len(cleaned) > NAME_MAX:
        raise ValidationError("name", f"Le nom du dossier dépasse {NAME_MAX} caractères.")
    if any(ch in cleaned for ch in FORBIDDEN_CHARS):
        raise ValidationError("name", "Le nom du dossier ne peut pas contenir « / » ni « \\ ».")
    return cleaned


def parse_default_dossiers(raw: str | None) -> tuple[str, ...]:
    """The set stored in ``app_meta`` (the built-in one if absent or unreadable)."""
    if not raw:
        return DEFAULT_DOSSIERS
    try:
        value = json.loads(raw)
    except ValueError:
        return DEFAULT_DOSSIERS
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return DEFAULT_DOSSIERS
    names = tuple(v for v in value if v.strip())
    return names or DEFAULT_DOSSIERS


def default_dossiers_in(session: Session) -> tuple[str, ...]:
    """The configured default set, read in the caller's transaction."""
    return parse_default_dossiers(
        session.scalar(select(AppMeta.value).where(AppMeta.key == META_KEY))
    )


def get_default_dossiers(db: Database) -> tuple[str, ...]:
    """The dossiers each client gets on first access, in display order."""
    return parse_default_dossiers(db.meta(META_KEY))


def validate_default_dossiers(names: Sequence[str]) -> tuple[str, ...]:
    """Cleaned names; :class:`ValidationError` on an empty set, a bad or duplicate name."""
    cleaned = tuple(clean_dossier_name(n) for n in names)
    if not cleaned:
        raise ValidationError("ged_dossiers", "Indiquez au moins un dossier par défaut.")
    seen: set[str] = set()
    for name in cleaned:
        key = fold(name)
        if key in seen:
            raise ValidationError("ged_dossiers", f"Le dossier « {name} » figure deux fois.")
        seen.add(key)
    return cleaned


def set_default_dossiers(db: Database, names: Sequence[str]) -> tuple[str, ...]:
    """Save a new default set (for clients whose dossiers are created from now on).

    Returns:
        The names saved, cleaned.

    Raises:
        ValidationError: empty set, empty/too long/duplicate name, or a name with ``/``.
    """
    cleaned = validate_default_dossiers(names)
    value = json.dumps(list(cleaned), ensure_ascii=False)

    def write(session: Session) -> None:
        row = session.get(AppMeta, META_KEY)
        if row is None:
            session.add(AppMeta(key=META_KEY, value=value))
        else:
            row.value = value

    db.run_write(write)
    return cleaned
