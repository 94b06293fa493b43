"""Presets: detection, mapping guesses and saved profiles."""

from __future__ import annotations

import pytest

from microcrm.directory.presets import (
    PRESET_LABELS,
    PRESETS,
    TARGET_LABELS,
    TARGETS,
    MappingProfile,
    detect_preset,
    guess_mapping,
    normalize_header,
    preset_scores,
)
from microcrm.directory.records import unique_headers
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.directory.vcard_reader import VCARD_FIELDS

OUTLOOK_FR = unique_headers(
    [
        "Titre",
        "Prénom",
        "Deuxième prénom",
        "Nom",
        "Suffixe",
        "Société",
        "Service",
        "Titre",
        "Rue (bureau)",
        "Rue (bureau) 2",
        "Rue (bureau) 3",
        "Ville (bureau)",
        "Dép/Région (bureau)",
        "Code postal (bureau)",
        "Pays/Région (bureau)",
        "Télécopie (bureau)",
        "Téléphone (bureau)",
        "Téléphone société",
        "Tél. mobile",
        "Adresse de messagerie",
        "Type de messagerie",
        "Catégories",
        "Notes",
        "Page Web",
    ]
)
OUTLOOK_EN = [
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Company",
    "Job Title",
    "Business Street",
    "Business City",
    "Business Postal Code",
    "E-mail Address",
    "Business Phone",
    "Mobile Phone",
    "Categories",
    "Notes",
]
GOOGLE = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Name Prefix",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Address 1 - Formatted",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - PO Box",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
    "Address 1 - Extended Address",
]
BROKER = [
    "RAISON SOCIALE",
    "Enseigne",
    "Adresse",
    "Complément d'adresse",
    "CP",
    "VILLE",
    "TÉL.",
    "Fax",
    "E-mail",
    "Site Internet",
    "Siret",
    "Code APE",
    "Libellé activité",
    "Forme juridique",
    "Tranche d'effectif",
    "CA",
    "Civilité",
    "Nom dirigeant",
    "Prénom dirigeant",
    "Fonction",
]


def test_every_target_has_a_french_label() -> None:
    assert tuple(TARGET_LABELS) == TARGETS
    assert all(label and label[0].isupper() for label in TARGET_LABELS.values())
    for synonyms in PRESETS.values():
        assert set(synonyms) <= set(TARGETS)


def test_normalize_header_folds_accents_case_and_punctuation() -> None:
    assert normalize_header("TÉL.") == "tel"
    assert normalize_header(" Complément  d'adresse ") == "complement d adresse"
    assert normalize_header("E-mail") == normalize_header("e mail")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (list(SIRENE_FIELDS), "sirene"),
        (list(VCARD_FIELDS), "vcard"),
        (OUTLOOK_FR, "outlook"),
        (OUTLOOK_EN, "outlook"),
        (GOOGLE, "google"),
        (BROKER, "broker"),
        (["Colonne 1", "Colonne 2", "Divers"], "generic"),
        ([], "generic"),
    ],
)
def test_detect_preset(headers: list[str], expected: str) -> None:
    assert detect_preset(headers) == expected


def test_scores_are_between_0_and_1() -> None:
    scores = preset_scores(BROKER)
    assert set(scores) == set(PRESET_LABELS) - {"generic"}
    assert scores["broker"] == 1.0
    assert all(0.0 <= score <= 1.0 for score in scores.values())
    assert scores["outlook"] < 0.5


def test_outlook_titles_mapped_by_position() -> None:
    mapping = guess_mapping(OUTLOOK_FR, "outlook")
    assert mapping["person.civility"] == "Titre"
    assert mapping["person.role"] == "Titre (2)"
    assert mapping["org.name"] == "Société"
    assert mapping["person.email"] == "Adresse de messagerie"
    assert mapping["person.mobile"] == "Tél. mobile"
    assert mapping["address.line2"] == "Rue (bureau) 2"
    assert mapping["address.postcode"] == "Code postal (bureau)"
    assert mapping["tags"] == "Catégories"


def test_outlook_aliases() -> None:
    mapping = guess_mapping(OUTLOOK_EN, "outlook")
    assert mapping["person.first_name"] == "First Name"
    assert mapping["person.role"] == "Job Title"
    assert mapping["address.line1"] == "Business Street"
    newer = guess_mapping(["Prénom", "Nom", "Adresse de courrier"], "outlook")
    assert newer["person.email"] == "Adresse de courrier"


def test_google_mapping() -> None:
    mapping = guess_mapping(GOOGLE, "google")
    assert mapping["person.email"] == "E-mail 1 - Value"
    assert mapping["person.phone"] == "Phone 1 - Value"
    assert mapping["address.line3"] == "Address 1 - PO Box"
    assert mapping["tags"] == "Labels"
    older = guess_mapping(["Given Name", "Family Name", "Group Membership"], "google")
    assert older == {
        "person.first_name": "Given Name",
        "person.last_name": "Family Name",
        "tags": "Group Membership",
    }


def test_broker_synonyms_match_normalised_headers() -> None:
    mapping = guess_mapping(BROKER, "broker")
    assert mapping["org.name"] == "RAISON SOCIALE"
    assert mapping["org.phone"] == "TÉL."
    assert mapping["org.siret"] == "Siret"
    assert mapping["org.naf_code"] == "Code APE"
    assert mapping["org.headcount"] == "Tranche d'effectif"
    assert mapping["address.postcode"] == "CP"
    assert mapping["address.city"] == "VILLE"
    assert mapping["person.last_name"] == "Nom dirigeant"
    assert mapping["person.first_name"] == "Prénom dirigeant"
    assert "Libellé activité" not in mapping.values()


def test_sirene_and_vcard_mappings() -> None:
    sirene = guess_mapping(list(SIRENE_FIELDS), "sirene")
    assert sirene["org.headcount_code"] == "headcount_code"
    assert sirene["org.legal_form"] == "legal_form_code"
    vcard = guess_mapping(list(VCARD_FIELDS), "vcard")
    assert vcard["person.phone"] == "phone_work"
    assert vcard["person.full_name"] == "full_name"


def test_a_column_feeds_one_target_only() -> None:
    mapping = guess_mapping(["Société", "Nom"], "generic")
    assert mapping == {"org.name": "Société", "person.last_name": "Nom"}
    assert len(set(mapping.values())) == len(mapping)


def test_unknown_preset_raises() -> None:
    with pytest.raises(ValueError, match="inconnu"):
        guess_mapping(["Nom"], "kompass")


def test_profile_round_trip() -> None:
    profile = MappingProfile("Kompass 2024", "broker", guess_mapping(BROKER, "broker"))
    text = profile.to_json()
    assert "Tranche d'effectif" in text  # accents kept, not escaped
    assert MappingProfile.from_json(text) == profile


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"name": "x"}',
        '{"name": "x", "preset": "kompass", "mapping": {}}',
        '{"name": "x", "preset": "broker", "mapping": {"org.nom": "Nom"}}',
        '{"name": "x", "preset": "broker", "mapping": {"org.name": 3}}',
    ],
)
def test_profile_rejects_bad_json(text: str) -> None:
    with pytest.raises(ValueError, match="Profil"):
        MappingProfile.from_json(text)
