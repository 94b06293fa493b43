"""vCard reader: 2.1 quoted-printable/ISO-8859-1, 3.0 folding, 4.0, broken cards."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from microcrm.directory.records import ENCODING_ERROR, RawRecord
from microcrm.directory.vcard_reader import (
    BAD_CARD,
    VALUE_DROPPED,
    VCARD_FIELDS,
    read_vcard_file,
    read_vcards,
    unfold,
)

CRLF = "\r\n"


def qp_encode(data: bytes, soft_break_at: int = 20) -> str:
    """Quoted-printable encode everything non-alphanumeric, with soft breaks."""
    out = "".join(
        chr(b) if b < 0x80 and (chr(b).isalnum() or chr(b) in " '") else f"={b:02X}" for b in data
    )
    chunks: list[str] = []
    while len(out) > soft_break_at:
        cut = soft_break_at
        while "=" in out[cut - 2 : cut]:  # never split an =XX escape
            cut -= 1
        chunks.append(out[:cut])
        out = out[cut:]
    chunks.append(out)
    return ("=" + CRLF).join(chunks)


def fold(line: str, width: int = 75) -> str:
    """Fold a 3.0 content line at ``width`` octets (RFC 2426 §2.6)."""
    raw = line.encode()
    parts: list[bytes] = []
    while len(raw) > width:
        cut = width
        while cut and (raw[cut] & 0xC0) == 0x80:  # stay on a character boundary
            cut -= 1
        parts.append(raw[:cut])
        raw = raw[cut:]
        width = 74
    parts.append(raw)
    return (CRLF + " ").join(p.decode() for p in parts)


def card_21(last: str, first: str, street: str, note: str, city: str) -> bytes:
    """A 2.1 card as old phones / Outlook write it: ISO-8859-1 and QP."""
    latin = "ISO-8859-1"
    lines = [
        "BEGIN:VCARD",
        "VERSION:2.1",
        f"N;CHARSET={latin};ENCODING=QUOTED-PRINTABLE:"
        + qp_encode(f"{last};{first};;M.;".encode("latin-1")),
        f"FN;CHARSET={latin}:" + f"{first} {last}",
        "ORG:Boulangerie Martin, Fils;Vente",
        "TITLE;CHARSET=ISO-8859-1:G\xe9rant",
        "TEL;WORK;VOICE:01 42 68 53 00",
        "TEL;CELL;VOICE:06 12 34 56 78",
        "TEL;HOME:04 72 00 00 00",
        "EMAIL;PREF;INTERNET:contact@martin.example",
        f"ADR;WORK;CHARSET={latin};ENCODING=QUOTED-PRINTABLE:"
        + qp_encode(f";;{street};{city};;75002;France".encode("latin-1")),
        f"NOTE;CHARSET={latin};ENCODING=QUOTED-PRINTABLE:" + qp_encode(note.encode("latin-1")),
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:",
        " /9j/4AAQSkZJRgABAQ",
        " AAAAAAAAAA==",
        "",
        "END:VCARD",
    ]
    return (CRLF.join(lines) + CRLF).encode("latin-1")


def card_30(last: str, first: str, note: str) -> bytes:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{last};{first};;;",
        f"FN:{first} {last}",
        "ORG:Société Générale d'Études\\, Conseil;Direction",
        "item1.EMAIL;TYPE=INTERNET,WORK:paul@etudes.example",
        "item1.X-ABLabel:_$!<Work>!$_",
        "EMAIL;TYPE=INTERNET,HOME:paul@maison.example",
        "TEL;TYPE=WORK,VOICE:+33 1 42 00 00 00",
        "TEL;TYPE=CELL:+33 6 00 00 00 01",
        "ADR;TYPE=HOME:;;1 rue du Foyer;Lyon;;69001;France",
        "ADR;TYPE=WORK:BP 12;Bâtiment B;5\\, place Bellecour;Lyon;;69002;France",
        "URL:https://etudes.example/",
        fold("NOTE:" + note),
        "END:VCARD",
    ]
    return (CRLF.join(lines) + CRLF).encode()


def card_40() -> bytes:
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:org",
        "FN:Ébénisterie Dupré",
        'TEL;VALUE=uri;TYPE="work,voice":tel:+33-1-45-00-00-00',
        'ADR;LABEL="3, allée des Chênes: atelier";TYPE=work:;;3 allée des Chênes;Nantes;;44000;France',
        "EMAIL:atelier@dupre.example",
        "END:VCARD",
    ]
    return (CRLF.join(lines) + CRLF).encode()


@pytest.fixture
def vcf_file(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A seeded file: one card of each version, plus broken cards in between."""
    rng = random.Random(20261124)
    last = rng.choice(["Lefèvre", "Bérénice", "Œuvray"]).replace("Œ", "O")
    first = rng.choice(["Hélène", "Jérôme", "Anaïs"])
    street = f"{rng.randint(1, 99)}, rue de l'Église"
    note = "Client fidèle, très bon payeur;" + CRLF + " relancer en février"
    long_note = "Rappeler après la réunion\\, " + "détail " * rng.randint(15, 25) + "fin"
    data = (
        card_21(last, first, street, note, "Paris")
        + card_30("Martin", "Paul", long_note)
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Caf\xe9 mal encod\xe9\r\nEND:VCARD\r\n"
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN sans deux-points\r\nEND:VCARD\r\n"
        + card_40()
    )
    path = tmp_path / "contacts.vcf"
    path.write_bytes(data)
    expected = {"last": last, "first": first, "street": street, "note": note}
    return path, expected


def test_reads_each_version_and_reports_broken_cards(
    vcf_file: tuple[Path, dict[str, str]],
) -> None:
    path, expected = vcf_file
    result = read_vcard_file(path)

    assert result.headers == list(VCARD_FIELDS)
    begins = [
        n for n, line in enumerate(path.read_bytes().splitlines(), 1) if line == b"BEGIN:VCARD"
    ]
    assert [r.locator for r in result.records] == [
        f"fiche 1 (ligne {begins[0]})",
        f"fiche 2 (ligne {begins[1]})",
        f"fiche 5 (ligne {begins[4]})",
    ]
    assert [(i.locator, i.reason) for i in result.issues] == [
        (f"fiche 1 (ligne {begins[0]})", VALUE_DROPPED),  # its PHOTO: reported, not silent
        (f"fiche 3 (ligne {begins[2]})", ENCODING_ERROR),
        (f"fiche 4 (ligne {begins[3]})", BAD_CARD),
    ]
    assert all(set(r.fields) == set(VCARD_FIELDS) for r in result.records)

    v21 = result.records[0].fields
    assert v21["last_name"] == expected["last"]
    assert v21["first_name"] == expected["first"]
    assert v21["civility"] == "M."
    assert v21["full_name"] == ""  # N holds the name; FN adds nothing to it
    assert v21["organisation"] == "Boulangerie Martin, Fils"  # 2.1 commas are literal
    assert v21["role"] == "Gérant"
    assert v21["phone_work"] == "01 42 68 53 00"
    assert v21["phone_mobile"] == "06 12 34 56 78"
    assert v21["phone_home"] == "04 72 00 00 00"
    assert v21["email"] == "contact@martin.example"
    assert v21["street"] == expected["street"]
    assert v21["postcode"] == "75002"
    assert v21["city"] == "Paris"
    assert v21["country"] == "France"
    assert v21["notes"] == expected["note"].replace(CRLF, "\n") + "\nService : Vente"

    v30 = result.records[1].fields
    assert v30["last_name"] == "Martin"
    assert v30["organisation"] == "Société Générale d'Études, Conseil"
    assert v30["email"] == "paul@etudes.example"
    assert v30["email_other"] == "paul@maison.example"
    assert v30["phone_work"] == "+33 1 42 00 00 00"
    assert v30["phone_mobile"] == "+33 6 00 00 00 01"
    assert v30["street"] == "5, place Bellecour"  # the WORK address wins
    assert v30["complement"] == "Bâtiment B"
    assert v30["po_box"] == "BP 12"
    assert v30["postcode"] == "69002"
    assert (v30["home_street"], v30["home_postcode"], v30["home_city"]) == (
        "1 rue du Foyer",
        "69001",
        "Lyon",
    )
    assert v30["website"] == "https://etudes.example/"
    assert v30["notes"].startswith("Rappeler après la réunion, détail ")
    assert v30["notes"].endswith("détail fin\nService : Direction")

    v40 = result.records[2].fields
    assert v40["organisation"] == "Ébénisterie Dupré"
    assert v40["last_name"] == ""
    assert v40["org_phone"] == "+33-1-45-00-00-00"  # a company card's numbers are its own
    assert v40["phone_work"] == ""
    assert v40["street"] == "3 allée des Chênes"
    assert v40["city"] == "Nantes"
    assert v40["org_email"] == "atelier@dupre.example"
    assert v40["email"] == ""


def test_folded_fixture_really_is_folded() -> None:
    data = card_30("Martin", "Paul", "x" * 200)
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert data.count(b"\r\n ") >= 2


def test_qp_soft_break_takes_next_line_verbatim() -> None:
    lines = [b"NOTE;ENCODING=QUOTED-PRINTABLE:ab=", b" cd", b"TEL:1"]
    assert unfold(lines, "2.1") == [b"NOTE;ENCODING=QUOTED-PRINTABLE:ab cd", b"TEL:1"]
    assert unfold([b"NOTE:ab", b" cd"], "3.0") == [b"NOTE:abcd"]


def test_undeclared_21_charset_falls_back_to_cp1252() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Fran\xe7ois;L\xe9a\r\nNOTE:prix 5 \x80\r\nEND:VCARD\r\n"
    )
    result = read_vcards(data)
    assert result.issues == []
    fields = result.records[0].fields
    assert (fields["last_name"], fields["first_name"], fields["notes"]) == (
        "François",
        "Léa",
        "prix 5 €",
    )


def test_unknown_charset_and_missing_end_are_issues_and_reading_goes_on() -> None:
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=X-NOPE:a\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jean\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xc3\xa9\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dernier\r\n"
    )
    result = read_vcards(data)
    assert [(i.locator, i.reason) for i in result.issues] == [
        ("fiche 1 (ligne 1)", ENCODING_ERROR),
        ("fiche 2 (ligne 5)", BAD_CARD),
        ("fiche 4 (ligne 12)", BAD_CARD),
    ]
    assert result.records == [
        RawRecord(
            "fiche 3 (ligne 8)",
            {**dict.fromkeys(VCARD_FIELDS, ""), "full_name": "Zoé"},
        )
    ]


def test_large_photo_and_quoted_parameters_stay_fast() -> None:
    photo = [b"PHOTO;ENCODING=BASE64;TYPE=JPEG:"] + [b" " + b"A" * 72] * 5000 + [b""]
    data = b"\r\n".join(
        [
            b"BEGIN:VCARD",
            b"VERSION:2.1",
            *photo,
            b"N:Dupont;Jean",
            b"END:VCARD",
            b"BEGIN:VCARD",
            b"VERSION:4.0",
            'ADR;LABEL="1; rue: \u00e9";TYPE=work:;;1 rue X;Caen;;14000;France'.encode(),
            b"END:VCARD",
            b"",
        ]
    )
    start = time.perf_counter()
    result = read_vcards(data)
    assert time.perf_counter() - start < 2
    assert [(i.locator, i.reason, i.severity) for i in result.issues] == [
        ("fiche 1 (ligne 1)", VALUE_DROPPED, "warning")  # the photo is reported as dropped
    ]
    assert result.records[0].fields["last_name"] == "Dupont"
    assert result.records[1].fields["city"] == "Caen"
