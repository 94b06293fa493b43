"""Users and salespeople: add, edit, unique login, deactivate (never delete)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from microcrm.crm.users import (
    UserRecord,
    UserValidationError,
    deactivate_user,
    find_user,
    list_users,
    save_user,
    save_users,
    set_user_active,
    suggest_initials,
    suggest_login,
)
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import ChangeLog, Organisation, User


def _alice(db: Database) -> UserRecord:
    return save_user(
        db,
        UserRecord(
            login=" Alice ",
            full_name="Alice  Bernard",
            email="alice@Exemple.FR",
            phone="06 12 34 56 78",
        ),
    )


def test_add_cleans_and_defaults_initials(any_db: Database) -> None:
    alice = _alice(any_db)
    assert alice.id is not None and alice.version_id == 1
    assert alice.login == "alice"
    assert alice.full_name == "Alice Bernard"
    assert alice.initials == "AB"
    assert alice.email == "alice@exemple.fr"
    assert alice.phone == "+33612345678"
    assert alice.is_salesperson and alice.active
    assert list_users(any_db) == [alice]
    assert find_user(any_db, "ALICE") == alice


def test_edit_keeps_id_and_bumps_version(sqlite_db: Database) -> None:
    alice = _alice(sqlite_db)
    edited = save_user(sqlite_db, replace(alice, full_name="Alice Martin", initials="am"))
    assert edited.id == alice.id and edited.version_id == 2
    assert edited.initials == "AM"
    with sqlite_db.read() as s:
        ops = s.scalars(select(ChangeLog.op).where(ChangeLog.entity == "app_user")).all()
    assert list(ops) == ["insert", "update"]


def test_duplicate_login_is_refused_in_french(any_db: Database) -> None:
    _alice(any_db)
    with pytest.raises(ValidationError) as err:
        save_user(any_db, UserRecord(login="ALICE", full_name="Alice Dupont"))
    assert err.value.field == "login"
    assert err.value.message == "L'identifiant « alice » est déjà utilisé par Alice Bernard."
    assert len(list_users(any_db)) == 1


def test_duplicate_login_names_a_deactivated_owner(sqlite_db: Database) -> None:
    alice = _alice(sqlite_db)
    assert alice.id is not None
    deactivate_user(sqlite_db, alice.id)
    with pytest.raises(ValidationError, match="Alice Bernard, désactivé"):
        save_user(sqlite_db, UserRecord(login="alice", full_name="Alice Dupont"))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"login": ""}, "login", "L'identifiant est obligatoire."),
        ({"login": "élise"}, "login", "lettres sans accent"),
        ({"login": "jean dupont"}, "login", "lettres sans accent"),
        ({"full_name": "  "}, "full_name", "Le nom complet est obligatoire."),
        ({"initials": "ABCDEFGHI"}, "initials", "8 caractères"),
        ({"email": "marc@"}, "email", "n'est pas valide"),
        ({"phone": "12"}, "phone", "n'est pas valide"),
    ],
)
def test_invalid_user_fields(
    sqlite_db: Database, values: dict[str, str], field: str, message: str
) -> None:
    record = replace(UserRecord(login="marc", full_name="Marc Leroy"), **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        save_user(sqlite_db, record)
    assert err.value.field == field
    assert message in err.value.message
    assert list_users(sqlite_db) == []


def test_deactivate_keeps_the_row_and_its_references(sqlite_db: Database) -> None:
    alice = _alice(sqlite_db)
    assert alice.id is not None
    user_id = alice.id

    def assign(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        session.add(Organisation(name="Garage du Centre", salesperson_id=user_id))

    sqlite_db.run_write(assign)
    off = deactivate_user(sqlite_db, user_id)
    assert not off.active
    assert list_users(sqlite_db, include_inactive=False) == []
    assert list_users(sqlite_db) == [off]
    with sqlite_db.read() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 1
        assert s.scalar(select(Organisation.salesperson_id)) == user_id
    assert set_user_active(sqlite_db, user_id, True).active


def test_deactivate_unknown_user(sqlite_db: Database) -> None:
    with pytest.raises(NotFoundError):
        deactivate_user(sqlite_db, 999)


def test_stale_edit_raises_conflict(sqlite_db: Database) -> None:
    alice = _alice(sqlite_db)
    save_user(sqlite_db, replace(alice, phone="06 00 00 00 01"))
    with pytest.raises(ConflictError):
        save_user(sqlite_db, replace(alice, full_name="Alice B."))


def test_save_users_is_all_or_nothing(sqlite_db: Database) -> None:
    _alice(sqlite_db)
    batch = [
        UserRecord(login="marc", full_name="Marc Leroy"),
        UserRecord(login="alice", full_name="Alice Dupont"),
    ]
    with pytest.raises(UserValidationError) as err:
        save_users(sqlite_db, batch)
    assert err.value.index == 1 and err.value.field == "login"
    assert [u.login for u in list_users(sqlite_db)] == ["alice"]

    with pytest.raises(UserValidationError) as err:
        save_users(sqlite_db, [batch[0], replace(batch[0], full_name="Marc Bis")])
    assert err.value.index == 1
    assert "donné à deux utilisateurs" in err.value.message

    saved = save_users(sqlite_db, [batch[0], UserRecord(login="zoe", full_name="Zoé Faure")])
    assert [u.login for u in saved] == ["marc", "zoe"]
    assert [u.full_name for u in list_users(sqlite_db)] == [
        "Alice Bernard",
        "Marc Leroy",
        "Zoé Faure",
    ]


def test_suggestions() -> None:
    assert suggest_initials("Jean-Pierre Le Goff") == "JPLG"
    assert suggest_initials("élise d'Arc") == "ÉDA"
    assert suggest_login("Élise Le Goff") == "elise.legoff"
    assert suggest_login("Zoé") == "zoe"
    assert suggest_login("  ") == ""
