"""Tests of microcrm.directory.xlsx_reader on workbooks generated with openpyxl."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from microcrm.directory.records import TOO_MANY_FIELDS, RawRecord
from microcrm.directory.xlsx_reader import cell_text, open_xlsx, read_xlsx
from microcrm.errors import ValidationError


def excel_datetime(iso: str) -> dt.datetime:
    """A naive datetime, as Excel stores them (cells carry no time zone)."""
    return dt.datetime.fromisoformat(iso)


def broker_workbook(path: Path) -> Path:
    """An empty first sheet, a hidden sheet, then a broker sheet with a title and a notice."""
    workbook = openpyxl.Workbook()
    empty = workbook.active
    assert empty is not None
    empty.title = "Vide"
    hidden = workbook.create_sheet("Listes")
    hidden.append(["Code", "Libellé"])
    hidden.append(["5499", "SARL"])
    hidden.sheet_state = "hidden"
    sheet = workbook.create_sheet("Clients")
    sheet.append(["Extraction Kompass du 12/03/2024"])
    sheet.append([])
    sheet.append(
        ["Raison sociale", "CP", "SIRET", "Téléphone", "CA", "Date de création", "Titre", "Titre"]
    )
    sheet.append(
        [
            "Durand SARL",
            1000,
            73282932000074,
            142685300,
            1234.5,
            excel_datetime("2019-03-04"),
            "M.",
            "Gérant",
        ]
    )
    sheet.append(["Martin", "01000", "4,41235E+13", None, 44123500000000.0, dt.date(2001, 12, 31)])
    sheet.append([])
    sheet.append(["Petit", 69001, None, None, None, None, None, None, "en trop"])
    sheet.append(["Grand", 69002, None, None, None, None, None, None, None, None])
    sheet.append(["Source : Kompass, reproduction interdite"])
    workbook.save(path)
    return path


def test_broker_sheet(tmp_path: Path) -> None:
    result = read_xlsx(broker_workbook(tmp_path / "kompass.xlsx"))
    assert result.sheet == "Clients"
    assert result.encoding == ""
    assert result.headers == [
        "Raison sociale",
        "CP",
        "SIRET",
        "Téléphone",
        "CA",
        "Date de création",
        "Titre",
        "Titre (2)",
    ]
    assert result.records[0] == RawRecord(
        "feuille Clients, ligne 4",
        {
            "Raison sociale": "Durand SARL",
            "CP": "1000",
            "SIRET": "73282932000074",
            "Téléphone": "142685300",
            "CA": "1234,5",
            "Date de création": "04/03/2019",
            "Titre": "M.",
            "Titre (2)": "Gérant",
        },
    )
    martin = result.records[1].fields
    assert martin["CP"] == "01000"
    assert martin["SIRET"] == "4,41235E+13"
    assert martin["Téléphone"] == ""
    assert martin["CA"] == "44123500000000"
    assert martin["Date de création"] == "31/12/2001"
    assert martin["Titre (2)"] == ""
    assert [r.locator for r in result.records] == [
        "feuille Clients, ligne 4",
        "feuille Clients, ligne 5",
        "feuille Clients, ligne 8",
        "feuille Clients, ligne 9",
    ]
    assert result.records[3].fields["Raison sociale"] == "Source : Kompass, reproduction interdite"
    assert result.blank_records_ignored == 1
    assert len(result.issues) == 1
    assert (result.issues[0].locator, result.issues[0].reason) == (
        "feuille Clients, ligne 7",
        TOO_MANY_FIELDS,
    )


def test_named_sheet_and_missing_sheet(tmp_path: Path) -> None:
    path = broker_workbook(tmp_path / "kompass.xlsx")
    result = read_xlsx(path, sheet="Listes")
    assert result.records == [
        RawRecord("feuille Listes, ligne 2", {"Code": "5499", "Libellé": "SARL"})
    ]
    empty = read_xlsx(path, sheet="Vide")
    assert (empty.sheet, empty.headers, empty.records) == ("Vide", [], [])
    with pytest.raises(ValidationError, match="Inconnue"):
        read_xlsx(path, sheet="Inconnue")


def test_workbook_without_data(tmp_path: Path) -> None:
    path = tmp_path / "vide.xlsx"
    openpyxl.Workbook().save(path)
    result = read_xlsx(path)
    assert (result.sheet, result.headers, result.records) == ("", [], [])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "VRAI"),
        (False, "FAUX"),
        (1000, "1000"),
        (-42.0, "-42"),
        (0.1 + 0.2, "0,3"),
        (1.5e-7, "1,5E-07"),
        (1e22, "1E+22"),
        (float("nan"), "nan"),
        (excel_datetime("2024-03-12 14:30:05"), "12/03/2024 14:30:05"),
        (dt.time(8, 5), "08:05:00"),
        ("  texte tel quel ", "  texte tel quel "),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_streaming_large_sheet(tmp_path: Path) -> None:
    rng = random.Random(7)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Prospects")
    sheet.append(["Société", "CP", "Effectif"])
    expected = []
    for index in range(2_000):
        postcode = rng.randint(1000, 99999)
        sheet.append([f"Société {index}", postcode, rng.randint(0, 500)])
        expected.append(str(postcode))
    path = tmp_path / "prospects.xlsx"
    workbook.save(path)
    source = open_xlsx(path)
    assert source.header_row == 1
    postcodes = [record.fields["CP"] for record in source]
    assert postcodes == expected
    assert source.issues == []


def test_headerless_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Export"
    sheet.append([])
    sheet.append(["Durand", "jean@example.fr", 69001])
    sheet.append(["Martin", "anne@example.fr", 6000, "Nice"])
    path = tmp_path / "sans-entete.xlsx"
    workbook.save(path)
    source = open_xlsx(path)
    assert not source.has_header
    assert source.headers == ["Colonne 1", "Colonne 2", "Colonne 3", "Colonne 4"]
    records = list(source)
    assert [r.locator for r in records] == ["feuille Export, ligne 2", "feuille Export, ligne 3"]
    assert records[1].fields["Colonne 3"] == "6000"
    assert records[0].fields["Colonne 4"] == ""
