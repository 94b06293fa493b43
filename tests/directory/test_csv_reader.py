"""Tests of microcrm.directory.csv_reader on generated files, one per pitfall."""

from __future__ import annotations

import codecs
import csv
import gc
import random
import tracemalloc
import warnings
from collections.abc import Generator
from pathlib import Path

import pytest

from microcrm.directory import csv_reader
from microcrm.directory.csv_reader import open_csv, read_csv
from microcrm.directory.records import (
    ENCODING_ERROR,
    ENCODING_REPAIRED,
    MALFORMED_ROW,
    TOO_MANY_FIELDS,
    RawRecord,
    is_header_row,
)


def write(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding))
    return path


def test_plain_utf8_semicolon(tmp_path: Path) -> None:
    path = write(
        tmp_path / "kompass.csv",
        [
            "Raison sociale;Adresse;CP;Ville;SIRET",
            "Boulangerie Œuvre;12, rue de l'Église;01000;Bourg-en-Bresse;73282932000074",
            "Café “Le Zinc”;3 place du Marché;75008;Paris;",
        ],
    )
    result = read_csv(path)
    assert result.encoding == "utf-8"
    assert result.delimiter == ";"
    assert result.headers == ["Raison sociale", "Adresse", "CP", "Ville", "SIRET"]
    assert result.records[0] == RawRecord(
        "ligne 2",
        {
            "Raison sociale": "Boulangerie Œuvre",
            "Adresse": "12, rue de l'Église",
            "CP": "01000",
            "Ville": "Bourg-en-Bresse",
            "SIRET": "73282932000074",
        },
    )
    assert result.records[1].fields["Raison sociale"] == "Café “Le Zinc”"
    assert result.issues == []


def test_google_export_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "google.csv"
    body = (
        "First Name,Last Name,Labels,E-mail 1 - Value\r\n"
        "Hélène,Dupré,* myContacts ::: Clients,helene@example.fr\r\n"
    )
    path.write_bytes(codecs.BOM_UTF8 + body.encode("utf-8"))
    result = read_csv(path)
    assert result.encoding == "utf-8-sig"
    assert result.delimiter == ","
    assert result.headers[0] == "First Name"
    assert result.records[0].fields["Labels"] == "* myContacts ::: Clients"
    assert result.records[0].fields["First Name"] == "Hélène"


def test_outlook_cp1252_all_quoted_duplicate_title(tmp_path: Path) -> None:
    header = ["Titre", "Prénom", "Nom", "Société", "Titre", "Catégories", "Notes"]
    row = ["M.", "Jérôme", "Lœb", "Société d’Études", "Gérant", "Clients;VIP", "CA 12 000 €"]
    path = write(
        tmp_path / "outlook.csv",
        [",".join(f'"{cell}"' for cell in header), ",".join(f'"{cell}"' for cell in row)],
        encoding="cp1252",
    )
    result = read_csv(path)
    assert result.encoding == "cp1252"
    assert result.delimiter == ","
    assert result.headers == [
        "Titre",
        "Prénom",
        "Nom",
        "Société",
        "Titre (2)",
        "Catégories",
        "Notes",
    ]
    fields = result.records[0].fields
    assert fields["Titre"] == "M."
    assert fields["Titre (2)"] == "Gérant"
    assert fields["Nom"] == "Lœb"
    assert fields["Société"] == "Société d’Études"
    assert fields["Catégories"] == "Clients;VIP"
    assert fields["Notes"] == "CA 12 000 €"
    assert result.issues == []
    assert result.repaired_lines == []


def test_mixed_utf8_and_cp1252_lines_are_repaired(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "Société;Ville\r\n".encode()
        + "Crème & Co;Orléans\r\n".encode()
        + "Pâtisserie Noël;Besançon\r\n".encode("cp1252")
        + "Forêt SARL;Nîmes\r\n".encode()
    )
    result = read_csv(path)
    assert result.encoding == "utf-8"
    assert [r.fields["Société"] for r in result.records] == [
        "Crème & Co",
        "Pâtisserie Noël",
        "Forêt SARL",
    ]
    assert result.repaired_lines == [3]
    assert len(result.issues) == 1
    issue = result.issues[0]
    assert (issue.locator, issue.reason, issue.severity) == (
        "ligne 3",
        ENCODING_REPAIRED,
        "warning",
    )
    assert result.rejected == []
    assert all("\ufffd" not in v for r in result.records for v in r.fields.values())


def test_mostly_cp1252_file_repairs_its_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "mostly1252.csv"
    path.write_bytes(
        "Société;Ville\r\n".encode("cp1252")
        + "Crème;Orléans\r\n".encode("cp1252")
        + "Noël;Besançon\r\n".encode("cp1252")
        + "Forêt;Nîmes\r\n".encode()
    )
    result = read_csv(path)
    assert result.encoding == "cp1252"
    assert result.headers == ["Société", "Ville"]
    assert result.repaired_lines == [4]
    assert result.records[2].fields == {"Société": "Forêt", "Ville": "Nîmes"}


def test_undecodable_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"Nom;Ville\r\n" + b"Bad\x81\xe9;Lyon\r\n" + b"Dupont;Lyon\r\n")
    result = read_csv(path)
    assert [r.fields["Nom"] for r in result.records] == ["Dupont"]
    assert len(result.rejected) == 1
    assert result.rejected[0].locator == "ligne 2"
    assert result.rejected[0].reason == ENCODING_ERROR


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "semicolon"), (",", "comma"), ("\t", "tab"), ("|", "pipe")]
)
def test_delimiter_detection(tmp_path: Path, delimiter: str, name: str) -> None:
    rows = [
        ["Société", "Adresse", "Ville"],
        ["Durand", "1 rue Haute", "Lyon"],
        ["Martin", "", "Nice"],
    ]
    path = write(tmp_path / f"{name}.txt", [delimiter.join(row) for row in rows])
    result = read_csv(path)
    assert result.delimiter == delimiter
    assert result.records[1].fields == {"Société": "Martin", "Adresse": "", "Ville": "Nice"}


def test_semicolon_file_with_commas_in_values(tmp_path: Path) -> None:
    path = write(
        tmp_path / "excel-fr.csv",
        [
            "Société;Adresse;CA",
            "Durand, Fils et Cie;12, rue Haute, bât. B;1234,50",
            "Martin;1 place, nord;12,5",
            "Petit;3 rue Basse;7",
        ],
    )
    result = read_csv(path)
    assert result.delimiter == ";"
    assert result.records[0].fields["CA"] == "1234,50"


@pytest.mark.parametrize("delimiter", ["|", "\t"])
def test_sep_line_is_honoured(tmp_path: Path, delimiter: str) -> None:
    path = write(
        tmp_path / "sep.csv",
        [f"SEP={delimiter}", f"Nom;Prénom{delimiter}Ville", f"A;B{delimiter}Lyon"],
    )
    result = read_csv(path)
    assert result.delimiter == delimiter
    assert result.headers == ["Nom;Prénom", "Ville"]
    assert result.records[0] == RawRecord("ligne 3", {"Nom;Prénom": "A;B", "Ville": "Lyon"})


def test_title_lines_above_header_are_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "titled.csv",
        [
            "Extraction CCI du 12/03/2024;;;",
            ";;;",
            "Raison sociale;CP;Ville;Téléphone",
            "Durand;69001;Lyon;0472000000",
        ],
    )
    source = open_csv(path)
    assert source.header_line == 3
    assert source.headers == ["Raison sociale", "CP", "Ville", "Téléphone"]
    records = list(source)
    assert records == [
        RawRecord(
            "ligne 4",
            {"Raison sociale": "Durand", "CP": "69001", "Ville": "Lyon", "Téléphone": "0472000000"},
        )
    ]


def test_quoted_line_breaks_keep_the_start_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "multiline.csv",
        [
            "Nom;Notes;Ville",
            'Durand;"Première ligne',
            "deuxième ligne",
            'troisième";Lyon',
            'Martin;"a;b";Nice',
        ],
    )
    result = read_csv(path)
    assert [r.locator for r in result.records] == ["ligne 2", "ligne 5"]
    assert result.records[0].fields["Notes"] == "Première ligne\r\ndeuxième ligne\r\ntroisième"
    assert result.records[1].fields["Notes"] == "a;b"


def test_ragged_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ragged.csv",
        [
            "Nom;Prénom;Ville",
            "Durand;Jean",
            "Martin;Anne;Nice;en trop",
            "Petit;Luc;Lyon;;",
        ],
    )
    result = read_csv(path)
    assert [r.locator for r in result.records] == ["ligne 2", "ligne 4"]
    assert result.records[0].fields == {"Nom": "Durand", "Prénom": "Jean", "Ville": ""}
    assert result.records[1].fields == {"Nom": "Petit", "Prénom": "Luc", "Ville": "Lyon"}
    assert len(result.issues) == 1
    assert (result.issues[0].locator, result.issues[0].reason) == ("ligne 3", TOO_MANY_FIELDS)


def test_blank_rows_are_counted_not_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "blanks.csv",
        ["Nom;Ville", "Durand;Lyon", "", ";", "  ;  ", "Martin;Nice", ""],
    )
    result = read_csv(path)
    assert [r.locator for r in result.records] == ["ligne 2", "ligne 6"]
    assert result.blank_records_ignored == 4
    assert result.issues == []


@pytest.mark.parametrize("size", [10_000, 300_000])
def test_huge_cell_kept_whole(tmp_path: Path, size: int) -> None:
    rng = random.Random(size)
    notes = "".join(rng.choice("abcdéèà ;,\n") for _ in range(size))
    path = write(
        tmp_path / "big.csv", ["Nom;Notes", f'Durand;"{notes}"', "Martin;court"], newline="\n"
    )
    result = read_csv(path)
    assert result.records[0].fields["Notes"] == notes
    assert result.records[1].locator == f"ligne {3 + notes.count(chr(10))}"


def test_utf16_truncated_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tronque.txt"
    path.write_bytes("Société\tVille\r\nÉtoile\tSète\r\nDurand\tLyon".encode("utf-16")[:-1])
    result = read_csv(path)
    assert [r.fields["Société"] for r in result.records] == ["Étoile"]
    assert [(i.locator, i.reason) for i in result.issues] == [("ligne 3", ENCODING_ERROR)]


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    path = tmp_path / "texte-unicode.txt"
    path.write_bytes("Société\tVille\r\nÉtoile\tSète\r\n".encode("utf-16"))
    result = read_csv(path)
    assert result.encoding == "utf-16"
    assert result.delimiter == "\t"
    assert result.records == [RawRecord("ligne 2", {"Société": "Étoile", "Ville": "Sète"})]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = read_csv(path)
    assert result.headers == []
    assert result.records == []


def test_lf_only_and_duplicate_empty_header(tmp_path: Path) -> None:
    path = write(tmp_path / "lf.csv", ["Nom,,Ville,", "Durand,x,Lyon,y"], newline="\n")
    result = read_csv(path)
    assert result.headers == ["Nom", "Colonne 2", "Ville", "Colonne 4"]
    assert result.records[0].fields["Colonne 4"] == "y"


def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    rng = random.Random(42)
    path = tmp_path / "stream.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Raison sociale;Adresse;CP;Ville\r\n")
        for index in range(30_000):
            city = rng.choice(["Lyon", "Orléans", "Besançon", "Sète"])
            out.write(
                f"Société {index};{rng.randint(1, 200)} rue Haute;{rng.randint(1000, 99999):05d};{city}\r\n"
            )
    assert path.stat().st_size > 1_000_000
    source = open_csv(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000
    assert peak < 300_000


def test_iterating_again_restarts_counters(tmp_path: Path) -> None:
    path = write(tmp_path / "twice.csv", ["Nom;Ville", "", "A;B;C", "Durand;Lyon"])
    source = open_csv(path)
    first = list(source)
    second = list(source)
    assert first == second
    assert source.blank_records_ignored == 1
    assert len(source.issues) == 1


def test_headerless_file_gets_numbered_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sans-entete.csv",
        ["Durand;jean.durand@example.fr;69001", "Martin;anne@example.fr;06000;Nice"],
    )
    source = open_csv(path)
    assert not source.has_header
    assert source.headers == ["Colonne 1", "Colonne 2", "Colonne 3", "Colonne 4"]
    records = list(source)
    assert [r.locator for r in records] == ["ligne 1", "ligne 2"]
    assert records[0].fields == {
        "Colonne 1": "Durand",
        "Colonne 2": "jean.durand@example.fr",
        "Colonne 3": "69001",
        "Colonne 4": "",
    }


def test_title_with_commas_above_a_semicolon_header(tmp_path: Path) -> None:
    path = write(
        tmp_path / "titre.csv",
        [
            "Fichier CCI, Rhône, mars 2024",
            "Société;Adresse;Ville",
            "Durand;12, rue Haute;Lyon",
            "Martin;3 rue Basse;Nice",
            "Petit;1, place Bellecour;Lyon",
        ],
    )
    result = read_csv(path)
    assert result.delimiter == ";"
    assert result.headers == ["Société", "Adresse", "Ville"]
    assert [r.locator for r in result.records] == ["ligne 3", "ligne 4", "ligne 5"]


def test_bom_on_a_cp1252_file(tmp_path: Path) -> None:
    path = tmp_path / "bom1252.csv"
    path.write_bytes(codecs.BOM_UTF8 + "Société;Ville\r\nCrème;Orléans\r\n".encode("cp1252"))
    result = read_csv(path)
    assert result.encoding == "cp1252"
    assert result.headers == ["Société", "Ville"]
    assert result.records[0].fields == {"Société": "Crème", "Ville": "Orléans"}


def test_oversized_field_is_reported_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "runaway.csv", ["Nom;Notes", "Durand;" + "x" * 500, "Martin;court"])
    previous = csv.field_size_limit()
    monkeypatch.setattr(csv_reader, "FIELD_SIZE_LIMIT", 100)
    csv.field_size_limit(100)
    try:
        result = read_csv(path)
    finally:
        csv.field_size_limit(previous)
    assert [r.locator for r in result.records] == ["ligne 3"]
    assert [(i.locator, i.reason) for i in result.issues] == [("ligne 2", MALFORMED_ROW)]


def test_stopping_early_closes_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "early.csv", ["Nom;Ville", "Durand;Lyon", "Martin;Nice"])
    source = open_csv(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        records = iter(source)
        assert isinstance(records, Generator)
        assert next(records).fields["Nom"] == "Durand"
        records.close()
        gc.collect()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["Nom", "CP", "Téléphone", "CA 2023"], True),
        (["Durand", "69001"], False),
        (["Durand", "01 42 68 53 00"], False),
        (["Durand", "a@b.fr"], False),
        (["Code", "2024"], True),
    ],
)
def test_is_header_row(cells: list[str], expected: bool) -> None:
    assert is_header_row(cells) is expected
