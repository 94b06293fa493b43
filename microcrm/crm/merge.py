"""Three-way merge of a record edited here while another PC saved it (docs/storage.md §4.1).

The form edits a detached snapshot (*mine*) of the row as it was loaded
(*base*); the save reads the row again (*theirs*) inside its write
transaction. Fields changed on one side only merge by themselves; fields
changed on both sides to different values are conflicts, which the user
settles in the conflict dialog before anything is written. The helpers here
work on any frozen dataclass snapshot (organisations, persons), field by
field in the order given, which is the form's order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, TypeVar

from microcrm.errors import ConflictError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


def changed_fields(a: object, b: object, names: Sequence[str]) -> tuple[str, ...]:
    """Names whose value differs between two snapshots, in ``names`` order."""
    return tuple(n for n in names if getattr(a, n) != getattr(b, n))


def base_for(base: R | None, mine: R, theirs: R, entity: str) -> R:
    """The snapshot ``mine`` was edited from.

    Without an explicit base, ``mine`` counts as edited from the stored version
    it carries: every field it shows is mine, written over the stored one.

    Raises:
        ConflictError: no base was given and the row moved past that version
            (there is nothing to merge against).
    """
    if base is not None:
        return base
    if getattr(theirs, "version_id", None) != getattr(mine, "version_id", None):
        raise ConflictError(entity, int(getattr(mine, "id", None) or 0))
    return theirs


@dataclass(frozen=True, slots=True)
class MergePlan:
    """What a save writes once the row was read again.

    Attributes:
        to_write: the fields I changed (written with my values).
        merged_from_others: the fields only the other workstation changed (kept as theirs).
        conflicting: the fields both sides changed to different values.
    """

    to_write: tuple[str, ...]
    merged_from_others: tuple[str, ...]
    conflicting: tuple[str, ...]


def plan_merge(base: object, mine: object, theirs: object, names: Sequence[str]) -> MergePlan:
    """Compare my edits and theirs with the base they both started from.

    A field both sides set to the same value is not a conflict (nothing to choose).
    """
    mine_changed = set(changed_fields(base, mine, names))
    theirs_changed = set(changed_fields(base, theirs, names))
    both = mine_changed & theirs_changed
    return MergePlan(
        to_write=tuple(n for n in names if n in mine_changed),
        merged_from_others=tuple(n for n in names if n in theirs_changed - mine_changed),
        conflicting=tuple(
            n for n in names if n in both and getattr(mine, n) != getattr(theirs, n)
        ),
    )


class RecordConflictError(ConflictError, Generic[R]):
    """Both sides changed the same fields: the user must choose (conflict dialog).

    Nothing was written. Save :meth:`resolve` of the user's choices with
    ``base=theirs``: it goes on top of their version (and may conflict again
    if the row changed once more meanwhile: loop).
    """

    def __init__(
        self,
        entity: str,
        base: R,
        mine: R,
        theirs: R,
        conflicting: tuple[str, ...],
        *,
        names: Sequence[str],
    ) -> None:
        super().__init__(entity, int(getattr(base, "id", None) or 0))
        self.base, self.mine, self.theirs, self.conflicting = base, mine, theirs, conflicting
        self.names = tuple(names)

    @property
    def merged_from_others(self) -> tuple[str, ...]:
        """Fields only the other workstation changed (taken as theirs whatever the choice)."""
        return plan_merge(self.base, self.mine, self.theirs, self.names).merged_from_others

    def resolve(self, keep_mine: Collection[str]) -> R:
        """Theirs, plus my other changes, plus the conflicting fields I chose to keep."""
        values = {
            n: getattr(self.mine, n)
            for n in changed_fields(self.base, self.mine, self.names)
            if n not in self.conflicting or n in keep_mine
        }
        return replace(self.theirs, **values)
