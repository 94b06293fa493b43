"""Guessing a document's type, date and dossier."""

from __future__ import annotations

import datetime as dt

import pytest

from microcrm.ged.classify import dossier_for_type, guess_doc_date, guess_doc_type
from microcrm.ged.dossiers import DEFAULT_DOSSIERS


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("Facture F2025-00012.pdf", "", "facture"),
        ("scan0001.pdf", "DEVIS n° D2025-7\nMadame, Monsieur", "devis"),
        ("doc.pdf", "Bon de livraison BL-778 — commande BC2025-1", "bon de livraison"),
        ("doc.pdf", "Facture établie suivant votre commande BC2025-00012", "facture"),
        ("contrat_maintenance.docx", "", "contrat"),
        ("cr.docx", "Compte rendu de réunion du 3 mars", "compte rendu"),
        ("lettre.odt", "Objet : relance\nMadame, Monsieur,", "courrier"),
        ("message.eml", "Facture jointe", "e-mail"),
        ("photo.jpg", "", "autre"),
    ],
)
def test_guess_doc_type(filename: str, text: str, expected: str) -> None:
    assert guess_doc_type(filename, text) == expected


def test_guess_doc_date() -> None:
    today = dt.date(2026, 11, 24)
    assert guess_doc_date("Rennes, le 1er mars 2025", today=today) == dt.date(2025, 3, 1)
    assert guess_doc_date("Date : 04/03/2025 ; échéance 2025-04-30", today=today) == dt.date(
        2025, 3, 4
    )
    assert guess_doc_date("Réf 31/02/2025 puis 12 FÉVRIER 2024", today=today) == dt.date(
        2024, 2, 12
    )
    assert guess_doc_date("Valable jusqu'au 01/01/2099", today=today) is None
    assert guess_doc_date("Commande n° 12/05/1900", today=today) is None
    assert guess_doc_date("sans date", today=today) is None


def test_dossier_for_type() -> None:
    assert dossier_for_type("facture", DEFAULT_DOSSIERS) == "Factures"
    assert dossier_for_type("bon de livraison", DEFAULT_DOSSIERS) == "Commandes"
    assert dossier_for_type("contrat", DEFAULT_DOSSIERS) == "Divers"
    assert dossier_for_type("e-mail", ("Courriels", "factures", "divers")) == "divers"
    assert dossier_for_type("facture", ("Courriels", "factures")) == "factures"
    assert dossier_for_type("devis", ("A", "B")) == "B"
