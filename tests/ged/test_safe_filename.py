"""``safe_filename``: names exported or filed from outside are safe on Windows and on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.ged.service import Ged, safe_filename
from tests.helpers import add_organisation


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("CON.txt", "CON_.txt"),
        ("nul", "nul_"),
        ("COM1.pdf", "COM1_.pdf"),
        ("LPT9", "LPT9_"),
        ("lpt¹.doc", "lpt¹_.doc"),
        ("Aux.tar.gz", "Aux_.tar.gz"),
        ("prn .txt", "prn_.txt"),  # Windows ignores the space: still the printer
        ("CONSOLE.txt", "CONSOLE.txt"),  # not a device
        ("COM10.pdf", "COM10.pdf"),
        ("Facture CON.pdf", "Facture CON.pdf"),
        ("devis\nmars\r.pdf", "devis_mars_.pdf"),
        ("rapport\x1b[2J\x07.txt", "rapport_[2J_.txt"),
        ("photo\x7f\x85.jpg", "photo__.jpg"),
        ("Facture\u202efdp.exe", "Facture_fdp.exe"),  # a right-to-left override hides .exe
        ("a\u200bb.txt", "a_b.txt"),  # zero-width space
        ("Devis\u00a0n°\u202f3.pdf", "Devis\u00a0n°\u202f3.pdf"),  # French spaces are kept
        ('a<b>:c"d|e?f*.txt', "a_b__c_d_e_f_.txt"),
        ("C:\\Users\\moi\\CON.txt", "CON_.txt"),
        ("../../etc/passwd", "passwd"),
        ("  rapport.  ", "rapport"),
        ("..", "document"),
        ("\x00\x01", "__"),
        ("", "document"),
        ("Réunion d'équipe.docx", "Réunion d'équipe.docx"),
    ],
)
def test_safe_filename(given: str, expected: str) -> None:
    assert safe_filename(given) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_filename("x" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith("x.pdf")
    assert len(safe_filename("y" * 300)) == 200
    assert safe_filename("CON" + "." + "z" * 300).startswith("CON_.")


def test_export_copy_of_hostile_names(ged: Ged, sqlite_db: Database, tmp_path: Path) -> None:
    org = add_organisation(sqlite_db, "Garage Lefèvre")
    folder = tmp_path / "reçus"
    folder.mkdir()
    exported = []
    for name, content in (("CON.txt", "console"), ("relevé\x1b[31m\n.txt", "relevé")):
        path = folder / name
        path.write_text(content, encoding="utf-8")
        (result,) = ged.add_files([path], organisation_id=org)
        exported.append(ged.export_copy(result.document_id, tmp_path / "out"))
    assert [p.name for p in exported] == ["CON_.txt", "relevé_[31m_.txt"]
    assert exported[0].read_text(encoding="utf-8") == "console"
    filed = ged.add_bytes(b"nul", "NUL", organisation_id=org)
    assert ged.document(filed.document_id).filename == "NUL_"
