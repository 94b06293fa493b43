r"""Read vCard 2.1, 3.0 and 4.0 files into flat contact records.

Every value a card holds lands in a record key, in the record's ``notes`` under a
French label (« Skype : jdoe »), or in a warning naming what was dropped (embedded
images); only the bookkeeping of :data:`METADATA` is left out without a word.

Each card is read at byte level: quoted-printable soft breaks are joined, lines
unfolded, each value decoded with its declared ``CHARSET``. The reader then splits
and unescapes values itself, by the rules of the card's version
(docs/import-formats.md §3): 3.0/4.0 text is never cut at a comma (only
``CATEGORIES`` and ``NICKNAME`` are lists) and any ``\\x`` escape is undone
(Apple and Google write ``http\\://``); 2.1 commas are literal and ``\\;`` is its one
escape. vobject is not used for this: it cuts unescaped commas of 3.0 text
(``NOTE:Rappeler lundi, avant 10h`` read as « Rappeler lundi ») and refuses a card
holding ``PROFILE:VCard``. A card that fails becomes an issue and the next card is read.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from microcrm.directory.records import ENCODING_ERROR, RawRecord, ReadIssue, ReadResult
from microcrm.text import fold

BAD_CARD: Final = "bad_card"
"""A card with a line without ``:``, or a missing END:VCARD."""

GROUP_CARD: Final = "group_card"
"""A contact group (``KIND:group``, Apple's ``X-ADDRESSBOOKSERVER-KIND:group``): not a
contact, not imported (severity ``"error"``: the card is dropped)."""

VALUE_DROPPED: Final = "value_dropped"
"""A card kept without some of its values (embedded images, binary data): warning."""

#: Keys of every record, in this order (the ``headers`` of the ReadResult). A company
#: card (``KIND:org``, Apple's ``X-ABShowAs:COMPANY``, or no person name beside ORG) fills
#: the ``org_*`` keys and leaves every person key empty; ``home_*`` is a person's HOME
#: address. What has no key (department, region, birthday, nickname, IM handles…) is in
#: ``notes``, one « Libellé : valeur » line each, after the card's own NOTE. Every key
#: holds the card's data: an unmapped one would go to the notes (presets.note_columns),
#: so the card's kind is told by the keys filled, not by a key of its own.
VCARD_FIELDS: Final = (
    "full_name",
    "civility",
    "last_name",
    "first_name",
    "organisation",
    "role",
    "phone_work",
    "phone_mobile",
    "phone_home",
    "fax",
    "email",
    "email_other",
    "org_phone",
    "org_email",
    "org_emails_other",
    "po_box",
    "complement",
    "street",
    "postcode",
    "city",
    "country",
    "home_po_box",
    "home_complement",
    "home_street",
    "home_postcode",
    "home_city",
    "home_country",
    "website",
    "notes",
    "categories",
)

#: Properties that describe the card, its file or the software that wrote it, not the
#: contact: dropped without a warning. Everything else is kept (a field or the notes) or
#: reported as dropped.
METADATA: Final = frozenset(
    {
        "PROFILE",  # RFC 2426 §2.1.1: always "VCARD"; vobject refuses the whole card for it
        "PRODID",  # the exporting software
        "REV",  # last revision timestamp
        "UID",  # the exporting address book's identifier
        "SOURCE",  # where the card was fetched from (a directory URL)
        "NAME",  # RFC 2426 §2.1.2: the directory object's name, not the contact's
        "CLASS",  # access classification (PUBLIC, PRIVATE) of the directory entry
        "SORT-STRING",  # sort key, derived from the name
        "CLIENTPIDMAP",  # 4.0 synchronisation map
        "X-ABUID",  # Apple's record identifier
        "X-ABSHOWAS",  # Apple's display flag: read for the company kind, then dropped
        "X-ABLABEL",  # Apple's label of an item group: used as the label of its group
        "X-ABADR",  # Apple's address-format country code of an item group
        "X-ADDRESSBOOKSERVER-KIND",  # Apple's group flag: read, then dropped
        "X-MS-OL-DEFAULT-POSTAL-ADDRESS",  # Outlook: which address is the mailing one
        "X-MS-OL-DESIGN",  # Outlook: electronic business card layout (XML)
        "X-MS-CARDPICTURE",  # Outlook: business card background image
        "X-WAB-GENDER",  # Windows Address Book gender code (1, 2)
        "X-EVOLUTION-FILE-AS",  # Evolution: sort name, derived from N
        "X-EVOLUTION-LIST",  # Evolution: "is a contact list" flag
        "X-EVOLUTION-LIST-SHOW-ADDRESSES",  # Evolution: list display option
        "X-EVOLUTION-WANTS-HTML",  # Evolution: mail format preference
        "X-EVOLUTION-BOOK-UID",  # Evolution: address book identifier
        "X-COUCHDB-APPLICATION-ANNOTATIONS",  # Evolution/CouchDB sync revision (JSON)
        "X-MOZILLA-HTML",  # Thunderbird: mail format preference
        "X-KADDRESSBOOK-CRYPTOENCRYPTPREF",  # KAddressBook: crypto preferences
        "X-KADDRESSBOOK-CRYPTOPROTOPREF",
        "X-KADDRESSBOOK-CRYPTOSIGNPREF",
        "X-IMAGETYPE",  # Apple/iCloud: photo format of the (dropped) photo
        "X-IMAGEHASH",  # Apple/iCloud: photo checksum
        "X-SHARED-PHOTO-DISPLAY-PREF",  # Apple: photo sharing preference
    }
)

#: Google's system groups, written into CATEGORIES of every exported card (``myContacts``,
#: Android's « My Contacts »): not the user's categories, dropped as the CSV reader's
#: ``* myContacts`` is (clean.py).
_SYSTEM_GROUPS: Final = frozenset({"mycontacts", "my contacts", "starred"})

#: Properties carrying binary data (an embedded image, a key): reported as dropped, or
#: kept in the notes when the value is a link.
_BINARY: Final = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})

#: Properties read by the reader itself around the card's properties.
_FRAME: Final = frozenset({"BEGIN", "END", "VERSION"})

#: French labels of the properties kept in the notes; others keep their own name.
_LABELS: Final[dict[str, str]] = {
    "FN": "Nom affiché",
    "N": "Nom",
    "ORG": "Organisation",
    "TITLE": "Fonction",
    "ROLE": "Rôle",
    "NICKNAME": "Surnom",
    "BDAY": "Anniversaire",
    "ANNIVERSARY": "Anniversaire de mariage",  # RFC 6350 §6.2.6: marriage or equivalent
    "X-ANNIVERSARY": "Anniversaire de mariage",
    "X-MS-ANNIVERSARY": "Anniversaire de mariage",
    "X-EVOLUTION-ANNIVERSARY": "Anniversaire de mariage",
    "X-KADDRESSBOOK-X-ANNIVERSARY": "Anniversaire de mariage",
    "GENDER": "Genre",
    "X-GENDER": "Genre",
    "GEO": "Coordonnées GPS",
    "TZ": "Fuseau horaire",
    "LANG": "Langue",
    "IMPP": "Messagerie instantanée",
    "X-MS-IMADDRESS": "Messagerie instantanée",
    "X-KADDRESSBOOK-X-IMADDRESS": "Messagerie instantanée",
    "X-SKYPE": "Skype",
    "X-SKYPE-USERNAME": "Skype",
    "X-JABBER": "Jabber",
    "X-AIM": "AIM",
    "X-ICQ": "ICQ",
    "X-MSN": "MSN",
    "X-YAHOO": "Yahoo",
    "X-GTALK": "Google Talk",
    "X-GOOGLE-TALK": "Google Talk",
    "X-QQ": "QQ",
    "X-GADUGADU": "Gadu-Gadu",
    "X-GROUPWISE": "GroupWise",
    "X-TWITTER": "Twitter",
    "X-SOCIALPROFILE": "Profil",
    "RELATED": "Relation",
    "X-ABRELATEDNAMES": "Relation",
    "X-ABDATE": "Date",
    "X-SPOUSE": "Conjoint",
    "X-MS-SPOUSE": "Conjoint",
    "X-EVOLUTION-SPOUSE": "Conjoint",
    "X-KADDRESSBOOK-X-SPOUSESNAME": "Conjoint",
    "X-ASSISTANT": "Assistant(e)",
    "X-MS-ASSISTANT": "Assistant(e)",
    "X-EVOLUTION-ASSISTANT": "Assistant(e)",
    "X-KADDRESSBOOK-X-ASSISTANTSNAME": "Assistant(e)",
    "X-MANAGER": "Responsable",
    "X-MS-MANAGER": "Responsable",
    "X-EVOLUTION-MANAGER": "Responsable",
    "X-KADDRESSBOOK-X-MANAGERSNAME": "Responsable",
    "X-CHILDREN": "Enfants",
    "X-MS-CHILD": "Enfant",
    "X-MAIDENNAME": "Nom de jeune fille",
    "X-PHONETIC-FIRST-NAME": "Prénom (prononciation)",
    "X-PHONETIC-MIDDLE-NAME": "Deuxième prénom (prononciation)",
    "X-PHONETIC-LAST-NAME": "Nom (prononciation)",
    "X-PHONETIC-ORG": "Organisation (prononciation)",
    "X-KADDRESSBOOK-X-PROFESSION": "Profession",
    "X-KADDRESSBOOK-X-OFFICE": "Bureau",
    "X-KADDRESSBOOK-BLOGFEED": "Blog",
    "X-EVOLUTION-BLOG-URL": "Blog",
    "X-EVOLUTION-VIDEO-URL": "Visioconférence",
    "X-MS-TEL": "Téléphone",
    "LABEL": "Adresse",
    "MAILER": "Logiciel de messagerie",
    "FBURL": "Disponibilités (agenda)",
    "CALURI": "Agenda",
    "CALADRURI": "Agenda (invitations)",
    "EXPERTISE": "Compétence",
    "HOBBY": "Loisir",
    "INTEREST": "Centre d'intérêt",
    "ORG-DIRECTORY": "Annuaire",
    "MEMBER": "Membre",
    "AGENT": "Agent",
    "PHOTO": "Photo",
    "LOGO": "Logo",
    "SOUND": "Son",
    "KEY": "Clé publique",
    "X-CUSTOM1": "Personnalisé 1",  # Thunderbird's four custom fields
    "X-CUSTOM2": "Personnalisé 2",
    "X-CUSTOM3": "Personnalisé 3",
    "X-CUSTOM4": "Personnalisé 4",
}

#: Apple/Google item labels (``_$!<Spouse>!$_``, Google's ``REFERRED_BY``) naming who a
#: related name is, or what a date is: they replace the property's own label.
_NAMED_LABELS: Final[dict[str, str]] = {
    "spouse": "Conjoint",
    "child": "Enfant",
    "mother": "Mère",
    "father": "Père",
    "parent": "Parent",
    "brother": "Frère",
    "sister": "Sœur",
    "sibling": "Frère ou sœur",
    "friend": "Ami(e)",
    "manager": "Responsable",
    "assistant": "Assistant(e)",
    "partner": "Partenaire",
    "domestic_partner": "Partenaire",
    "relative": "Famille",
    "kin": "Famille",
    "referred_by": "Recommandé par",
    "colleague": "Collègue",
    "co-worker": "Collègue",
    "emergency": "Contact d'urgence",
    "anniversary": "Anniversaire de mariage",
}

#: Apple/Google item labels and TYPE values used as a qualifier: « Site (blog) ».
_QUALIFIERS: Final[dict[str, str]] = {
    "work": "travail",
    "home": "domicile",
    "other": "autre",
    "main": "principal",
    "homepage": "page d'accueil",
    "mobile": "mobile",
    "iphone": "iPhone",
    "pager": "bipeur",
    "school": "école",
    "assistantphone": "secrétariat",
    "grand_central": "Google Voice",
    "profile": "profil",
    "blog": "blog",
    "car": "voiture",
    "isdn": "RNIS",
    "video": "visio",
    "bbs": "BBS",
    "modem": "modem",
    "textphone": "téléphone pour malentendants",
    "callback": "rappel",
    "assistant": "secrétariat",
    "x-evolution-assistant": "secrétariat",
    "x-evolution-callback": "rappel",
    "x-evolution-company": "société",
    "x-evolution-radio": "radio",
    "x-evolution-telex": "télex",
    "x-evolution-tty": "téléscripteur",
}

#: TEL types that make a number neither a work, mobile, home nor fax line: notes.
_SPECIAL_PHONE_TYPES: Final = (
    "pager",
    "car",
    "isdn",
    "video",
    "bbs",
    "modem",
    "textphone",
    "x-evolution-assistant",
    "x-evolution-callback",
    "x-evolution-radio",
    "x-evolution-telex",
    "x-evolution-tty",
)

#: Words of a free phone label (Apple, Google) that say which line it is.
_LABEL_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "mobile": ("mobile", "portable", "cell", "cellulaire", "gsm", "iphone"),
    "fax": ("fax", "telecopie"),
    "home": ("home", "domicile", "maison", "perso", "personnel", "prive"),
    "work": ("work", "bureau", "travail", "pro", "professionnel", "standard", "main"),
}

#: Instant messaging URI schemes (IMPP) and their service names.
_IM_SCHEMES: Final[dict[str, str]] = {
    "skype": "Skype",
    "xmpp": "Jabber",
    "aim": "AIM",
    "msnim": "MSN",
    "msn": "MSN",
    "ymsgr": "Yahoo",
    "gtalk": "Google Talk",
    "icq": "ICQ",
    "qq": "QQ",
    "sip": "SIP",
    "irc": "IRC",
}

#: 4.0 GENDER sex codes (RFC 6350 §6.2.7).
_SEXES: Final[dict[str, str]] = {
    "M": "homme",
    "F": "femme",
    "O": "autre",
    "N": "sans objet",
    "U": "inconnu",
}

_NEWLINES: Final = re.compile(r"\r\n|\r|\n")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)
_WORDS: Final = re.compile(r"\w+")
_APPLE_LABEL: Final = re.compile(r"_\$!<(.*)>!\$_")


class CardError(Exception):
    """A card that cannot be read; ``reason`` is ``encoding_error`` or ``bad_card``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# -- bytes to logical lines --------------------------------------------------------------------


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
    quoted_printable = base64_value = False
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
            if base64_value and raw and b":" not in raw:
                parts.append(raw)
                continue
        if raw.strip():
            logical.append([raw])
            colon = _colon(raw)
            prefix = (raw if colon < 0 else raw[:colon]).upper()
            quoted_printable = b"QUOTED-PRINTABLE" in prefix
            base64_value = b"BASE64" in prefix or b"ENCODING=B" in prefix
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


# -- one logical line to a property --------------------------------------------------------------


def _split_unescaped(value: str, separators: str) -> list[str]:
    """Split at the separators not preceded by a backslash escape; escapes are kept."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index : index + 2])
            index += 2
            continue
        if char in separators:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


@dataclass(slots=True)
class _Property:
    r"""One content line of a card, decoded but still escaped.

    Attributes:
        position: Index of the line in the card (the notes follow the card's order).
        group: Apple's item group (``item1``), lower case; empty when none.
        name: Property name, upper case.
        types: Lower-case TYPE values, 2.1 bare parameters (``TEL;WORK;VOICE``) included.
        params: Other parameters, upper-case names, quotes removed.
        value: The value decoded to text, escapes still in.
        legacy: A 2.1 (or quoted-printable) value: commas are literal, ``\\;`` is the
            only escape.
        binary: Base64 data, or a ``data:`` URI: never decoded to text.
    """

    position: int
    group: str
    name: str
    types: set[str]
    params: dict[str, str]
    value: str
    legacy: bool
    binary: bool = False

    @property
    def pref(self) -> bool:
        return "pref" in self.types or "PREF" in self.params

    def unescape(self, text: str) -> str:
        text = _NEWLINES.sub("\n", text)
        if self.legacy:
            return text.replace("\\;", ";")
        return _ESCAPE.sub(lambda match: "\n" if match[1] in "nN" else match[1], text)

    def text(self) -> str:
        """The whole value, unescaped and stripped; never cut at ``,`` or ``;``."""
        return self.unescape(self.value).strip()

    def parts(self, count: int = 0) -> list[str]:
        """Components of a structured value, padded to ``count``, each stripped."""
        parts = [self.unescape(part).strip() for part in _split_unescaped(self.value, ";")]
        return parts + [""] * (count - len(parts))

    def items(self) -> list[str]:
        """The values of a list property (``CATEGORIES:a,b``), empty ones left out."""
        separators = ",;" if self.legacy else ","
        found = (self.unescape(item).strip() for item in _split_unescaped(self.value, separators))
        return [item for item in found if item]


def _parse_params(raw_params: list[str]) -> tuple[set[str], dict[str, str], str, str]:
    """``(types, other params, charset, encoding)`` of a line's parameters."""
    types: set[str] = set()
    params: dict[str, str] = {}
    charset = encoding = ""
    for param in raw_params:
        key, equals, value = param.partition("=")
        key = key.strip().upper()
        value = value.strip().strip('"')
        if not equals:  # 2.1 bare parameter: TEL;WORK;VOICE, NOTE;QUOTED-PRINTABLE
            if key in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"):
                encoding = key
            elif key:
                types.add(key.lower())
        elif key == "CHARSET":
            charset = value
        elif key == "ENCODING":
            encoding = value.upper()
        elif key == "TYPE":
            types.update(part.strip().strip('"').lower() for part in value.split(",") if part)
        else:
            params.setdefault(key, value)
    return types, params, charset, encoding


def _base64_text(raw_value: bytes, charset: str) -> str | None:
    """A text property sent in base64 (seldom), or ``None`` when it holds binary data.

    Strict: the declared charset or UTF-8, no control character (a JPEG decodes in cp1252).
    """
    try:
        data = base64.b64decode(b"".join(raw_value.split()), validate=True)
        text = data.decode(charset or "utf-8")
    except (binascii.Error, ValueError, LookupError):  # UnicodeDecodeError is a ValueError
        return None
    return None if _CONTROL.search(text) else text


def _parse_line(line: bytes, version: str, position: int) -> _Property | None:
    """Turn one logical line into a property, or ``None`` for BEGIN/END/VERSION.

    Raises:
        CardError: the line has no ``:`` or its value does not decode.
    """
    colon = _colon(line)
    if colon < 0:
        raise CardError(BAD_CARD, f"ligne sans « : » : {line[:40]!r}")
    prefix, raw_value = line[:colon], line[colon + 1 :]
    try:  # quoted 4.0 parameter values (LABEL="…") may hold non-ASCII text
        head, *raw_params = (part.decode("utf-8") for part in _split_params(prefix))
    except UnicodeDecodeError as exc:
        raise CardError(ENCODING_ERROR, "paramètres illisibles en UTF-8") from exc
    group, _, name = head.strip().rpartition(".")  # Apple groups: item1.EMAIL
    name = name.upper()
    if not name or name in _FRAME:
        return None
    types, params, charset, encoding = _parse_params(raw_params)
    quoted_printable = encoding == "QUOTED-PRINTABLE"
    property_ = _Property(
        position, group.lower(), name, types, params, "", version == "2.1" or quoted_printable
    )
    if encoding in ("B", "BASE64"):
        property_.binary = bool(raw_value.strip())
        text = None if name in _BINARY else _base64_text(raw_value, charset)
        if text is None:
            return property_
        property_.binary = False
    elif raw_value.lstrip()[:5].lower() == b"data:":
        property_.binary = True
        return property_
    else:
        if quoted_printable:
            raw_value = quopri.decodestring(raw_value)
        text = _decode(raw_value, charset, version)
        if text is None:
            raise CardError(ENCODING_ERROR, f"{name} : valeur illisible en {charset or 'UTF-8'}")
    property_.value = text
    return property_


# -- labels ---------------------------------------------------------------------------------------


def _label_key(label: str) -> str:
    """``_$!<HomePage>!$_`` → ``homepage``; a free label folded (``Bureau`` → ``bureau``)."""
    match = _APPLE_LABEL.fullmatch(label.strip())
    return fold(match[1] if match else label)


def _qualifier(label: str) -> str:
    """A label as shown between parentheses: Apple's standard ones in French."""
    key = _label_key(label)
    if key in _QUALIFIERS:
        return _QUALIFIERS[key]
    match = _APPLE_LABEL.fullmatch(label.strip())
    return match[1] if match else label.strip()


def _line(label: str, value: str) -> str:
    """One line of the notes: « Libellé : valeur », a multi-line value on one line."""
    return f"{label} : {' / '.join(part.strip() for part in value.splitlines() if part.strip())}"


def _address_text(parts: list[str]) -> str:
    """An ADR as one line: ``12 rue X, 75001 Paris, France``."""
    box, extended, street, city, region, code, country = parts[:7]
    locality = " ".join(part for part in (code, city) if part)
    pieces = (box, extended, street, locality, region, country)
    return ", ".join(
        line.strip() for piece in pieces for line in piece.splitlines() if line.strip()
    )


def _words(*texts: str) -> set[str]:
    return {word for text in texts for word in _WORDS.findall(fold(text))}


# -- a card's properties to a record -------------------------------------------------------------

_PERSON_PHONE_KEYS: Final = {
    "work": "phone_work",
    "mobile": "phone_mobile",
    "home": "phone_home",
    "fax": "fax",
}
_PHONE_QUALIFIERS: Final = {
    "work": "travail",
    "mobile": "mobile",
    "home": "domicile",
    "fax": "travail",
    "home_fax": "domicile",
}
_ADDRESS_KEYS: Final = ("po_box", "complement", "street", "city", "", "postcode", "country")


@dataclass(slots=True)
class _Card:
    """A card being mapped: its properties, the record, the note lines and what was dropped."""

    properties: list[_Property]
    fields: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[int, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    company: bool = False

    def take(self, name: str) -> list[_Property]:
        """The properties called ``name`` with a value, removed from the card (read once)."""
        taken = [prop for prop in self.properties if prop.name == name]
        self.properties = [prop for prop in self.properties if prop.name != name]
        return [prop for prop in taken if prop.binary or prop.value.strip()]

    def note(self, prop: _Property, label: str, value: str) -> None:
        if value.strip():
            self.notes.append((prop.position, _line(label, value)))

    def label(self, prop: _Property) -> str:
        """The X-ABLabel of the property's item group, or ""."""
        return self.labels.get(prop.group, "") if prop.group else ""


def _by_pref(props: list[_Property]) -> list[_Property]:
    """Preferred values first (``TYPE=pref``, ``PREF=1``), file order otherwise."""
    return sorted(props, key=lambda prop: not prop.pref)


def _name_part(value: str) -> str:
    """A 3.0/4.0 N component that may be a comma list (``Richter,James``)."""
    return ", ".join(part.strip() for part in value.split(",") if part.strip())


def _map_names(card: _Card) -> None:
    """N, FN, ORG, TITLE, ROLE: the identity of the person or the organisation."""
    names = card.take("N")
    full_names = card.take("FN")
    orgs = card.take("ORG")
    n_prop = names[0] if names else None
    family, given, additional, prefix, suffix = (
        _name_part(part) if index > 1 else part
        for index, part in enumerate(n_prop.parts(5)[:5] if n_prop else [""] * 5)
    )
    org_parts = orgs[0].parts() if orgs else []
    organisation = org_parts[0] if org_parts else ""
    full_name = full_names[0].text() if full_names else ""
    has_name = bool(family or given)
    card.company = card.company or (
        not has_name and bool(organisation) and fold(full_name) in ("", fold(organisation))
    )
    if card.company:
        _map_company_names(card, n_prop, full_names[0] if full_names else None, organisation)
    else:
        card.fields.update(
            civility=prefix, last_name=family, first_name=given, organisation=organisation
        )
        if n_prop is not None:
            card.note(n_prop, "Deuxième prénom", additional)
            card.note(n_prop, "Suffixe", suffix)
        if has_name:
            known = _words(family, given, additional, prefix, suffix, organisation)
            if full_names and not _words(full_name) <= known:
                card.note(full_names[0], _LABELS["FN"], full_name)
        else:
            card.fields["full_name"] = full_name
    if orgs:
        card.note(orgs[0], "Service", ", ".join(part for part in org_parts[1:] if part))
    for extra in (*names[1:], *full_names[1:], *orgs[1:]):
        card.note(extra, _LABELS[extra.name], _composed(extra))
    _map_roles(card)


def _composed(prop: _Property) -> str:
    if prop.name == "N":
        family, given, additional, prefix, suffix = prop.parts(5)[:5]
        return " ".join(part for part in (prefix, given, additional, family, suffix) if part)
    if prop.name == "ORG":
        return ", ".join(part for part in prop.parts() if part)
    return prop.text()


def _map_company_names(
    card: _Card, n_prop: _Property | None, fn_prop: _Property | None, organisation: str
) -> None:
    """A company card: FN or ORG is the organisation; a person's name there is a note."""
    full_name = fn_prop.text() if fn_prop else ""
    card.fields["organisation"] = organisation or full_name
    if fn_prop is not None and organisation and fold(full_name) != fold(organisation):
        card.note(fn_prop, _LABELS["FN"], full_name)
    if n_prop is not None:
        card.note(n_prop, "Contact", _composed(n_prop))


def _map_roles(card: _Card) -> None:
    titles = card.take("TITLE")
    roles = card.take("ROLE")
    kept = [*titles, *roles]
    if not card.company and kept:
        card.fields["role"] = kept[0].text()
        kept = kept[1:]
    for prop in kept:
        if prop.text() != card.fields.get("role"):
            card.note(prop, _LABELS[prop.name], prop.text())


def _phone_class(prop: _Property, label: str) -> tuple[str, str]:
    """``(class, qualifier)``: class is work, mobile, home, fax, home_fax or other."""
    types = prop.types
    special = next((kind for kind in _SPECIAL_PHONE_TYPES if kind in types), "")
    if types & {"cell", "mobile", "iphone"}:
        kind = "mobile"
    elif "fax" in types:
        kind = "home_fax" if "home" in types else "fax"
    elif special:
        return "other", _QUALIFIERS[special]
    elif "home" in types:
        kind = "home"
    elif types & {"work", "main"} or not label:
        kind = "work"
    else:  # no decisive TYPE: Apple's or Google's label decides
        kind = _label_phone_class(label)
        if not kind:
            return "other", _qualifier(label)
    return kind, ""


def _label_phone_class(label: str) -> str:
    """Class of a phone from its label alone (``_$!<HomeFAX>!$_``, « Portable »), or ""."""
    key = _label_key(label)
    standard = {"homefax": "home_fax", "workfax": "fax", "otherfax": "fax", "other": "work"}
    if key in standard:
        return standard[key]
    words = set(_WORDS.findall(key.replace("_", " ")))
    for kind in ("mobile", "fax", "home", "work"):
        if words & set(_LABEL_WORDS[kind]):
            return "home_fax" if kind == "fax" and words & set(_LABEL_WORDS["home"]) else kind
    return ""


def _map_phones(card: _Card) -> None:
    """TEL: one number per key, by type; the others in the notes."""
    seen: set[str] = set()
    phones: list[tuple[_Property, str, str, str]] = []
    for prop in _by_pref(card.take("TEL")):
        number = prop.text().removeprefix("tel:").strip()
        if number and number not in seen:
            seen.add(number)
            kind, qualifier = _phone_class(prop, card.label(prop))
            phones.append((prop, number, kind, qualifier))
    org_phone = ""
    if card.company:  # one number for the organisation: a work line, else a mobile, else home
        for wanted in ("work", "mobile", "home"):
            org_phone = next((n for _, n, kind, _ in phones if kind == wanted), "")
            if org_phone:
                card.fields["org_phone"] = org_phone
                break
    counts: dict[str, int] = {}
    for prop, number, kind, qualifier in phones:
        counts[kind] = count = counts.get(kind, 0) + 1
        key = ("fax" if kind == "fax" else "") if card.company else _PERSON_PHONE_KEYS.get(kind)
        if kind != "other" and count == 1 and (key or number == org_phone):
            if key:
                card.fields[key] = number
            continue
        title = "Fax" if kind in ("fax", "home_fax") else "Téléphone"
        label = card.label(prop)  # Apple's or Google's own name for the line wins
        shown = _qualifier(label) if label else qualifier or _PHONE_QUALIFIERS[kind]
        if count > 1 and not label and kind != "other":
            shown = f"{shown} {count}"
        card.note(prop, f"{title} ({shown})", number)


def _map_emails(card: _Card) -> None:
    """EMAIL: the first one (preferred first) and the others, one per line."""
    emails: list[str] = []
    for prop in _by_pref(card.take("EMAIL")):
        email = prop.text().removeprefix("mailto:").strip()
        if email and email.lower() not in {known.lower() for known in emails}:
            emails.append(email)
    first, other = ("org_email", "org_emails_other") if card.company else ("email", "email_other")
    card.fields[first] = emails[0] if emails else ""
    card.fields[other] = "\n".join(emails[1:])


def _map_addresses(card: _Card) -> None:
    """ADR: a work address, a person's home address, the others in the notes."""
    addresses = [prop for prop in _by_pref(card.take("ADR")) if any(prop.parts(7))]
    labels = card.take("LABEL")  # formatted from the ADR: kept only when no ADR is there
    if not addresses:
        for prop in labels:
            card.note(prop, _LABELS["LABEL"], ", ".join(prop.text().splitlines()))
        return

    def is_home(prop: _Property) -> bool:
        return "home" in prop.types or _label_key(card.label(prop)) == "home"

    home = None if card.company else next((p for p in addresses if is_home(p)), None)
    work = next((p for p in addresses if "work" in p.types), None) or next(
        (p for p in addresses if p is not home and not is_home(p)), None
    )
    if card.company and work is None:
        work = addresses[0]
    for chosen, prefix in ((work, ""), (home, "home_")):
        if chosen is None:
            continue
        parts = chosen.parts(7)
        for key, value in zip(_ADDRESS_KEYS, parts, strict=False):
            if key:
                card.fields[prefix + key] = value
        card.note(chosen, "Région (domicile)" if prefix else "Région", parts[4])
    for prop in addresses:
        if prop is work or prop is home:
            continue
        label = card.label(prop)
        qualifier = (
            _qualifier(label)
            if label
            else ("travail" if "work" in prop.types else "domicile" if is_home(prop) else "")
        )
        title = f"Autre adresse ({qualifier})" if qualifier else "Autre adresse"
        card.note(prop, title, _address_text(prop.parts(7)))


def _map_urls(card: _Card) -> None:
    """URL: the first one is the website; the others in the notes, « Site (2) »."""
    seen: set[str] = set()
    rank = 1
    for prop in _by_pref(card.take("URL")):
        url = prop.text()
        if not url or url in seen:
            continue
        seen.add(url)
        if not card.fields.get("website"):
            card.fields["website"] = url
            continue
        rank += 1
        label = card.label(prop)
        card.note(prop, f"Site ({_qualifier(label) if label else rank})", url)


def _related_label(prop: _Property, label: str) -> str:
    """Label of a related name or date: Apple's ``_$!<Spouse>!$_``, 4.0's TYPE=spouse."""
    for key in (_label_key(label), *sorted(prop.types)):
        if key in _NAMED_LABELS:
            return _NAMED_LABELS[key]
    base = _LABELS[prop.name]
    return f"{base} ({_qualifier(label)})" if label else base


def _impp(prop: _Property, value: str) -> tuple[str, str]:
    """IMPP ``xmpp:jo@x.org`` → ``("Jabber", "jo@x.org")``; Apple's X-SERVICE-TYPE wins."""
    scheme, colon, handle = value.partition(":")
    service = _IM_SCHEMES.get(scheme.lower()) if colon else None
    if service is not None:
        value = handle
    service = prop.params.get("X-SERVICE-TYPE") or service
    return (service or _LABELS["IMPP"]), value


def _android_custom(parts: list[str]) -> tuple[str, str]:
    """Android's ``X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname;Jo;1;…``."""
    kind = parts[0].rsplit("/", 1)[-1]
    known = {"nickname": "Surnom", "relation": "Relation", "contact_event": "Date"}
    return known.get(kind, f"Android ({kind})"), parts[1] if len(parts) > 1 else ""


def _gender(prop: _Property) -> str:
    sex, identity = prop.parts(2)[:2]
    return ", ".join(part for part in (_SEXES.get(sex.upper(), sex), identity) if part)


def _date(prop: _Property) -> str:
    """A BDAY or anniversary as written; Apple's year-less date (1604-03-15) as --03-15."""
    value = prop.text()
    omitted = prop.params.get("X-APPLE-OMIT-YEAR", "")
    return "-" + value[len(omitted) :] if omitted and value.startswith(omitted) else value


def _social_label(prop: _Property) -> str:
    """Apple's ``X-SOCIALPROFILE;type=twitter:…`` → « Profil (twitter) »."""
    network = next((kind for kind in sorted(prop.types) if kind != "pref"), "")
    return f"Profil ({network})" if network else _LABELS[prop.name]


def _note_value(prop: _Property, label: str) -> tuple[str, str]:
    """``(label, value)`` of a property kept in the notes."""
    name = prop.name
    base = _LABELS.get(name, name)
    title = f"{base} ({_qualifier(label)})" if label else base
    value = prop.text()
    if name in ("RELATED", "X-ABRELATEDNAMES", "X-ABDATE"):
        title = _related_label(prop, label)
    elif name == "IMPP":
        title, value = _impp(prop, value)
    elif name == "X-ANDROID-CUSTOM":
        title, value = _android_custom(prop.parts())
    elif name == "X-SOCIALPROFILE":
        title = _social_label(prop)
    elif name == "X-MS-TEL":  # Outlook's callback, radio… numbers: X-MS-TEL;VOICE;CALLBACK
        kinds = [_QUALIFIERS[kind] for kind in sorted(prop.types) if kind in _QUALIFIERS]
        title = f"{base} ({', '.join(kinds)})" if kinds else title
    elif name == "NICKNAME":
        value = ", ".join(prop.items())
    elif name == "GENDER":
        value = _gender(prop)
    elif name == "GEO":
        value = value.removeprefix("geo:").replace(";", ",")
    elif name == "BDAY" or "ANNIVERSARY" in name:
        value = _date(prop)
    return title, value


def _map_leftovers(card: _Card) -> None:
    """Every property not read into a field: the notes, or dropped with a warning."""
    for prop in card.properties:
        if prop.name in METADATA:
            continue
        if prop.binary:
            card.dropped.append(_LABELS.get(prop.name, prop.name))
            continue
        label, value = _note_value(prop, card.label(prop))
        card.note(prop, label, value)


def _map_card(properties: list[_Property]) -> tuple[dict[str, str], list[str]]:
    """Flatten a card's properties into :data:`VCARD_FIELDS`, and what was dropped.

    Raises:
        CardError: the card is a contact group.
    """
    card = _Card(properties)
    kind = next((prop.text().lower() for prop in card.take("KIND")), "")
    apple = {prop.name: prop.text().lower() for prop in properties if prop.name in METADATA}
    if "group" in (kind, apple.get("X-ADDRESSBOOKSERVER-KIND")):
        name = next((prop.text() for prop in properties if prop.name == "FN"), "")
        raise CardError(GROUP_CARD, f"liste de contacts « {name} », pas un contact : non importée")
    card.company = kind == "org" or apple.get("X-ABSHOWAS") == "company"
    for prop in card.take("X-ABLABEL"):
        if prop.group:
            card.labels[prop.group] = prop.text()
    _map_names(card)
    _map_phones(card)
    _map_emails(card)
    _map_addresses(card)
    _map_urls(card)
    note_text = "\n".join(prop.text() for prop in card.take("NOTE"))
    categories = [
        item
        for prop in card.take("CATEGORIES")
        for item in prop.items()
        if fold(item) not in _SYSTEM_GROUPS
    ]
    card.fields["categories"] = "; ".join(categories)  # the tag separator of clean.py
    _map_leftovers(card)
    lines = [text for _, text in sorted(card.notes, key=lambda note: note[0])]
    card.fields["notes"] = "\n".join(text for text in (note_text, *lines) if text)
    record = {key: card.fields.get(key, "") for key in VCARD_FIELDS}
    return record, list(dict.fromkeys(card.dropped))


def parse_card(lines: list[bytes]) -> tuple[dict[str, str], list[str]]:
    """Parse the physical lines between BEGIN and END of one card.

    Returns:
        The record's fields (keys of :data:`VCARD_FIELDS`), and the French labels of
        the values dropped (embedded photos, binary data).

    Raises:
        CardError: the card cannot be decoded, or is a contact group.
    """
    version = _version(lines)
    properties = [
        prop
        for position, line in enumerate(unfold(lines, version))
        if (prop := _parse_line(line, version, position)) is not None
    ]
    return _map_card(properties)


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

    A card kept without some of its values is preceded by a ``value_dropped`` warning
    naming them. The locator is ``fiche N (ligne L)``: N counts cards from 1, L is the
    line of its ``BEGIN:VCARD``.
    """
    for index, (line, lines) in enumerate(_split_cards(data), start=1):
        locator = f"fiche {index} (ligne {line})"
        if lines is None:
            yield ReadIssue(locator, BAD_CARD, "fiche sans END:VCARD")
            continue
        try:
            fields, dropped = parse_card(lines)
        except CardError as exc:
            yield ReadIssue(locator, exc.reason, exc.detail)
            continue
        if dropped:
            detail = (
                f"non repris : {', '.join(dropped)} (image ou fichier intégré à la fiche) ;"
                " le reste de la fiche est importé"
            )
            yield ReadIssue(locator, VALUE_DROPPED, detail, "warning")
        yield RawRecord(locator, fields)


def read_vcards(data: bytes) -> ReadResult:
    """Read every card of a vCard file's bytes into one result.

    Args:
        data: The file content; charsets are declared per property.

    Returns:
        One record per readable card, keyed by :data:`VCARD_FIELDS`, one issue per card
        that failed and one warning per card kept without some of its values.
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
