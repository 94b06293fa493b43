"""vCard reader on cards as real programs write them: nothing a card holds is silently lost.

Every value lands in a record key, in the notes under a French label, or in a
``value_dropped`` warning (docs/import-formats.md §3). Hand-written cards cover each class of loss
seen (3.0/4.0 text cut at a comma, a whole card refused for PROFILE or an X-
property, a surname made from FN, ``http\\://`` URLs, company cards, values with no
key); the real cards come from the test suites of ez-vcard, KDE kcontacts and
vobject (samples/vcard/README.md).
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from microcrm.directory.presets import detect_preset, guess_mapping, note_columns
from microcrm.directory.records import ENCODING_ERROR, ReadResult
from microcrm.directory.vcard_reader import (
    GROUP_CARD,
    METADATA,
    VALUE_DROPPED,
    VCARD_FIELDS,
    read_vcard_file,
    read_vcards,
)

SAMPLES = Path(__file__).parent / "samples" / "vcard"
CRLF = "\r\n"


def cards(*cards_lines: list[str], encoding: str = "utf-8") -> bytes:
    """A file of cards, each given as its lines between BEGIN and END."""
    text = "".join(CRLF.join(["BEGIN:VCARD", *lines, "END:VCARD"]) + CRLF for lines in cards_lines)
    return text.encode(encoding)


def record(**values: str) -> dict[str, str]:
    """A whole record: every key of VCARD_FIELDS, empty unless given."""
    assert set(values) <= set(VCARD_FIELDS)
    return {**dict.fromkeys(VCARD_FIELDS, ""), **values}


def notes(*lines: str) -> str:
    return "\n".join(lines)


def only(result: ReadResult) -> dict[str, str]:
    """The fields of a file's single card, read without any issue."""
    assert result.issues == []
    (card,) = result.records
    return card.fields


def test_every_record_key_feeds_a_target_of_the_vcard_preset() -> None:
    """Nothing of a record goes to the notes under a technical key name (note_columns)."""
    headers = list(VCARD_FIELDS)
    mapping = guess_mapping(headers, "vcard")
    assert detect_preset(headers) == "vcard"
    assert sorted(mapping.values()) == sorted(VCARD_FIELDS)
    assert note_columns(headers, "vcard", mapping) == []
    assert mapping["org.email"] == "org_email"
    assert mapping["person.emails_other"] == "email_other"
    assert mapping["home.line1"] == "home_street"


# -- 1. text cut at the first comma ----------------------------------------------------------


def test_30_text_keeps_its_commas_profile_and_unknown_properties_do_not_reject_the_card() -> None:
    data = cards(
        [
            "VERSION:3.0",
            "PROFILE:VCard",  # RFC 2426: vobject refused the whole card
            "NAME:Annuaire de l'agence",
            "SOURCE:ldap://annuaire.example/cn=Claire%20Moreau",
            "N:Moreau;Claire;;;",
            "FN:Claire Moreau",
            "ORG:Moreau, Conseil et Associés;Achats",  # commas unescaped, as many writers do
            "TITLE:Directrice, achats",
            "ROLE:Acheteuse, responsable",
            "NOTE:Rappeler lundi, avant 10h, pour le devis",
            "ADR;TYPE=WORK:;;12, rue de la Paix;Paris;;75002;France",
            "URL:http\\://moreau-conseil.example",
            "X-SKYPE:cmoreau",
            "X-JABBER:claire@jabber.example",
            "X-AIM:cmoreau42",
            "X-TWITTER:@cmoreau",
            "X-ASSISTANT:Julie Roux",
            "X-SPOUSE:Marie",
            "X-ANNIVERSARY:2010-06-12",
            "NICKNAME:Clo,Clairette",
            "CATEGORIES:Clients,VIP",
            "TZ:+01:00",
            "GEO:48.8698;2.3311",
            "X-ÉTIQUETTE-MAISON:valeur\\, inconnue",
            "SORT-STRING:Moreau",
            "CLASS:PUBLIC",
            "UID:1234",
            "REV:2024-01-01T00:00:00Z",
        ]
    )
    assert only(read_vcards(data)) == record(
        last_name="Moreau",
        first_name="Claire",
        organisation="Moreau, Conseil et Associés",
        role="Directrice, achats",
        street="12, rue de la Paix",
        postcode="75002",
        city="Paris",
        country="France",
        website="http://moreau-conseil.example",
        categories="Clients; VIP",  # one tag each (clean.py splits tags at ";")
        notes=notes(
            "Rappeler lundi, avant 10h, pour le devis",
            "Service : Achats",
            "Rôle : Acheteuse, responsable",
            "Skype : cmoreau",
            "Jabber : claire@jabber.example",
            "AIM : cmoreau42",
            "Twitter : @cmoreau",
            "Assistant(e) : Julie Roux",
            "Conjoint : Marie",
            "Anniversaire de mariage : 2010-06-12",
            "Surnom : Clo, Clairette",
            "Fuseau horaire : +01:00",
            "Coordonnées GPS : 48.8698,2.3311",
            "X-ÉTIQUETTE-MAISON : valeur, inconnue",
        ),
    )


def test_40_text_keeps_its_commas() -> None:
    data = cards(
        [
            "VERSION:4.0",
            "FN:Durand, Martin et fils",
            "ORG:Durand, Martin et fils;Atelier, menuiserie",
            "TITLE:Gérant, fondateur",
            "NOTE:Devis envoyé, relance prévue, à confirmer",
            "ADR;TYPE=work:;Bât. 2, porte B;7, rue des Forges;Nantes;;44000;France",
            "URL:https://durand.example/?a=1,2",
        ]
    )
    assert only(read_vcards(data)) == record(
        organisation="Durand, Martin et fils",  # no person name beside ORG: a company card
        complement="Bât. 2, porte B",
        street="7, rue des Forges",
        postcode="44000",
        city="Nantes",
        country="France",
        website="https://durand.example/?a=1,2",
        notes=notes(
            "Devis envoyé, relance prévue, à confirmer",
            "Service : Atelier, menuiserie",
            "Fonction : Gérant, fondateur",
        ),
    )


@pytest.mark.parametrize(
    "line",
    [
        "PROFILE:VCard",
        "X-FOO-BAR;TYPE=x:quelque chose",
        "X-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\\:ABPerson",
        "NAME:Annuaire",
        "SOURCE:ldap://x.example",
        "CLASS:PRIVATE",
        "SORT-STRING:Dupont",
        "GEO:48.1;-1.6",
        "TZ:-05:00",
        "AGENT:Paul Martin",
        'X-MS-OL-DESIGN;CHARSET=utf-8:<card xmlns="http://x.example" />',
    ],
)
def test_no_single_property_rejects_a_card(line: str) -> None:
    result = read_vcards(cards(["VERSION:3.0", "N:Dupont;Jean;;;", line]))
    assert result.issues == []
    assert result.records[0].fields["last_name"] == "Dupont"


def test_metadata_is_dropped_without_a_word_and_listed() -> None:
    lines = ["VERSION:3.0", "N:Dupont;Jean;;;", *(f"{name}:x" for name in sorted(METADATA))]
    fields = only(read_vcards(cards(lines)))
    assert fields == record(last_name="Dupont", first_name="Jean")
    assert {"PROFILE", "PRODID", "REV", "UID", "X-ABUID", "X-WAB-GENDER"} <= METADATA


# -- 3. names --------------------------------------------------------------------------------


def test_a_given_name_only_gets_no_surname_from_fn() -> None:
    data = cards(["VERSION:3.0", "N:;Marie;;;", "FN:Marie", "EMAIL:marie@example.fr"])
    assert only(read_vcards(data)) == record(first_name="Marie", email="marie@example.fr")


def test_a_card_without_n_gives_the_full_name_to_split() -> None:
    data = cards(["VERSION:3.0", "FN:Jean-Pierre Martin", "TEL:02 99 00 00 00"])
    assert only(read_vcards(data)) == record(
        full_name="Jean-Pierre Martin", phone_work="02 99 00 00 00"
    )


def test_fn_saying_more_than_n_is_kept_in_the_notes() -> None:
    data = cards(["VERSION:3.0", "N:Martin;Jean;;;", "FN:Jean « Jeannot » Martin"])
    assert only(read_vcards(data))["notes"] == "Nom affiché : Jean « Jeannot » Martin"


# -- 4. escaped URLs ---------------------------------------------------------------------------


def test_backslash_escapes_are_undone_in_urls_and_every_value() -> None:
    data = cards(
        [
            "VERSION:3.0",
            "N:Roux;Léa;;;",
            "URL:https\\://roux.example/a\\;b",
            "item1.URL:http\\://blog.roux.example",
            "item1.X-ABLabel:BLOG",
            "NOTE:C\\:\\\\Dossiers\\nligne 2\\Nligne 3",
        ]
    )
    fields = only(read_vcards(data))
    assert fields["website"] == "https://roux.example/a;b"
    assert fields["notes"] == notes(
        "C:\\Dossiers", "ligne 2", "ligne 3", "Site (blog) : http://blog.roux.example"
    )


def test_21_keeps_backslashes_but_for_the_semicolon_escape() -> None:
    data = cards(["VERSION:2.1", "N:Roux;Léa", "NOTE:C:\\Dossiers\\new\\; fin, suite"])
    assert only(read_vcards(data))["notes"] == "C:\\Dossiers\\new; fin, suite"


# -- 5. company cards --------------------------------------------------------------------------


def test_kind_org_40_creates_no_person() -> None:
    data = cards(
        [
            "VERSION:4.0",
            "KIND:org",
            "FN:Garage Martin",
            "ORG:Garage Martin SARL",
            "TEL;TYPE=cell:06 11 22 33 44",
            "TEL;TYPE=work:02 99 00 11 22",
            "TEL;TYPE=fax:02 99 00 11 23",
            "EMAIL:contact@garage-martin.example",
            "EMAIL:atelier@garage-martin.example",
            "URL:https://garage-martin.example",
            "URL:https://facebook.example/garagemartin",
            "ADR;TYPE=work:;;ZA des Landes;Rennes;;35000;France",
            "TITLE:Réparation automobile",
        ]
    )
    assert only(read_vcards(data)) == record(
        organisation="Garage Martin SARL",
        org_phone="02 99 00 11 22",  # the work line before the mobile
        fax="02 99 00 11 23",
        org_email="contact@garage-martin.example",
        org_emails_other="atelier@garage-martin.example",
        street="ZA des Landes",
        postcode="35000",
        city="Rennes",
        country="France",
        website="https://garage-martin.example",
        notes=notes(
            "Nom affiché : Garage Martin",
            "Téléphone (mobile) : 06 11 22 33 44",
            "Site (2) : https://facebook.example/garagemartin",
            "Fonction : Réparation automobile",
        ),
    )


def test_apple_company_card_keeps_its_contact_name_in_the_notes() -> None:
    data = cards(
        [
            "VERSION:3.0",
            "PRODID:-//Apple Inc.//Mac OS X 14.5//EN",
            "N:Dupain;Paul;;;",
            "FN:Boulangerie Dupain",
            "ORG:Boulangerie Dupain;",
            "X-ABShowAs:COMPANY",
            "TITLE:Gérant",
            "item1.EMAIL;type=INTERNET;type=pref:contact@dupain.example",
            "item1.X-ABLabel:_$!<Work>!$_",
            "EMAIL;type=INTERNET;type=WORK:commandes@dupain.example",
            "TEL;type=CELL:06 00 00 00 01",
            "TEL;type=MAIN:01 23 45 67 89",
            "TEL;type=WORK;type=FAX:01 23 45 67 90",
            "ADR;type=WORK:;;5 place du Marché;Rennes;;35000;France",
            "ADR;type=HOME:;;2 rue du Four;Rennes;;35000;France",
            "URL:https\\://dupain.example",
            "X-ABUID:0F4A\\:ABPerson",
        ]
    )
    assert only(read_vcards(data)) == record(
        organisation="Boulangerie Dupain",
        org_phone="01 23 45 67 89",
        fax="01 23 45 67 90",
        org_email="contact@dupain.example",
        org_emails_other="commandes@dupain.example",
        street="5 place du Marché",
        postcode="35000",
        city="Rennes",
        country="France",
        website="https://dupain.example",
        notes=notes(
            "Contact : Paul Dupain",
            "Fonction : Gérant",
            "Téléphone (mobile) : 06 00 00 00 01",
            "Autre adresse (domicile) : 2 rue du Four, 35000 Rennes, France",
        ),
    )


@pytest.mark.parametrize(
    "names", [["N:;;;;", "FN:ACME Services"], ["FN:acme services"], ["N:;;;;"], []]
)
def test_a_card_with_an_organisation_and_no_person_name_is_a_company_card(
    names: list[str],
) -> None:
    data = cards(["VERSION:2.1", *names, "ORG:ACME Services", "EMAIL;INTERNET:info@acme.example"])
    assert only(read_vcards(data)) == record(
        organisation="ACME Services", org_email="info@acme.example"
    )


def test_contact_groups_are_not_imported() -> None:
    data = cards(
        ["VERSION:4.0", "KIND:group", "FN:Famille", "MEMBER:urn:uuid:1"],
        ["VERSION:3.0", "X-ADDRESSBOOKSERVER-KIND:group", "FN:Clients"],
        ["VERSION:3.0", "N:Dupont;Jean;;;"],
    )
    result = read_vcards(data)
    assert [(i.locator, i.reason, i.severity) for i in result.issues] == [
        ("fiche 1 (ligne 1)", GROUP_CARD, "error"),
        ("fiche 2 (ligne 7)", GROUP_CARD, "error"),
    ]
    assert result.issues[1].detail == "liste de contacts « Clients », pas un contact : non importée"
    assert [r.fields["last_name"] for r in result.records] == ["Dupont"]


# -- 6. values that had no key: each exporter ----------------------------------------------------


def test_outlook_21_quoted_printable_card() -> None:
    data = cards(
        [
            "VERSION:2.1",
            "N;LANGUAGE=fr;CHARSET=Windows-1252:Lefèvre;Hélène;;Mme;",
            "FN;CHARSET=Windows-1252:Hélène Lefèvre",
            "ORG;CHARSET=Windows-1252:Boulangerie Lefèvre, Fils;Ventes",
            "TITLE;CHARSET=Windows-1252:Gérante, associée",
            "NOTE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Rappeler lundi, avant 10h=0D=0A=",
            "pour le devis de l'=E9t=E9 (=80 HT)",
            "TEL;WORK;VOICE:01 42 68 53 00",
            "TEL;WORK;VOICE:01 42 68 53 01",
            "TEL;HOME;VOICE:01 45 00 00 00",
            "TEL;CELL;VOICE:06 12 34 56 78",
            "TEL;WORK;FAX:01 42 68 53 09",
            "TEL;HOME;FAX:01 45 00 00 09",
            "TEL;PAGER;VOICE:06 99 99 99 99",
            "TEL;CAR;VOICE:06 88 88 88 88",
            "ADR;WORK;PREF;CHARSET=Windows-1252:;Bâtiment B;12, rue de la Paix;Paris;"
            "Île-de-France;75002;France",
            "LABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE:B=E2timent B=0D=0A12, rue de la Paix",
            "ADR;HOME;CHARSET=Windows-1252:;;3 allée des Tilleuls;Vincennes;;94300;France",
            "ADR;POSTAL:BP 42;;;Paris Cedex 02;;75061;France",
            "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2",
            "URL;WORK:http://www.boulangerie-lefevre.example",
            "URL;HOME:http://helene.example",
            "BDAY:19700131",
            "X-MS-ANNIVERSARY:20100612",
            "EMAIL;PREF;INTERNET:helene@boulangerie-lefevre.example",
            "EMAIL;INTERNET:helene.lefevre@orange.example",
            "EMAIL;INTERNET:h.lefevre@laposte.example",
            "X-MS-IMADDRESS:helene@im.example",
            "X-MS-MANAGER;CHARSET=Windows-1252:Paul Lefèvre",
            "X-MS-TEL;VOICE;CALLBACK:01 42 68 53 02",
            "X-WAB-GENDER:1",
            "REV:20240101T000000Z",
        ],
        encoding="cp1252",
    )
    assert only(read_vcards(data)) == record(
        civility="Mme",
        last_name="Lefèvre",
        first_name="Hélène",
        organisation="Boulangerie Lefèvre, Fils",
        role="Gérante, associée",
        phone_work="01 42 68 53 00",
        phone_mobile="06 12 34 56 78",
        phone_home="01 45 00 00 00",
        fax="01 42 68 53 09",
        email="helene@boulangerie-lefevre.example",
        email_other="helene.lefevre@orange.example\nh.lefevre@laposte.example",
        complement="Bâtiment B",
        street="12, rue de la Paix",
        postcode="75002",
        city="Paris",
        country="France",
        home_street="3 allée des Tilleuls",
        home_postcode="94300",
        home_city="Vincennes",
        home_country="France",
        website="http://www.boulangerie-lefevre.example",
        notes=notes(
            "Rappeler lundi, avant 10h",
            "pour le devis de l'été (€ HT)",
            "Service : Ventes",
            "Téléphone (travail 2) : 01 42 68 53 01",
            "Fax (domicile) : 01 45 00 00 09",
            "Téléphone (bipeur) : 06 99 99 99 99",
            "Téléphone (voiture) : 06 88 88 88 88",
            "Région : Île-de-France",
            "Autre adresse : BP 42, 75061 Paris Cedex 02, France",
            "Site (2) : http://helene.example",
            "Anniversaire : 19700131",
            "Anniversaire de mariage : 20100612",
            "Messagerie instantanée : helene@im.example",
            "Responsable : Paul Lefèvre",
            "Téléphone (rappel) : 01 42 68 53 02",
        ),
    )


def test_apple_30_card_with_item_groups_and_labels() -> None:
    data = cards(
        [
            "VERSION:3.0",
            "PRODID:-//Apple Inc.//iPhone OS 17.5//EN",
            "N:Lambert;Sophie;;Mme;",
            "FN:Sophie Lambert",
            "ORG:Atelier Lambert\\, Fils et Cie;Direction commerciale",
            "TITLE:Directrice\\, achats",
            "item1.EMAIL;type=INTERNET;type=pref:sophie@atelier-lambert.example",
            "item1.X-ABLabel:_$!<Work>!$_",
            "item2.EMAIL;type=INTERNET:sophie.lambert@gmail.example",
            "item2.X-ABLabel:Perso",
            "TEL;type=CELL;type=VOICE;type=pref:06 12 34 56 78",
            "TEL;type=WORK;type=VOICE:01 44 55 66 77",
            "TEL;type=HOME;type=VOICE:01 40 00 00 01",
            "TEL;type=WORK;type=FAX:01 44 55 66 78",
            "item3.TEL:01 44 55 66 79",
            "item3.X-ABLabel:_$!<AssistantPhone>!$_",
            "item4.TEL:06 98 76 54 32",
            "item4.X-ABLabel:Portable pro",
            "item5.ADR;type=WORK;type=pref:;;12\\, rue de la Paix;Paris;;75002;France",
            "item5.X-ABADR:fr",
            "item6.ADR;type=HOME:;Bât. B;3 allée des Tilleuls;Vincennes;Île-de-France;94300;France",
            "item6.X-ABADR:fr",
            "item7.URL;type=pref:http\\://www.atelier-lambert.example",
            "item7.X-ABLabel:_$!<HomePage>!$_",
            "item8.URL:https\\://www.linkedin.com/in/sophielambert",
            "item8.X-ABLabel:LinkedIn",
            "item9.X-ABDATE;type=pref:2010-06-12",
            "item9.X-ABLabel:_$!<Anniversary>!$_",
            "item10.X-ABRELATEDNAMES;type=pref:Marc Lambert",
            "item10.X-ABLabel:_$!<Spouse>!$_",
            "IMPP;X-SERVICE-TYPE=Skype;type=HOME;type=pref:skype:sophie.lambert",
            "X-SOCIALPROFILE;type=twitter;x-user=slambert:http\\://twitter.com/slambert",
            "BDAY;X-APPLE-OMIT-YEAR=1604:1604-01-31",
            "NOTE:Rappeler lundi\\, avant 10h\\, pour le devis",
            "X-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\\:ABPerson",
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/",
        ]
    )
    result = read_vcards(data)
    assert [(i.locator, i.reason, i.severity, i.detail) for i in result.issues] == [
        (
            "fiche 1 (ligne 1)",
            VALUE_DROPPED,
            "warning",
            "non repris : Photo (image ou fichier intégré à la fiche) ;"
            " le reste de la fiche est importé",
        )
    ]
    assert result.records[0].fields == record(
        civility="Mme",
        last_name="Lambert",
        first_name="Sophie",
        organisation="Atelier Lambert, Fils et Cie",
        role="Directrice, achats",
        phone_work="01 44 55 66 77",
        phone_mobile="06 12 34 56 78",
        phone_home="01 40 00 00 01",
        fax="01 44 55 66 78",
        email="sophie@atelier-lambert.example",
        email_other="sophie.lambert@gmail.example",
        street="12, rue de la Paix",
        postcode="75002",
        city="Paris",
        country="France",
        home_complement="Bât. B",
        home_street="3 allée des Tilleuls",
        home_postcode="94300",
        home_city="Vincennes",
        home_country="France",
        website="http://www.atelier-lambert.example",
        notes=notes(
            "Rappeler lundi, avant 10h, pour le devis",
            "Service : Direction commerciale",
            "Téléphone (secrétariat) : 01 44 55 66 79",
            "Téléphone (Portable pro) : 06 98 76 54 32",
            "Région (domicile) : Île-de-France",
            "Site (LinkedIn) : https://www.linkedin.com/in/sophielambert",
            "Anniversaire de mariage : 2010-06-12",
            "Conjoint : Marc Lambert",
            "Skype : sophie.lambert",
            "Profil (twitter) : http://twitter.com/slambert",
            "Anniversaire : --01-31",
        ),
    )


def test_google_30_export() -> None:
    data = cards(
        [
            "VERSION:3.0",
            "FN:Julien Petit",
            "N:Petit;Julien;;;",
            "EMAIL;TYPE=INTERNET;TYPE=WORK:julien.petit@petit-btp.example",
            "EMAIL;TYPE=INTERNET;TYPE=HOME:julien.petit@gmail.example",
            "TEL;TYPE=CELL:+33 6 12 34 56 78",
            "TEL;TYPE=WORK:+33 2 99 00 00 00",
            "item1.TEL:+33 2 99 00 00 05",
            "item1.X-ABLabel:Standard",
            "ADR;TYPE=WORK:;;4 rue des Artisans\\nZA du Moulin;Rennes;;35000;FR",
            "ORG:Petit BTP",
            "TITLE:Conducteur de travaux",
            "BDAY:1982-04-05",
            "URL;TYPE=WORK:http\\://www.petit-btp.example",
            "item2.URL:https\\://www.linkedin.com/in/julienpetit",
            "item2.X-ABLabel:PROFILE",
            "item3.X-ABRELATEDNAMES:Claire Petit",
            "item3.X-ABLabel:_$!<Spouse>!$_",
            "CATEGORIES:myContacts,Clients,Bâtiment",
            "NOTE:Vu au salon Batimat\\, stand 4.\\nDevis en cours.",
        ]
    )
    assert only(read_vcards(data)) == record(
        last_name="Petit",
        first_name="Julien",
        organisation="Petit BTP",
        role="Conducteur de travaux",
        phone_work="+33 2 99 00 00 00",
        phone_mobile="+33 6 12 34 56 78",
        email="julien.petit@petit-btp.example",
        email_other="julien.petit@gmail.example",
        street="4 rue des Artisans\nZA du Moulin",
        postcode="35000",
        city="Rennes",
        country="FR",
        website="http://www.petit-btp.example",
        categories="Clients; Bâtiment",  # Google's myContacts is a system group
        notes=notes(
            "Vu au salon Batimat, stand 4.",
            "Devis en cours.",
            "Téléphone (Standard) : +33 2 99 00 00 05",
            "Anniversaire : 1982-04-05",
            "Site (profil) : https://www.linkedin.com/in/julienpetit",
            "Conjoint : Claire Petit",
        ),
    )


def test_40_card_every_value_has_a_place() -> None:
    data = cards(
        [
            "VERSION:4.0",
            "KIND:individual",
            "N:Bernard;Luc;;M.;",
            "FN:Luc Bernard",
            'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+33-1-42-00-00-00',
            "TEL;VALUE=uri;TYPE=home:tel:+33-1-43-00-00-00",
            'TEL;VALUE=uri;TYPE="home,fax":tel:+33-1-43-00-00-09',
            "TEL;VALUE=uri;TYPE=pager:tel:+33-6-99-00-00-00",
            "TEL;VALUE=uri;TYPE=work:tel:+33-1-42-00-00-01",
            "EMAIL;TYPE=work:luc@bernard.example",
            "EMAIL;TYPE=home:luc.bernard@mail.example",
            "EMAIL;TYPE=home:lb@autre.example",
            'ADR;TYPE=work;LABEL="12, rue de la Gare\\n69002 Lyon":;;12, rue de la Gare;Lyon;'
            "Auvergne-Rhône-Alpes;69002;France",
            "ADR;TYPE=work:;;1 rue du Dépôt;Villeurbanne;;69100;France",
            "ADR;TYPE=home:;;8 impasse des Lilas;Caluire-et-Cuire;;69300;France",
            "ADR:;;Chalet Les Pins;Chamonix;;74400;France",
            "BDAY:19700131",
            "ANNIVERSARY:20100612",
            "GENDER:M",
            "LANG;PREF=1:fr",
            "RELATED;TYPE=spouse;VALUE=text:Marie Bernard",
            "IMPP:xmpp:luc@jabber.example",
            "GEO:geo:45.76,4.83",
            "URL:https://bernard.example",
            "URL:https://blog.bernard.example",
            "NOTE:Client depuis 2019, très fidèle",
            "CLIENTPIDMAP:1;urn:uuid:3df403f4-5924-4bb7-b077-3c711d9eb34b",
            "PHOTO:https://bernard.example/luc.jpg",
            "LOGO:data:image/png;base64,iVBORw0KGgo=",
        ]
    )
    result = read_vcards(data)
    assert [(i.reason, i.detail) for i in result.issues] == [
        (
            VALUE_DROPPED,
            "non repris : Logo (image ou fichier intégré à la fiche) ;"
            " le reste de la fiche est importé",
        )
    ]
    assert result.records[0].fields == record(
        civility="M.",
        last_name="Bernard",
        first_name="Luc",
        phone_work="+33-1-42-00-00-00",
        phone_home="+33-1-43-00-00-00",
        email="luc@bernard.example",
        email_other="luc.bernard@mail.example\nlb@autre.example",
        street="12, rue de la Gare",
        postcode="69002",
        city="Lyon",
        country="France",
        home_street="8 impasse des Lilas",
        home_postcode="69300",
        home_city="Caluire-et-Cuire",
        home_country="France",
        website="https://bernard.example",
        notes=notes(
            "Client depuis 2019, très fidèle",
            "Fax (domicile) : +33-1-43-00-00-09",
            "Téléphone (bipeur) : +33-6-99-00-00-00",
            "Téléphone (travail 2) : +33-1-42-00-00-01",
            "Région : Auvergne-Rhône-Alpes",
            "Autre adresse (travail) : 1 rue du Dépôt, 69100 Villeurbanne, France",
            "Autre adresse : Chalet Les Pins, 74400 Chamonix, France",
            "Anniversaire : 19700131",
            "Anniversaire de mariage : 20100612",
            "Genre : homme",
            "Langue : fr",
            "Conjoint : Marie Bernard",
            "Jabber : luc@jabber.example",
            "Coordonnées GPS : 45.76,4.83",
            "Site (2) : https://blog.bernard.example",
            "Photo : https://bernard.example/luc.jpg",
        ),
    )


def test_android_21_custom_fields_and_undecodable_binary() -> None:
    data = cards(
        [
            "VERSION:2.1",
            "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gar=C3=A7on;Zo=C3=A9;;;",
            "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Zozo;1;;;;;;;;;;;;;",
            "X-ANDROID-CUSTOM:vnd.android.cursor.item/relation;Paul;1;;;;;;;;;;;;;",
            "X-ANDROID-CUSTOM:vnd.android.cursor.item/contact_event;2015-09-01;1;;;;;;;;;;;;;",
            "X-FOO;ENCODING=BASE64:/9j/4AAQSkZJRgABAQ==",
            "CATEGORIES:My Contacts",
        ]
    )
    result = read_vcards(data)
    assert [i.detail for i in result.issues] == [
        "non repris : X-FOO (image ou fichier intégré à la fiche) ; le reste de la fiche est importé"
    ]
    assert result.records[0].fields == record(
        last_name="Garçon",
        first_name="Zoé",
        notes=notes("Surnom : Zozo", "Relation : Paul", "Date : 2015-09-01"),
    )


def test_a_text_value_in_base64_is_read_as_text() -> None:
    encoded = base64.b64encode("Rappeler à 10h, merci".encode()).decode()
    data = cards(["VERSION:3.0", "N:Roux;Léa;;;", f"NOTE;ENCODING=b:{encoded}"])
    assert only(read_vcards(data))["notes"] == "Rappeler à 10h, merci"


def test_an_undecodable_value_still_rejects_its_card_only() -> None:
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Caf\xe9\r\nEND:VCARD\r\n" + cards(
        ["VERSION:3.0", "FN:Zoé"]
    )
    result = read_vcards(data)
    assert [(i.locator, i.reason) for i in result.issues] == [("fiche 1 (ligne 1)", ENCODING_ERROR)]
    assert [r.fields["full_name"] for r in result.records] == ["Zoé"]


# -- real cards ----------------------------------------------------------------------------------


def test_outlook_2007_sample() -> None:
    """ez-vcard's Outlook 2007 export: 2.1, quoted-printable NOTE, KEY and PHOTO in base64."""
    result = read_vcard_file(SAMPLES / "ez-vcard-outlook-2007.vcf")
    assert [(i.reason, i.severity, i.detail) for i in result.issues] == [
        (
            VALUE_DROPPED,
            "warning",
            "non repris : Clé publique, Photo (image ou fichier intégré à la fiche) ;"
            " le reste de la fiche est importé",
        )
    ]
    assert result.records[0].fields == record(
        civility="Mr.",
        last_name="Angstadt",
        first_name="Michael",
        organisation="TheCompany",
        role="TheJobTitle",
        phone_work="(111) 555-1111",
        phone_mobile="(111) 555-4444",
        phone_home="(111) 555-2222",
        fax="(111) 555-3333",
        email="mike.angstadt@gmail.com",
        complement="TheOffice",
        street="222 Broadway",
        postcode="99999",
        city="New York",
        country="USA",
        website="http://mikeangstadt.name",  # URL;HOME and URL;WORK are the same page
        notes=notes(
            "This is the NOTE field\t",
            "I assume it encodes this text inside a NOTE vCard type.",
            "But I'm not sure because there's text formatting going on here.",
            "It does not preserve the formatting",
            "Suffixe : Jr.",
            "Surnom : Mike",
            "Service : TheDepartment",
            "Téléphone (rappel) : (111) 555-4444",
            "Région : NY",
            "Rôle : TheProfession",
            "Anniversaire : 19220310",
            "Anniversaire de mariage : 20120801",
            "Messagerie instantanée : im@aim.com",
            "Responsable : TheManagerName",
            "Assistant(e) : TheAssistantName",
            "Conjoint : TheSpouse",
            "Disponibilités (agenda) : http://website.com/mycal",
        ),
    )


def test_gmail_sample() -> None:
    """ez-vcard's Google Contacts export: every kind of phone, address, site, date, relation."""
    fields = only(read_vcard_file(SAMPLES / "ez-vcard-gmail-single2.vcf"))
    assert fields == record(
        last_name="Test",
        first_name="VCard",
        organisation="TheCompany",
        role="TheJobTitle",
        phone_work="5555551111",
        phone_mobile="5555551115",
        phone_home="5555551112",
        fax="5555551118",
        email="email@example.com",
        email_other="\n".join(
            [
                "homeemail@example.com",
                "workemail@example.com",
                "otheremail@example.com",
                "customcategory@example.com",
            ]
        ),
        street="113 Main St",  # the WORK address
        postcode="10011",
        city="NY",
        home_street="112 Main St",
        home_postcode="10011",
        home_city="NY",
        website="http://www.example1.com",
        notes=notes(
            "note line 1",
            "note line 2",
            "CustomField: field value",
            "Surnom : TheNickname",
            "Prénom (prononciation) : ThePhoneticFirstName",
            "Nom (prononciation) : ThePhoneticLastName",
            "Google Talk : IM2",
            "AIM : IM3",
            "Yahoo : IM4",
            "Skype : IM5",
            "QQ : IM6",
            "MSN : IM7",
            "ICQ : IM8",
            "Jabber : IM9",
            "Téléphone (travail 2) : 5555551113",
            "Téléphone (travail 3) : 5555551114",
            "Téléphone (travail 4) : 5555551116",
            "Fax (domicile) : 5555551117",
            "Téléphone (Google Voice) : 5555551119",
            "Téléphone (bipeur) : 5555551120",
            "Téléphone (CustomePhoneCategory) : 5555551121",
            "Autre adresse : 111 Main St, 10011 NY, New York",
            "Région (domicile) : New York",
            "Région : New York",
            "Autre adresse : 114 Main St, 10011 NY, New York",
            "Autre adresse (CustomAddressCategory) : 115 Main St, 10011 NY, New York",
            "Anniversaire : 1912-06-23",
            "Site (profil) : http://www.example2.com",
            "Site (blog) : http://www.example3.com",
            "Site (page d'accueil) : http://www.example4.com",
            "Site (5) : http://www.example5.com",
            "Site (CustomWebsiteCategory) : http://www.example6.com",
            "Anniversaire de mariage : 1930-03-20",
            "Date : 1776-07-04",
            "Date (CustomDateCategory) : 2000-09-12",
            "Relation : Name1",
            "Conjoint : Name2",
            "Enfant : Name3",
            "Mère : Name4",
            "Père : Name5",
            "Parent : Name6",
            "Frère : Name7",
            "Sœur : Name8",
            "Ami(e) : Name9",
            "Famille : Name10",
            "Responsable : Name11",
            "Assistant(e) : Name12",
            "Recommandé par : Name13",
            "Partenaire : Name14",
            "Partenaire : Name15",
            "Relation (CustomRelationCategory) : Name16",
        ),
    )


def test_rfc2426_sample_keeps_raw_numbers_and_zip4() -> None:
    """RFC 2426's example (``BEGIN:vCard``, folded ADR): no N, so FN is the full name."""
    result = read_vcard_file(SAMPLES / "ez-vcard-rfc2426-example.vcf")
    assert result.issues == []
    assert [r.fields for r in result.records] == [
        record(
            full_name="Frank Dawson",
            organisation="Lotus Development Corporation",
            phone_work="+1-919-676-9515",
            fax="+1-919-676-9564",
            email="Frank_Dawson@Lotus.com",
            email_other="fdawson@earthlink.net",
            street="6544 Battleford Drive",
            postcode="27613-3502",  # ZIP+4 as written
            city="Raleigh",
            country="U.S.A.",
            website="http://home.earthlink.net/~fdawson",
            notes="Région : NC",
        ),
        record(
            full_name="Tim Howes",
            organisation="Netscape Communications Corp.",
            phone_work="+1-415-937-3419",
            fax="+1-415-528-4164",
            email="howes@netscape.com",
            street="501 E. Middlefield Rd.",
            postcode="94043",
            city="Mountain View",
            country="U.S.A.",
            notes="Région : CA",
        ),
    ]


def test_kcontacts_full_40_sample() -> None:
    """KAddressBook's full 4.0 card: IMPP, LANG, TZ, GEO, KEY and calendar links."""
    fields = only(read_vcard_file(SAMPLES / "kcontacts-testfullvcard.vcf"))
    assert fields == record(
        civility="Mr",
        last_name="Holmes",
        first_name="Sherlock",
        role="Detective",  # ROLE says the same as TITLE: kept once
        phone_work="+44-555-555-7777",
        phone_mobile="+44-555-555-6666",
        phone_home="+44-555-555-5555;ext=5555",
        email="detective@sherlockholmes.com",  # PREF=1 first
        email_other="sherlock.holmes@gmail.com",
        street="221B Baker Street",
        postcode="NW1",
        city="London",
        country="United Kingdom",
        website="https://sherlockholmes.com",
        categories="FICTION; LITERATURE",
        notes=notes(
            "Surnom : Shirley",
            "Anniversaire : 19531015T231000Z",
            "Anniversaire de mariage : 19960415",
            "Genre : homme",
            "Jabber : detective@sherlockholmes.com",
            "Langue : en",
            "Langue : fr",
            "Fuseau horaire : London/Europe",
            "Coordonnées GPS : 51.5237,0.1585",
            "Clé publique : https://sherlockholmes.com/sherlock-holmes.pub.asc",
            "Agenda : https://sherlockholmes.com/calendar/sherlockholmes",
            "Disponibilités (agenda) : https://sherlockholmes.com/busy/detective",
            "Agenda (invitations) : mailto:detective@sherlockholmes.com",
        ),
    )


def test_kcontacts_21_quoted_printable_sample() -> None:
    """2.1 cards with QP soft breaks inside ADR, a given name only, ``Note:`` in lower case."""
    result = read_vcard_file(SAMPLES / "kcontacts-vcard10.vcf")
    assert result.issues == []
    broken = "AAAAAAA-AäAAAAA 11"
    assert [r.fields for r in result.records] == [
        record(
            organisation="Bike Shop",  # ORG alone: a company card
            street="DDDDDDDDDDDDDDD-Staße 2\n00000 DDDDDDDDDD",
            notes="This one has a funny character at the end in the contact list",
        ),
        record(
            first_name="Broken",  # N:;Broken;;; — no surname made from FN
            home_street=broken,
            home_postcode="00000",
            home_city="Urt",
            website="http://some-webseite.com",
            notes=notes(
                "This one's URL field is truncated (see contact's edit form). Remove the "
                "linebreak in the VCF's address field and the URL will will be correct.",
                "Nom affiché : Field after Address broken",
            ),
        ),
        record(
            first_name="Broken",
            home_street=broken,
            home_postcode="00000",
            home_city="Urt",
            website="http://some-webseite.com",
            notes=notes(
                'this is identical to "Website broken", but with Note and URL swapped. '
                "The Note field does not get truncated as the URL field does.",
                "Nom affiché : Field after Address not broken",
            ),
        ),
        record(
            civility="Dr. med.",
            last_name="Name",
            first_name="Surname",
            role="Facharzt für Allgemeinmedizin",
            notes=notes(
                "Sprechzeiten:",
                "Mo   8–12, 15–18",
                "Di     8–12",
                "Mi    8–12, 14–15",
                "Do 14–19",
                "Fr     8–12",
            ),
        ),
        record(
            last_name="Doctor",
            first_name="Second",
            role="Dentist",
            street="DDDDDDDDDDDstraße 26\n00000 DDDDDDDDDDDDDDDDD",
            notes=notes(
                "Sprechzeiten:",
                "Mo   8–13",
                "Di   10–12, 13–18",
                "Mi  10–12, 13–18",
                "Do  13–18",
                "Fr      8–12",
            ),
        ),
    ]


def test_kcontacts_kaddressbook_extensions_sample() -> None:
    fields = only(read_vcard_file(SAMPLES / "kcontacts-vcard_extension_case_normalization.vcf"))
    assert fields == record(
        last_name="Name",
        first_name="My",
        notes=notes(  # the X-KADDRESSBOOK-CRYPTO* preferences are metadata
            "Blog : https://my.blog/",
            "Anniversaire de mariage : 1970-01-01",
            "Assistant(e) : Mycroft",
            "Responsable : My Boss",
            "Bureau : My Office",
            "Profession : My Job",
            "Conjoint : My Spouse",
        ),
    )


def test_vobject_radicale_sample() -> None:
    """Radicale's card: every N component and a 3.0 GEO."""
    fields = only(read_vcard_file(SAMPLES / "vobject-radicale-1587.vcf"))
    assert fields == record(
        civility="Prefix",
        last_name="Family",
        first_name="Given",
        notes=notes(
            "Deuxième prénom : Additional",
            "Suffixe : Suffix",
            "Coordonnées GPS : 37.386013,-122.082932",
        ),
    )
