"""« Rechercher des entreprises » against a local server answering in the API's documented format.

The server plays ``/search`` (with the ``nature_juridique=7210`` request that
finds a commune's town hall) and ``/near_point`` of the API Recherche
d'entreprises (docs/import-formats.md §2); the selection then goes through the
import wizard into a real SQLite base.
"""

from __future__ import annotations

import csv
import json
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from stdnum import luhn

from microcrm.app import AppContext
from microcrm.directory.company_search import (
    CompanySearch,
    SearchRequest,
    naf_codes_for,
    resolve_place,
)
from microcrm.directory.importer import export_organisations
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.errors import ValidationError
from microcrm.ui.importing.company_search import NAME, CompanySearchDialog
from microcrm.ui.importing.wizard import PAGE_PREVIEW, PAGE_REPORT, ImportWizard
from microcrm.ui.main_window import MainWindow
from tests.directory.helpers import make_result

TIMEOUT = 15_000
TOWN_HALL = {
    "siren": "213105554",
    "nom_complet": "COMMUNE DE TOULOUSE",
    "nom_raison_sociale": "COMMUNE DE TOULOUSE",
    "nature_juridique": "7210",
    "siege": {"siret": "21310555400017", "commune": "31555", "latitude": "43.604468",
              "longitude": "1.443469", "est_siege": True, "etat_administratif": "A"},
    "matching_etablissements": [],
}  # fmt: skip


def valid_result(index: int) -> dict[str, Any]:
    """``make_result`` with a SIREN and SIRETs that pass the Luhn check (else they are dropped)."""
    result = make_result(index)
    body = f"{80000000 + index:08d}"
    siren = body + luhn.calc_check_digit(body)
    result["siren"] = siren
    establishments = [result["siege"], *result["matching_etablissements"]]
    for est in establishments:
        nic = est["siret"][9:13]
        est["siret"] = siren + nic + luhn.calc_check_digit(siren + nic)
    return result


@dataclass
class Api:
    """What the fake service serves and what it was asked."""

    results: list[dict[str, Any]] = field(default_factory=lambda: [valid_result(i)
                                                                   for i in range(1, 6)])  # fmt: skip
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fail: bool = False
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    api: Api

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with self.api.lock:
            self.api.requests.append((parts.path, params))
        if self.api.fail:
            self.reply(503, {"erreur": "service indisponible"})
            return
        if parts.path not in ("/search", "/near_point"):
            self.reply(404, {"erreur": "not found"})
            return
        if params.get("nature_juridique") == "7210":
            results = [TOWN_HALL] if params.get("code_commune") == "31555" else []
        else:
            results = self.api.results
        page, per_page = int(params.get("page", "1")), int(params.get("per_page", "10"))
        start = (page - 1) * per_page
        self.reply(200, {
            "results": results[start : start + per_page],
            "total_results": len(results),
            "page": page,
            "per_page": per_page,
            "total_pages": max(1, math.ceil(len(results) / per_page)),
        })  # fmt: skip

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def api() -> Iterator[Api]:
    state = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Bound", (Handler,), {"api": state}))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/search"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def service(api: Api) -> CompanySearch:
    return CompanySearch(api.url, timeout=5, rate_per_second=1000, max_attempts=2, backoff=0.01)


def run_search(qtbot: QtBot, dialog: CompanySearchDialog) -> None:
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.task is None, timeout=TIMEOUT)


def test_search_select_and_import_as_suspects_through_the_wizard(
    qtbot: QtBot, app_ctx: AppContext, api: Api, qtmodeltester: ModelTester
) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    dialog = window.open_company_search()
    dialog.service = service(api)
    dialog.activity.setText("programmation informatique")
    dialog.place.setText("Toulouse")
    assert not dialog.import_button.isEnabled()
    run_search(qtbot, dialog)

    [(path, params)] = api.requests
    assert path == "/search"
    assert params["activite_principale"] == "62.01Z"
    assert params["code_commune"] == "31555"
    model = dialog.model
    qtmodeltester.check(model)
    # 5 companies: the 4th has an open branch and a closed one (make_result).
    assert model.rowCount() == 6
    assert (
        dialog.status.text() == "6\u00a0établissements trouvés (1\u00a0établissement fermé écarté)."
    )
    assert model.index(0, NAME).data() == "SOCIETE 1"
    assert model.index(0, 3).data() == "62.01Z Programmation informatique"
    assert model.index(0, 4).data() == "12 RUE DES LILAS"
    assert model.index(0, 7).data() == "10 à 19 salariés"
    assert dialog.import_button.text() == "&Importer la sélection comme suspects (6)"
    model.setData(model.index(1, NAME), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert dialog.import_button.text() == "&Importer la sélection comme suspects (5)"

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wizard = window.findChild(ImportWizard)
    assert wizard is not None and wizard.currentId() == PAGE_PREVIEW
    [source] = wizard.state.sources
    saved = source.paths[0]
    assert saved.parent == app_ctx.paths.cache / "recherche-entreprises"
    with saved.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(SIRENE_FIELDS)
    assert [r["name"] for r in rows] == ["SOCIETE 1", "SOCIETE 3", "SOCIETE 4", "SOCIETE 4",
                                         "SOCIETE 5"]  # fmt: skip

    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=TIMEOUT)
    assert wizard.preview_page.preset.currentData() == "sirene"
    for _ in range(3):  # Aperçu → Correspondance → Destination → Simulation
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.destination_page.base.currentData() == "suspect"
    qtbot.waitUntil(wizard.simulation_page.isComplete, timeout=TIMEOUT)
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT):
        qtbot.mouseClick(
            wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton
        )
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_REPORT, timeout=TIMEOUT)
    orgs = list(export_organisations(app_ctx.db))
    assert len({r["siret"] for r in rows}) == 5
    assert sorted(o["siret"] for o in orgs) == sorted(r["siret"] for r in rows)
    assert {o["stage"] for o in orgs} == {"suspect"}
    assert window.list_panel.model.rowCount() == 5  # the Suspects list refreshed
    wizard.accept()


def test_radius_search_goes_round_the_town_hall(
    qtbot: QtBot, app_ctx: AppContext, api: Api
) -> None:
    dialog = CompanySearchDialog(app_ctx, service=service(api))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activity.setText("62.01Z, 6202A")
    dialog.place.setText("31000")
    dialog.radius.setValue(10)
    run_search(qtbot, dialog)
    (hall_path, hall), (near_path, near) = api.requests
    assert (hall_path, hall["nature_juridique"], hall["code_commune"]) == (
        "/search", "7210", "31555",
    )  # fmt: skip
    assert near_path == "/near_point"
    assert (near["lat"], near["long"], near["radius"]) == ("43.604468", "1.443469", "10")
    assert near["activite_principale"] == "62.01Z,62.02A"
    assert dialog.model.rowCount() == 6


def test_errors_are_shown_in_french(qtbot: QtBot, app_ctx: AppContext, api: Api) -> None:
    dialog = CompanySearchDialog(app_ctx, service=service(api))
    qtbot.addWidget(dialog)
    dialog.show()
    api.fail = True
    dialog.place.setText("31")
    run_search(qtbot, dialog)
    assert dialog.status.text() == (
        "Recherche impossible\u00a0: Service Recherche d'entreprises injoignable : erreur HTTP "
        "503 (2 tentative(s)). Réessayez plus tard."
    )
    assert dialog.model.rowCount() == 0 and not dialog.import_button.isEnabled()

    api.fail = False
    dialog.place.setText("Commune Qui N'existe Pas")
    run_search(qtbot, dialog)
    assert dialog.status.text() == (
        "Recherche impossible\u00a0: Commune inconnue : « Commune Qui N'existe Pas »."
    )
    dialog.place.setText("31")
    dialog.radius.setValue(5)
    run_search(qtbot, dialog)
    assert "Le rayon se compte autour d'une commune" in dialog.status.text()
    dialog.place.setText("")
    dialog.radius.setValue(0)
    run_search(qtbot, dialog)
    assert "Saisissez une activité, un lieu" in dialog.status.text()
    unreachable = CompanySearch("http://127.0.0.1:9/search", timeout=1, max_attempts=1)
    dialog.service = unreachable
    dialog.place.setText("31")
    run_search(qtbot, dialog)
    assert "Service Recherche d'entreprises injoignable" in dialog.status.text()


def test_place_and_activity_reading() -> None:
    assert resolve_place("") is None
    assert resolve_place("2a") is not None and resolve_place("2a").code == "2A"  # type: ignore[union-attr]
    place = resolve_place("31000")
    assert place is not None and (place.kind, place.commune_code) == ("code_postal", "31555")
    place = resolve_place("saint-étienne")
    assert place is not None and (place.kind, place.code) == ("commune", "42218")
    with pytest.raises(ValidationError, match="Code postal inconnu"):
        resolve_place("00000")
    paris = resolve_place("Paris")
    assert paris is not None and paris.label == "Paris (20 arrondissements)"
    assert paris.communes[0] == "75101" and len(paris.communes) == 20
    with pytest.raises(ValidationError, match="Plusieurs communes s'appellent « Saint-Denis »"):
        resolve_place("Saint-Denis")
    criteria = CompanySearch().criteria(SearchRequest(activity="62.01Z", place="Lyon"))
    assert criteria.query(1, 25)["code_commune"] == ",".join(f"6938{i}" for i in range(1, 10))
    assert naf_codes_for("6201z, 62.02A") == ("6201z", "62.02A")
    assert naf_codes_for("boulangerie") == ("10.71B", "10.71C")
    with pytest.raises(ValidationError, match="précisez"):
        naf_codes_for("commerce")


def test_online_search_from_the_wizard_adds_its_file(
    qtbot: QtBot, app_ctx: AppContext, api: Api
) -> None:
    wizard = ImportWizard(app_ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.mouseClick(wizard.source_page.online_button, Qt.MouseButton.LeftButton)
    dialog = wizard.search_dialog
    assert isinstance(dialog, CompanySearchDialog) and dialog.isVisible()
    dialog.service = service(api)
    dialog.place.setText("31")
    run_search(qtbot, dialog)
    assert api.requests[0][1]["departement"] == "31"
    qtbot.mouseClick(dialog.uncheck_all, Qt.MouseButton.LeftButton)
    assert not dialog.import_button.isEnabled()
    dialog.model.set_checked([0, 2], True)
    dialog.import_button.click()
    [path] = wizard.source_page.paths()
    assert path.parent == app_ctx.paths.cache / "recherche-entreprises"
    with path.open(encoding="utf-8", newline="") as handle:
        assert [r["name"] for r in csv.DictReader(handle)] == ["SOCIETE 1", "SOCIETE 3"]
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
