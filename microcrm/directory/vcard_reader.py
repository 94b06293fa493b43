"""Read vCard 2.1, 3.0 and 4.0 files into flat contact records.

vobject reads all three versions but applies 3.0 rules to 2.1 (a street
``12, rue …`` split at the comma, a ``NOTE`` cut short; docs/import-formats.md §3).
So each card is first normalised at byte level: quoted-printable soft breaks
are joined, lines unfolded, each value decoded with its declared ``CHARSET``
and, for 2.1, re-escaped as 3.0 text. vobject then parses the 3.0 text. A card
that fails becomes an issue and the next card is read.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import vobject
from vobject.base import VObjectError

from microcrm.directory.records import ENCODING_ERROR, RawRecord, ReadIssue, ReadResult

BAD_CARD: Final = "bad_card"
"""A card vobject cannot parse, a line without ``:``, or a missing END:VCARD."""

#: Keys of every record, in this order (the ``headers`` of the ReadResult).
VCARD_FIELDS: Final = (
    "kind",
    "full_name",
    "civility",
    "last_name",
    "first_name",
    "organisation",
    "department",
    "role",
    "phone_work",
    "phone_mobile",
    "phone_home",
    "fax",
    "email",
    "email_other",
    "po_box",
    "complement",
    "street",
    "postcode",
    "city",
    "region",
    "country",
    "website",
    "notes",
    "categories",
    "birthday",
)

#: Properties carrying binary data: never mapped, dropped before parsing.
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})

#: Structured properties whose ``;`` separates components (RFC 2426 §3).
_STRUCTURED = frozenset({"N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP"})

#: Properties handled by the reader itself rather than copied to vobject.
_FRAME = frozenset({"BEGIN", "END", "VERSION"})

_NEWLINES = re.compile(r"\r\n|\r|\n")


class CardError(Exception):
    """A card that cannot be read; ``reason`` is ``encoding_error`` or ``bad_card``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _colon(line: bytes) -> int:
    """Index of the ``:`` ending the property name and parameters, or -1.

    vCard 4.0 parameter values may be quoted and hold ``:``, ``;`` and ``,``
    (``ADR;LABEL="12, rue X: atelier":…``).
    """
    position = 0
    while True:
        colon = line.find(b":", position)
        quote = line.find(b'"', position, colon if colon >= 0 else len(line))
        if quote < 0:
            return colon
        close = line.find(b'"', quote + 1)
        if close < 0:
            return -1
        position = close + 1


def _split_params(prefix: bytes) -> list[bytes]:
    """Split ``NAME;param;param`` at the ``;`` that are not inside double quotes."""
    parts: list[bytes] = []
    start = 0
    quoted = False
    for position, byte in enumerate(prefix):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3B and not quoted:  # ;
            parts.append(prefix[start:position])
            start = position + 1
    parts.append(prefix[start:])
    return parts


def _version(lines: list[bytes]) -> str:
    for line in lines:
        if line.upper().startswith(b"VERSION:"):
            return line[8:].strip().decode("ascii", "replace")
    return "3.0"


def unfold(lines: list[bytes], version: str) -> list[bytes]:
    """Join physical lines into logical lines.

    Quoted-printable soft breaks come first: a QP line ending with ``=``
    takes the next line verbatim, even when it starts with a space. Then
    folding: 3.0/4.0 drop the single leading space or tab of a continuation
    line; 2.1 keeps it (only the line break is removed). Unindented base64
    lines of a 2.1 ``PHOTO`` are absorbed until the blank line that ends them.
    The encoding is read once per logical line, so a large photo stays linear.
    """
    logical: list[list[bytes]] = []
    quoted_printable = base64 = False
    for raw in lines:
        if logical:
            parts = logical[-1]
            if quoted_printable and parts[-1].endswith(b"="):
                parts[-1] = parts[-1][:-1]
                parts.append(raw)
                continue
            if raw[:1] in (b" ", b"\t"):
                parts.append(raw if version == "2.1" else raw[1:])
                continue
            if base64 and raw and b":" not in raw:
                parts.append(raw)
                continue
        if raw.strip():
            logical.append([raw])
            colon = _colon(raw)
            prefix = (raw if colon < 0 else raw[:colon]).upper()
            quoted_printable = b"QUOTED-PRINTABLE" in prefix
            base64 = b"BASE64" in prefix or b"ENCODING=B" in prefix
    return [b"".join(parts) for parts in logical]


def _decode(raw: bytes, charset: str, version: str) -> str | None:
    """Decode a value with its declared charset; ``None`` if it does not decode.

    A declared ISO-8859-1 is read as Windows-1252, as browsers do (WHATWG
    Encoding): Outlook labels cp1252 text that way, and 0x80–0x9F are
    ``€ ’ œ`` there, not control characters. An undeclared 2.1 value is
    UTF-8, else Windows-1252 (docs/import-formats.md §4); 3.0 and 4.0 are UTF-8.
    """
    declared = charset.lower().replace("_", "-")
    if declared in ("iso-8859-1", "latin1", "latin-1", "iso8859-1"):
        candidates = ["cp1252"]
    elif declared:
        candidates = [declared]
    elif version == "2.1":
        candidates = ["utf-8", "cp1252"]
    else:
        candidates = ["utf-8"]
    for candidate in candidates:
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _escape(text: str, structured: bool) -> str:
    """Escape decoded 2.1 (or quoted-printable) text as a 3.0 value."""
    text = text.replace("\\", "\\\\").replace(",", "\\,")
    if not structured:
        text = text.replace(";", "\\;")
    return _NEWLINES.sub("\\\\n", text)


def _convert_line(line: bytes, version: str) -> str | None:
    """Turn one logical line into a 3.0 content line, or ``None`` to drop it.

    Raises:
        CardError: the line has no ``:`` or its value does not decode.
    """
    colon = _colon(line)
    if colon < 0:
        raise CardError(BAD_CARD, f"ligne sans « : » : {line[:40]!r}")
    prefix, value = line[:colon], line[colon + 1 :]
    try:  # quoted 4.0 parameter values (LABEL="…") may hold non-ASCII text
        head, *raw_params = (part.decode("utf-8") for part in _split_params(prefix))
    except UnicodeDecodeError as exc:
        raise CardError(ENCODING_ERROR, "paramètres illisibles en UTF-8") from exc
    name = head.rsplit(".", 1)[-1].strip().upper()  # Apple groups: item1.EMAIL
    if not name or name in _FRAME or name in _BINARY:
        return None
    charset = ""
    quoted_printable = False
    params: list[str] = []
    for param in raw_params:
        key, _, val = param.partition("=")
        key_upper = key.strip().upper()
        if key_upper == "CHARSET":
            charset = val.strip().strip('"')
        elif key_upper == "ENCODING" or key_upper in ("QUOTED-PRINTABLE", "8BIT", "7BIT"):
            quoted_printable = quoted_printable or "QUOTED-PRINTABLE" in param.upper()
        elif param and "=" not in param:
            params.append(f"TYPE={key.strip().lower()}")  # 2.1 bare type: TEL;WORK;VOICE
        elif param:
            params.append(param)
    raw_value = quopri.decodestring(value) if quoted_printable else value
    text = _decode(raw_value, charset, version)
    if text is None:
        raise CardError(ENCODING_ERROR, f"{name} : valeur illisible en {charset or 'UTF-8'}")
    if version == "2.1" or quoted_printable:
        text = _escape(text, name in _STRUCTURED)
    return ";".join([name, *params]) + ":" + text


def _text(value: Any, joiner: str = " ") -> str:
    """Flatten a vobject value (string or list of strings) to stripped text."""
    if isinstance(value, list | tuple):
        return joiner.join(str(item).strip() for item in value if str(item).strip())
    return str(value).strip() if value is not None else ""


def _types(line: Any) -> set[str]:
    """Lower-cased TYPE values of a content line (``TYPE="work,voice"`` split)."""
    found: set[str] = set()
    for value in line.params.get("TYPE", []):
        found.update(part.strip().strip('"').lower() for part in value.split(","))
    return found


def _phone_key(types: set[str]) -> str:
    if "cell" in types:
        return "phone_mobile"
    if "fax" in types:
        return "fax"
    if "home" in types:
        return "phone_home"
    return "phone_work"


def _map_card(card: Any) -> dict[str, str]:
    """Flatten a parsed card into stable, language-neutral field keys."""
    contents: dict[str, list[Any]] = card.contents
    fields: dict[str, str] = {}

    def first(name: str, joiner: str = " ") -> str:
        lines = contents.get(name, [])
        return _text(lines[0].value, joiner) if lines else ""

    kind = first("kind").lower()
    company = kind == "org" or first("x-abshowas").upper() == "COMPANY"
    full_name = first("fn")
    fields["full_name"] = full_name
    if "n" in contents and not company:
        name = contents["n"][0].value
        fields["last_name"] = _text(name.family)
        fields["first_name"] = _text(name.given)
        fields["civility"] = _text(name.prefix)
    org = contents.get("org", [])
    org_parts = org[0].value if org else []
    org_parts = org_parts if isinstance(org_parts, list) else [org_parts]
    fields["organisation"] = _text(org_parts[0]) if org_parts else ""
    fields["department"] = _text(org_parts[1:], " ")
    if company and not fields["organisation"]:
        fields["organisation"] = full_name
    fields["role"] = first("title") or first("role")
    for line in contents.get("tel", []):
        number = _text(line.value).removeprefix("tel:")
        key = _phone_key(_types(line))
        if number and not fields.get(key):
            fields[key] = number
    emails = [text for line in contents.get("email", []) if (text := _text(line.value))]
    fields["email"] = emails[0] if emails else ""
    fields["email_other"] = ", ".join(emails[1:])
    addresses = contents.get("adr", [])
    if addresses:
        work = [line for line in addresses if "work" in _types(line)]
        adr = (work or addresses)[0].value
        fields["po_box"] = _text(adr.box, ",")
        fields["complement"] = _text(adr.extended, ",")
        fields["street"] = _text(adr.street, ",")
        fields["postcode"] = _text(adr.code, ",")
        fields["city"] = _text(adr.city, ",")
        fields["region"] = _text(adr.region, ",")
        fields["country"] = _text(adr.country, ",")
    fields["website"] = first("url")
    fields["notes"] = first("note", ",")
    fields["categories"] = first("categories", ", ")
    fields["birthday"] = first("bday")
    fields["kind"] = "org" if company else "individual"
    return {key: fields.get(key, "") for key in VCARD_FIELDS}


def parse_card(lines: list[bytes]) -> dict[str, str]:
    """Parse the physical lines between BEGIN and END of one card.

    Raises:
        CardError: the card cannot be decoded or parsed.
    """
    version = _version(lines)
    converted = [_convert_line(line, version) for line in unfold(lines, version)]
    body = [line for line in converted if line is not None]
    target = "3.0" if version == "2.1" else version
    text = "\r\n".join(["BEGIN:VCARD", f"VERSION:{target}", *body, "END:VCARD", ""])
    try:
        card = vobject.readOne(text)
        return _map_card(card)
    except (VObjectError, ValueError, IndexError, AttributeError) as exc:
        raise CardError(BAD_CARD, f"fiche illisible : {exc}") from exc


def _split_cards(data: bytes) -> Iterator[tuple[int, list[bytes] | None]]:
    """Yield ``(begin_line, lines)`` per card; ``lines`` is ``None`` if END is missing."""
    begin = 0
    current: list[bytes] | None = None
    for number, raw in enumerate(data.splitlines(), start=1):
        marker = raw.strip().upper()
        if marker == b"BEGIN:VCARD":
            if current is not None:
                yield begin, None
            begin, current = number, []
        elif marker == b"END:VCARD" and current is not None:
            yield begin, current
            current = None
        elif current is not None:
            current.append(raw)
    if current is not None:
        yield begin, None


def iter_vcards(data: bytes) -> Iterator[RawRecord | ReadIssue]:
    """Yield one record per card of ``data``, or an issue for a card that fails.

    The locator is ``fiche N (ligne L)``: N counts cards from 1, L is the line
    of its ``BEGIN:VCARD``.
    """
    for index, (line, lines) in enumerate(_split_cards(data), start=1):
        locator = f"fiche {index} (ligne {line})"
        if lines is None:
            yield ReadIssue(locator, BAD_CARD, "fiche sans END:VCARD")
            continue
        try:
            yield RawRecord(locator, parse_card(lines))
        except CardError as exc:
            yield ReadIssue(locator, exc.reason, exc.detail)


def read_vcards(data: bytes) -> ReadResult:
    """Read every card of a vCard file's bytes into one result.

    Args:
        data: The file content; charsets are declared per property.

    Returns:
        One record per readable card, keyed by :data:`VCARD_FIELDS`, and one
        issue per card that failed.
    """
    result = ReadResult(headers=list(VCARD_FIELDS))
    for item in iter_vcards(data):
        if isinstance(item, RawRecord):
            result.records.append(item)
        else:
            result.issues.append(item)
    return result


def read_vcard_file(path: Path) -> ReadResult:
    """Read a ``.vcf`` file (see :func:`read_vcards`)."""
    return read_vcards(path.read_bytes())
