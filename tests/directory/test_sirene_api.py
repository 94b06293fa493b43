"""API Recherche d'entreprises client against a local HTTP server in the documented format."""

from __future__ import annotations

import itertools
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from microcrm import __version__
from microcrm.directory.records import RawRecord
from microcrm.directory.sirene_api import (
    RechercheEntreprisesClient,
    SearchCriteria,
    convert_result,
    retry_after_seconds,
)
from microcrm.directory.sirene_reader import CLOSED_ESTABLISHMENT, SIRENE_FIELDS
from microcrm.errors import MicroCRMError, ValidationError
from tests.directory.helpers import make_result

TOTAL = 60  # legal units served: 3 pages of 25


@dataclass
class ApiState:
    """What the fake server serves and what it saw."""

    results: list[dict[str, Any]] = field(
        default_factory=lambda: [make_result(i) for i in range(1, TOTAL + 1)]
    )
    # (status, headers, body) replies served before the normal ones, in order.
    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    requests: list[tuple[float, dict[str, str], dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pages(self) -> list[int]:
        return [int(params["page"]) for _, params, _ in self.requests]


class Handler(BaseHTTPRequestHandler):
    state: ApiState

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with self.state.lock:
            self.state.requests.append((time.monotonic(), params, dict(self.headers)))
            scripted = self.state.script.pop(0) if self.state.script else None
        if parts.path != "/search":
            self.reply(404, {}, b'{"erreur": "not found"}')
        elif scripted is not None:
            self.reply(*scripted)
        else:
            page = int(params.get("page", "1"))
            per_page = int(params.get("per_page", "10"))
            if not 1 <= per_page <= 25 or page * per_page > 10_000:
                self.reply(400, {}, b'{"erreur": "per_page invalide"}')
                return
            start = (page - 1) * per_page
            body = {
                "results": self.state.results[start : start + per_page],
                "total_results": len(self.state.results),
                "page": page,
                "per_page": per_page,
                "total_pages": math.ceil(len(self.state.results) / per_page),
            }
            self.reply(200, {}, json.dumps(body).encode())

    def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def api() -> Iterator[tuple[ApiState, str]]:
    state = ApiState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/search"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fast_client(url: str, **kwargs: Any) -> RechercheEntreprisesClient:
    kwargs.setdefault("rate_per_second", 1000)
    kwargs.setdefault("backoff", 0.01)
    return RechercheEntreprisesClient(url, timeout=5, **kwargs)


IT = SearchCriteria(naf_codes=("6201Z", "62.02A"), departement="31")


def test_query_parameters_user_agent_and_paging(api: tuple[ApiState, str]) -> None:
    state, url = api
    result = fast_client(url).search(IT)
    assert state.pages() == [1, 2, 3]
    _, params, headers = state.requests[0]
    assert params == {
        "activite_principale": "62.01Z,62.02A",
        "departement": "31",
        "limite_matching_etablissements": "100",
        "page": "1",
        "per_page": "25",
    }
    assert headers["User-Agent"] == f"MicroCRM/{__version__}"
    # 60 heads + 6 open branches; 6 closed branches are issues.
    assert len(result.records) == TOTAL + 6
    assert len(result.issues) == 6
    assert result.records[-1].locator == f"résultat {TOTAL}"


def test_max_results_caps_pages_and_records(api: tuple[ApiState, str]) -> None:
    state, url = api
    criteria = SearchCriteria(departement="31", max_results=30)
    result = fast_client(url).search(criteria)
    assert state.pages() == [1, 2]
    assert {params["per_page"] for _, params, _ in state.requests} == {"25"}
    sirens = {record.fields["siren"] for record in result.records}
    assert len(sirens) == 30
    assert max(sirens) == f"{800000000 + 30:09d}"

    state.requests.clear()
    small = fast_client(url).search(SearchCriteria(departement="31", max_results=7))
    assert state.pages() == [1]
    assert state.requests[0][1]["per_page"] == "7"
    assert len({record.fields["siren"] for record in small.records}) == 7


def test_progress_reports_each_page(api: tuple[ApiState, str]) -> None:
    _, url = api
    calls: list[tuple[int, int, str]] = []
    fast_client(url).search(IT, progress=lambda d, t, m: calls.append((d, t, m)))
    assert [(done, total) for done, total, _ in calls] == [(0, 0), (25, 60), (50, 60), (60, 60)]
    assert calls[-1][2] == "Page 3 : 60 entreprise(s) lue(s) sur 60"


def test_conversion_to_sirene_fields(api: tuple[ApiState, str]) -> None:
    _, url = api
    result = fast_client(url).search(IT)
    assert result.headers == list(SIRENE_FIELDS)
    assert all(tuple(record.fields) == SIRENE_FIELDS for record in result.records)
    by_siret = {record.fields["siret"]: record for record in result.records}

    assert by_siret["80000000100012"].fields == {
        "name": "SOCIETE 1",
        "acronym": "S1",
        "enseigne": "",
        "siren": "800000001",
        "nic": "00012",
        "siret": "80000000100012",
        "head_office": "true",
        "naf_code": "62.01Z",
        "headcount_code": "11",
        "legal_form_code": "5710",
        "complement": "",
        "street": "12 RUE DES LILAS",
        "special_distribution": "",
        "postcode": "31000",
        "city": "TOULOUSE",
        "city_code": "31555",
        "cedex_code": "",
        "cedex_label": "",
        "country_code": "",
        "country": "",
        "mailing_service": "",
        "mailing_postcode": "31000",
        "mailing_city": "TOULOUSE",
        "notes": "",
    }
    person = by_siret["80000000200012"]
    assert person.locator == "résultat 2"
    assert (person.fields["name"], person.fields["acronym"]) == ("JEANNE DUPONT", "")
    assert (person.fields["legal_form_code"], person.fields["headcount_code"]) == ("1000", "NN")

    cedex = by_siret["80000000300012"].fields
    assert cedex["street"] == "5 B AVENUE JEAN JAURES"
    assert cedex["complement"] == "BATIMENT C"
    assert cedex["special_distribution"] == "CS 40001"
    assert (cedex["postcode"], cedex["cedex_code"], cedex["cedex_label"]) == (
        "31041",
        "31041",
        "TOULOUSE CEDEX 9",
    )
    # The address mail goes to: the CEDEX line (docs/address-standard.md R21).
    assert (cedex["mailing_service"], cedex["mailing_postcode"], cedex["mailing_city"]) == (
        "CS 40001",
        "31041",
        "TOULOUSE CEDEX 9",
    )
    assert cedex["notes"] == "Adresse géographique : 31041 TOULOUSE (code commune 31555)"

    branch = by_siret["80000000400020"]
    assert branch.locator == "résultat 4, établissement 2"
    assert branch.fields["head_office"] == "false"
    assert branch.fields["naf_code"] == "62.02A"
    assert branch.fields["headcount_code"] == ""  # the unit's headcount is not the branch's
    assert "80000000400038" not in by_siret
    closed = result.issues[0]
    assert (closed.locator, closed.reason, closed.severity) == (
        "résultat 4, établissement 3",
        CLOSED_ESTABLISHMENT,
        "error",
    )
    assert closed.detail == "Établissement 80000000400038 fermé"


def test_convert_result_falls_back_to_head_office_and_skips_junk() -> None:
    result = make_result(1)
    result["matching_etablissements"] = []
    result["siege"]["liste_enseignes"] = [None, "CHEZ UN"]
    result["siege"]["numero_voie"] = 7  # numbers and [ND] are tolerated
    result["siege"]["libelle_commune"] = "[ND]"
    (record,) = convert_result(result, 9)
    assert isinstance(record, RawRecord)
    assert record.locator == "résultat 9"
    assert record.fields["enseigne"] == "CHEZ UN"
    assert record.fields["street"] == "7 RUE DES LILAS"
    assert record.fields["city"] == ""
    assert list(convert_result({"siren": "1"}, 1)) == []


def test_429_honours_retry_after(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.append((429, {"Retry-After": "0"}, b'{"erreur": "trop de requetes"}'))
    start = time.monotonic()
    # A 5 s backoff would blow the deadline: Retry-After: 0 must win.
    result = fast_client(url, backoff=5).search(SearchCriteria(departement="31", max_results=25))
    assert time.monotonic() - start < 2
    assert state.pages() == [1, 1]
    assert len({record.fields["siren"] for record in result.records}) == 25


def test_500_is_retried_with_backoff(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.extend([(500, {}, b"{}"), (503, {}, b"")])
    start = time.monotonic()
    result = fast_client(url, backoff=0.05).search(SearchCriteria(departement="31", max_results=5))
    assert time.monotonic() - start >= 0.05 + 0.1  # 0.05 then 0.1 s
    assert state.pages() == [1, 1, 1]
    assert len({record.fields["siren"] for record in result.records}) == 5


def test_persistent_failure_raises_french_error(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.extend([(502, {}, b"")] * 5)
    with pytest.raises(MicroCRMError) as caught:
        fast_client(url, max_attempts=3).search(IT)
    assert caught.value.message.startswith("Service Recherche d'entreprises injoignable : ")
    assert "erreur HTTP 502" in caught.value.message
    assert len(state.requests) == 3


def test_unreachable_server_raises_french_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = fast_client(f"http://127.0.0.1:{port}/search", max_attempts=2)
    with pytest.raises(MicroCRMError, match=r"^Service Recherche d'entreprises injoignable : "):
        client.search(IT)


def test_client_error_is_not_retried(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.append((400, {}, '{"erreur": "Paramètre invalide"}'.encode()))
    with pytest.raises(MicroCRMError) as caught:
        fast_client(url).search(IT)
    assert caught.value.message == (
        "Requête refusée par le Service Recherche d'entreprises (HTTP 400) : Paramètre invalide"
    )
    assert len(state.requests) == 1


def test_unreadable_reply(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.append((200, {}, b"<html>maintenance</html>"))
    with pytest.raises(MicroCRMError, match=r"^Réponse illisible du Service"):
        fast_client(url).search(IT)


def test_throttle_spaces_requests(api: tuple[ApiState, str]) -> None:
    state, url = api
    state.script.append((500, {}, b""))  # the retry is throttled too
    fast_client(url, rate_per_second=10, backoff=0).search(IT)
    times = [when for when, _, _ in state.requests]
    assert len(times) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.09  # 1/10 s, minus clock granularity


def test_cancel_stops_paging(api: tuple[ApiState, str]) -> None:
    state, url = api
    pages_done: list[int] = []
    result = fast_client(url).search(
        IT,
        progress=lambda done, _total, _msg: pages_done.append(done),
        cancelled=lambda: len(pages_done) >= 2,  # the 0 call, then page 1
    )
    assert state.pages() == [1]
    assert len({record.fields["siren"] for record in result.records}) == 25


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({}, "text"),
        ({"text": " ab "}, "text"),
        ({"departement": "31", "max_results": 10_001}, "max_results"),
        ({"departement": "31", "max_results": 0}, "max_results"),
        ({"naf_codes": ("62",)}, "naf_codes"),
        ({"departement": "99"}, "departement"),
        ({"code_postal": "3100"}, "code_postal"),
        ({"code_commune": "ABCDE"}, "code_commune"),
        ({"headcount_codes": ("99",)}, "headcount_codes"),
    ],
)
def test_impossible_criteria(kwargs: dict[str, Any], field_name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SearchCriteria(**kwargs)
    assert caught.value.field == field_name


def test_criteria_normalised_into_query() -> None:
    criteria = SearchCriteria(
        naf_codes=("6201z", "62.01Z"),
        departement="2a",
        code_postal="20000",
        code_commune="2a004",
        text="  ab  ",  # short text is fine once a filter is set
        headcount_codes=("11", "12"),
        max_results=10_000,
    )
    assert criteria.query(400, 25) == {
        "q": "ab",
        "activite_principale": "62.01Z",
        "departement": "2A",
        "code_postal": "20000",
        "code_commune": "2A004",
        "tranche_effectif_salarie": "11,12",
        "limite_matching_etablissements": "100",
        "page": "400",
        "per_page": "25",
    }
    assert SearchCriteria(text="boulangerie").query(1, 10)["q"] == "boulangerie"


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 24, 7, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Tue, 24 Nov 2026 07:00:02 GMT", now) == 2.0
    assert retry_after_seconds("Tue, 24 Nov 2026 06:59:00 GMT", now) == 0.0
    assert retry_after_seconds("bientôt") is None
