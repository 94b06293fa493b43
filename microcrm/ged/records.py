"""Plain objects the GED service hands to the UI and the CLI (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DossierNode:
    """One dossier of a client's tree, with its sub-dossiers (by position, then name)."""

    id: int
    name: str
    parent_id: int | None
    document_count: int
    """Documents directly in this dossier (not in its sub-dossiers), trash excluded."""
    children: list[DossierNode] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentInfo:
    """A document as lists and the detail pane show it (its current version's file)."""

    id: int
    title: str
    doc_type: str
    tags: str
    doc_date: dt.date | None
    dossier_id: int | None
    dossier_path: str
    """``"Factures / 2025"``; empty when the document is in no dossier."""
    organisation_id: int | None
    organisation_name: str | None
    person_id: int | None
    filed_by: str | None
    """Display name of the user who filed it."""
    filed_at: dt.datetime | None
    current_version: int
    filename: str
    size: int
    mime_type: str
    sha256: str
    extraction_note: str | None
    """None if the text was read, else the French reason (the document is still findable)."""
    deleted_at: dt.datetime | None


@dataclass(frozen=True)
class VersionInfo:
    """One version of a document, oldest first in :meth:`Ged.versions`."""

    number: int
    filename: str
    size: int
    sha256: str
    created_at: dt.datetime
    created_by: str | None
    extraction_note: str | None


@dataclass(frozen=True)
class AddResult:
    """What filing one file did."""

    document_id: int
    version: int
    new_document: bool
    deduplicated: bool
    """The object was already in the store (the same bytes were filed before)."""
    extraction_note: str | None
    path: Path
    """The file that was filed (as given)."""
    dossier_id: int | None = None
    dossier_path: str = ""
    unchanged: bool = False
    """The dossier already had this file with this content: nothing was filed."""


@dataclass(frozen=True)
class NewDocument:
    """A document to file in bulk with :func:`~microcrm.ged.service.file_documents`."""

    organisation_id: int | None
    person_id: int | None
    dossier: str
    """Name of a top-level dossier of the owner, created if missing."""
    title: str
    filename: str
    sha256: str
    size: int
    mime_type: str
    doc_type: str = ""
    tags: str = ""
    doc_date: dt.date | None = None
