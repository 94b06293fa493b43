"""Demo postal addresses: real postcode/commune pairs, typed as users do, then normalised.

Places are drawn from the postal reference weighted towards populated areas
(large cities by population, préfectures, then every commune a little).
Each address goes through the real normaliser once; identical inputs are
served from a cache.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

from microcrm.demo import places
from microcrm.postal.normalize import AddressInput, normalize_address
from microcrm.postal.reference import PostalReference, PostalRow
from microcrm.text import fold

#: Normalised results kept before the cache is emptied (bounded memory).
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Place:
    """A reference row plus what demo data needs to know about it."""

    row: PostalRow
    big: bool

    @property
    def postcode(self) -> str:
        return self.row.postcode

    @property
    def departement(self) -> str:
        return places.departement_of(self.row.postcode)


class PlacePicker:
    """Weighted draws of reference rows, and the CEDEX codes that may go with them."""

    def __init__(self, reference: PostalReference) -> None:
        rows = reference.all_rows()
        per_libelle: dict[str, int] = {}
        for row in rows:
            per_libelle[row.libelle] = per_libelle.get(row.libelle, 0) + 1
        weights = []
        self._places = []
        for row in rows:
            population = places.BIG_CITIES.get(row.libelle, 0) * places.CITY_FACTOR
            weights.append(places.BASE_ROW_WEIGHT + population / per_libelle[row.libelle])
            self._places.append(Place(row, population > 0))
        self._cum = list(itertools.accumulate(weights))
        self._reference = reference

    @property
    def reference(self) -> PostalReference:
        """The postal reference the places come from."""
        return self._reference

    def draw(self, rng: random.Random, k: int) -> list[Place]:
        """``k`` places, drawn with replacement by weight."""
        return rng.choices(self._places, cum_weights=self._cum, k=k)

    def cedex_code(self, rng: random.Random, postcode: str) -> str | None:
        """A CEDEX code of the same département that is not an ordinary postcode (R21)."""
        for _ in range(8):
            code = postcode[:3] + f"{rng.randint(0, 99):02d}"
            if code != postcode and self._reference.entry(code) is None:
                return code
        return None


def street_line(rng: random.Random) -> str:
    """``12 bis rue Victor Hugo`` with the variety of real input (index, case, comma)."""
    number = rng.choices((rng.randint(1, 20), rng.randint(21, 80), rng.randint(81, 350)),
                         (60, 30, 10))[0]
    index = rng.choices(("", " bis", " ter", "B", " A"), (92, 5, 1, 1, 1))[0]
    kind = rng.choices([k for k, _ in places.STREET_TYPES],
                       [w for _, w in places.STREET_TYPES])[0]
    name = rng.choice(places.STREET_NAMES)
    sep = ", " if rng.random() < 0.05 else " "
    line = f"{number}{index}{sep}{kind} {name}"
    return line.upper() if rng.random() < 0.08 else line


def _city(rng: random.Random, row: PostalRow) -> str:
    """The city as a user types it: commune name mostly, sometimes the libellé."""
    if "Arrondissement" in row.commune or rng.random() < 0.25:
        return row.libelle if rng.random() < 0.7 else row.libelle.title()
    return row.commune.upper() if rng.random() < 0.07 else row.commune


def typed_address(rng: random.Random, picker: PlacePicker, place: Place, *,
                  company: bool) -> AddressInput:
    """An address as typed in the CRM for a company or a private person at ``place``."""
    row = place.row
    line1, line2, line3 = street_line(rng), "", ""
    postcode, city = row.postcode, _city(rng, row)
    roll = rng.random()
    if not place.big and roll < 0.04:  # lieu-dit, alone or after the street
        lieu = rng.choice(places.LIEUX_DITS)
        if rng.random() < 0.5:
            line1 = f"Lieu-dit {lieu}" if rng.random() < 0.7 else lieu
        else:
            line2 = f"Lieu-dit {lieu}"
    elif roll < 0.16:
        pool = places.COMPANY_COMPLEMENTS if company else places.PERSON_COMPLEMENTS
        line2 = rng.choice(pool)
    if company and rng.random() < 0.05:
        line3 = rng.choice((f"BP {rng.randint(10, 99999)}", f"CS {rng.randint(10000, 99999)}",
                            f"B.P. {rng.randint(1, 999)}"))
        cedex = picker.cedex_code(rng, postcode) if place.big and rng.random() < 0.5 else None
        if cedex:
            office = f" {rng.randint(1, 9)}" if rng.random() < 0.3 else ""
            postcode, city = cedex, f"{row.libelle} CEDEX{office}"
    country = "France" if rng.random() < 0.04 else ""
    return AddressInput(line1=line1, line2=line2, line3=line3, postcode=postcode, city=city,
                        country=country)


class Normaliser:
    """Runs the real normaliser once per distinct typed address."""

    def __init__(self, reference: PostalReference) -> None:
        self._reference = reference
        self._cache: dict[AddressInput, tuple[str, str, str]] = {}
        self.calls = 0

    def __call__(self, typed: AddressInput) -> tuple[str, str, str]:
        """(norm_lines, norm_status, norm_errors) as stored on :class:`Address`."""
        found = self._cache.get(typed)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            result = normalize_address(typed, self._reference)
            self.calls += 1
            found = ("\n".join(result.lines), result.status, " ".join(result.errors))
            self._cache[typed] = found
        return found


def address_row(addr_id: int, typed: AddressInput, norm: tuple[str, str, str], *,
                organisation_id: int | None, person_id: int | None,
                audit: dict[str, Any]) -> dict[str, Any]:
    """The ``address`` row of a typed address (one owner: organisation or person)."""
    lines, status, errors = norm
    return {
        "id": addr_id, "organisation_id": organisation_id, "person_id": person_id,
        "kind": "principale", "is_primary": True, "line1": typed.line1, "line2": typed.line2,
        "line3": typed.line3, "postcode": typed.postcode, "city": typed.city,
        "city_key": fold(typed.city), "country": typed.country, "norm_lines": lines,
        "norm_status": status, "norm_errors": errors, "latitude": None, "longitude": None,
        "geocode_source": None, "geocoded_at": None, "npai": False, "npai_on": None, **audit,
    }
