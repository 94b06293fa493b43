"""Offscreen screenshots of the import wizard, the import history and the company search.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_import.py [out_dir]

Writes ``import-source.png``, ``import-apercu.png``, ``import-correspondance.png``,
``import-destination.png``, ``import-simulation.png`` (duplicates side by side),
``import-simulation-problemes.png``, ``import-import.png`` (while writing),
``import-rapport.png``, ``import-historique.png`` and ``import-recherche.png``
into ``docs/screenshots/`` (or ``out_dir``). The base is a throw-away demo base
(``microcrm.demo.generate``); the file imported is a list-broker CSV holding
two records of that base (one by SIRET, one by name and postcode), a footer
line that is rejected and values that raise warnings.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget, QWizard

from microcrm.app import AppContext, Paths, Settings, build_context
from microcrm.demo import generate
from microcrm.directory import importer
from microcrm.directory.importer import ImportSource, export_organisations
from microcrm.directory.records import RawRecord, ReadResult
from microcrm.directory.sirene_api import convert_result
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.ui.application import make_application
from microcrm.ui.importing import run_pages
from microcrm.ui.importing.company_search import CompanySearchDialog
from microcrm.ui.importing.history_dialog import ImportHistoryDialog
from microcrm.ui.importing.wizard import PAGE_NAMES, ImportWizard

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
HEADER = ["Raison sociale", "SIRET", "Adresse", "CP", "Ville", "Téléphone", "E-mail",
          "Civilité", "Prénom dirigeant", "Nom dirigeant", "Fonction", "Effectif",
          "Code NAF", "Mail dirigeant"]  # fmt: skip
NEW = [
    ("Garage Vertbois", "10 avenue Foch", "33000", "Bordeaux", "05 56 44 10 01", "M.", "Luc",
     "Vertbois", "Gérant", "De 6 à 9 salariés", "45.20A"),
    ("Atelier Zébulon", "2 rue de la Paix", "13001", "Marseille", "04 91 54 00 01", "Mme",
     "Inès", "Zébulon", "Présidente", "3", "90.03A"),
    ("Menuiserie Quentin Lavoie", "3 rue Royale", "69001", "Lyon", "04 78 27 00 01", "M.",
     "Quentin", "Lavoie", "Gérant", "De 10 à 19 salariés", "16.23Z"),
    ("Imprimerie du Capitole", "18 rue d'Alsace-Lorraine", "31000", "Toulouse",
     "05 61 22 00 01", "Mme", "Sophie", "Castan", "Directrice", "12", "18.12Z"),
    ("Traiteur Les Saveurs", "45 boulevard Carnot", "59000", "Lille", "03 20 55 00 01", "M.",
     "Karim", "Benali", "Gérant", "De 3 à 5 salariés", "56.21Z"),
    ("Cabinet Morel Expertise", "7 place Bellecour", "69002", "Lyon", "04 72 41 00 01", "M.",
     "Antoine", "Morel", "Expert-comptable", "De 20 à 49 salariés", "69.20Z"),
    ("Fleurs et Jardins Duval", "22 rue Nationale", "37000", "Tours", "02 47 05 00 01", "Mme",
     "Julie", "Duval", "Gérante", "2", "47.76Z"),
    ("Transports Ribeiro", "ZA des Pins", "40100", "Dax", "05 58 74 00 01", "M.", "Paulo",
     "Ribeiro", "PDG", "De 50 à 99 salariés", "49.41A"),
]  # fmt: skip


def broker_rows(db: Any) -> list[dict[str, str]]:
    """New companies, two records of the base again, a footer, a bad e-mail and phone."""
    known = [o for o in export_organisations(db) if o["siret"] and o["addresses"]][:2]
    rows = [
        dict(zip(HEADER, (name, "", street, cp, city, phone,
                          f"contact@{name.split()[-1].lower()}.fr", civ, first, last, role,
                          headcount, naf, f"{first.lower()}.{last.lower()}@exemple.fr"),
                 strict=True))
        for (name, street, cp, city, phone, civ, first, last, role, headcount, naf) in NEW
    ]  # fmt: skip
    by_siret, by_name = known
    postcode = by_name["addresses"][0]["lines"][-1].split()[0]
    rows.insert(
        2,
        {
            "Raison sociale": by_siret["name"].upper() + " SARL",
            "SIRET": by_siret["siret"],
            "Téléphone": "01 42 68 53 00",
            "E-mail": "accueil@exemple.fr",
            "Effectif": "De 10 à 19 salariés",
        },
    )
    rows.insert(
        5,
        {
            "Raison sociale": by_name["name"],
            "CP": postcode,
            "Téléphone": "04 91 00 00 02",
            "Site Internet": "www.exemple.fr",
        },
    )
    rows[6]["E-mail"] = "contact@@exemple"
    rows[7]["Téléphone"] = "12 34"
    rows.append({"Raison sociale": "Total : 10 entreprises"})
    return rows  # fmt: skip


def wait(app: QApplication, done: Callable[[], bool], timeout: float = 60) -> None:
    """Let workers run until ``done`` is true."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def grab(app: QApplication, widget: QWidget, path: Path) -> None:
    """Render a widget as shown."""
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(path))


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str) -> Path:
    """A ``;``-separated broker file."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, HEADER, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def wizard_shots(app: QApplication, ctx: AppContext, path: Path, other: Path, out: Path) -> None:
    """Drive the wizard page by page and grab each one."""
    wizard = ImportWizard(ctx)
    wizard.show()
    wizard.source_page.add_files([path, other])
    grab(app, wizard, out / "import-source.png")
    wizard.source_page.files.clear()
    wizard.source_page.add_files([path])
    wizard.next()
    wait(app, wizard.preview_page.isComplete)
    grab(app, wizard, out / f"import-{PAGE_NAMES[1]}.png")
    wizard.next()
    wizard.mapping_page.set_target("Mail dirigeant", "person.email")
    wizard.mapping_page.save_profile("Fichier CCI")
    grab(app, wizard, out / f"import-{PAGE_NAMES[2]}.png")
    wizard.next()
    wizard.destination_page.tags.setText("CCI Occitanie 2026")
    grab(app, wizard, out / f"import-{PAGE_NAMES[3]}.png")
    wizard.next()
    page = wizard.simulation_page
    wait(app, page.isComplete)
    grab(app, wizard, out / "import-simulation-problemes.png")
    page.tabs.setCurrentIndex(1)
    page.duplicate_table.selectRow(1)
    page.decide_selected("skip")
    page.duplicate_table.selectRow(0)
    grab(app, wizard, out / f"import-{PAGE_NAMES[4]}.png")

    release = threading.Event()
    real = importer.commit_import

    def held(db: Any, plan: Any, *, progress: Any = None, cancelled: Any = None) -> Any:
        progress(140, 420, "Écriture des organisations… 140 sur 420")
        release.wait(30)
        return real(db, plan, progress=progress, cancelled=cancelled)

    setattr(run_pages, "commit_import", held)  # noqa: B010 - held while grabbing
    wizard.button(QWizard.WizardButton.CommitButton).click()
    time.sleep(0.3)
    grab(app, wizard, out / f"import-{PAGE_NAMES[5]}.png")
    release.set()
    wait(app, lambda: wizard.currentId() == len(PAGE_NAMES) - 1)
    setattr(run_pages, "commit_import", real)  # noqa: B010
    grab(app, wizard, out / f"import-{PAGE_NAMES[6]}.png")
    wizard.close()


def dialog_shots(app: QApplication, ctx: AppContext, out: Path) -> None:
    """The import history and the company search, with results."""
    history = ImportHistoryDialog(ctx)
    history.show()
    grab(app, history, out / "import-historique.png")
    search = CompanySearchDialog(ctx)
    search.activity.setText("boulangerie")
    search.place.setText("Toulouse")
    search.radius.setValue(10)
    found = ReadResult(headers=list(SIRENE_FIELDS))
    for position, result in enumerate(_api_results(), start=1):
        found.records.extend(
            r for r in convert_result(result, position) if isinstance(r, RawRecord)
        )
    search.show_results(found)
    search.model.set_checked([3], False)
    search.show()
    grab(app, search, out / "import-recherche.png")


def main() -> None:
    """Build the demo base and the files, then grab the wizard and the dialogs."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="shot-import-"))
    os.environ["MICROCRM_HOME"] = str(folder / "home")
    paths = Paths.for_user()
    paths.config.mkdir(parents=True, exist_ok=True)
    Settings(user_login="mdupont").save(paths.settings_file)
    app = make_application([])
    ctx = build_context(str(folder / "crm.sqlite"))
    generate(ctx.db, organisations=300, persons=200, seed=11)
    rows = broker_rows(ctx.db)
    path = write_csv(folder / "Fichier CCI Occitanie 2026.csv", rows, "cp1252")
    earlier = write_csv(folder / "Salon Batimat.csv", rows[:4], "utf-8")
    importer.commit_import(ctx.db, importer.plan_import(ctx.db, [ImportSource([earlier])]))
    wizard_shots(app, ctx, path, earlier, out)
    dialog_shots(app, ctx, out)
    ctx.db.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshots in {out}")


def _api_results() -> list[dict[str, Any]]:
    """Replies of the API Recherche d'entreprises, in its documented format."""
    shops = [
        ("AU PAIN DORE", "10.71C", "14", "RUE DES FILATIERS", "31000", "TOULOUSE", "03"),
        ("MAISON BERTRAND", "10.71C", "3", "PLACE DU SALIN", "31000", "TOULOUSE", "11"),
        ("LE FOURNIL DE BALMA", "10.71C", "21", "AVENUE DE TOULOUSE", "31130", "BALMA", "02"),
        ("BOULANGERIE PATISSERIE SAINT-CYPRIEN", "10.71C", "8", "PLACE INTERIEURE SAINT-CYPRIEN",
         "31300", "TOULOUSE", "12"),
        ("LES PAINS D'ANTAN", "10.71B", "5", "CHEMIN DE LA SALADE PONSAN", "31400", "TOULOUSE",
         "01"),
        ("FOURNIL DES MINIMES", "10.71C", "102", "BOULEVARD PIERRE ET MARIE CURIE", "31200",
         "TOULOUSE", "03"),
        ("BOULANGERIE DU CANAL", "10.71C", "1", "ALLEE DES DEMOISELLES", "31400", "TOULOUSE",
         "02"),
        ("PANIFICATION DE L'AUTAN", "10.71B", "12", "RUE DE L'INDUSTRIE", "31120",
         "PORTET-SUR-GARONNE", "21"),
    ]  # fmt: skip
    out = []
    for i, (name, naf, number, street, postcode, city, headcount) in enumerate(shops):
        siret = f"{812345670 + i * 11:09d}00017"
        est = {"siret": siret, "est_siege": True, "etat_administratif": "A",
               "activite_principale": naf, "numero_voie": number, "type_voie": None,
               "libelle_voie": street, "code_postal": postcode, "commune": "31555",
               "libelle_commune": city, "tranche_effectif_salarie": headcount}  # fmt: skip
        out.append({"siren": siret[:9], "nom_complet": name, "nom_raison_sociale": name,
                    "nature_juridique": "5499", "activite_principale": naf,
                    "tranche_effectif_salarie": headcount, "siege": est,
                    "matching_etablissements": [est]})  # fmt: skip
    return out


if __name__ == "__main__":
    main()
