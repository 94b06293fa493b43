"""JSON Lines batch normalisation, the engine of `microcrm address normalize`.

One output object per non-blank input line, in order: `{"id", "lines", "status", "errors"}`.
A line that cannot be read yields status `invalid` with error `bad_input`, and the run goes
on: a batch of 100,000 addresses is not lost to one bad record.
"""

from __future__ import annotations

import json
from typing import Final, TextIO

from microcrm.postal.errors import BAD_INPUT
from microcrm.postal.normalize import AddressInput, normalize_address
from microcrm.postal.reference import PostalReference, load_reference

ADDRESS_KEYS: Final = ("name", "company", "line1", "line2", "line3", "postcode", "city", "country")
"""Input keys read into `AddressInput`; other keys are ignored."""

Identifier = str | int | None


def _identifier(record: dict[str, object]) -> tuple[Identifier, bool]:
    """Return the record's id and whether it is usable (a string, an integer or null)."""
    value = record.get("id")
    if value is None or (isinstance(value, str | int) and not isinstance(value, bool)):
        return value, True
    return None, False


def _result(identifier: Identifier, record: dict[str, object], ref: PostalReference) -> str:
    fields = {key: record.get(key, "") for key in ADDRESS_KEYS}
    strings = {key: value for key, value in fields.items() if isinstance(value, str)}
    if len(strings) != len(fields):
        return _bad_input(identifier)
    address = normalize_address(AddressInput(**strings), ref)
    output = {
        "id": identifier,
        "lines": list(address.lines),
        "status": address.status,
        "errors": list(address.errors),
    }
    return json.dumps(output, ensure_ascii=False)


def _bad_input(identifier: Identifier) -> str:
    output = {"id": identifier, "lines": [], "status": "invalid", "errors": [BAD_INPUT]}
    return json.dumps(output, ensure_ascii=False)


def normalize_line(line: str, reference: PostalReference) -> str:
    """Normalise one JSON Lines record into its output JSON text (no newline).

    Args:
        line: One non-blank input line.
        reference: The postcode reference.
    """
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # JSONDecodeError, or absurdly deep nesting
        return _bad_input(None)
    if not isinstance(record, dict):
        return _bad_input(None)
    identifier, usable = _identifier(record)
    if not usable:
        return _bad_input(None)
    return _result(identifier, record, reference)


def normalize_stream(src: TextIO, dst: TextIO) -> int:
    """Normalise every JSON Lines record of `src` into `dst`, one output line per record.

    Blank lines are skipped; a UTF-8 byte order mark opening the stream is ignored.

    Args:
        src: Text stream of JSON objects with any of the keys `id`, `name`, `company`,
            `line1`, `line2`, `line3`, `postcode`, `city`, `country` (string values).
        dst: Text stream receiving `{"id", "lines", "status", "errors"}` objects.

    Returns:
        The number of records processed (bad ones included).
    """
    reference = load_reference()
    count = 0
    for number, raw in enumerate(src):
        line = raw.removeprefix("\ufeff") if number == 0 else raw
        if not line.strip():
            continue
        dst.write(normalize_line(line, reference))
        dst.write("\n")
        count += 1
    return count
