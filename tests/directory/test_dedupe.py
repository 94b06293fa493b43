"""Tests of microcrm.directory.dedupe: normalisation, rules 6–7, a labelled set, SQLite."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.directory.dedupe import (
    Match,
    OrganisationIndex,
    OrgCandidate,
    PersonCandidate,
    PersonIndex,
    load_organisation_index,
    normalise_company_name,
    normalise_person_name,
)
from microcrm.models.addresses import Address
from microcrm.models.parties import Organisation

SIRET_A = "73282932000074"
SIRET_B = "73282932000082"

# --- normalisation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Boulangerie Martin SARL", "SARL Boulangerie MARTIN"),
        ("Dupont & Fils", "DUPONT ET FILS"),
        ("S.A.R.L. Dupont", "Dupont SARL"),
        ("Dupont S.A.S.", "DUPONT"),
        ("Ets Durand", "Durand"),
        ("Ets. Durand", "DURAND"),
        ("STE Durand", "Société Durand"),
        ("Établissements Durand", "ETABLISSEMENTS DURAND"),
        ("Crêperie de l'Été", "CREPERIE DE L ETE"),
        ("Cœur de Bœuf", "COEUR DE BOEUF"),
        ("Hôtel  du   Lac,", "HOTEL DU LAC"),
        ("Garage-Martin", "Garage Martin"),
    ],
)
def test_normalise_equivalences(a: str, b: str) -> None:
    assert normalise_company_name(a) == normalise_company_name(b)


def test_normalise_exact_forms() -> None:
    assert normalise_company_name("Boulangerie Martin SARL") == "BOULANGERIE MARTIN"
    assert normalise_company_name("Dupont & Fils") == "DUPONT ET FILS"
    assert normalise_company_name("S.A.R.L. Œuvre") == "OEUVRE"
    assert normalise_company_name("I.B.M. France") == "IBM FRANCE"
    assert normalise_company_name("Société Générale S.A.") == "GENERALE"
    assert normalise_company_name("SCI") == "SCI"  # nothing but a legal form: kept
    assert normalise_company_name("") == ""
    assert normalise_company_name(None) == ""


def test_normalise_person_name() -> None:
    assert normalise_person_name("Jean-François") == "jean francois"
    assert normalise_person_name("  D'ARCY ") == "d arcy"
    assert normalise_person_name(None) == ""


# --- organisation rules ----------------------------------------------------------


def _index(*candidates: OrgCandidate) -> OrganisationIndex:
    return OrganisationIndex(candidates)


def test_siret_rule_ignores_name_and_postcode() -> None:
    index = _index(OrgCandidate(1, "Boulangerie Martin", siret=SIRET_A, postcode="69001"))
    found = index.match(OrgCandidate("ligne 2", "BM Distribution", siret=SIRET_A))
    assert found == Match(1, "siret", 100.0)
    assert len(index) == 1


def test_different_sirets_never_merged_even_with_same_name() -> None:
    index = _index(OrgCandidate(1, "Boulangerie Martin", siret=SIRET_A, postcode="69001"))
    row = OrgCandidate("ligne 2", "Boulangerie Martin", siret=SIRET_B, postcode="69001")
    assert index.match(row) is None


def test_name_rule_when_one_side_has_no_siret() -> None:
    index = _index(OrgCandidate(1, "SARL Boulangerie Martin", siret=SIRET_A, postcode="69001"))
    found = index.match(OrgCandidate("ligne 2", "boulangerie MARTIN", postcode="69 001"))
    assert found == Match(1, "name_postcode", 100.0)


def test_same_name_in_another_postcode_not_merged() -> None:
    index = _index(OrgCandidate(1, "Boulangerie Martin", postcode="69001"))
    assert index.match(OrgCandidate("ligne 2", "Boulangerie Martin", postcode="69002")) is None
    assert index.match(OrgCandidate("ligne 3", "Boulangerie Martin")) is None


def test_enseigne_matches_name_and_enseigne() -> None:
    index = _index(OrgCandidate(1, "SAS Durand Frères", enseigne="Le Fournil", postcode="33000"))
    by_enseigne = index.match(OrgCandidate("ligne 2", "Le Fournil", postcode="33000"))
    assert by_enseigne is not None
    assert by_enseigne.key == 1
    cross = index.match(
        OrgCandidate("ligne 3", "Holding DF", enseigne="Durand Freres", postcode="33000")
    )
    assert cross is not None
    assert cross.key == 1


@pytest.mark.parametrize(
    ("existing", "row"),
    [
        ("Boulangerie Martin", "Boucherie Martin"),
        ("Garage du Centre", "Garage de la Gare"),
        ("Pharmacie Durand", "Pharmacie Durant"),
        ("Garage 2000", "Garage 2001"),
        ("Martin", "Martin & Fils"),
    ],
)
def test_similar_names_in_same_postcode_not_merged(existing: str, row: str) -> None:
    index = _index(OrgCandidate(1, existing, postcode="75011"))
    assert index.match(OrgCandidate("ligne 2", row, postcode="75011")) is None


def test_typo_in_long_word_is_merged() -> None:
    index = _index(OrgCandidate(1, "Menuiserie Charpente Lemaire", postcode="44000"))
    found = index.match(OrgCandidate("ligne 2", "Menuiserie Charpnte Lemaire", postcode="44000"))
    assert found is not None
    assert found.rule == "name_postcode"
    assert 90 <= found.score < 100


def test_within_file_duplicates_and_first_owner_wins() -> None:
    index = OrganisationIndex()
    first = OrgCandidate("ligne 1", "Dupont & Fils", postcode="13001")
    assert index.match(first) is None
    index.add(first)
    index.add(OrgCandidate("ligne 2", "Dupont et Fils", postcode="13001"))
    found = index.match(OrgCandidate("ligne 3", "DUPONT ET FILS SARL", postcode="13001"))
    assert found == Match("ligne 1", "name_postcode", 100.0)


def test_sister_without_siret_in_index_matches_file_row_with_siret() -> None:
    index = _index(OrgCandidate(1, "Boulangerie Martin", siret=SIRET_A, postcode="69001"))
    index.add(OrgCandidate(2, "Boulangerie Martin", postcode="69001"))
    found = index.match(
        OrgCandidate("ligne 1", "Boulangerie Martin", siret=SIRET_B, postcode="69001")
    )
    assert found == Match(2, "name_postcode", 100.0)


# --- persons ---------------------------------------------------------------------


def test_person_by_email_case_insensitive() -> None:
    index = PersonIndex([PersonCandidate(7, "Martin", "Claire", "Claire.Martin@Exemple.fr", 1)])
    found = index.match(PersonCandidate("ligne 2", "Dupuis", None, " claire.martin@exemple.FR"))
    assert found is not None
    assert (found.key, found.rule) == (7, "email")


def test_person_by_name_within_organisation_only() -> None:
    index = PersonIndex([PersonCandidate(7, "Martin", "Claire", None, 1)])
    same_org = index.match(PersonCandidate("ligne 2", "MARTIN", "claire", None, 1))
    assert same_org is not None
    assert (same_org.key, same_org.rule) == (7, "name_organisation")
    accents = index.match(PersonCandidate("ligne 3", "Martin", "Clairé", "x@y.fr", 1))
    assert accents is not None
    assert accents.rule == "name_organisation"
    assert index.match(PersonCandidate("ligne 4", "Martin", "Claire", None, 2)) is None
    assert index.match(PersonCandidate("ligne 5", "Martin", "Claire", None, None)) is None
    assert index.match(PersonCandidate("ligne 6", "Martine", "Claire", None, 1)) is None


def test_private_persons_not_merged_by_name() -> None:
    index = PersonIndex([PersonCandidate(7, "Martin", "Claire")])
    assert index.match(PersonCandidate("ligne 2", "Martin", "Claire")) is None


# --- labelled set ------------------------------------------------------------------

TRADES = [
    "Boulangerie", "Boucherie", "Pâtisserie", "Charcuterie", "Pharmacie", "Garage",
    "Plomberie", "Électricité", "Menuiserie", "Maçonnerie", "Coiffure", "Fleuriste",
    "Librairie", "Quincaillerie", "Crêperie", "Brasserie", "Restaurant", "Hôtel",
    "Transports", "Imprimerie", "Cabinet", "Taxi", "Auto-école", "Opticien", "Bijouterie",
    "Cordonnerie", "Épicerie", "Carrosserie", "Serrurerie", "Peinture", "Couverture",
]  # fmt: skip
FAMILIES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
    "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
    "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier",
    "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire",
    "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer", "Lucas",
    "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun",
]  # fmt: skip
PLACES = [
    "du Centre", "de la Gare", "de la Poste", "du Marché", "de l'Église", "du Port",
    "des Halles", "du Château", "de la Place", "du Stade", "des Lilas", "du Lac",
]  # fmt: skip
# Short family names one letter apart: different people, never merged.
NEAR_FAMILIES = [
    ("Durand", "Durant"), ("Martin", "Marin"), ("Petit", "Petiot"), ("Moreau", "Moreaux"),
    ("Roux", "Roue"), ("Morel", "Morelle"), ("Blanc", "Blanco"), ("Brun", "Bruni"),
    ("Leroy", "Leroi"), ("Robin", "Rabin"), ("Denis", "Denise"), ("Simon", "Simons"),
]  # fmt: skip
LEGAL = ["SARL", "SAS", "SASU", "EURL", "SA", "S.A.R.L.", "S.A.S.", "SNC"]


def _siret(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789") for _ in range(14))


def _base_name(rng: random.Random) -> str:
    family, trade = rng.choice(FAMILIES), rng.choice(TRADES)
    shape = rng.randrange(6)
    if shape == 0:
        return f"{trade} {family}"
    if shape == 1:
        return f"{trade} {rng.choice(PLACES)}"
    if shape == 2:
        return f"{family} & Fils"
    if shape == 3:
        return f"{trade} {family} {rng.choice(FAMILIES)}"
    if shape == 4:
        return f"{trade} {rng.choice(TRADES)} {family}"
    return f"{family} {trade} {rng.choice(PLACES)}"


def _strip_accents(text: str) -> str:
    table = str.maketrans("éèêëàâîïôöûüçÉÈÊÀÂÎÔÛÇ", "eeeeaaiioouucEEEAAIOUC")
    return text.translate(table)


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    if not long_words:
        return name.upper()
    i = rng.choice(long_words)
    word = words[i]
    pos = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:pos] + word[pos + 1 :]
    elif kind == 1:
        word = word[:pos] + rng.choice("aeiourstn") + word[pos + 1 :]
    else:
        word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
    words[i] = word
    return " ".join(words)


PERTURBATIONS: list[Callable[[random.Random, str], str]] = [
    lambda rng, n: f"{n} {rng.choice(LEGAL)}",
    lambda rng, n: f"{rng.choice(LEGAL)} {n}",
    lambda rng, n: n.upper(),
    lambda rng, n: n.lower(),
    lambda rng, n: _strip_accents(n).upper(),
    lambda rng, n: n.replace("&", rng.choice(["et", "ET", "Et"])),
    lambda rng, n: f"{rng.choice(['Ets', 'ETS.', 'Ste', 'STE', 'Société', 'Établissements'])} {n}",
    _typo,
    lambda rng, n: "  ".join(n.split()) + " .",
    lambda rng, n: n.replace(" ", " - ", 1),
    lambda rng, n: f"{n},",
]


@dataclass
class _Pair:
    row: OrgCandidate
    expected: object  # the existing key it duplicates, None for a negative


def _labelled_set(seed: int = 20261124) -> tuple[OrganisationIndex, list[_Pair]]:
    """An index of existing organisations and labelled file rows against it.

    Each pair has its own postcode, shared with two distractors of another
    trade and family, so a match outside the pair is a false positive.
    """
    rng = random.Random(seed)
    index = OrganisationIndex()
    pairs: list[_Pair] = []
    for n in range(2400):
        postcode = f"{1000 + n * 3:05d}"
        key = f"org {n}"
        siret = _siret(rng) if rng.random() < 0.5 else None
        kind = n % 8
        if kind == 5:  # similar name, different trade (Boulangerie/Boucherie Martin)
            family = rng.choice(FAMILIES)
            trade_a, trade_b = rng.sample(TRADES, 2)
            base, row_name = f"{trade_a} {family}", f"{trade_b} {family}"
        elif kind == 6:  # same trade, other place or short family one letter apart
            trade = rng.choice(TRADES)
            if rng.random() < 0.5:
                place_a, place_b = rng.sample(PLACES, 2)
                base, row_name = f"{trade} {place_a}", f"{trade} {place_b}"
            else:
                fam_a, fam_b = rng.choice(NEAR_FAMILIES)
                base, row_name = f"{trade} {fam_a}", f"{trade} {fam_b}"
        else:
            base = _base_name(rng)
            row_name = rng.choice(PERTURBATIONS)(rng, base)
            if rng.random() < 0.3:
                row_name = rng.choice(PERTURBATIONS)(rng, row_name)
        base_words = set(normalise_company_name(base).split())
        for d in range(2):
            while True:
                distractor = _base_name(rng)
                if not base_words & set(normalise_company_name(distractor).split()):
                    break
            index.add(OrgCandidate(f"{key} d{d}", distractor, None, _siret(rng), postcode))
        if kind == 7:  # sister establishment: same name, another SIRET
            index.add(OrgCandidate(key, base, None, _siret(rng), postcode))
            row = OrgCandidate(f"ligne {n}", rng.choice(PERTURBATIONS)(rng, base), None,
                               _siret(rng), postcode)  # fmt: skip
            pairs.append(_Pair(row, None))
            continue
        enseigne = None
        if kind == 4 and rng.random() < 0.5:  # duplicate found through the enseigne
            enseigne, base = base, f"Holding {rng.choice(FAMILIES)} {n}"
        index.add(OrgCandidate(key, base, enseigne, siret, postcode))
        row = OrgCandidate(f"ligne {n}", row_name, None, None, postcode)
        pairs.append(_Pair(row, None if kind in (5, 6) else key))
    return index, pairs


def test_labelled_set_precision_and_recall() -> None:
    index, pairs = _labelled_set()
    assert len(pairs) >= 2000
    tp = fp = positives = 0
    misses: list[str] = []
    false_hits: list[str] = []
    for pair in pairs:
        found = index.match(pair.row)
        positives += pair.expected is not None
        if found is None:
            if pair.expected is not None:
                misses.append(f"{pair.row.name!r} ≠ {pair.expected}")
            continue
        if found.key == pair.expected:
            tp += 1
        else:
            fp += 1
            false_hits.append(f"{pair.row.name!r} → {found.key} ({found.score})")
    recall = tp / positives
    precision = tp / (tp + fp)
    print(
        f"\nlabelled set: {len(pairs)} pairs, {positives} duplicates, "
        f"recall {recall:.4f}, precision {precision:.4f}"
    )
    print("misses:", misses[:10])
    print("false hits:", false_hits[:10])
    assert recall >= 0.98
    assert precision >= 0.995


def test_matching_speed_20k_against_20k() -> None:
    rng = random.Random(7)
    postcodes = [f"{rng.randrange(1000, 96000):05d}" for _ in range(1200)]
    existing = [
        OrgCandidate(i, _base_name(rng), None, _siret(rng), rng.choice(postcodes))
        for i in range(20_000)
    ]
    rows = [
        OrgCandidate(f"ligne {i}", _base_name(rng), None, None, rng.choice(postcodes))
        for i in range(20_000)
    ]
    start = time.perf_counter()
    index = OrganisationIndex(existing)
    for row in rows:
        if index.match(row) is None:
            index.add(row)
    elapsed = time.perf_counter() - start
    print(f"\n20k file rows against 20k organisations: {elapsed:.2f} s")
    assert elapsed < 10


# --- SQLite ----------------------------------------------------------------------


def test_load_organisation_index_from_sqlite(sqlite_db: Database) -> None:
    def insert(session: Session) -> dict[str, int]:
        martin = Organisation(name="Boulangerie Martin SARL", siret=SIRET_A)
        martin.addresses = [
            Address(postcode="69001", city="Lyon", is_primary=True),
            Address(postcode="75008", city="Paris", is_primary=False, kind="livraison"),
        ]
        fournil = Organisation(name="SAS Durand Frères", enseigne="Le Fournil")
        fournil.addresses = [Address(postcode="33000", city="Bordeaux")]
        nowhere = Organisation(name="Dupont & Fils")
        gone = Organisation(name="Garage du Centre", siret=SIRET_B)
        gone.addresses = [Address(postcode="44000", city="Nantes")]
        session.add_all([martin, fournil, nowhere, gone])
        session.flush()
        gone.deleted_at = dt.datetime.now(dt.UTC)
        return {"martin": martin.id, "fournil": fournil.id, "nowhere": nowhere.id}

    ids = sqlite_db.run_write(insert)
    index = load_organisation_index(sqlite_db)
    assert len(index) == 3
    assert index.match(OrgCandidate("l1", "X", siret=SIRET_A)) == Match(
        ids["martin"], "siret", 100.0
    )
    assert index.match(OrgCandidate("l2", "boulangerie martin", postcode="69001")) == Match(
        ids["martin"], "name_postcode", 100.0
    )
    # Only the primary address counts.
    assert index.match(OrgCandidate("l3", "Boulangerie Martin", postcode="75008")) is None
    found = index.match(OrgCandidate("l4", "LE FOURNIL", postcode="33000"))
    assert found is not None
    assert found.key == ids["fournil"]
    # No address: only its SIRET (none here) could find it.
    assert index.match(OrgCandidate("l5", "Dupont et Fils", postcode="13001")) is None
    # Soft-deleted organisations are not candidates.
    assert index.match(OrgCandidate("l6", "Garage du Centre", siret=SIRET_B)) is None


def test_release_empties_the_index() -> None:
    index = OrganisationIndex(
        [OrgCandidate(1, "Boulangerie Martin", None, "73282932000074", "35000")]
    )
    assert len(index) == 1
    index.release()
    assert len(index) == 0
    assert index.match(OrgCandidate(None, "Boulangerie Martin", None, None, "35000")) is None
