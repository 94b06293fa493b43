"""The French analysis chain and the index fields (microcrm.ged.index)."""

from __future__ import annotations

import datetime as dt

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term

from microcrm.ged.index import (
    DocRecord,
    FrenchAnalyzer,
    add_documents,
    analyze,
    compound,
    compounds,
    fields_of,
    fold,
    fold_prefix,
    make_schema,
    pairs,
    term,
    type_terms,
)
from microcrm.ged.replica import date_key


def test_accents_and_ligatures_are_folded() -> None:
    assert fold("Élevé") == "eleve"
    assert fold("Œuvre ÆTHER") == "oeuvre aether"
    assert term("élevé") == term("eleve") == term("ÉLÈVE") == term("élève")
    assert term("cœur") == term("coeur")


def test_french_stemming_joins_plurals_and_forms() -> None:
    assert term("factures") == term("facture") == term("Facturé")
    assert term("réclamations") == term("reclamation")
    assert term("livraisons") == term("livraison")
    assert term("facture") != term("devis")


def test_stop_words_are_dropped_before_folding() -> None:
    assert analyze("Le devis de la société et les factures à régler") == [
        term("devis"),
        term("société"),
        term("factures"),
        term("régler"),
    ]
    assert term("à") == ""  # accented stop word, removed before folding turns it into "a"
    assert term("a") == ""


def test_numbers_and_references_are_kept_whole() -> None:
    assert analyze("Facture F2025-00042 du 14/03/2025") == [
        term("facture"),
        "f2025",
        "00042",
        "14",
        "03",
        "2025",
    ]
    assert analyze("l'entreprise d'Éric") == [term("entreprise"), term("eric")]


def test_pairs_are_consecutive_words_or_a_word_and_a_small_number() -> None:
    assert pairs(["a", "b", "c"]) == ["a b", "b c"]
    assert pairs(["a"]) == []
    # "1 250" (two numbers) and "250 eur" (a long number) are not indexed.
    assert pairs(["total", "1", "250", "eur"]) == ["total 1"]
    assert pairs(["13", "novembr", "2025"]) == ["13 novembr"]


def test_references_are_indexed_whole() -> None:
    text = "Facture F2025-00042 du 14/03/2025, tél. 02.99.12.34.56, l'entreprise, e-mail"
    assert compounds(text) == ["f2025-00042", "14-03-2025", "02-99-12-34-56"]
    assert compound("F2025-00042") == "f2025-00042"
    assert compound("e-mail") == ""  # no digit: an ordinary pair of words


def test_prefix_is_cut_to_its_stem() -> None:
    assert fold_prefix("Factures") == term("factures")
    assert fold_prefix("fact") == "fact"
    assert fold_prefix("Réclam") == "reclam"


def test_whoosh_analyzer_gives_the_same_terms_with_positions() -> None:
    text = "Les Conditions générales de vente : élevé, œuvre, F2025-00042."
    tokens = [(t.text, t.pos) for t in FrenchAnalyzer()(text, positions=True)]
    assert [t for t, _ in tokens] == analyze(text)
    assert [p for _, p in tokens] == list(range(len(tokens)))


def test_type_terms_match_hyphen_and_underscore_spellings() -> None:
    assert term("compterendu") in type_terms("compte_rendu")
    assert term("email") in type_terms("e-mail")


def _record(doc_id: int, title: str, text: str) -> DocRecord:
    return DocRecord(
        document_id=doc_id,
        organisation_id=7,
        client="Boulangerie Dupont",
        dossier="Factures / 2025",
        title=title,
        doc_type="facture",
        tags="urgent, relance",
        doc_date_key=date_key(dt.date(2025, 3, 14)),
        filename="facture.pdf",
        text=text,
    )


def test_fields_of_builds_every_field() -> None:
    fields = fields_of(_record(3, "Facture de mars", "Pain et viennoiseries livrés."))
    assert fields["id"] == "3"
    assert fields["org"] == "7"
    assert fields["client"] == analyze("Boulangerie Dupont")
    assert fields["dossier"] == analyze("Factures / 2025")
    assert fields["date"] == 20250314
    assert fields["period"] == ["2025", "2025-03"]
    assert term("viennoiseries") in fields["body"]
    assert term("dupont") in fields["body"]  # the client name is searchable as a word
    assert f"{term('pain')} {term('viennoiseries')}" in fields["pair"]
    assert fields["body"].count(term("facture")) == 4  # title (three times) and file name


def test_index_round_trip_term_and_pair(tmp_path: pytest.TempPathFactory) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    writer = ix.writer()
    add_documents(
        writer,
        [
            _record(1, "Conditions générales", "Les conditions générales de vente."),
            _record(2, "Autre", "Générales, les conditions ne sont pas."),
        ],
        update=False,
    )
    writer.commit()
    with ix.searcher() as searcher:
        assert searcher.search(Term("body", term("générales"))).scored_length() == 2
        pair = f"{term('conditions')} {term('générales')}"
        found = searcher.search(Term("pair", pair))
        assert [hit["id"] for hit in found] == ["1"]
    ix.close()


def test_prefix_never_shrinks_below_the_minimum() -> None:
    assert fold_prefix("garant") == "garant"  # its stem "gar" would match far too much
    assert fold_prefix("facturées") == term("facture")
