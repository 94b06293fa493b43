"""Dossier operations of the GED service: a client's tree, create, rename, move, trash.

:class:`DossierOps` is the part of :class:`~microcrm.ged.service.Ged` that
deals with dossiers; it only needs the database.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.ged.catalog import subtree_ids, tree_of
from microcrm.ged.dossiers import clean_dossier_name
from microcrm.ged.filing import Owner, check_owner, ensure_defaults, owner_filter
from microcrm.ged.records import DossierNode
from microcrm.models import Document, Dossier, Organisation, Person
from microcrm.models import utcnow as _utcnow
from microcrm.text import fold


class DossierOps:
    """Dossier methods of the GED service."""

    db: Database
    # -- owners and dossiers ----------------------------------------------------------------

    def _check_exists(self, session: Session, owner: Owner) -> None:
        org, person = owner
        if org is not None:
            if session.scalar(select(Organisation.id).where(Organisation.id == org)) is None:
                raise NotFoundError("Client", org)
        elif session.scalar(select(Person.id).where(Person.id == person)) is None:
            raise NotFoundError("Personne", person)

    def tree(
        self, *, organisation_id: int | None = None, person_id: int | None = None
    ) -> list[DossierNode]:
        """The owner's dossier tree; its default dossiers are created on first access."""
        owner = check_owner(organisation_id, person_id)
        with self.db.read() as s:
            self._check_exists(s, owner)
            has_any = s.scalar(select(func.count()).select_from(Dossier).where(owner_filter(owner)))
        if not has_any:
            self.db.run_write(lambda s: ensure_defaults(s, owner))
        with self.db.read() as s:
            return tree_of(s, owner)

    def _live_dossier(self, session: Session, dossier_id: int) -> Dossier:
        dossier = session.get(Dossier, dossier_id)
        if dossier is None or dossier.deleted_at is not None:
            raise NotFoundError("Dossier", dossier_id)
        return dossier

    @staticmethod
    def _owner_of(dossier: Dossier) -> Owner:
        return check_owner(dossier.organisation_id, dossier.person_id)

    @staticmethod
    def _siblings(
        session: Session, owner: Owner, parent_id: int | None, exclude: int | None = None
    ) -> list[Dossier]:
        query = select(Dossier).where(
            owner_filter(owner),
            Dossier.deleted_at.is_(None),
            Dossier.parent_id.is_(None) if parent_id is None else Dossier.parent_id == parent_id,
        )
        return [d for d in session.scalars(query) if d.id != exclude]

    def _check_unique(
        self,
        session: Session,
        owner: Owner,
        parent_id: int | None,
        name: str,
        exclude: int | None = None,
    ) -> list[Dossier]:
        siblings = self._siblings(session, owner, parent_id, exclude)
        if any(fold(d.name) == fold(name) for d in siblings):
            raise ValidationError("name", f"Un dossier « {name} » existe déjà à cet endroit.")
        return siblings

    def create_dossier(
        self,
        name: str,
        *,
        organisation_id: int | None = None,
        person_id: int | None = None,
        parent_id: int | None = None,
    ) -> int:
        """A new dossier, at the top of the owner's tree or under ``parent_id``; its id."""
        name = clean_dossier_name(name)

        def write(s: Session) -> int:
            if parent_id is not None:
                owner = self._owner_of(self._live_dossier(s, parent_id))
            else:
                owner = check_owner(organisation_id, person_id)
                self._check_exists(s, owner)
                ensure_defaults(s, owner)
            siblings = self._check_unique(s, owner, parent_id, name)
            dossier = Dossier(
                organisation_id=owner[0],
                person_id=owner[1],
                parent_id=parent_id,
                name=name,
                position=max((d.position for d in siblings), default=0) + 1,
            )
            s.add(dossier)
            s.flush()
            return dossier.id

        return self.db.run_write(write)

    def rename_dossier(self, dossier_id: int, name: str) -> None:
        """Rename a dossier (unique among its siblings, accents and case folded)."""
        name = clean_dossier_name(name)

        def write(s: Session) -> None:
            dossier = self._live_dossier(s, dossier_id)
            self._check_unique(s, self._owner_of(dossier), dossier.parent_id, name, dossier.id)
            dossier.name = name

        self.db.run_write(write)

    def move_dossier(self, dossier_id: int, parent_id: int | None) -> None:
        """Move a dossier under ``parent_id`` (same owner) or to the top (None)."""

        def write(s: Session) -> None:
            dossier = self._live_dossier(s, dossier_id)
            owner = self._owner_of(dossier)
            if parent_id is not None:
                parent = self._live_dossier(s, parent_id)
                if self._owner_of(parent) != owner:
                    raise ValidationError("parent", "Ce dossier appartient à un autre client.")
                if parent_id in subtree_ids(s, dossier_id):
                    raise ValidationError(
                        "parent",
                        "Un dossier ne peut pas être déplacé dans lui-même "
                        "ni dans un de ses sous-dossiers.",
                    )
            if dossier.parent_id == parent_id:
                return
            siblings = self._check_unique(s, owner, parent_id, dossier.name, dossier.id)
            dossier.parent_id = parent_id
            dossier.position = max((d.position for d in siblings), default=0) + 1

        self.db.run_write(write)

    def trash_dossier(self, dossier_id: int) -> None:
        """Send a dossier to the trash with its sub-dossiers and their documents."""

        def write(s: Session) -> None:
            self._live_dossier(s, dossier_id)
            stamp = _utcnow()
            ids = subtree_ids(s, dossier_id)
            for dossier in s.scalars(select(Dossier).where(Dossier.id.in_(ids))):
                dossier.deleted_at = stamp
            for doc in s.scalars(
                select(Document).where(Document.dossier_id.in_(ids), Document.deleted_at.is_(None))
            ):
                doc.deleted_at = stamp

        self.db.run_write(write)

    def restore_dossier(self, dossier_id: int) -> None:
        """Bring a trashed dossier back with what was trashed with it.

        Goes back under its parent if that is still live, else to the top; a
        name already taken there gets " (restauré)".
        """

        def write(s: Session) -> None:
            dossier = s.get(Dossier, dossier_id)
            if dossier is None or dossier.deleted_at is None:
                raise NotFoundError("Dossier dans la corbeille", dossier_id)
            stamp = dossier.deleted_at
            owner = self._owner_of(dossier)
            parent = s.get(Dossier, dossier.parent_id) if dossier.parent_id else None
            if parent is None or parent.deleted_at is not None:
                dossier.parent_id = None
            taken = {fold(d.name) for d in self._siblings(s, owner, dossier.parent_id)}
            name, n = dossier.name, 1
            while fold(name) in taken:
                suffix = " (restauré)" if n == 1 else f" (restauré {n})"
                name, n = f"{dossier.name[: 120 - len(suffix)]}{suffix}", n + 1
            dossier.name = name
            ids = subtree_ids(s, dossier_id, live_only=False)
            for d in s.scalars(
                select(Dossier).where(Dossier.id.in_(ids), Dossier.deleted_at == stamp)
            ):
                d.deleted_at = None
            for doc in s.scalars(
                select(Document).where(Document.dossier_id.in_(ids), Document.deleted_at == stamp)
            ):
                doc.deleted_at = None

        self.db.run_write(write)

    def trashed_dossiers(
        self, *, organisation_id: int | None = None, person_id: int | None = None
    ) -> list[DossierNode]:
        """The owner's dossiers in the trash whose parent is not (what the trash lists)."""
        owner = check_owner(organisation_id, person_id)
        with self.db.read() as s:
            rows = s.execute(
                select(Dossier.id, Dossier.name, Dossier.parent_id, Dossier.deleted_at).where(
                    owner_filter(owner)
                )
            ).all()
        trashed = {r.id for r in rows if r.deleted_at is not None}
        return [
            DossierNode(r.id, r.name, r.parent_id, 0, [])
            for r in rows
            if r.deleted_at is not None and r.parent_id not in trashed
        ]
