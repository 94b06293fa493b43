"""Search the API Recherche d'entreprises into SIRENE-shaped establishment records.

The API (docs/import-formats.md §2, no key) answers ``GET /search`` with pages of
legal units, each with the establishments matching the filters. Every open
matching establishment becomes one :class:`RawRecord` keyed by
:data:`~microcrm.directory.sirene_reader.SIRENE_FIELDS`, exactly like the
SIRENE stock reader, so the same import pipeline takes both.

Beware:
    * The service allows 7 requests/s: the client throttles itself to
      ``rate_per_second`` (6 by default) and retries 429 and 5xx replies with
      exponential backoff, honouring ``Retry-After``.
    * ``page × per_page`` may not exceed 10,000: ``max_results`` counts legal
      units (API results), not establishments, and is capped there.
    * The API gives no phone, no e-mail and no non-diffusible unit.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

from microcrm import __version__
from microcrm.directory.records import RawRecord, ReadIssue, ReadResult
from microcrm.directory.sirene_reader import (
    CLOSED_ESTABLISHMENT,
    MASKED,
    SIRENE_FIELDS,
    mailing_address,
    normalise_naf,
    street_line,
)
from microcrm.errors import MicroCRMError, ValidationError

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

DEFAULT_URL: Final = "https://recherche-entreprises.api.gouv.fr/search"
"""Endpoint of the API Recherche d'entreprises."""

MAX_PER_PAGE: Final = 25
"""Largest ``per_page`` the API accepts."""

MAX_WINDOW: Final = 10_000
"""Largest ``page × per_page`` the API serves: no result beyond this rank."""

MATCHING_LIMIT: Final = 100
"""``limite_matching_etablissements`` sent: the most establishments per result."""

SERVICE: Final = "Service Recherche d'entreprises"

#: ``tranche_effectif_salarie`` codes (INSEE); ``NN`` means no salaried staff known.
HEADCOUNT_CODES: Final = frozenset(
    {"NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53"}
)

_DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-8]|98[4-9])$")
_POSTCODE_RE = re.compile(r"^\d{5}$")
_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """What to ask the API for; values are checked and normalised on creation.

    Attributes:
        naf_codes: NAF rév. 2 codes (``6201Z`` or ``62.01Z``), sent as
            ``activite_principale``; stored as ``NN.NNL``.
        departement: Department code (``31``, ``2A``, ``974``).
        code_postal: Five-digit postcode.
        code_commune: INSEE commune code (``31555``, ``2A004``).
        text: Free text (name, address), sent as ``q``.
        headcount_codes: ``tranche_effectif_salarie`` codes (``11``, ``12``…).
        max_results: Most legal units (API results) to read, 1–10,000.

    Raises:
        ValidationError: A value is malformed, nothing narrows the search
            (no filter and fewer than 3 characters of text), or
            ``max_results`` is outside 1–10,000.
    """

    naf_codes: tuple[str, ...] = ()
    departement: str = ""
    code_postal: str = ""
    code_commune: str = ""
    text: str = ""
    headcount_codes: tuple[str, ...] = ()
    max_results: int = 500

    def __post_init__(self) -> None:
        naf: list[str] = []
        for code in self.naf_codes:
            normalised = normalise_naf(code)
            if not normalised:
                raise ValidationError(
                    "naf_codes", f"Code NAF invalide : « {code} » (attendu : 62.01Z)."
                )
            naf.append(normalised)
        object.__setattr__(self, "naf_codes", tuple(dict.fromkeys(naf)))
        departement = self.departement.strip().upper()
        if departement and not _DEPARTEMENT_RE.match(departement):
            raise ValidationError("departement", f"Département inconnu : « {self.departement} ».")
        object.__setattr__(self, "departement", departement)
        postcode = self.code_postal.strip()
        if postcode and not _POSTCODE_RE.match(postcode):
            raise ValidationError(
                "code_postal", f"Code postal invalide : « {self.code_postal} » (5 chiffres)."
            )
        object.__setattr__(self, "code_postal", postcode)
        commune = self.code_commune.strip().upper()
        if commune and not _COMMUNE_RE.match(commune):
            raise ValidationError(
                "code_commune", f"Code commune INSEE invalide : « {self.code_commune} »."
            )
        object.__setattr__(self, "code_commune", commune)
        headcounts = tuple(dict.fromkeys(code.strip().upper() for code in self.headcount_codes))
        unknown = [code for code in headcounts if code not in HEADCOUNT_CODES]
        if unknown:
            raise ValidationError(
                "headcount_codes", f"Tranche d'effectif inconnue : {', '.join(unknown)}."
            )
        object.__setattr__(self, "headcount_codes", headcounts)
        object.__setattr__(self, "text", " ".join(self.text.split()))
        if not 1 <= self.max_results <= MAX_WINDOW:
            raise ValidationError(
                "max_results",
                f"Nombre de résultats impossible : {self.max_results} "
                "(le service en donne au plus 10 000).",
            )
        if not self.has_filter and len(self.text) < 3:
            raise ValidationError(
                "text",
                "Recherche trop large : saisissez au moins 3 caractères ou choisissez "
                "un filtre (code NAF, département, code postal, commune, effectif).",
            )

    @property
    def has_filter(self) -> bool:
        """True when a filter other than the free text is set."""
        return bool(
            self.naf_codes
            or self.departement
            or self.code_postal
            or self.code_commune
            or self.headcount_codes
        )

    def query(self, page: int, per_page: int) -> dict[str, str]:
        """Return the query-string parameters of one page of this search.

        Args:
            page: 1-based page number.
            per_page: Results per page (1–25).

        Returns:
            Parameter name → value, comma-joined for lists.
        """
        params: dict[str, str] = {}
        if self.text:
            params["q"] = self.text
        if self.naf_codes:
            params["activite_principale"] = ",".join(self.naf_codes)
        if self.departement:
            params["departement"] = self.departement
        if self.code_postal:
            params["code_postal"] = self.code_postal
        if self.code_commune:
            params["code_commune"] = self.code_commune
        if self.headcount_codes:
            params["tranche_effectif_salarie"] = ",".join(self.headcount_codes)
        params["limite_matching_etablissements"] = str(MATCHING_LIMIT)
        params["page"] = str(page)
        params["per_page"] = str(per_page)
        return params


class _Throttle:
    """Space request starts at least ``1 / rate`` seconds apart (minimum interval)."""

    def __init__(
        self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf

    def wait(self) -> None:
        """Block until the next request may start, then book the following slot."""
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = max(self._clock(), self._next)
        self._next = now + self._interval


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delay in seconds or an HTTP date.

    Args:
        value: The header value, or None when absent.
        now: Current time for an HTTP date (defaults to now, UTC).

    Returns:
        Seconds to wait (never negative), or None when absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _text(value: object) -> str:
    """Return an API value as stripped text; None and the ``[ND]`` mask become ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return "" if text == MASKED else text


def _establishments(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The result's matching establishments, or its head office when none are listed."""
    matching = result.get("matching_etablissements")
    if isinstance(matching, list) and matching:
        return [item for item in matching if isinstance(item, Mapping)]
    siege = result.get("siege")
    return [siege] if isinstance(siege, Mapping) else []


def _enseigne(establishment: Mapping[str, Any]) -> str:
    """First sign (``liste_enseignes``) of an establishment, when the API gives one."""
    signs = establishment.get("liste_enseignes")
    if isinstance(signs, list):
        for sign in signs:
            if _text(sign):
                return _text(sign)
    return ""


def convert_result(result: Mapping[str, Any], position: int) -> Iterator[RawRecord | ReadIssue]:
    """Turn one API result into SIRENE-shaped records, one per open establishment.

    The name is ``nom_raison_sociale`` (``nom_complet`` for a natural person,
    who has none); a closed establishment (``etat_administratif`` ``F``)
    comes out as a :data:`CLOSED_ESTABLISHMENT` issue. The locator is
    ``"résultat N"``, with ``", établissement M"`` when the result lists
    several establishments.

    Args:
        result: One item of the reply's ``results``.
        position: 1-based rank of the result in the whole search.

    Yields:
        A record keyed by :data:`SIRENE_FIELDS`, or an issue, per establishment.
    """
    siren = _text(result.get("siren"))
    name = _text(result.get("nom_raison_sociale")) or _text(result.get("nom_complet"))
    establishments = _establishments(result)
    for index, est in enumerate(establishments, start=1):
        locator = f"résultat {position}"
        if len(establishments) > 1:
            locator += f", établissement {index}"
        siret = _text(est.get("siret"))
        if _text(est.get("etat_administratif")) == "F":
            yield ReadIssue(locator, CLOSED_ESTABLISHMENT, f"Établissement {siret} fermé")
            continue
        head_office = est.get("est_siege") is True
        headcount = _text(est.get("tranche_effectif_salarie"))
        if not headcount and head_office:
            headcount = _text(result.get("tranche_effectif_salarie"))
        naf = _text(est.get("activite_principale")) or _text(result.get("activite_principale"))
        distribution = _text(est.get("distribution_speciale"))
        postcode = _text(est.get("code_postal"))
        city = _text(est.get("libelle_commune"))
        city_code = _text(est.get("commune"))
        cedex_code = _text(est.get("cedex"))
        cedex_label = _text(est.get("libelle_cedex"))
        mailing = mailing_address(  # the CEDEX line, as the stock reader does
            distribution=distribution,
            postcode=postcode,
            city=city,
            city_code=city_code,
            cedex_code=cedex_code,
            cedex_label=cedex_label,
        )
        fields = {  # same keys and order as SIRENE_FIELDS
            "name": name,
            "acronym": _text(result.get("sigle")),
            "enseigne": _enseigne(est),
            "siren": siren,
            "nic": siret[9:] if len(siret) == 14 else "",
            "siret": siret,
            "head_office": "true" if head_office else "false",
            "naf_code": normalise_naf(naf),
            "headcount_code": headcount,
            "legal_form_code": _text(result.get("nature_juridique")),
            "complement": _text(est.get("complement_adresse")),
            "street": street_line(
                _text(est.get("numero_voie")),
                _text(est.get("indice_repetition")),
                _text(est.get("type_voie")),
                _text(est.get("libelle_voie")),
            ),
            "special_distribution": distribution,
            "postcode": postcode,
            "city": city,
            "city_code": city_code,
            "cedex_code": cedex_code,
            "cedex_label": cedex_label,
            "country_code": _text(est.get("code_pays_etranger")),
            "country": _text(est.get("libelle_pays_etranger")),
            "mailing_service": mailing.service,
            "mailing_postcode": mailing.postcode,
            "mailing_city": mailing.city,
            "notes": mailing.note,
        }
        yield RawRecord(locator, fields)


class RechercheEntreprisesClient:
    """Page through the API Recherche d'entreprises, politely.

    Requests start at least ``1 / rate_per_second`` apart. A 429 or 5xx
    reply, a timeout or a connection failure is retried up to
    ``max_attempts`` times in all, waiting ``Retry-After`` when the server
    sends it, else ``backoff × 2^(try - 1)`` seconds (at most ``max_delay``).

    Args:
        base_url: The ``/search`` endpoint (a local server in tests).
        timeout: Seconds to wait for each reply.
        rate_per_second: Most requests per second (the service allows 7).
        opener: urllib opener to send requests with (proxy settings…);
            ``urllib.request.build_opener()`` by default.
        max_attempts: Tries per page before giving up.
        backoff: First retry delay in seconds, doubled at each try.
        max_delay: Longest wait between two tries, ``Retry-After`` included.
        clock: Monotonic clock, in seconds.
        sleep: Blocking sleep, in seconds.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        timeout: float = 10,
        rate_per_second: float = 6,
        opener: urllib.request.OpenerDirector | None = None,
        *,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url
        self.timeout = timeout
        self.user_agent = f"MicroCRM/{__version__}"
        self._opener = opener or urllib.request.build_opener()
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._max_delay = max_delay
        self._sleep = sleep
        self._throttle = _Throttle(rate_per_second, clock, sleep)

    def search(
        self,
        criteria: SearchCriteria,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> ReadResult:
        """Read every page of a search, up to ``criteria.max_results`` results.

        Paging stops at ``max_results``, at the last page, or on cancel: the
        records read so far are returned. An establishment already read on
        an earlier page (the index may shift while paging) is skipped.

        Args:
            criteria: What to search for.
            progress: Called with ``(results read, results expected, message)``
                after each page; ``expected`` is 0 before the first reply.
            cancelled: Polled before each request; once it returns True the
                search stops.

        Returns:
            Records keyed by :data:`SIRENE_FIELDS`, and closed establishments
            as issues.

        Raises:
            MicroCRMError: The service cannot be reached, keeps failing, or
                refuses the request or answers something unreadable.
        """
        result = ReadResult(headers=list(SIRENE_FIELDS))
        per_page = min(MAX_PER_PAGE, criteria.max_results)
        seen: set[str] = set()
        read = 0
        page = 0
        expected = 0
        if progress is not None:
            progress(0, 0, "Interrogation du service Recherche d'entreprises…")
        while read < criteria.max_results:
            if cancelled is not None and cancelled():
                break
            page += 1
            reply = self._get(criteria.query(page, per_page))
            items = reply.get("results")
            if not isinstance(items, list):
                raise MicroCRMError(f"Réponse illisible du {SERVICE} : liste « results » absente.")
            total = _int(reply.get("total_results"), len(items))
            total_pages = _int(reply.get("total_pages"), page)
            expected = min(criteria.max_results, total)
            for item in items[: criteria.max_results - read]:
                read += 1
                if not isinstance(item, Mapping):
                    continue
                for converted in convert_result(item, read):
                    if isinstance(converted, ReadIssue):
                        result.issues.append(converted)
                        continue
                    siret = converted.fields["siret"]
                    if siret in seen:
                        continue
                    seen.add(siret)
                    result.records.append(converted)
            if progress is not None:
                progress(
                    read,
                    max(expected, read),
                    f"Page {page} : {read} entreprise(s) lue(s) sur {expected}",
                )
            if not items or page >= total_pages or page * per_page >= MAX_WINDOW:
                break
        return result

    def _get(self, params: Mapping[str, str]) -> dict[str, Any]:
        """Send one GET (throttled, retried) and return the decoded JSON object."""
        url = f"{self.base_url}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(
            url,
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
        )
        failure = ""
        for attempt in range(1, self._max_attempts + 1):
            self._throttle.wait()
            delay: float | None = None
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    body = response.read()
            except urllib.error.HTTPError as error:
                if error.code not in _RETRY_STATUSES:
                    raise MicroCRMError(
                        f"Requête refusée par le {SERVICE} (HTTP {error.code}) : "
                        f"{_error_message(error)}"
                    ) from error
                failure = f"erreur HTTP {error.code}"
                delay = retry_after_seconds(error.headers.get("Retry-After"))
                error.close()
            except (OSError, http.client.HTTPException) as error:  # URLError, timeout, reset
                reason = getattr(error, "reason", error)
                failure = str(reason) or type(reason).__name__
            else:
                return _decode(body)
            if attempt < self._max_attempts:
                if delay is None:
                    delay = self._backoff * 2 ** (attempt - 1)
                self._sleep(min(delay, self._max_delay))
        raise MicroCRMError(
            f"{SERVICE} injoignable : {failure} "
            f"({self._max_attempts} tentative(s)). Réessayez plus tard."
        )


def _int(value: object, default: int) -> int:
    """Return an integer field of the reply, or ``default`` when absent or malformed."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _decode(body: bytes) -> dict[str, Any]:
    """Decode a JSON object reply.

    Raises:
        MicroCRMError: The body is not a JSON object.
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MicroCRMError(f"Réponse illisible du {SERVICE} : {error}") from error
    if not isinstance(data, dict):
        raise MicroCRMError(f"Réponse illisible du {SERVICE} : objet JSON attendu.")
    return data


def _error_message(error: urllib.error.HTTPError) -> str:
    """The ``erreur`` text of a JSON error reply, else the HTTP reason."""
    try:
        data = json.loads(error.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return str(error.reason)
    if isinstance(data, dict) and isinstance(data.get("erreur"), str):
        return str(data["erreur"])
    return str(error.reason)
