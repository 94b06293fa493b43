"""The online company search (API Recherche d'entreprises, docs/import-formats.md §2).

Where the user's « commune, code postal ou département » points, the radius
search around a commune (``/near_point``, at most 50 km), and the selected
results written as a SIRENE-shaped CSV file so that they go through the same
import pipeline as any file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from microcrm.crm.codes import naf_table
from microcrm.directory.records import RawRecord, ReadResult
from microcrm.directory.sirene_api import (
    DEFAULT_URL,
    RechercheEntreprisesClient,
    SearchCriteria,
)
from microcrm.directory.sirene_reader import SIRENE_FIELDS
from microcrm.errors import MicroCRMError, ValidationError
from microcrm.postal.clean import clean
from microcrm.postal.reference import load_reference

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

# -- online company search --------------------------------------------------------------------

MAX_RADIUS_KM: Final = 50
"""Largest radius the ``/near_point`` service accepts."""
TOWN_HALL_LEGAL_FORM: Final = "7210"
"""``nature_juridique`` of a commune: its head office is the town hall."""
_DEPARTEMENT: Final = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-8]|98[4-9])$")
_POSTCODE: Final = re.compile(r"^\d{5}$")
_ARRONDISSEMENTS: Final = ("751", "6938", "132")
"""INSEE codes of the arrondissements of Paris, Lyon and Marseille."""
_COMMUNE: Final = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True, slots=True)
class Place:
    """Where the user searches: a department, a postcode or a commune.

    Attributes:
        kind: ``"departement"``, ``"code_postal"`` or ``"commune"``.
        code: The department code, the postcode or the INSEE commune code.
        label: What to show (« 31000 TOULOUSE », « Toulouse (31555) »).
        commune_code: INSEE code of the commune (of the postcode's first one
            for a postcode), ``""`` for a department: the centre of a radius search.
        communes: Every INSEE code of a commune searched by name: Paris, Lyon
            and Marseille have one per arrondissement.
    """

    kind: str
    code: str
    label: str
    commune_code: str = ""
    communes: tuple[str, ...] = ()


def resolve_place(text: str) -> Place | None:
    """Read « commune, code postal ou département » as the user typed it.

    ``31``, ``2A``, ``974`` are departments; five digits a postcode; anything
    else a commune name looked up in the La Poste base by its libellé
    d'acheminement (``Saint-Étienne``, ``st etienne``).

    Returns:
        The place, or None for an empty text.

    Raises:
        ValidationError: unknown postcode or commune, or a name shared by
            several communes (the message lists their postcodes).
    """
    value = " ".join(text.split())
    if not value:
        return None
    upper = value.upper()
    if _DEPARTEMENT.match(upper):
        return Place("departement", upper, f"département {upper}")
    reference = load_reference()
    if _POSTCODE.match(value):
        rows = reference.rows(value)
        if not rows:
            raise ValidationError("lieu", f"Code postal inconnu : « {value} ».")
        return Place("code_postal", value, f"{value} {rows[0].libelle}", rows[0].insee_code)
    key = clean(value)
    pairs = reference.postcodes_for_locality(value, limit=200)
    exact = [(postcode, libelle) for postcode, libelle in pairs if libelle == key]
    if not exact and pairs:
        first = pairs[0][1]
        exact = [(postcode, libelle) for postcode, libelle in pairs if libelle == first]
    candidates = [row for postcode, libelle in exact for row in reference.rows(postcode)
                  if row.libelle == libelle]  # fmt: skip
    # A libellé may serve a neighbour (75016 PARIS also delivers a commune of the 92):
    # keep the communes whose own name is the one typed, when there are any.
    chosen = [row for row in candidates if clean(row.commune).startswith(key)] or candidates
    codes: dict[str, str] = {}
    for row in chosen:
        codes.setdefault(row.insee_code, row.postcode)
    if not codes:
        raise ValidationError("lieu", f"Commune inconnue : « {value} ».")
    arrondissements = all(code.startswith(_ARRONDISSEMENTS) for code in codes)
    if len(codes) > 1 and not arrondissements:
        postcodes = ", ".join(sorted(set(codes.values()))[:6])
        raise ValidationError(
            "lieu",
            f"Plusieurs communes s'appellent « {value} » : précisez le code postal ({postcodes}…).",
        )
    insee = next(iter(codes))
    name = chosen[0].commune if len(codes) == 1 else exact[0][1].title()
    label = f"{name} ({insee})" if len(codes) == 1 else f"{name} ({len(codes)} arrondissements)"
    return Place("commune", insee, label, insee, tuple(codes))


@dataclass(frozen=True, slots=True)
class CommunesCriteria(SearchCriteria):
    """A search in several communes at once (``code_commune`` takes a comma list).

    Attributes:
        communes: INSEE commune codes (Paris: one per arrondissement).
    """

    communes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Explicit base call: zero-argument super() fails in a slots dataclass.
        SearchCriteria.__post_init__(self)
        for code in self.communes:
            if not _COMMUNE.match(code):
                raise ValidationError("code_commune", f"Code commune INSEE invalide : « {code} ».")

    @property
    def has_filter(self) -> bool:
        """The communes narrow the search."""
        return bool(
            self.communes
            or self.naf_codes
            or self.departement
            or self.code_postal
            or self.code_commune
            or self.headcount_codes
        )

    def query(self, page: int, per_page: int) -> dict[str, str]:
        """The base parameters, with every commune in ``code_commune``."""
        params = SearchCriteria.query(self, page, per_page)
        if self.communes:
            params["code_commune"] = ",".join(self.communes)
        return params


@dataclass(frozen=True, slots=True)
class NearPointCriteria(SearchCriteria):
    """A radius search around a point (``GET /near_point``), with the NAF filter.

    Attributes:
        latitude: Latitude of the centre (WGS 84).
        longitude: Longitude of the centre (WGS 84).
        radius_km: Radius in km, 1–50.
    """

    latitude: float = 0.0
    longitude: float = 0.0
    radius_km: float = 5.0

    def __post_init__(self) -> None:
        # Explicit base call: zero-argument super() fails in a slots dataclass.
        SearchCriteria.__post_init__(self)
        if not -90 <= self.latitude <= 90 or not -180 <= self.longitude <= 180:
            raise ValidationError("centre", "Position du centre de recherche impossible.")
        if not 0 < self.radius_km <= MAX_RADIUS_KM:
            raise ValidationError(
                "rayon", f"Le rayon doit être compris entre 1 et {MAX_RADIUS_KM} km."
            )

    @property
    def has_filter(self) -> bool:
        """A radius search is always narrowed by its point."""
        return True

    def query(self, page: int, per_page: int) -> dict[str, str]:
        """Parameters of one page: centre, radius, activity, paging."""
        params = {
            "lat": f"{self.latitude:.6f}",
            "long": f"{self.longitude:.6f}",
            "radius": f"{self.radius_km:g}",
        }
        if self.naf_codes:
            params["activite_principale"] = ",".join(self.naf_codes)
        params["page"] = str(page)
        params["per_page"] = str(per_page)
        return params


class _Client(RechercheEntreprisesClient):
    """The API client, with the raw JSON of one page (coordinates are not in the records)."""

    def get_json(self, params: Mapping[str, str]) -> dict[str, Any]:
        return self._get(params)


def _position(establishment: object, commune: str) -> tuple[float, float] | None:
    if not isinstance(establishment, Mapping) or establishment.get("commune") != commune:
        return None
    try:
        return float(establishment["latitude"]), float(establishment["longitude"])
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the « Rechercher des entreprises » dialog asks for.

    Attributes:
        activity: NAF codes or words of a NAF label (``62.01Z``, ``boulangerie``).
        place: Commune, postcode or department typed by the user.
        radius_km: Radius around the commune; 0 searches the place itself.
        max_results: Most companies (API results) to read.
    """

    activity: str = ""
    place: str = ""
    radius_km: int = 0
    max_results: int = 200


_NAF_CODE: Final = re.compile(r"^\d{2}\.?\d{2}\s?[A-Za-z]$")


def naf_codes_for(activity: str, limit: int = 25) -> tuple[str, ...]:
    """NAF codes for what the user typed: codes as they are, else label words.

    ``62.01Z, 6202A`` gives both codes; ``boulangerie`` gives every
    sous-classe whose label holds the word (accents and case ignored), at
    most ``limit`` of them (the API takes a comma list).

    Raises:
        ValidationError: no NAF label holds the words typed, or too many do.
    """
    parts = [p.strip() for p in activity.split(",") if p.strip()]
    if not parts:
        return ()
    if all(_NAF_CODE.match(p) for p in parts):
        return tuple(parts)
    words = clean(activity.replace(",", " ")).split()
    found = [
        code for code, label in naf_table().items() if all(word in clean(label) for word in words)
    ]
    if not found:
        raise ValidationError("activite", f"Aucune activité NAF ne correspond à « {activity} ».")
    if len(found) > limit:
        raise ValidationError(
            "activite",
            f"« {activity} » correspond à {len(found)} activités NAF : "
            "précisez (ou saisissez un code NAF comme 47.24Z).",
        )
    return tuple(found)


class CompanySearch:
    """Search companies by activity and place, around a commune if asked.

    Args:
        base_url: The API's ``/search`` endpoint (a local server in tests);
            ``/near_point`` is its sibling.
        **client_options: Passed to :class:`RechercheEntreprisesClient`
            (timeout, rate, retries…).
    """

    def __init__(self, base_url: str = DEFAULT_URL, **client_options: Any) -> None:
        root = base_url.rsplit("/", 1)[0]
        self._search = _Client(base_url, **client_options)
        self._near = _Client(f"{root}/near_point", **client_options)

    def criteria(self, request: SearchRequest) -> SearchCriteria:
        """Turn the dialog's request into API criteria (may ask the API for a centre).

        Raises:
            ValidationError: nothing to search on, unknown place or activity,
                or a radius around something that is not a commune.
            MicroCRMError: the service cannot be reached.
        """
        naf = naf_codes_for(request.activity)
        place = resolve_place(request.place)
        if request.radius_km:
            if place is None or not place.commune_code:
                raise ValidationError(
                    "lieu",
                    "Le rayon se compte autour d'une commune : saisissez une commune "
                    "ou un code postal.",
                )
            latitude, longitude = self.commune_centre(place.commune_code)
            return NearPointCriteria(
                naf_codes=naf,
                max_results=request.max_results,
                latitude=latitude,
                longitude=longitude,
                radius_km=request.radius_km,
            )
        if not naf and place is None:
            raise ValidationError(
                "activite", "Saisissez une activité, un lieu, ou les deux, pour chercher."
            )
        kind, code = (place.kind, place.code) if place is not None else ("", "")
        if place is not None and kind == "commune":
            return CommunesCriteria(
                naf_codes=naf, communes=place.communes, max_results=request.max_results
            )
        return SearchCriteria(
            naf_codes=naf,
            departement=code if kind == "departement" else "",
            code_postal=code if kind == "code_postal" else "",
            max_results=request.max_results,
        )

    def commune_centre(self, commune: str) -> tuple[float, float]:
        """Latitude and longitude of a commune's town hall (its legal unit's head office).

        Falls back on the mean position of establishments of the commune when
        the commune's own legal unit is not found.

        Raises:
            MicroCRMError: no position found, or the service cannot be reached.
        """
        town_hall = {"code_commune": commune, "nature_juridique": TOWN_HALL_LEGAL_FORM}
        reply = self._search.get_json({**town_hall, "page": "1", "per_page": "5"})
        results = [r for r in reply.get("results") or [] if isinstance(r, Mapping)]
        for result in results:
            found = _position(result.get("siege"), commune)
            if found is not None:
                return found
        reply = self._search.get_json({"code_commune": commune, "page": "1", "per_page": "25"})
        positions = [
            pos
            for result in reply.get("results") or []
            if isinstance(result, Mapping)
            for est in (result.get("matching_etablissements") or [result.get("siege")])
            if (pos := _position(est, commune)) is not None
        ]
        if not positions:
            raise MicroCRMError(
                f"Position de la commune {commune} inconnue du service Recherche d'entreprises : "
                "cherchez sans rayon."
            )
        return (
            sum(p[0] for p in positions) / len(positions),
            sum(p[1] for p in positions) / len(positions),
        )

    def search(
        self,
        request: SearchRequest,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> ReadResult:
        """Run the search: SIRENE-shaped records of the open establishments found.

        Raises:
            ValidationError: see :meth:`criteria`.
            MicroCRMError: the service cannot be reached or refuses the request.
        """
        criteria = self.criteria(request)
        client = self._near if isinstance(criteria, NearPointCriteria) else self._search
        return client.search(criteria, progress, cancelled)


def write_records_csv(records: Sequence[RawRecord], path: Path) -> Path:
    """Write search results as a CSV file with the SIRENE record columns.

    The import pipeline reads it back like any file and recognises the
    ``sirene`` preset from its header, so results selected online are
    checked, de-duplicated and undoable exactly like a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(SIRENE_FIELDS), extrasaction="ignore", restval="")
        writer.writeheader()
        for record in records:
            writer.writerow(record.fields)
    return path
