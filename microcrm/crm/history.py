"""The client's history: events recorded as done actions of a system action type.

An event belongs to an organisation or to a person (a private customer, a staff
member): the ``action`` row names either, or both for a contact of an organisation.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.models import STAGE_LABELS, Action, ActionStatus, ActionType, Stage, User, utcnow

LIFECYCLE_TYPE = "Changement d'étape"


def action_type_id(session: Session, name: str) -> int:
    """Id of the action type ``name``, created (last in order) when missing."""
    found = session.scalar(select(ActionType.id).where(ActionType.name == name))
    if found is not None:
        return found
    position = (session.scalar(select(func.max(ActionType.position))) or 0) + 1
    kind = ActionType(name=name, position=position, color="#757575")
    session.add(kind)
    session.flush()
    return kind.id


def current_user_id(session: Session) -> int | None:
    """The ``app_user`` row of the session's login, if that user exists."""
    login = session.info.get("user_login")
    if not login:
        return None
    return session.scalar(select(User.id).where(User.login == login))


def stage_change_subject(before: Stage | None, after: Stage | None) -> str:
    """« Suspect → Prospect » (« — » for no stage)."""
    old = STAGE_LABELS[before] if before else "—"
    new = STAGE_LABELS[after] if after else "—"
    return f"{old} → {new}"


def record_event(
    session: Session,
    organisation_id: int | None,
    subject: str,
    type_name: str = LIFECYCLE_TYPE,
    notes: str | None = None,
    *,
    person_id: int | None = None,
) -> Action:
    """Add a done action dated now, by the current user, to an organisation's or person's history.

    Raises:
        ValueError: neither an organisation nor a person was given.
    """
    if organisation_id is None and person_id is None:
        raise ValueError("record_event needs an organisation or a person")
    now = utcnow()
    action = Action(
        organisation_id=organisation_id,
        person_id=person_id,
        action_type_id=action_type_id(session, type_name),
        user_id=current_user_id(session),
        subject=subject,
        notes=notes,
        status=ActionStatus.DONE,
        due_at=now,
        done_at=now,
    )
    session.add(action)
    return action
