"""R4-R9 and R15: line roles, identity, classification, placement, merging, line 5."""

from __future__ import annotations

import pytest

from microcrm.postal.restructure import Kind, classify, expand_complements, place
from tests.postal.helpers import lines, norm


def test_r4_private_person_line_roles() -> None:
    # S7 (UPU, France): identity, inside, outside, street, lieu-dit, postcode + locality.
    assert lines(
        name="Monsieur Jean DELHOURME",
        line1="Chez Mireille COPEAU Appartement 2",
        line2="25 rue de l'Église",
        line3="Caudos",
        postcode="33380",
        city="Mios",
    ) == (
        "MONSIEUR JEAN DELHOURME",
        "CHEZ MIREILLE COPEAU APPARTEMENT 2",
        "25 RUE DE L EGLISE",
        "CAUDOS",
        "33380 MIOS",
    )


def test_r4_outside_delivery_point_on_l3() -> None:
    assert lines(
        name="Jean Delhourme",
        line1="Entrée A Bâtiment Jonquille",
        line2="25 rue de l'Église",
        postcode="33380",
        city="Mios",
    ) == ("JEAN DELHOURME", "ENTREE A BATIMENT JONQUILLE", "25 RUE DE L EGLISE", "33380 MIOS")


def test_r5_company_lines_and_bp_with_post_office_locality() -> None:
    assert lines(
        company="Société Méditerranéenne",
        name="M. Paul Durand",
        line1="Service achats",
        line2="BP 90432 Montferrier-sur-Lez",
        postcode="34980",
        city="Montferrier-sur-Lez",
    ) == (
        "SOCIETE MEDITERRANEENNE",
        "M PAUL DURAND SERVICE ACHATS",
        "BP 90432 MONTFERRIER SUR LEZ",
        "34980 MONTFERRIER SUR LEZ",
    )


def test_r6_company_first_then_name_opens_l2() -> None:
    assert lines(company="ACME", name="Jean Martin", postcode="59000", city="Lille")[:2] == (
        "ACME",
        "JEAN MARTIN",
    )
    assert lines(name="Jean Martin", postcode="59000", city="Lille")[0] == "JEAN MARTIN"
    assert lines(company="ACME", postcode="59000", city="Lille") == ("ACME", "59000 LILLE")


@pytest.mark.parametrize(
    ("line", "kind", "element"),
    [
        ("BOITE POSTALE 12", Kind.SERVICE, "BP 12"),
        ("B P 12", Kind.SERVICE, "BP 12"),
        ("BP 12", Kind.SERVICE, "BP 12"),
        ("TSA 70011", Kind.SERVICE, "TSA 70011"),
        ("CS 30001", Kind.SERVICE, "CS 30001"),
        ("POSTE RESTANTE", Kind.SERVICE, "POSTE RESTANTE"),
        ("LIEU DIT LES VIGNES", Kind.LIEU_DIT, "LES VIGNES"),
        ("LIEUDIT LE MOULIN", Kind.LIEU_DIT, "LE MOULIN"),
        ("LD LA FERME", Kind.LIEU_DIT, "LA FERME"),
        ("APPARTEMENT 12", Kind.INSIDE, "APPARTEMENT 12"),
        ("APPT 12", Kind.INSIDE, "APPT 12"),
        ("ETG 3", Kind.INSIDE, "ETG 3"),
        ("CHEZ MME DURAND", Kind.INSIDE, "CHEZ MME DURAND"),
        ("A L ATTENTION DE M DUPONT", Kind.INSIDE, "A L ATTENTION DE M DUPONT"),
        ("BOITE AUX LETTRES 5", Kind.INSIDE, "BOITE AUX LETTRES 5"),
        ("3EME ETAGE", Kind.INSIDE, "3EME ETAGE"),
        ("1ER ETAGE PORTE GAUCHE", Kind.INSIDE, "1ER ETAGE PORTE GAUCHE"),
        ("2ND ESCALIER", Kind.INSIDE, "2ND ESCALIER"),
        ("SERVICE CLIENT", Kind.INSIDE, "SERVICE CLIENT"),
        ("LOG 4", Kind.INSIDE, "LOG 4"),
        ("BATIMENT A", Kind.OUTSIDE, "BATIMENT A"),
        ("RES LES PINS", Kind.OUTSIDE, "RES LES PINS"),
        ("TOUR EUROPE", Kind.OUTSIDE, "TOUR EUROPE"),
        ("ZI DU MOULIN", Kind.OUTSIDE, "ZI DU MOULIN"),
        ("ZONE INDUSTRIELLE NORD", Kind.OUTSIDE, "ZONE INDUSTRIELLE NORD"),
        ("ZONE D ACTIVITES DES PRES", Kind.OUTSIDE, "ZONE D ACTIVITES DES PRES"),
        ("CENTRE COMMERCIAL GRAND VAR", Kind.OUTSIDE, "CENTRE COMMERCIAL GRAND VAR"),
        ("2EME BATIMENT", Kind.OUTSIDE, "2EME BATIMENT"),
        ("12 RUE DE LA PAIX", Kind.STREET, "12 RUE DE LA PAIX"),
        ("12B RUE DE LA PAIX", Kind.STREET, "12B RUE DE LA PAIX"),
        ("AVENUE FOCH", Kind.STREET, "AVENUE FOCH"),
        ("AV FOCH", Kind.STREET, "AV FOCH"),
        ("GDE RUE", Kind.STREET, "GDE RUE"),
        ("ROND PT DU GENERAL", Kind.STREET, "ROND PT DU GENERAL"),
        ("LE BOURG", Kind.OTHER, "LE BOURG"),
        ("BPI FRANCE", Kind.OTHER, "BPI FRANCE"),
    ],
)
def test_r7_classification_order_and_whole_words(line: str, kind: Kind, element: str) -> None:
    assert classify(line) == (kind, element)


def test_r7_order_postal_service_before_lieu_dit_before_complements() -> None:
    assert classify("BP 3 LIEU DIT X")[0] is Kind.SERVICE
    assert classify("LD CHEZ PIERRE")[0] is Kind.LIEU_DIT
    assert classify("RESIDENCE DU PARC")[0] is Kind.OUTSIDE  # L3 before street type RESIDENCE
    assert classify("ESCALIER 2 BATIMENT B")[0] is Kind.INSIDE  # L2 before L3


def test_r8_first_street_is_l4_further_street_is_unclassified() -> None:
    placement = place(("12 RUE A", "14 RUE B", ""))
    assert placement.street == "12 RUE A"
    assert placement.street_formatted
    assert placement.service == ("14 RUE B",)


def test_r8_unclassified_before_l4_go_to_l3_after_to_l5() -> None:
    placement = place(("LE CLOS FLEURI", "12 RUE A", "LE HAUT"))
    assert placement.outside == ("LE CLOS FLEURI",)
    assert placement.service == ("LE HAUT",)


def test_r8_lieu_dit_goes_to_l5_when_there_is_a_street() -> None:
    assert lines(
        name="Jean Martin",
        line1="Lieu-dit Caudos",
        line2="25 rue de l'Église",
        postcode="33380",
        city="Mios",
    ) == ("JEAN MARTIN", "25 RUE DE L EGLISE", "CAUDOS", "33380 MIOS")


def test_r8_without_street_first_lieu_dit_is_l4_as_written() -> None:
    placement = place(("LE HAUT", "LIEU DIT LES 3 CHENES", "LD LE BAS"))
    assert placement.street == "LES 3 CHENES"
    assert not placement.street_formatted
    assert placement.outside == ("LE HAUT",)
    assert placement.service == ("LE BAS",)


def test_r8_without_street_or_lieu_dit_last_unclassified_is_l4() -> None:
    placement = place(("LE HAUT", "LES GRANDS CHAMPS", ""))
    assert placement.street == "LES GRANDS CHAMPS"
    assert placement.outside == ("LE HAUT",)
    # As written: no R12 expansion of `ST` on an L4 that is not a street line...
    assert lines(name="A", line1="Les Hauts de St Jean", postcode="59000", city="Lille")[1] == (
        "LES HAUTS DE ST JEAN"
    )
    # ...whereas HAMEAU is a street type (Table A): a street line, R12 applies.
    assert lines(name="A", line1="Hameau de St Jean", postcode="59000", city="Lille")[1] == (
        "HAMEAU DE SAINT JEAN"
    )


def test_r8_l5_postal_services_first_then_others_in_input_order() -> None:
    placement = place(("LD LES VIGNES", "12 RUE A", "BP 7"))
    assert placement.service == ("BP 7", "LES VIGNES")
    assert (
        lines(
            name="A",
            line1="LD les Vignes",
            line2="12 rue A",
            line3="BP 7",
            postcode="59000",
            city="Lille",
        )[-2]
        == "BP 7 LES VIGNES"
    )


def test_r8_lieu_dit_with_postal_service_and_no_street() -> None:
    assert lines(name="A", line1="BP 12", line2="Le Bourg", postcode="59000", city="Lille") == (
        "A",
        "LE BOURG",
        "BP 12",
        "59000 LILLE",
    )


def test_r9_merging_in_input_order_and_complements_in_full() -> None:
    assert lines(
        name="Jean Martin",
        line1="Apt 12 Etg 3",
        line2="Bat C Res les Pins",
        line3="4 rue Haute",
        postcode="59000",
        city="Lille",
    ) == (
        "JEAN MARTIN",
        "APPARTEMENT 12 ETAGE 3",
        "BATIMENT C RESIDENCE LES PINS",
        "4 RUE HAUTE",
        "59000 LILLE",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APT 1 APPT 2 APP 3 APPART 4", "APPARTEMENT 1 APPARTEMENT 2 APPARTEMENT 3 APPARTEMENT 4"),
        ("BAT A ESC 2 ETG 3", "BATIMENT A ESCALIER 2 ETAGE 3"),
        ("IMM X RES Y RESID Z LOG 5", "IMMEUBLE X RESIDENCE Y RESIDENCE Z LOGEMENT 5"),
        ("ZI ZA ZAC ZAE ZUP", "ZI ZA ZAC ZAE ZUP"),
    ],
)
def test_r9_expansions(text: str, expected: str) -> None:
    assert expand_complements(text) == expected


def test_r9_company_l2_person_name_first() -> None:
    assert (
        lines(
            company="ACME",
            name="Jean Martin",
            line1="Direction financière",
            postcode="59000",
            city="Lille",
        )[1]
        == "JEAN MARTIN DIRECTION FINANCIERE"
    )


def test_r9_name_is_not_expanded() -> None:
    assert lines(company="ACME", name="Bat Man", postcode="59000", city="Lille")[1] == "BAT MAN"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Boîte postale 90432", "BP 90432"),
        ("B.P. 12", "BP 12"),
        ("TSA 70011", "TSA 70011"),
        ("CS 30001", "CS 30001"),
        ("Poste restante", "POSTE RESTANTE"),
        ("BP 0042", "BP 0042"),  # number as typed
    ],
)
def test_r15_line5_postal_services(line: str, expected: str) -> None:
    result = norm(name="A", line1="1 rue B", line2=line, postcode="59000", city="Lille")
    assert result.lines[-2] == expected


def test_r15_bp_with_cedex_and_with_ordinary_postcode() -> None:
    cedex = norm(company="ACME", line1="BP 90432", postcode="34092", city="Montpellier Cedex 5")
    assert cedex.lines == ("ACME", "BP 90432", "34092 MONTPELLIER CEDEX 5")
    assert cedex.status == "valid"
    ordinary = norm(company="ACME", line1="BP 12", postcode="59000", city="Lille")
    assert ordinary.status == "valid"


def test_r15_l5_applies_r19_saints() -> None:
    assert (
        lines(
            name="A", line1="3 rue B", line2="Lieu-dit Saint-Jean", postcode="59000", city="Lille"
        )[-2]
        == "ST JEAN"
    )
