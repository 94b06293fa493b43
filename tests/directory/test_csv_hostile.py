"""Hostile CSV files: UTF-16 without a byte-order mark, binary garbage renamed ``.csv``."""

from __future__ import annotations

import json
import random
import re
import zipfile
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.directory.csv_reader import read_csv
from microcrm.directory.importer import import_files
from microcrm.errors import ValidationError
from microcrm.models import Organisation
from tests.helpers import run_cli

TEXT = (
    "Raison sociale;Adresse;CP;Ville;Téléphone\r\n"
    "Boulangerie Lefèvre;3 rue de l'Église;35000;Rennes;02 99 00 00 01\r\n"
    "Garage Ça Roule;12 avenue Foch;33000;Bordeaux;05 56 00 00 02\r\n"
    "Crêperie Œuvre;1 quai Duguay-Trouin;35400;Saint-Malo;02 99 40 00 03\r\n"
)
NAMES = ["Boulangerie Lefèvre", "Garage Ça Roule", "Crêperie Œuvre"]
NOT_TEXT = "n'est pas un fichier texte (CSV) lisible"
NOT_TEXT_RE = re.escape(NOT_TEXT)


def _garbage(path: Path) -> Path:
    path.write_bytes(random.Random(13).randbytes(20_000))
    return path


def _workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:  # an .xlsx renamed .csv
        archive.writestr("[Content_Types].xml", "<Types/>" * 200)
        archive.writestr("xl/sharedStrings.xml", "<sst>Raison sociale</sst>")
    return path


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_bom_is_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(TEXT.encode(codec))
    result = read_csv(path)
    assert result.encoding == "utf-16"
    assert result.delimiter == ";"
    assert [r.fields["Raison sociale"] for r in result.records] == NAMES
    assert {r.fields["Ville"] for r in result.records} == {"Rennes", "Bordeaux", "Saint-Malo"}
    assert not result.issues


def test_utf16_without_bom_beyond_latin_is_read(tmp_path: Path) -> None:
    path = tmp_path / "noms.csv"
    path.write_bytes(("Nom;Ville\n" + "Łódź Ĉafé;Kraków\n" * 3).encode("utf-16-le"))
    result = read_csv(path)
    assert [r.fields["Nom"] for r in result.records] == ["Łódź Ĉafé"] * 3


@pytest.mark.parametrize("make", [_garbage, _workbook])
def test_binary_files_are_refused_in_french(tmp_path: Path, make: object) -> None:
    path = make(tmp_path / "fichier\x1b[2J.csv")  # type: ignore[operator]
    with pytest.raises(ValidationError, match=NOT_TEXT_RE) as err:
        read_csv(path)
    assert "\x1b" not in err.value.message  # the name is echoed without its control characters
    assert "fichier?[2J.csv" in err.value.message


def test_control_characters_without_nul_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bruit.csv"
    path.write_bytes(bytes(range(1, 32)) * 40 + b"a;b\n")
    with pytest.raises(ValidationError, match=NOT_TEXT_RE):
        read_csv(path)


def test_ordinary_files_are_still_text(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    # a tab-separated file, a DOS end-of-file mark, a form feed, Windows-1252 accents
    path.write_bytes(("Nom\tVille\r\nCafé\tParis\r\n\x0c\r\n").encode("cp1252") + b"\x1a")
    result = read_csv(path)
    assert result.encoding == "cp1252"
    assert result.records[0].fields == {"Nom": "Café", "Ville": "Paris"}
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    assert read_csv(empty).records == []


def test_import_files_imports_utf16_without_bom_and_refuses_garbage(
    sqlite_db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(TEXT.encode("utf-16-le"))
    report = import_files(sqlite_db, [path])
    (entry,) = report.to_dict()["files"]
    assert entry["organisations_created"] == 3
    with sqlite_db.read() as session:
        assert {o.name for o in session.query(Organisation)} == set(NAMES)
    with pytest.raises(ValidationError, match=NOT_TEXT_RE):
        import_files(sqlite_db, [_garbage(tmp_path / "garbage.csv")])


def test_cli_imports_utf16_without_bom_and_refuses_garbage_with_exit_1(tmp_path: Path) -> None:
    db = str(tmp_path / "crm.sqlite")
    path = tmp_path / "export.csv"
    path.write_bytes(TEXT.encode("utf-16-be"))
    done = run_cli("--db", db, "import", str(path))
    assert done.returncode == 0, done.stderr
    exported = run_cli("--db", db, "export", "organisations", "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    names = {json.loads(line)["name"] for line in exported.stdout.splitlines() if line.strip()}
    assert names == set(NAMES)
    for bad in (_garbage(tmp_path / "garbage.csv"), _workbook(tmp_path / "classeur.csv")):
        refused = run_cli("--db", db, "import", str(bad))
        assert refused.returncode == 1
        assert NOT_TEXT in refused.stderr
        assert "Traceback" not in refused.stderr
