"""Import services without Qt: saved mapping profiles, file grouping, search criteria, CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.directory.company_search import (
    CommunesCriteria,
    NearPointCriteria,
    write_records_csv,
)
from microcrm.directory.importer import ImportSource, plan_import
from microcrm.directory.presets import MappingProfile
from microcrm.directory.profiles import ProfileStore, group_paths, reason_label
from microcrm.directory.records import RawRecord
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.errors import ValidationError


def test_profiles_round_trip_replace_and_skip_broken_files(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    assert store.list() == []
    path = store.save(MappingProfile("  Fichier   Kompass ", "broker", {"org.name": "Société"}))
    assert path == tmp_path / "import-profiles" / "fichier-kompass.json"
    store.save(MappingProfile("Été 2026", "generic", {"org.name": "Nom", "address.city": "Ville"}))
    store.save(MappingProfile("Fichier Kompass", "broker", {"org.name": "Raison sociale"}))
    (tmp_path / "import-profiles" / "abime.json").write_text("{pas du json", encoding="utf-8")
    assert [p.name for p in store.list()] == ["Été 2026", "Fichier Kompass"]
    assert store.load("Fichier Kompass").mapping == {"org.name": "Raison sociale"}
    assert store.load("Été 2026").preset == "generic"
    with pytest.raises(ValidationError, match="introuvable"):
        store.load("Inconnu")
    with pytest.raises(ValidationError, match="Donnez un nom"):
        store.save(MappingProfile("   ", "broker", {"org.name": "Société"}))
    with pytest.raises(ValidationError, match="aucune colonne"):
        store.save(MappingProfile("Vide", "broker", {}))
    store.delete("Été 2026")
    assert [p.name for p in store.list()] == ["Fichier Kompass"]


def test_group_paths_pairs_sirene_files_whatever_their_order(tmp_path: Path) -> None:
    etab = tmp_path / "StockEtablissement_utf8.csv"
    units = tmp_path / "StockUniteLegale_utf8.csv"
    other = tmp_path / "contacts.vcf"
    assert group_paths([other, units, etab, other]) == [[other], [etab, units]]
    assert group_paths([etab, other]) == [[etab], [other]]  # no legal units: alone
    assert group_paths([units]) == [[units]]


def test_criteria_validate_and_build_their_query() -> None:
    near = NearPointCriteria(naf_codes=("6201Z",), latitude=43.6, longitude=1.44, radius_km=12)
    assert near.query(2, 25) == {
        "lat": "43.600000", "long": "1.440000", "radius": "12",
        "activite_principale": "62.01Z", "page": "2", "per_page": "25",
    }  # fmt: skip
    for radius in (0, 51):
        with pytest.raises(ValidationError, match="entre 1 et 50 km"):
            NearPointCriteria(latitude=43.6, longitude=1.44, radius_km=radius)
    with pytest.raises(ValidationError, match="Position du centre"):
        NearPointCriteria(latitude=123, longitude=1.44)
    communes = CommunesCriteria(communes=("75101", "75102"))
    assert communes.query(1, 10)["code_commune"] == "75101,75102"
    with pytest.raises(ValidationError, match="Code commune INSEE invalide"):
        CommunesCriteria(communes=("7510",))
    with pytest.raises(ValidationError, match="Recherche trop large"):
        CommunesCriteria()


def test_reason_labels() -> None:
    assert reason_label("closed_establishment") == "Établissement fermé"
    assert reason_label("code_inconnu") == "code_inconnu"


def test_search_results_csv_is_read_back_by_the_importer(
    sqlite_db: Database, tmp_path: Path
) -> None:
    fields = dict.fromkeys(SIRENE_FIELDS, "")
    fields.update(name="ATELIER DU CAPITOLE", siren="732829320", siret="73282932000074",
                  naf_code="10.71C", street="12 RUE DE LA POMME", postcode="31000",
                  city="TOULOUSE", head_office="true")  # fmt: skip
    path = write_records_csv([RawRecord("résultat 1", fields)], tmp_path / "r" / "res.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["siret"] == "73282932000074" and list(row) == list(SIRENE_FIELDS)
    plan = plan_import(sqlite_db, [ImportSource([path])])
    [entry] = plan.report.files
    assert (entry.preset, entry.organisations_created, len(entry.rejected.rows)) == (
        "sirene", 1, 0,
    )  # fmt: skip
