"""Property tests: output form (R1-R3) and idempotence of the normaliser, with hypothesis."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from microcrm.postal.clean import clean
from microcrm.postal.errors import BLOCKING_CODES, CORRECTION_CODES
from microcrm.postal.normalize import AddressInput, NormalizedAddress, normalize_address
from microcrm.postal.reference import load_reference
from microcrm.postal.restructure import Kind, classify
from tests.postal.helpers import feed_back

ROWS = load_reference().all_rows()
_LINE = re.compile(r"[A-Z0-9]+(?: [A-Z0-9]+)*")
_RANK = {"valid": 0, "corrected": 1, "invalid": 2}
# The autouse MICROCRM_HOME fixture of tests/conftest.py is harmless to share between examples.
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- realistic addresses -----------------------------------------------------------------

_CIVILITIES = ["", "M.", "Mme", "Monsieur", "Madame", "Mlle", "Dr", "Maître", "MM."]
_FIRST = ["Jean", "Marie", "Jean-Pierre", "Hélène", "François", "Zoé", "Anne-Sophie", "Éric"]
_LAST = ["Dupont", "Martin", "L'Hôte", "de La Rochefoucauld-Liancourt", "Nguyen", "Müller"]
_COMPANIES = ["", "", "ACME SA", "Société Générale des Eaux", "Boulangerie Pâtisserie & Fils"]
_TYPES = ["rue", "r.", "av.", "Avenue", "bd", "Boulevard", "chemin", "Ch.", "Place", "pl",
          "Impasse", "allée", "Quai", "Gde Rue", "rond-point", "Route", "Faubourg", "Sentier",
          "Cours", "Square", "Résidence", ""]  # fmt: skip
_WORDS = ["de", "la", "du", "des", "le", "l'", "d'", "Général", "Gal", "Maréchal", "St",
          "Saint", "Sainte", "Notre-Dame", "ND", "Professeur", "Jean", "Marie", "Pierre",
          "Louis", "Grande", "Petit", "Ancienne", "République", "Nationale", "Université",
          "Lattre", "Tassigny", "Gaulle", "Victor", "Hugo", "Moulin", "Fontaines", "Église",
          "Verdun", "Pasteur", "Libération", "Résistance", "Champs", "Élysées", "Vieux",
          "Port", "Haute", "8", "Mai", "1945", "Docteur", "Capitaine", "Colonel", "Fabien",
          "Jeanne", "d'Arc", "Sœurs", "Saints", "Pères"]  # fmt: skip
_NUMBERS = ["1", "12", "021", "5 bis", "12ter", "3B", "10 A", "15-17", "4 à 8", "7 quater",
            "123", "2"]  # fmt: skip
_INSIDE = ["Appt 12", "Appartement 4", "3ème étage", "Étage 2", "Esc. B", "Chez Mme Durand",
           "Porte gauche", "Service comptabilité", "Direction générale", "Log 7",
           "À l'attention de M. Martin", "1er étage porte 3"]  # fmt: skip
_OUTSIDE = ["Bât. C", "Bâtiment Les Glycines", "Résidence du Parc", "Immeuble Le Sirius",
            "Entrée B", "Tour Europe", "ZI des Près", "Zone industrielle Nord",
            "Centre commercial Grand Var", "Res. les Pins bat 2"]  # fmt: skip
_SERVICE = ["BP 123", "Boîte postale 45", "B.P. 9", "CS 30001", "TSA 70011", "Poste restante"]
_LIEUX = ["Lieu-dit Les Vignes", "LD le Moulin Neuf", "Lieudit la Croix Blanche",
          "Lieu dit Saint-Martin"]  # fmt: skip
_OTHERS = ["Le Bourg", "Les Hauts de Vals", "Hameau de la Forge", "La Grange Basse",
           "Les Quatre Vents"]  # fmt: skip


@st.composite
def streets(draw: st.DrawFn) -> str:
    number = draw(st.sampled_from(["", *_NUMBERS, *_NUMBERS]))
    street_type = draw(st.sampled_from(_TYPES))
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=9))
    return " ".join(part for part in (number, street_type, *words) if part)


def elements() -> st.SearchStrategy[str]:
    return st.one_of(
        streets(),
        st.sampled_from(_INSIDE),
        st.sampled_from(_OUTSIDE),
        st.sampled_from(_SERVICE),
        st.sampled_from(_LIEUX),
        st.sampled_from(_OTHERS),
    )


@st.composite
def names(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_CIVILITIES))]
    parts += draw(st.lists(st.sampled_from(_FIRST), max_size=3))
    parts.append(draw(st.sampled_from(["", *_LAST])))
    return " ".join(part for part in parts if part)


@st.composite
def places(draw: st.DrawFn) -> tuple[str, str]:
    row = draw(st.sampled_from(ROWS))
    choice = draw(st.integers(0, 9))
    postcode, city = row.postcode, draw(st.sampled_from([row.libelle, row.commune]))
    if choice == 0:
        city = ""
    elif choice == 1 and len(city) > 3:
        position = draw(st.integers(0, len(city) - 1))
        city = city[:position] + city[position + 1 :]
    elif choice == 2:
        postcode = postcode.lstrip("0") if postcode.startswith("0") else postcode
    elif choice == 3:
        postcode = postcode[:2] + draw(st.sampled_from(["506", "092", "998"]))
        city = f"{city} {draw(st.sampled_from(['Cedex', 'CEDEX 5', 'cédex 07', 'cdx']))}"
    elif choice == 4:
        postcode = draw(st.sampled_from(["75016", "75116", "69003", "13008"]))
        city = draw(st.sampled_from(["Paris 16e", "Lyon 3ème", "Marseille 8eme arrondissement"]))
    elif choice == 5:
        postcode = draw(st.sampled_from(["13000", "75000", "7500", "ABCDE", ""]))
    elif choice == 6:
        city = f"{city} ({postcode[:2]})"
    return postcode, city


@st.composite
def addresses(draw: st.DrawFn) -> AddressInput:
    free = [*draw(st.lists(elements(), max_size=3)), "", "", ""]
    postcode, city = draw(places())
    country = draw(st.sampled_from(["", "", "", "", "France", "FR", "Réunion"]))
    if draw(st.integers(0, 7)) == 0:
        country = draw(st.sampled_from(["Belgique", "Schweiz", "DE", "España", "NL", "Japon"]))
        postcode = draw(st.sampled_from(["B-4000", "CH-1201", "80331", "1012 LG", "100-0001"]))
    return AddressInput(
        name=draw(names()),
        company=draw(st.sampled_from(_COMPANIES)),
        line1=free[0],
        line2=free[1],
        line3=free[2],
        postcode=postcode,
        city=city,
        country=country,
    )


# --- arbitrary text ---------------------------------------------------------------------

_ALPHABET = st.characters(codec="utf-8", exclude_categories=["Cs"])
_ANY_TEXT = st.text(alphabet=_ALPHABET, max_size=60)
_PUNCTUATED = st.text(alphabet=st.sampled_from("aAéÉœŒß&-'.,/()° 0123456789bisterBP"), max_size=50)


def arbitrary_addresses() -> st.SearchStrategy[AddressInput]:
    text = st.one_of(_ANY_TEXT, _PUNCTUATED)
    return st.builds(
        AddressInput,
        name=text,
        company=text,
        line1=text,
        line2=text,
        line3=text,
        postcode=text,
        city=text,
        country=st.one_of(st.sampled_from(["", "France", "Belgique", "NL"]), text),
    )


# --- properties -------------------------------------------------------------------------


def check_form(result: NormalizedAddress) -> None:
    """R1-R3 and the status/errors contract."""
    assert len(result.lines) <= (7 if result.country else 6)
    for line in result.lines:
        assert _LINE.fullmatch(line), line
        assert len(line) <= 38 or "line_too_long" in result.errors, line
    if result.status == "valid":
        assert result.errors == ()
    elif result.status == "corrected":
        assert result.errors
        assert set(result.errors) <= set(CORRECTION_CODES)
    else:
        assert result.errors
        assert set(result.errors) <= set(BLOCKING_CODES)


def r8_round_trip_is_ambiguous(address: AddressInput) -> bool:
    """R8 limit: no street, and a loose element after the lieu-dit that becomes L4.

    The lieu-dit marker is dropped, so a second pass sees only unclassified lines and takes
    the last one as L4, moving the former L4 to L3 (R8): the rule sheet itself is not
    idempotent there, whenever L3 also holds something.
    """
    typed = [clean(line) for line in (address.line1, address.line2, address.line3)]
    kinds = [classify(line)[0] for line in typed if line]
    if Kind.STREET in kinds or Kind.LIEU_DIT not in kinds:
        return False
    after = kinds[kinds.index(Kind.LIEU_DIT) + 1 :]
    return Kind.LIEU_DIT in after or Kind.OTHER in after


def check_idempotent(address: AddressInput) -> None:
    first = normalize_address(address)
    again = normalize_address(feed_back(address, first))
    assert again.lines == first.lines
    assert _RANK[again.status] <= _RANK[first.status]


@SETTINGS
@given(addresses())
def test_r1_r2_r3_realistic_output_form(address: AddressInput) -> None:
    check_form(normalize_address(address))


@SETTINGS
@given(arbitrary_addresses())
def test_r1_r2_r3_arbitrary_text_output_form(address: AddressInput) -> None:
    check_form(normalize_address(address))


@SETTINGS
@given(addresses())
def test_idempotent_on_realistic_addresses(address: AddressInput) -> None:
    assume(not r8_round_trip_is_ambiguous(address))
    check_idempotent(address)


@settings(SETTINGS, max_examples=500)
@given(arbitrary_addresses())
def test_idempotent_on_arbitrary_text(address: AddressInput) -> None:
    assume(not r8_round_trip_is_ambiguous(address))
    check_idempotent(address)


def test_r8_round_trip_limit_documented() -> None:
    address = AddressInput(
        name="A", line1="Le Haut", line2="Lieu-dit La Ferme", line3="Le Bas", postcode="75008"
    )
    assert r8_round_trip_is_ambiguous(address)
    first = normalize_address(address)
    assert first.lines == ("A", "LE HAUT", "LA FERME", "LE BAS", "75008 PARIS")
    again = normalize_address(feed_back(address, first))
    assert again.lines == ("A", "LE HAUT LA FERME", "LE BAS", "75008 PARIS")
    loose_after = AddressInput(name="A", line1="Bat C", line2="LD Les Vignes", line3="Le Bas")
    assert r8_round_trip_is_ambiguous(loose_after)
