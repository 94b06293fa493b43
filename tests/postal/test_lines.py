"""R14: reduction of lines 1, 2, 3 and 5."""

from __future__ import annotations

import pytest

from microcrm.postal.normalize import format_complement, format_identity, format_service
from tests.postal.helpers import lines, norm


@pytest.mark.parametrize(
    ("civility", "abbreviation"),
    [
        ("MONSIEUR", "M"),
        ("MADAME", "MME"),
        ("MADEMOISELLE", "MLLE"),
        ("MESSIEURS", "MM"),
        ("MESDAMES", "MMES"),
        ("DOCTEUR", "DR"),
        ("MAITRE", "ME"),
    ],
)
def test_r14_step1_civilities(civility: str, abbreviation: str) -> None:
    name = f"{civility} ALEXANDRE DE LA ROCHEFOUCAULD LIANCOURT"
    assert len(name) > 38
    line, fits = format_identity(name)
    assert fits
    assert line.startswith(f"{abbreviation} ")


def test_r14_civility_kept_in_full_when_it_fits() -> None:
    assert lines(name="Monsieur Jean Martin", postcode="59000", city="Lille")[0] == (
        "MONSIEUR JEAN MARTIN"
    )


def test_r14_step2_table_c_after_civilities() -> None:
    # MONSIEUR -> M (44), then Table C: SOCIETE -> SOC (40), NATIONALE -> NAL (34).
    line, fits = format_identity("MONSIEUR LE DIRECTEUR SOCIETE NATIONALE DES CHEMINS")
    assert fits
    assert line == "M LE DIRECTEUR SOC NAL DES CHEMINS"


def test_r14_step3_first_names_not_the_last_word() -> None:
    line, fits = format_identity("MADAME MARIE CATHERINE DE VILLENEUVE MARTIN")
    # MME (40), no Table C word, MARIE -> M (36); MARTIN, the last word, is a surname.
    assert fits
    assert line == "MME M CATHERINE DE VILLENEUVE MARTIN"


def test_r14_line_too_long_after_all_steps() -> None:
    line, fits = format_identity("MONSIEUR JEAN ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJ")
    assert not fits
    assert line == "M J ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJ"


def test_r14_l2_complements_reduced_left_to_right() -> None:
    line, fits = format_complement("", ("APPARTEMENT 1204 ESCALIER B ETAGE 12 COULOIR",))
    assert fits
    assert line == "APP 1204 ESCALIER B ETAGE 12 COULOIR"


def test_r14_l2_company_name_then_elements() -> None:
    # MADAME -> MME (43), then Table C: DIRECTION -> DIR (37).
    line, fits = format_complement("MADAME CHRISTINE LAGARDE", ("DIRECTION DES FINANCES",))
    assert (line, fits) == ("MME CHRISTINE LAGARDE DIR DES FINANCES", True)


def test_r14_l3_table_c_left_to_right() -> None:
    # BATIMENT -> BAT (47), RESIDENCE -> RES (41), GRAND -> GD (38).
    result = norm(
        name="A",
        line1="Bâtiment Les Glycines Résidence du Grand Parc Fleuri",
        line2="3 rue X",
        postcode="59000",
        city="Lille",
    )
    assert result.lines == ("A", "BAT LES GLYCINES RES DU GD PARC FLEURI", "3 RUE X", "59000 LILLE")


def test_r14_l5_after_r19() -> None:
    # R19 SAINT -> ST (40), then Table C GRANDE -> GDE (37).
    line, fits = format_service(("BP 90432 SAINT JEAN DE LA GRANDE CHARTREUSE",))
    assert (line, fits) == ("BP 90432 ST JEAN DE LA GDE CHARTREUSE", True)


def test_r14_l5_line_too_long() -> None:
    line, fits = format_service(("BP 90432 SAINT GERMAIN DES PRES ET DES CHAMPS",))
    assert (line, fits) == ("BP 90432 ST GERMAIN DES PRES ET DES CHAMPS", False)


def test_r14_reduction_keeps_the_line_class() -> None:
    # [choice] SERVICE -> SCE is recognised by R7 too, so the reduced line stays on L2.
    line, fits = format_complement("", ("SERVICE DES RELATIONS AVEC LA CLIENTELE",))
    assert (line, fits) == ("SCE DES RELATIONS AVEC LA CLIENTELE", True)
    assert norm(
        name="A",
        line1="Service des relations avec la clientèle",
        line2="Bat C",
        line3="3 rue X",
        postcode="59000",
        city="Lille",
    ).lines[1:3] == ("SCE DES RELATIONS AVEC LA CLIENTELE", "BATIMENT C")
