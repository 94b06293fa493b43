"""The client's history: events recorded as done actions of a system action type."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.models import Action, ActionStatus, ActionType, User, utcnow

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


def record_event(
    session: Session,
    organisation_id: int,
    subject: str,
    type_name: str = LIFECYCLE_TYPE,
    notes: str | None = None,
) -> Action:
    """Add a done action dated now, by the current user, to the organisation's history."""
    now = utcnow()
    action = Action(
        organisation_id=organisation_id,
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
