"""Snippets of GED search hits, and the positional check of phrases.

Both work on the text cache of the content store, for the few hits shown:
the index stores no text.
"""

from __future__ import annotations

import html
from typing import Final

from microcrm.ged.index import WORD_RE, analyze, term

SNIPPET_WORDS: Final = 28


def has_phrases(text: str, phrases: list[list[str]]) -> bool:
    """Whether every phrase occurs as contiguous terms of ``text`` (positional check)."""
    terms = analyze(text)
    for phrase in phrases:
        size = len(phrase)
        first = phrase[0]
        if not any(
            terms[i] == first and terms[i : i + size] == phrase
            for i in range(len(terms) - size + 1)
        ):
            return False
    return True


def make_snippet(
    text: str, terms: set[str], prefixes: list[str], words: int = SNIPPET_WORDS
) -> str:
    """The passage of ``text`` densest in matches, HTML-escaped, matches in ``<b>``."""
    spans = list(WORD_RE.finditer(text))
    if not spans:
        return html.escape(" ".join(text.split())[:200], quote=False)
    starts = tuple(prefixes)

    def matches(word: str) -> bool:
        found = term(word)
        return bool(found) and (found in terms or (bool(starts) and found.startswith(starts)))

    marked = [i for i, m in enumerate(spans) if matches(m.group())]
    first = 0
    if marked:
        best, lo = 0, 0
        for hi in range(len(marked)):
            while marked[hi] - marked[lo] >= words:
                lo += 1
            if hi - lo + 1 > best:
                best, first = hi - lo + 1, marked[lo]
        first = max(0, first - 3)
    last = min(len(spans), first + words)
    marked_set = set(marked)
    out: list[str] = ["… "] if first > 0 else []
    pos = spans[first].start()
    for i in range(first, last):
        span = spans[i]
        out.append(html.escape(text[pos : span.start()], quote=False))
        word = html.escape(span.group(), quote=False)
        out.append(f"<b>{word}</b>" if i in marked_set else word)
        pos = span.end()
    if last < len(spans):
        out.append(" …")
    return " ".join("".join(out).split())
