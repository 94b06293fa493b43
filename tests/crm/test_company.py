"""The business's identity: stored in app_meta, validated, TVA number, legal footer."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select
from stdnum.fr import tva as stdnum_tva

from microcrm.crm.company import (
    COMPANY_KEY,
    LOGO_KEY,
    CompanyInfo,
    format_euros,
    load_company,
    parse_amount,
    save_company,
    vat_number_from_siren,
)
from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.models import AppMeta, ChangeLog

NBSP, NNBSP = "\u00a0", "\u202f"
SIRET = "73282932000074"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # only the signature is checked


def _info(**values: object) -> CompanyInfo:
    base: dict[str, object] = {
        "name": "Boulangerie Martin",
        "legal_form": "SARL",
        "capital_cents": 1_000_000,
        "siret": "732 829 320 00074",
        "rcs_city": "Rennes",
        "address_line1": "12 rue de la Monnaie",
        "postcode": "35000",
        "city": "Rennes",
        "phone": "02 99 00 11 22",
        "email": "Contact@Boulangerie-Martin.FR",
        "website": "www.boulangerie-martin.fr",
        "legal_mentions": "Membre d'une association agréée.",
    }
    base.update(values)
    return CompanyInfo(**base)  # type: ignore[arg-type]


def test_vat_number_from_siren_matches_stdnum() -> None:
    vat = vat_number_from_siren("732829320")
    assert vat == "FR44732829320"
    assert stdnum_tva.is_valid(vat)
    # Another known pair: La Poste.
    assert vat_number_from_siren("356000000") == "FR39356000000"
    assert stdnum_tva.is_valid(vat_number_from_siren("356000000"))


def test_vat_number_needs_a_valid_siren() -> None:
    with pytest.raises(ValidationError, match="clé de contrôle"):
        vat_number_from_siren("732829321")


def test_empty_base_gives_empty_identity(sqlite_db: Database) -> None:
    info = load_company(sqlite_db)
    assert info == CompanyInfo()
    assert info.is_empty
    assert info.legal_line() == ""


def test_round_trip_cleans_and_keeps_every_field(sqlite_db: Database) -> None:
    saved = save_company(sqlite_db, _info(vat_number="fr 44 732 829 320", logo_png=PNG))
    assert saved.siret == SIRET and saved.siren == "732829320"
    assert saved.vat_number == "FR44732829320"
    assert saved.phone == "+33299001122"
    assert saved.email == "Contact@boulangerie-martin.fr"
    assert saved.website == "https://www.boulangerie-martin.fr"
    assert load_company(sqlite_db) == saved

    with sqlite_db.read() as s:
        rows = dict(s.execute(select(AppMeta.key, AppMeta.value)).tuples().all())
        journal = s.scalars(select(ChangeLog).where(ChangeLog.entity == "company")).all()
    stored = json.loads(rows[COMPANY_KEY])
    assert stored["name"] == "Boulangerie Martin" and "logo_png" not in stored
    assert base64.b64decode(rows[LOGO_KEY]) == PNG
    assert len(journal) == 1 and journal[0].workstation_id == "ws-test"


def test_removing_the_logo_deletes_its_row(sqlite_db: Database) -> None:
    save_company(sqlite_db, _info(logo_png=PNG))
    save_company(sqlite_db, _info(logo_png=b""))
    assert sqlite_db.meta(LOGO_KEY) is None
    assert load_company(sqlite_db).logo_png == b""


def test_unknown_keys_from_a_newer_version_are_ignored(sqlite_db: Database) -> None:
    save_company(sqlite_db, _info())

    def write(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        row = session.get_one(AppMeta, COMPANY_KEY)
        data = json.loads(row.value)
        data["naf_code"] = "10.71C"
        row.value = json.dumps(data)

    sqlite_db.run_write(write)
    assert load_company(sqlite_db).name == "Boulangerie Martin"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"siret": "73282932000075"}, "siret", "clé de contrôle incorrecte"),
        ({"siret": "7328293200"}, "siret", "Le SIRET doit comporter 14 chiffres (saisi : 10)."),
        ({"email": "contact@"}, "email", "L'adresse e-mail « contact@ » n'est pas valide."),
        ({"phone": "02 99"}, "phone", "Le numéro de téléphone « 02 99 » n'est pas valide."),
        ({"name": " "}, "name", "La raison sociale est obligatoire."),
        ({"postcode": "3500"}, "postcode", "Le code postal « 3500 » doit avoir 5 chiffres."),
        ({"vat_number": "FR45732829320"}, "vat_number", "n'est pas un numéro français valide"),
        (
            {"vat_number": "FR39356000000"},
            "vat_number",
            f"ne correspond pas au SIREN 732{NBSP}829{NBSP}320",
        ),
        ({"logo_png": b"GIF89a"}, "logo_png", "Le logo doit être une image PNG."),
    ],
)
def test_invalid_fields_are_refused_with_french_messages(
    sqlite_db: Database, values: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as err:
        save_company(sqlite_db, _info(**values))
    assert err.value.field == field
    assert message in err.value.message
    assert load_company(sqlite_db).is_empty  # nothing written


def test_legal_line_is_the_usual_french_footer() -> None:
    info = CompanyInfo(
        legal_form="SARL",
        capital_cents=1_000_000,
        siret=SIRET,
        rcs_city="Rennes",
        vat_number="FR44732829320",
    )
    expected = (
        "SARL au capital de 10 000 € — RCS Rennes 732 829 320 — SIRET 732 829 320 00074 — "
        "TVA FR 44 732 829 320"
    )
    line = info.legal_line()
    assert line.replace(NBSP, " ").replace(NNBSP, " ") == expected
    # Spaces inside a part never break; parts are separated by ordinary spaces.
    assert all(" " not in part for part in line.split(" — "))
    assert f"10{NNBSP}000{NBSP}€" in line


def test_legal_line_leaves_out_what_is_missing() -> None:
    assert CompanyInfo(legal_form="EI").legal_line() == "EI"
    line = CompanyInfo(capital_cents=762_245, siret=SIRET).legal_line()
    assert line.replace(NBSP, " ").replace(NNBSP, " ") == (
        "Capital de 7 622,45 € — SIRET 732 829 320 00074"
    )


def test_letterhead_lines() -> None:
    info = _info(phone="+33299001122", website="https://www.boulangerie-martin.fr")
    assert info.address_lines() == ["Boulangerie Martin", "12 rue de la Monnaie", "35000 Rennes"]
    assert info.contact_line() == (
        "02 99 00 11 22 — Contact@Boulangerie-Martin.FR — www.boulangerie-martin.fr"
    )


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("10 000", 1_000_000),
        ("10000 €", 1_000_000),
        ("10.000", 1_000_000),
        ("7 622,45", 762_245),
        (f"1{NNBSP}500{NBSP}€", 150_000),
        ("1500.5", 150_050),
        ("", None),
    ],
)
def test_parse_amount(text: str, cents: int | None) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["dix mille", "-5", "1,234", "12,3,4"])
def test_parse_amount_refuses(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_amount(text)
    assert err.value.field == "capital_cents"
    assert "n'est pas valide" in err.value.message


def test_format_euros() -> None:
    assert format_euros(1_000_000) == f"10{NNBSP}000{NBSP}€"
    assert format_euros(5) == f"0,05{NBSP}€"
    assert format_euros(None) == ""
