"""Merge-field catalogue: French salutation and date, folding, unknown fields named."""

from __future__ import annotations

import datetime as dt

import pytest

from microcrm.mailing.errors import UnknownFieldError
from microcrm.mailing.fields import (
    FIELDS,
    MergeContext,
    check_fields,
    field_catalogue,
    field_key,
    find_tags,
    formule_appel,
    french_date,
    merge_values,
    substitute,
)
from microcrm.mailing.recipients import Recipient
from tests.mailing.helpers import COMPANY


def _recipient(**kw: str) -> Recipient:
    values = {"civility": "Mme", "first_name": "Claire", "last_name": "Martin"} | kw
    return Recipient(
        key="o1",
        organisation_id=1,
        person_id=2,
        address_id=3,
        display_name="Alpha",
        lines=("ALPHA", "MME CLAIRE MARTIN", "35000 RENNES"),
        organisation_name="Alpha & Fils",
        city="Rennes",
        postcode="35000",
        salesperson="Julien Dupont",
        salesperson_phone="+33299112233",
        **values,
    )


@pytest.mark.parametrize(
    ("civility", "name", "expected"),
    [
        ("Mme", "Martin", "Madame,"),
        ("M.", "Durand", "Monsieur,"),
        ("Me", "Lefort", "Maître,"),
        ("Mme", "", "Madame, Monsieur,"),
        (None, "Martin", "Madame, Monsieur,"),
        ("", None, "Madame, Monsieur,"),
    ],
)
def test_formule_appel(civility: str | None, name: str | None, expected: str) -> None:
    assert formule_appel(civility, name) == expected


def test_french_date() -> None:
    assert french_date(dt.date(2026, 11, 24)) == "le 24 novembre 2026"
    assert french_date(dt.date(2026, 5, 1)) == "le 1er mai 2026"
    assert french_date(dt.date(2027, 8, 15)) == "le 15 août 2027"


def test_field_names_fold_accents_case_and_spaces() -> None:
    assert field_key("Civilité") == "civilite"
    assert field_key(" Raison sociale ") == "raison_sociale"
    assert field_key("FORMULE-APPEL") == "formule_appel"
    check_fields(["Prénom", "CODE POSTAL", "bloc_adresse"], "le test")


def test_unknown_field_names_field_and_place() -> None:
    with pytest.raises(UnknownFieldError) as caught:
        check_fields(["nom", "numero_client"], "l'objet du modèle « relance »")
    assert caught.value.field == "numero_client"
    assert "« numero_client »" in caught.value.message
    assert "l'objet du modèle « relance »" in caught.value.message
    assert "formule_appel" in caught.value.message  # lists what exists


def test_custom_fields_are_accepted_and_merged() -> None:
    check_fields(["offre"], "le corps", custom=["Offre"])
    context = MergeContext(COMPANY, dt.date(2026, 11, 24), {"Offre": "-10 %"})
    values = merge_values(_recipient(), context)
    assert values["offre"] == "-10 %"
    assert [f.name for f in field_catalogue(["Offre"])][-1] == "offre"


def test_merge_values() -> None:
    context = MergeContext(COMPANY, dt.date(2026, 11, 24))
    values = merge_values(_recipient(), context)
    assert values["formule_appel"] == "Madame,"
    assert values["civilite"] == "Madame"
    assert values["date"] == "le 24 novembre 2026"
    assert values["bloc_adresse"] == "ALPHA\nMME CLAIRE MARTIN\n35000 RENNES"
    assert values["commercial_telephone"] == "02 99 11 22 33"
    assert values["entreprise"] == "Atelier Œuvre & Cie"
    assert values["lieu"] == "Rennes"
    assert set(values) >= {f.name for f in FIELDS}
    unknown_name = merge_values(_recipient(last_name=""), context)
    assert unknown_name["formule_appel"] == "Madame, Monsieur,"


def test_substitute_escapes_html_and_breaks_lines() -> None:
    values = {"raison_sociale": "Alpha & <Fils>", "bloc_adresse": "A\nB"}
    text = "<p>{{ raison_sociale }} / {{bloc_adresse}} / {{ inconnu }}</p>"
    assert find_tags(text) == ["raison_sociale", "bloc_adresse", "inconnu"]
    assert substitute(text, values, html_escape=True) == (
        "<p>Alpha &amp; &lt;Fils&gt; / A<br/>B / {{ inconnu }}</p>"
    )
    assert substitute("{{ raison_sociale }}", values) == "Alpha & <Fils>"
