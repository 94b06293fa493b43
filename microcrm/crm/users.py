"""Users of the CRM and salespeople: list, create, edit, deactivate (never delete).

Actions, organisations and the journal refer to users, so a user who leaves
is deactivated: they disappear from choices but their history stays. The
user of *this* workstation is a setting (``Settings.user_login``), not a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.crm import validation as v
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import User
from microcrm.text import fold

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
LOGIN_MAX, NAME_MAX, INITIALS_MAX = 64, 120, 8

FIELD_LABELS = {
    "login": "Identifiant",
    "full_name": "Nom complet",
    "initials": "Initiales",
    "email": "E-mail",
    "phone": "Téléphone",
    "is_salesperson": "Commercial",
    "active": "Actif",
}


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as a detached snapshot (``id`` is None until saved)."""

    id: int | None = None
    version_id: int = 0
    login: str = ""
    full_name: str = ""
    initials: str = ""
    email: str = ""
    phone: str = ""
    is_salesperson: bool = True
    active: bool = True


class UserValidationError(ValidationError):
    """A user in a batch is invalid; ``index`` is its position in the batch."""

    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(error.field, error.message)
        self.index = index


def suggest_initials(full_name: str) -> str:
    """Initials from a full name: ``Alice Bernard`` → ``AB``, ``Jean-Pierre Le Goff`` → ``JPLG``."""
    words = [w for w in re.split(r"[\s\-']+", full_name.strip()) if w and w[0].isalpha()]
    return "".join(w[0] for w in words).upper()[:INITIALS_MAX]


def suggest_login(full_name: str) -> str:
    """A login from a full name: ``Élise Le Goff`` → ``elise.legoff`` (first name, dot, rest)."""
    words = [re.sub(r"[^a-z0-9]", "", w) for w in fold(full_name).split()]
    words = [w for w in words if w]
    if not words:
        return ""
    return ".".join([words[0], "".join(words[1:])] if len(words) > 1 else words)[:LOGIN_MAX]


def validate_user(record: UserRecord) -> UserRecord:
    """Cleaned copy: login lower-cased and checked, name required, initials defaulted.

    Raises:
        ValidationError: naming the first field in error, with a French message.
    """
    login = v.required(record.login, "login", "L'identifiant").lower()
    if len(login) > LOGIN_MAX or not LOGIN.match(login):
        raise ValidationError(
            "login",
            f"L'identifiant « {login} » ne peut contenir que des lettres sans accent, des "
            f"chiffres et les signes . _ - @ ({LOGIN_MAX} caractères au plus).",
        )
    full_name = " ".join(v.required(record.full_name, "full_name", "Le nom complet").split())
    if len(full_name) > NAME_MAX:
        raise ValidationError(
            "full_name", f"Le nom complet ne peut dépasser {NAME_MAX} caractères."
        )
    initials = "".join(record.initials.split()).upper() or suggest_initials(full_name)
    if len(initials) > INITIALS_MAX:
        raise ValidationError(
            "initials", f"Les initiales ne peuvent dépasser {INITIALS_MAX} caractères."
        )
    return replace(
        record,
        login=login,
        full_name=full_name,
        initials=initials,
        email=v.clean_email(record.email) or "",
        phone=v.clean_phone(record.phone) or "",
    )


def _snapshot(user: User) -> UserRecord:
    return UserRecord(
        id=user.id,
        version_id=user.version_id,
        login=user.login,
        full_name=user.full_name,
        initials=user.initials or "",
        email=user.email or "",
        phone=user.phone or "",
        is_salesperson=bool(user.is_salesperson),
        active=bool(user.active),
    )


def list_users(db: Database, *, include_inactive: bool = True) -> list[UserRecord]:
    """Users sorted by name (accents ignored), active ones only unless asked."""
    with db.read() as session:
        stmt = select(User)
        if not include_inactive:
            stmt = stmt.where(User.active.is_(True))
        users = [_snapshot(u) for u in session.scalars(stmt)]
    return sorted(users, key=lambda u: (fold(u.full_name), u.login))


def find_user(db: Database, login: str) -> UserRecord | None:
    """The user with this login (case ignored), or None."""
    with db.read() as session:
        user = session.scalar(select(User).where(func.lower(User.login) == login.lower()))
        return _snapshot(user) if user is not None else None


def _check_login_free(session: Session, record: UserRecord) -> None:
    other = session.scalar(
        select(User).where(func.lower(User.login) == record.login, User.id != (record.id or 0))
    )
    if other is not None:
        state = "" if other.active else ", désactivé"
        raise ValidationError(
            "login",
            f"L'identifiant « {record.login} » est déjà utilisé par {other.full_name}{state}.",
        )


def _write_one(session: Session, record: UserRecord) -> UserRecord:
    """Insert or update one validated record in an open write transaction."""
    _check_login_free(session, record)
    if record.id is None:
        user = User()
        session.add(user)
    else:
        found = session.get(User, record.id)
        if found is None:
            raise ConflictError("app_user", record.id, deleted=True)
        if found.version_id != record.version_id:
            raise ConflictError("app_user", record.id)
        user = found
    user.login, user.full_name, user.initials = record.login, record.full_name, record.initials
    user.email, user.phone = record.email or None, record.phone or None
    user.is_salesperson, user.active = record.is_salesperson, record.active
    session.flush()
    return _snapshot(user)


def save_user(db: Database, record: UserRecord) -> UserRecord:
    """Create (``record.id is None``) or update a user.

    Raises:
        ValidationError: invalid field, or the login is taken (nothing written).
        ConflictError: the user was changed on another workstation since it was read.
    """
    clean = validate_user(record)
    return db.run_write(lambda session: _write_one(session, clean))


def save_users(db: Database, records: Sequence[UserRecord]) -> list[UserRecord]:
    """Save several users in one transaction: all of them, or none.

    Two records of the batch may swap logins only through a third value; a
    login used twice in the batch is refused before anything is written.

    Raises:
        UserValidationError: the record at ``index`` is invalid or its login is taken.
        ConflictError: one of them was changed on another workstation meanwhile.
    """
    cleaned: list[UserRecord] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        try:
            clean = validate_user(record)
        except ValidationError as exc:
            raise UserValidationError(index, exc) from exc
        if clean.login in seen:
            raise UserValidationError(
                index,
                ValidationError(
                    "login", f"L'identifiant « {clean.login} » est donné à deux utilisateurs."
                ),
            )
        seen[clean.login] = index
        cleaned.append(clean)

    def write(session: Session) -> list[UserRecord]:
        saved = []
        for index, clean in enumerate(cleaned):
            try:
                saved.append(_write_one(session, clean))
            except ValidationError as exc:
                raise UserValidationError(index, exc) from exc
        return saved

    return db.run_write(write) if cleaned else []


def set_user_active(db: Database, user_id: int, active: bool) -> UserRecord:
    """Deactivate (or reactivate) a user; rows that refer to them are kept.

    Raises:
        NotFoundError: no such user.
    """

    def write(session: Session) -> UserRecord:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError("Utilisateur", user_id)
        if user.active != active:
            user.active = active
            session.flush()
        return _snapshot(user)

    return db.run_write(write)


def deactivate_user(db: Database, user_id: int) -> UserRecord:
    """Deactivate a user (never deleted: actions and organisations refer to them)."""
    return set_user_active(db, user_id, False)
