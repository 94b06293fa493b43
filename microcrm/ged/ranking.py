"""The ranking of GED searches: BM25 term saturation without length normalisation.

Whoosh's BM25F reads the field length of every matching document (~10 µs
each, the bulk of a common word's search at 100,000 documents) and its
block bounds depend on lengths too, so few blocks can be skipped. Here a
score depends on the term frequency only: a block's best possible score
is known from its highest frequency, and once the top hits are found the
collector skips every block that cannot beat them, ties included. Title
words are indexed three times (:data:`microcrm.ged.index.TITLE_WEIGHT`),
which ranks title matches first.
"""

from __future__ import annotations

from typing import Any, Final

from whoosh.scoring import BaseScorer, WeightingModel


class SaturatedTermScorer(BaseScorer):  # type: ignore[misc]
    """BM25 without length normalisation: ``idf · tf·(k1+1) / (tf+k1)``.

    No field-length lookup per document (Whoosh's BM25F reads one per match,
    ~10 µs), and the best possible score of a block depends on its highest
    frequency only, so once the top hits are found, blocks that cannot beat
    them are skipped, ties included.
    """

    K1: Final = 1.2

    def __init__(self, idf: float, max_weight: float) -> None:
        self._idf = idf
        self._max = self._score(max_weight)

    def _score(self, weight: float) -> float:
        return self._idf * weight * (self.K1 + 1) / (weight + self.K1)

    def supports_block_quality(self) -> bool:
        return True

    def score(self, matcher: Any) -> float:
        return self._score(matcher.weight())

    def max_quality(self) -> float:
        return self._max

    def block_quality(self, matcher: Any) -> float:
        return self._score(matcher.block_max_weight())


class Ranking(WeightingModel):  # type: ignore[misc]
    """The weighting of every search (see :class:`SaturatedTermScorer`)."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> BaseScorer:
        info = searcher.term_info(fieldname, text)
        return SaturatedTermScorer(searcher.idf(fieldname, text) * qf, info.max_weight())


RANKING: Final = Ranking()
