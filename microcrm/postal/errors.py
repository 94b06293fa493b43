"""Error codes of the address normaliser (R25) and their French explanations for the UI.

Codes are the rule sheet's, verbatim; the UI shows `explain(code, address)`. Messages follow
French typography: « guillemets » and a non-breaking space before `:`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from microcrm.postal.normalize import NormalizedAddress

POSTCODE_PADDED: Final = "postcode_padded"
CITY_MISSING: Final = "city_missing"
LOCALITY_REPLACED: Final = "locality_replaced"
LOCALITY_SPELLING: Final = "locality_spelling"
POSTCODE_MISSING: Final = "postcode_missing"
POSTCODE_MALFORMED: Final = "postcode_malformed"
POSTCODE_UNKNOWN: Final = "postcode_unknown"
POSTCODE_CITY_MISMATCH: Final = "postcode_city_mismatch"
AMBIGUOUS_LOCALITY: Final = "ambiguous_locality"
CEDEX_UNKNOWN_LOCALITY: Final = "cedex_unknown_locality"
COUNTRY_UNSUPPORTED: Final = "country_unsupported"
LINE_TOO_LONG: Final = "line_too_long"
BAD_INPUT: Final = "bad_input"
"""Not an R25 code: a JSON Lines record that could not be read (see `jsonl.py`)."""

CORRECTION_CODES: Final = (POSTCODE_PADDED, CITY_MISSING, LOCALITY_REPLACED, LOCALITY_SPELLING)
"""R25: data corrections of a deliverable address (status `corrected`), in report order."""

BLOCKING_CODES: Final = (
    POSTCODE_MISSING,
    POSTCODE_MALFORMED,
    POSTCODE_UNKNOWN,
    POSTCODE_CITY_MISMATCH,
    CITY_MISSING,
    AMBIGUOUS_LOCALITY,
    CEDEX_UNKNOWN_LOCALITY,
    COUNTRY_UNSUPPORTED,
    LINE_TOO_LONG,
)
"""R25: errors that make an address undeliverable (status `invalid`), in report order."""

_NBSP: Final = "\u00a0"
_OPEN: Final = "«\u00a0"
_CLOSE: Final = "\u00a0»"

ERROR_MESSAGES: Final[dict[str, str]] = {
    POSTCODE_PADDED: (
        f"Le code postal n'avait que 4 chiffres{_NBSP}: le zéro initial, sans doute perdu "
        "par un tableur, a été rétabli ({postcode})."
    ),
    CITY_MISSING: "La localité est absente. Indiquez-la{hint}.",
    LOCALITY_REPLACED: (
        f"La localité a été remplacée par le libellé d'acheminement de La Poste "
        f"{_OPEN}{{locality}}{_CLOSE} (le code postal porte seul l'arrondissement ou la commune)."
    ),
    LOCALITY_SPELLING: (
        f"L'orthographe de la localité a été corrigée en {_OPEN}{{locality}}{_CLOSE}, "
        "seule localité proche desservie par ce code postal."
    ),
    POSTCODE_MISSING: "Le code postal est absent.",
    POSTCODE_MALFORMED: (
        f"Le code postal {_OPEN}{{postcode}}{_CLOSE} n'est pas valide{_NBSP}: {{expected}}."
    ),
    POSTCODE_UNKNOWN: (
        "Le code postal {postcode} n'existe pas dans la base des codes postaux de La Poste."
    ),
    POSTCODE_CITY_MISMATCH: (
        f"La localité {_OPEN}{{locality}}{_CLOSE} n'est pas desservie par le code postal "
        f"{{postcode}}{_NBSP}: vérifiez la localité ou le code postal (le code postal n'est "
        "jamais modifié pour s'accorder à la localité)."
    ),
    AMBIGUOUS_LOCALITY: (
        f"Le code postal {{postcode}} dessert plusieurs localités{_NBSP}: précisez laquelle."
    ),
    CEDEX_UNKNOWN_LOCALITY: (
        f"La localité {_OPEN}{{locality}}{_CLOSE} n'est celle d'aucun code postal du "
        f"département {{department}}{_NBSP}: l'adresse CEDEX ne peut pas être validée "
        "(les libellés supra-communaux tels que PARIS LA DEFENSE ne sont pas reconnus)."
    ),
    COUNTRY_UNSUPPORTED: (
        f"Le pays {_OPEN}{{country}}{_CLOSE} n'est pas pris en charge{_NBSP}: seuls la France, "
        "la Belgique, la Suisse, l'Allemagne, l'Italie, l'Espagne et les Pays-Bas le sont."
    ),
    LINE_TOO_LONG: (
        f"Une ligne dépasse 38 caractères même après abréviation (norme NF Z10-011){_NBSP}: "
        "raccourcissez-la."
    ),
    BAD_INPUT: ("Enregistrement illisible (JSON invalide, pas un objet, ou valeur non textuelle)."),
}
"""French message template per error code; `explain` fills the placeholders."""

_FOREIGN_FORMATS: Final = {
    "BELGIQUE": "4 chiffres attendus pour la Belgique",
    "SUISSE": "4 chiffres attendus pour la Suisse",
    "ALLEMAGNE": "5 chiffres attendus pour l'Allemagne",
    "ITALIE": "5 chiffres attendus pour l'Italie",
    "ESPAGNE": "5 chiffres attendus pour l'Espagne",
    "PAYS BAS": "4 chiffres et 2 lettres attendus pour les Pays-Bas (1012 LG)",
}


def _city_hint(address: NormalizedAddress) -> str:
    if address.status == "corrected":
        return ""
    if address.postcode and AMBIGUOUS_LOCALITY in address.errors:
        return f"{_NBSP}: le code postal {address.postcode} dessert plusieurs localités"
    return ""


def explain(code: str, address: NormalizedAddress) -> str:
    """Return the French explanation of `code` for `address`, ready for the UI.

    Args:
        code: An error code of `address.errors`.
        address: The normalised address the code was reported on.

    Returns:
        A French sentence; unknown codes are returned as they are.
    """
    if code == CITY_MISSING and address.status == "corrected":
        return (
            f"La localité manquait{_NBSP}: {_OPEN}{address.locality}{_CLOSE}, seule localité "
            f"desservie par le code postal {address.postcode}, a été ajoutée."
        )
    template = ERROR_MESSAGES.get(code)
    if template is None:
        return code
    expected = _FOREIGN_FORMATS.get(address.country, "un code postal français compte 5 chiffres")
    postcode = address.postcode
    department = postcode[:3] if postcode[:2] in ("97", "98") else postcode[:2]
    return template.format(
        postcode=postcode,
        locality=address.locality,
        country=address.country,
        department=department,
        expected=expected,
        hint=_city_hint(address),
    )
