"""Searching the GED: every query form, client scoping, counts and snippets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from microcrm.db import Database
from microcrm.ged import search as search_module
from microcrm.ged.index import analyze
from microcrm.ged.search import QuerySyntaxError, SearchEngine
from microcrm.ged.snippets import make_snippet
from microcrm.ged.store import ContentStore
from tests.ged.search_fixtures import Doc, file_doc
from tests.helpers import add_organisation


@dataclass
class Corpus:
    engine: SearchEngine
    ids: dict[str, int]
    orgs: dict[str, int]
    db: Database
    store: ContentStore


DOCS = {
    "facture_mars": (
        "dupont",
        Doc(
            "Facture F2025-00042",
            "Facture de pain et viennoiseries pour mars. Le montant est élevé. "
            "Conditions générales de vente applicables.",
            dossier="2025",
            parent="Factures",
            doc_type="facture",
            tags="urgent",
            doc_date=dt.date(2025, 3, 14),
        ),
    ),
    "devis_four": (
        "dupont",
        Doc(
            "Devis four à sole",
            "Devis pour un four à sole et la maintenance annuelle. Prix eleve mais garanti.",
            dossier="Devis",
            doc_type="devis",
            doc_date=dt.date(2024, 11, 2),
        ),
    ),
    "courrier_reclamation": (
        "lefevre",
        Doc(
            "Réclamation livraison",
            "Nous avons constaté des réclamations répétées sur la livraison des pièces. "
            "Les conditions de vente générales prévoient un délai.",
            dossier="Courrier",
            doc_type="courrier",
            doc_date=dt.date(2025, 6, 30),
        ),
    ),
    "cr_oeuvre": (
        "lefevre",
        Doc(
            "Compte rendu de réunion",
            "Main-d'œuvre facturée au forfait. Comptabilité à prévenir. Livraison en juin.",
            dossier="Divers",
            doc_type="compte_rendu",
            doc_date=dt.date(2025, 1, 10),
        ),
    ),
    "email_mars": (
        "martin",
        Doc(
            "E-mail : commande",
            "Bonjour, merci pour la facture. Nous réglerons fin mars. Cordialement, Martin.",
            dossier="E-mails",
            doc_type="e-mail",
            tags="relance, paiement",
            doc_date=dt.date(2023, 3, 5),
        ),
    ),
}
ORGS = {"dupont": "Boulangerie Dupont", "lefevre": "Garage Lefèvre", "martin": "Cabinet Martin"}


@pytest.fixture
def corpus(sqlite_db: Database, tmp_path: Path) -> Iterator[Corpus]:
    store = ContentStore(tmp_path / "ged")
    orgs = {key: add_organisation(sqlite_db, name) for key, name in ORGS.items()}
    ids = {key: file_doc(sqlite_db, store, orgs[org], doc) for key, (org, doc) in DOCS.items()}
    engine = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    yield Corpus(engine, ids, orgs, sqlite_db, store)
    engine.close()


def found(corpus: Corpus, query: str, **kwargs: int) -> set[str]:
    by_id = {v: k for k, v in corpus.ids.items()}
    return {by_id[h.document_id] for h in corpus.engine.search(query, **kwargs).hits}


def test_words_are_all_required_and_accents_case_stems_ignored(corpus: Corpus) -> None:
    assert found(corpus, "ÉLEVÉ") == {"facture_mars", "devis_four"}
    assert found(corpus, "eleve") == found(corpus, "élevé")
    assert found(corpus, "factures") == {"facture_mars", "email_mars", "cr_oeuvre"}
    assert found(corpus, "livraisons répétées") == {"courrier_reclamation"}
    assert found(corpus, "reclamation") == {"courrier_reclamation"}
    assert found(corpus, "oeuvre") == {"cr_oeuvre"}
    assert found(corpus, "comptabilite") == {"cr_oeuvre"}
    assert found(corpus, "pain introuvable") == set()


def test_phrase_needs_contiguous_words(corpus: Corpus) -> None:
    assert found(corpus, '"conditions générales"') == {"facture_mars"}
    assert found(corpus, '"conditions generales de vente"') == {"facture_mars"}
    # Same words, not contiguous: the pairs "four sole" / "sole maintenance" exist,
    # but not as one three-word phrase in this order.
    assert found(corpus, '"maintenance four sole"') == set()
    assert found(corpus, '"four à sole"') == {"devis_four"}


def test_references_with_punctuation_match_as_phrase(corpus: Corpus) -> None:
    assert found(corpus, "F2025-00042") == {"facture_mars"}
    assert found(corpus, "f2025-00043") == set()


def test_prefix_and_minimum_length(corpus: Corpus) -> None:
    assert found(corpus, "viennois*") == {"facture_mars"}
    assert found(corpus, "compta*") == {"cr_oeuvre"}
    assert found(corpus, "Factures*") == {"facture_mars", "email_mars", "cr_oeuvre"}
    # whole words whose stem is shorter than the prefix (« devis » is indexed « dev »)
    assert found(corpus, "devis*") == {"devis_four"}
    assert found(corpus, "Devis*") == found(corpus, "devis")
    with pytest.raises(QuerySyntaxError, match="Préfixe trop court"):
        corpus.engine.search("fa*")


def test_exclusion_and_or(corpus: Corpus) -> None:
    assert found(corpus, "facture -pain") == {"email_mars", "cr_oeuvre"}
    assert found(corpus, 'facture -"fin mars"') == {"facture_mars", "cr_oeuvre"}
    assert found(corpus, "four OR réclamation") == {"devis_four", "courrier_reclamation"}
    assert found(corpus, "livraison four OU pain") == set()
    assert found(corpus, "livraison pain OR juin") == {"cr_oeuvre"}
    assert found(corpus, "-facture") == {"devis_four", "courrier_reclamation"}


def test_client_filter_by_name_words_or_id(corpus: Corpus) -> None:
    assert found(corpus, "client:dupont") == {"facture_mars", "devis_four"}
    assert found(corpus, "client:Lefevre livraison") == {"courrier_reclamation", "cr_oeuvre"}
    assert found(corpus, f"client:{corpus.orgs['martin']}") == {"email_mars"}
    assert found(corpus, 'client:"garage lefèvre" -juin') == {"courrier_reclamation"}
    assert found(corpus, "dupont") == {"facture_mars", "devis_four"}  # name as a plain word


def test_type_dossier_tag_filters(corpus: Corpus) -> None:
    assert found(corpus, "type:facture") == {"facture_mars"}
    assert found(corpus, "type:factures") == {"facture_mars"}
    assert found(corpus, "type:compte-rendu") == {"cr_oeuvre"}
    assert found(corpus, "type:email") == {"email_mars"}
    assert found(corpus, "dossier:Factures") == {"facture_mars"}  # the parent of "2025"
    assert found(corpus, "dossier:courrier") == {"courrier_reclamation"}
    assert found(corpus, "tag:urgent") == {"facture_mars"}
    assert found(corpus, "tag:paiement facture") == {"email_mars"}
    assert found(corpus, "type:facture OR type:devis") == {"facture_mars", "devis_four"}


def test_date_filters(corpus: Corpus) -> None:
    assert found(corpus, "date:2025") == {"facture_mars", "courrier_reclamation", "cr_oeuvre"}
    assert found(corpus, "date:2025-03") == {"facture_mars"}
    assert found(corpus, "date:2025-03-14") == {"facture_mars"}
    assert found(corpus, "date:14/03/2025") == {"facture_mars"}
    assert found(corpus, "date:2025-01..2025-06") == {
        "facture_mars",
        "courrier_reclamation",
        "cr_oeuvre",
    }
    assert found(corpus, "date:..2024-12") == {"devis_four", "email_mars"}
    assert found(corpus, "date:2024-11..2025-02") == {"devis_four", "cr_oeuvre"}
    assert found(corpus, "date:2023..2024") == {"devis_four", "email_mars"}
    assert found(corpus, "date:2025-01-11..2025-06-30") == {
        "facture_mars",
        "courrier_reclamation",
    }
    assert found(corpus, "facture date:2023..") == {"email_mars", "facture_mars", "cr_oeuvre"}
    for bad in ("date:2025-13", "date:hier", "date:2025-06..2025-01", "date:2025-02-30"):
        with pytest.raises(QuerySyntaxError, match="Date incomprise"):
            corpus.engine.search(bad)


def test_empty_or_stop_word_queries_are_refused_in_french(corpus: Corpus) -> None:
    for bad in ("", "   ", "le la de", 'client:""', "-"):
        with pytest.raises(QuerySyntaxError) as err:
            corpus.engine.search(bad)
        assert err.value.message[0].isupper()


def test_scoping_to_one_client(corpus: Corpus) -> None:
    lefevre = corpus.orgs["lefevre"]
    assert found(corpus, "livraison", organisation_id=lefevre) == {
        "courrier_reclamation",
        "cr_oeuvre",
    }
    assert found(corpus, "facture", organisation_id=corpus.orgs["dupont"]) == {"facture_mars"}
    results = corpus.engine.search("livraison", organisation_id=lefevre)
    assert {h.client for h in results.hits} == {"Garage Lefèvre"}


def test_hits_carry_path_type_date_and_highlighted_snippet(corpus: Corpus) -> None:
    results = corpus.engine.search("viennoiseries")
    assert results.total == 1 and not results.total_is_estimate
    hit = results.hits[0]
    assert hit.document_id == corpus.ids["facture_mars"]
    assert hit.organisation_id == corpus.orgs["dupont"]
    assert hit.client == "Boulangerie Dupont"
    assert hit.dossier == "Factures / 2025"
    assert hit.title == "Facture F2025-00042"
    assert hit.doc_type == "facture"
    assert hit.doc_date == dt.date(2025, 3, 14)
    assert hit.score > 0
    assert "<b>viennoiseries</b>" in hit.snippet
    assert results.query == "viennoiseries"
    assert results.took_ms >= 0


def test_snippet_escapes_html_and_marks_every_form() -> None:
    text = "Avant <script>. " + "mot " * 40 + "Les Factures & la facture élevée."
    snippet = make_snippet(text, set(analyze("facture")), [])
    assert "<b>Factures</b>" in snippet and "<b>facture</b>" in snippet
    assert "&amp;" in snippet and "<script>" not in snippet
    assert snippet.startswith("… ")
    prefixed = make_snippet("La comptabilité <b> valide", set(), ["compt"])
    assert prefixed == "La <b>comptabilité</b> &lt;b&gt; valide"


def test_total_is_exact_below_the_limit_and_estimated_above(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = corpus.engine.search("facture", limit=1)
    assert (exact.total, exact.total_is_estimate, len(exact.hits)) == (3, False, 1)
    monkeypatch.setattr(search_module, "EXACT_COUNT_LIMIT", 1)
    corpus.engine._cache.clear()
    estimated = corpus.engine.search("facture", limit=1)
    assert estimated.total_is_estimate
    assert estimated.total >= 2
    assert len(estimated.hits) == 1


def test_results_are_cached_until_the_next_commit(corpus: Corpus) -> None:
    first = corpus.engine.search("livraison")
    assert corpus.engine.search("livraison") is first
    file_doc(
        corpus.db,
        corpus.store,
        corpus.orgs["martin"],
        Doc("Bon de livraison", "Livraison du matériel.", dossier="Commandes"),
    )
    assert corpus.engine.catch_up() == 1
    again = corpus.engine.search("livraison")
    assert again is not first
    assert again.total == first.total + 1


def test_filter_only_queries_list_the_latest_filed_first(corpus: Corpus) -> None:
    query = f"client:{corpus.orgs['dupont']}"
    results = corpus.engine.search(query)
    assert [h.document_id for h in results.hits] == [
        corpus.ids["devis_four"],
        corpus.ids["facture_mars"],
    ]
    assert (results.total, results.total_is_estimate) == (2, False)
    newest = file_doc(
        corpus.db, corpus.store, corpus.orgs["dupont"], Doc("Avoir", "Avoir sur facture.")
    )
    corpus.engine.catch_up()
    assert [h.document_id for h in corpus.engine.search(query, limit=1).hits] == [newest]
    assert corpus.engine.search(query, limit=1).total == 3


def test_phrases_with_numbers_are_checked_on_the_text(corpus: Corpus) -> None:
    file_doc(
        corpus.db,
        corpus.store,
        corpus.orgs["martin"],
        Doc("Relevé", "Lot 12 livré, lot 7 en attente ; 12 lots au total.", dossier="Divers"),
    )
    corpus.engine.catch_up()
    assert len(corpus.engine.search('"lot 12"').hits) == 1
    assert corpus.engine.search('"lot 13"').hits == []
    assert corpus.engine.search('"livré 7"').hits == []  # both words there, not together
    assert found(corpus, '"14/03/2025"') == set()
    assert found(corpus, "F2025-00042 facture") == {"facture_mars"}


def test_phrase_results_equal_a_positional_scan(sqlite_db: Database, tmp_path: Path) -> None:
    """Pairs + text check give exactly the documents where the phrase occurs."""
    import random

    rng = random.Random(6)
    vocabulary = (
        "facture devis livraison client remise contrat pièce moteur délai "
        "paiement relance garantie 12 2025 lot"
    ).split()
    store = ContentStore(tmp_path / "ged")
    org = add_organisation(sqlite_db, "Société Test")
    texts = {}
    for i in range(40):
        text = " ".join(rng.choice(vocabulary) for _ in range(25))
        texts[file_doc(sqlite_db, store, org, Doc(f"Doc {i}", text))] = analyze(text)
    engine = SearchEngine.open(tmp_path / "index", sqlite_db, store)
    try:
        for _ in range(40):
            words = [rng.choice(vocabulary) for _ in range(rng.choice((2, 2, 3, 4)))]
            phrase = analyze(" ".join(words))
            expected = {
                doc_id
                for doc_id, terms in texts.items()
                if any(terms[i : i + len(phrase)] == phrase for i in range(len(terms)))
            }
            hits = engine.search(f'"{" ".join(words)}"', limit=100).hits
            assert {h.document_id for h in hits} == expected, words
    finally:
        engine.close()


def test_a_search_past_the_time_limit_answers_with_what_it_found(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.collectors import TimeLimitCollector

    class Expired(TimeLimitCollector):  # type: ignore[misc]
        def prepare(self, top_searcher: object, q: object, context: object) -> None:
            super().prepare(top_searcher, q, context)
            self.timedout = True  # as if the limit had passed before the first match

    monkeypatch.setattr(search_module, "TimeLimitCollector", Expired)
    results = corpus.engine.search("facture")
    assert results.total_is_estimate
    assert results.total >= len(results.hits)


def test_title_matches_rank_first(corpus: Corpus) -> None:
    hits = corpus.engine.search("facture").hits
    assert hits[0].document_id == corpus.ids["facture_mars"]  # "Facture …" is its title
    assert hits[0].score > hits[-1].score


def test_long_searches_are_refused_in_french_not_a_recursion_error(corpus: Corpus) -> None:
    # 1,000 times the same word once nested Whoosh's matchers 1,000 deep.
    for bad in ("facture " * 1000, " OR ".join(["facture"] * 60), f'"{"pain " * 51}"'):
        with pytest.raises(
            QuerySyntaxError, match=r"Recherche trop longue \(\d+ mots, 50 au plus\)"
        ):
            corpus.engine.search(bad)
    with pytest.raises(QuerySyntaxError, match=r"\(60 mots, 50 au plus\)"):
        corpus.engine.search(" ".join(["facture"] * 60))
    with pytest.raises(QuerySyntaxError, match="trop longue"):
        corpus.engine.search("client:" + "-".join(["dupont"] * 51))
    # 50 words is still a search (and OR markers are not words)
    assert found(corpus, " ".join(["facture"] * 50)) == {"facture_mars", "email_mars", "cr_oeuvre"}
    assert found(corpus, " OR ".join(["pain"] * 50)) == {"facture_mars"}
