"""French explanations of the error codes shown by the UI."""

from __future__ import annotations

import pytest

from microcrm.postal.errors import BLOCKING_CODES, CORRECTION_CODES, ERROR_MESSAGES, explain
from tests.postal.helpers import norm


def test_every_code_has_a_message() -> None:
    assert set(ERROR_MESSAGES) == {*CORRECTION_CODES, *BLOCKING_CODES, "bad_input"}


@pytest.mark.parametrize(
    ("fields", "code", "expected"),
    [
        (
            {"postcode": "13000", "city": "Marseille"},
            "postcode_unknown",
            "Le code postal 13000 n'existe pas dans la base des codes postaux de La Poste.",
        ),
        (
            {"postcode": "13290", "city": "Marseille"},
            "postcode_city_mismatch",
            "La localité «\u00a0MARSEILLE\u00a0» n'est pas desservie par le code postal 13290"
            "\u00a0: vérifiez la localité ou le code postal (le code postal n'est jamais modifié "
            "pour s'accorder à la localité).",
        ),
        (
            {"postcode": "75008"},
            "city_missing",
            "La localité manquait\u00a0: «\u00a0PARIS\u00a0», seule localité desservie par le "
            "code postal 75008, a été ajoutée.",
        ),
        (
            {"postcode": "17100"},
            "city_missing",
            "La localité est absente. Indiquez-la\u00a0: le code postal 17100 dessert plusieurs "
            "localités.",
        ),
        (
            {"postcode": "8000", "city": "Charleville-Mézières"},
            "postcode_padded",
            "Le code postal n'avait que 4 chiffres\u00a0: le zéro initial, sans doute perdu par "
            "un tableur, a été rétabli (08000).",
        ),
        (
            {"postcode": "123", "city": "Genève", "country": "Suisse"},
            "postcode_malformed",
            "Le code postal «\u00a0123\u00a0» n'est pas valide\u00a0: 4 chiffres attendus pour "
            "la Suisse.",
        ),
        (
            {"postcode": "92044", "city": "Paris la Défense Cedex"},
            "cedex_unknown_locality",
            "La localité «\u00a0PARIS LA DEFENSE\u00a0» n'est celle d'aucun code postal du "
            "département 92\u00a0: l'adresse CEDEX ne peut pas être validée (les libellés "
            "supra-communaux tels que PARIS LA DEFENSE ne sont pas reconnus).",
        ),
    ],
)
def test_explain(fields: dict[str, str], code: str, expected: str) -> None:
    address = norm(name="A", **fields)
    assert code in address.errors
    assert explain(code, address) == expected


def test_explain_every_code_without_placeholders_left() -> None:
    address = norm(name="A", postcode="13290", city="Aix-en-Provence")
    for code in ERROR_MESSAGES:
        text = explain(code, address)
        assert "{" not in text
        assert text.endswith(".")


def test_explain_unknown_code() -> None:
    assert explain("no_such_code", norm()) == "no_such_code"
