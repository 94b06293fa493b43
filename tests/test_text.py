"""microcrm.text: the exact French texts every screen and service shares."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from microcrm.text import (
    counted,
    escape_html,
    file_size,
    fold,
    long_date,
    plural,
    printable,
    short_date,
    short_datetime,
    strip_accents,
    thousands,
)

NNBSP = "\u202f"
NBSP = "\u00a0"


def test_plural_takes_the_singular_for_zero_and_one() -> None:
    assert [plural(n, "fiche") for n in (0, 1, 2, 1000)] == ["fiche", "fiche", "fiches", "fiches"]
    assert plural(1, "lettre produite", "lettres produites") == "lettre produite"
    assert plural(2, "lettre produite", "lettres produites") == "lettres produites"
    assert plural(2, "nouvelle version", "nouvelles versions") == "nouvelles versions"


def test_counted() -> None:
    assert counted(0, "fiche") == "0 fiche"
    assert counted(1, "fiche") == "1 fiche"
    assert counted(2, "fiche") == "2 fiches"
    assert counted(12345, "fiche") == f"12{NNBSP}345 fiches"
    assert counted(3, "exclu", "exclus") == "3 exclus"
    assert counted(1, "colonne importée", "colonnes importées", nbsp=True) == (
        f"1{NBSP}colonne importée"
    )
    assert counted(1204, "ligne", nbsp=True) == f"1{NNBSP}204{NBSP}lignes"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1000, f"1{NNBSP}000"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (-1234, f"-1{NNBSP}234"),
    ],
)
def test_thousands_as_babel_writes_them(n: int, text: str) -> None:
    assert thousands(n) == text
    assert format_decimal(n, locale="fr_FR") == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (0, "0 o"),
        (850, "850 o"),
        (1023, "1023 o"),
        (1024, "1,0 Ko"),
        (1434, "1,4 Ko"),
        (12 * 1024, "12 Ko"),
        (int(1.4 * 1024 * 1024), "1,4 Mo"),
        (5 * 1024**3, "5,0 Go"),
        (2048 * 1024**4, "2048 To"),
    ],
)
def test_file_size(size: int | None, text: str) -> None:
    assert file_size(size) == text


def test_short_dates() -> None:
    assert short_date(None) == ""
    assert short_date(dt.date(2026, 12, 6)) == "06/12/2026"
    assert short_date(dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.UTC)) == "02/01/2026"
    assert short_datetime(None) == ""
    assert short_datetime(dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)) == "06/12/2026 14:05"
    assert short_datetime(dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC), at=True) == "06/12/2026 à 14:05"


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's zone is Europe/Paris for the test."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("paris")
def test_short_dates_in_local_time() -> None:
    """``local`` moves an aware moment to the workstation's zone; naive ones stay."""
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert short_datetime(late, local=True) == "01/07/2026 01:30"
    assert short_datetime(late, local=True, at=True) == "01/07/2026 à 01:30"
    assert short_date(late, local=True) == "01/07/2026"
    assert short_datetime(late) == "30/06/2026 23:30"
    assert short_date(late) == "30/06/2026"
    naive = dt.datetime(2026, 6, 30, 23, 30)  # noqa: DTZ001 - as SQLite hands them back
    assert short_datetime(naive, local=True) == "30/06/2026 23:30"
    assert short_date(dt.date(2026, 7, 1), local=True) == "01/07/2026"


def test_long_date_writes_1er() -> None:
    assert long_date(dt.date(2026, 5, 1)) == "1er mai 2026"
    assert long_date(dt.date(2026, 11, 24)) == "24 novembre 2026"
    assert long_date(dt.date(2027, 8, 15)) == "15 août 2027"
    assert long_date(dt.date(2026, 2, 2)) == "2 février 2026"
    assert long_date(dt.date(2025, 12, 31)) == "31 décembre 2025"


def test_long_date_is_babel_but_for_the_first() -> None:
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        expected = format_date(day, format="long", locale="fr")
        if day.day == 1:
            expected = expected.replace("1 ", "1er ", 1)
        assert long_date(day) == expected
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (None, ""),
        ("", ""),
        ("Élodie", "elodie"),
        ("Société Générale", "societe generale"),
        ("  Œuvre   du  Cœur ", "oeuvre du coeur"),
        ("Æsop ex æquo", "aesop ex aequo"),
        ("L'HAŸ-LES-ROSES", "l'hay-les-roses"),
        ("Ça\u00a0va", "ca va"),
    ],
)
def test_fold(text: str | None, key: str) -> None:
    assert fold(text) == key


def test_fold_is_still_exported_by_models() -> None:
    from microcrm import models

    assert models.fold is fold


def test_strip_accents() -> None:
    assert strip_accents("Élodie Müller") == "Elodie Muller"
    assert strip_accents("ﬁche m²") == "fiche m2"
    assert strip_accents("ﬁche m²", compatibility=False) == "ﬁche m²"
    assert strip_accents("Crème brûlée", compatibility=False) == "Creme brulee"
    assert strip_accents("œuvre") == "œuvre"


def test_escape_html() -> None:
    assert escape_html("Dupont & Fils <SARL>") == "Dupont &amp; Fils &lt;SARL&gt;"
    assert escape_html("l'« atelier » \"bis\"") == "l'« atelier » \"bis\""
    assert escape_html("&amp;") == "&amp;amp;"


def test_printable_hides_control_and_invisible_characters() -> None:
    assert printable("Réunion d'équipe.pdf") == "Réunion d'équipe.pdf"
    assert printable("a\nb\x1b[31mc\x7f.csv") == "a?b?[31mc?.csv"
    assert printable("Facture\u202efdp.exe") == "Facture?fdp.exe"
    assert printable("n°\u00a03\u202fpage") == "n°\u00a03\u202fpage"  # spaces kept
