"""Recipients of a run: main contact, exclusions with reasons, filters, segments, persons."""

from __future__ import annotations

import pytest

from microcrm.crm.lists import ListQuery
from microcrm.errors import NotFoundError, ValidationError
from microcrm.mailing.recipients import RecipientSource, parse_where, select_recipients
from tests.mailing.helpers import Base


def test_one_recipient_per_organisation_and_every_exclusion(mail_base: Base) -> None:
    b = mail_base
    selection = select_recipients(b.db, RecipientSource(query=ListQuery(base="prospect")))
    got = {r.organisation_id: r for r in selection.recipients}
    assert list(got) == [b.alpha, b.beta, b.gamma, b.theta_brest]  # list order: by name
    alpha = got[b.alpha]
    assert alpha.person_id == b.claire  # first contact
    assert alpha.lines == (
        "ALPHA CONSEIL",
        "MME CLAIRE MARTIN",
        "12 RUE DE LA PAIX",
        "35000 RENNES",
    )
    assert (alpha.salesperson, alpha.reference, alpha.city) == ("Julien Dupont", "C001", "Rennes")
    assert got[b.beta].person_id is None  # no contact: to the organisation itself
    assert got[b.beta].lines[-1] == "35400 ST MALO"
    assert got[b.gamma].person_id == b.anne  # Luc refuses mail
    reasons = {e.organisation_id: (e.reason, e.detail) for e in selection.excluded}
    assert reasons[b.delta_npai][0] == "npai"
    assert "02/03/2026" in reasons[b.delta_npai][1]
    assert reasons[b.epsilon_invalid][0] == "adresse_invalide"
    assert "35999" in reasons[b.epsilon_invalid][1]
    assert reasons[b.zeta_no_address][0] == "sans_adresse"
    assert reasons[b.eta_no_mail][0] == "refus_courrier"
    assert reasons[b.alpha_twin][0] == "doublon_adresse"
    assert len(selection.excluded) == 5
    assert selection.excluded_by_reason()["npai"] == 1
    assert selection.excluded[0].label


def test_per_contact_letters(mail_base: Base) -> None:
    b = mail_base
    selection = select_recipients(
        b.db, RecipientSource(organisation_ids=[b.alpha, b.gamma, b.beta], per_contact=True)
    )
    keys = [r.key for r in selection.recipients]
    assert keys == [
        f"o{b.alpha}-p{b.claire}",
        f"o{b.alpha}-p{b.paul}",
        f"o{b.gamma}-p{b.anne}",
        f"o{b.beta}",
    ]
    assert [(e.person_id, e.reason) for e in selection.excluded] == [
        (b.luc_no_mail, "refus_courrier")
    ]
    assert selection.description == "Liste courante"


def test_where_filters_and_segment(mail_base: Base) -> None:
    b = mail_base
    query = parse_where(b.db, "prospect", ["departement=29"])
    assert [
        r.organisation_id for r in select_recipients(b.db, RecipientSource(query=query)).recipients
    ] == [b.theta_brest]
    query = parse_where(b.db, "prospect", ["commercial=jdupont", "etiquette=salon 2026"])
    found = select_recipients(b.db, RecipientSource(query=query)).recipients
    assert [r.organisation_id for r in found] == [b.alpha, b.theta_brest]
    query = parse_where(b.db, "prospect", ["commercial=Julien Dupont", "recherche=gamma"])
    assert [
        r.organisation_id for r in select_recipients(b.db, RecipientSource(query=query)).recipients
    ] == [b.gamma]
    segment = select_recipients(b.db, RecipientSource(segment="Bretagne"))
    assert segment.segment_name == "Bretagne" and segment.segment_id is not None
    assert {r.organisation_id for r in segment.recipients} == {b.alpha, b.beta, b.gamma}
    with pytest.raises(NotFoundError):
        select_recipients(b.db, RecipientSource(segment="Inconnu"))


@pytest.mark.parametrize(
    ("base", "clause", "message"),
    [
        ("prospect", "ville=Rennes", "Filtre incompris « ville=Rennes »"),
        ("prospect", "commercial=personne", "Commercial inconnu « personne »"),
        ("prospect", "etiquette=Rien", "Étiquette inconnue « Rien »"),
        ("prospect", "traite=peut-être", "traite=oui ou traite=non"),
        ("planetes", "departement=35", "Base inconnue « planetes »"),
    ],
)
def test_bad_where_is_refused_in_french(
    mail_base: Base, base: str, clause: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_where(mail_base.db, base, [clause])
    assert message in caught.value.message


def test_private_customers_are_recipients(mail_base: Base) -> None:
    b = mail_base
    selection = select_recipients(b.db, RecipientSource(query=ListQuery(base="particulier")))
    (jean,) = selection.recipients
    assert (jean.person_id, jean.organisation_id) == (b.particulier, None)
    assert jean.lines == ("M JEAN VALJEAN", "8 RUE VICTOR HUGO", "75005 PARIS")
    assert jean.key == f"p{b.particulier}"
    contact = select_recipients(b.db, RecipientSource(person_ids=[b.paul])).recipients
    assert contact[0].lines[:2] == ("ALPHA CONSEIL", "M PAUL DURAND")


def test_sole_trader_name_is_not_printed_twice() -> None:
    from microcrm.mailing.recipients import address_block
    from microcrm.models import Address

    address = Address(
        line1="4 place du Marché", line2="", line3="", postcode="35000", city="Rennes", country=""
    )
    _norm, lines = address_block(address, company="Arthur Gauthier", name="M Arthur Gauthier")
    assert lines == ("M ARTHUR GAUTHIER", "4 PLACE DU MARCHE", "35000 RENNES")
    _norm, lines = address_block(address, company="Gauthier SARL", name="M Arthur Gauthier")
    assert lines[:2] == ("GAUTHIER SARL", "M ARTHUR GAUTHIER")
