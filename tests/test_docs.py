"""Citations of the design documents lead somewhere: files in docs/, sections they have.

Code comments and docstrings cite the design by path and section
(``docs/storage.md §4.3``, ``docs/architecture.md, "Layers"``); a later bare
``§6`` refers to the document cited last above it in the same file. These
tests fail when a cited document or section does not exist, when a document
is named without its ``docs/`` path or by a retired name (``storage-design``,
``ARCHITECTURE.md``…), when a comment names a ticket ("issue 7") instead of
giving the reason, and when the README links outside the repository: a
maintainer with only this repository must be able to follow every reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Folders and files whose text may cite the design documents.
SCANNED_DIRS = ("microcrm", "tests", "benchmarks", "scripts", "installer", "migrations", ".ci",
                "resources")
SCANNED_FILES = ("README.md", "pyproject.toml", "dev.py", "setup.py")
SCANNED_SUFFIXES = frozenset({".py", ".toml", ".md", ".spec", ".iss", ".desktop", ".cfg", ""})
THIS_FILE = Path(__file__).resolve()

#: A cited document: ``docs/NAME.md`` in code, ``](NAME.md)`` in a document.
CODE_CITATION = re.compile(r"docs/([\w-]+\.md)")
DOC_LINK = re.compile(r"\]\(([\w-]+\.md)(?:#[\w-]*)?\)")
#: What follows a citation up to ``)``, ``;``, ``]`` or the end of the line; a next line
#: that starts with ``§`` (after comment markers) continues it.
TAIL = re.compile(r"[^)\];\n]*(?:\n[ \t]*(?:#+|\*)?[ \t]*§[^)\];\n]*)*")
SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+)(?!\.\d))?")
QUOTED_HEADING = re.compile(r"^,?\s*[\"“«]\s*([^\"”»]+?)\s*[\"”»]")
HEADING = re.compile(r"^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?\s+)?(.+?)\s*#*\s*$", re.MULTILINE)
#: Another standard's section (``RFC 2426 §3``), not one of ours.
FOREIGN_SECTION = re.compile(r"(?:RFC\s*\d+|ISO\s*[\d-]+|NF\s*Z[\d-]+)[,:]?\s*$")
#: Names of the design documents before they moved into docs/ (``STYLE.md``… are caught
#: as bare names of docs/ files, whatever their case).
RETIRED = re.compile(
    r"\b(?:storage-design|ged-search-notes)\b"
    r"|(?<![/\w])(?:import-formats|address-standard|external-services)\s*§"
)
#: A ``NAME.md`` not preceded by a folder.
BARE_MD = re.compile(r"(?<![\w/.-])([\w-]+\.md)\b")
#: A ticket number standing in for a reason.
TICKET = re.compile(r"\b(?:GitHub\s+)?issue\s+(?:\d+|\"[^\"]+\")", re.IGNORECASE)


@dataclass(frozen=True)
class Citation:
    """One reference to a design document, where it was found."""

    where: str
    document: str
    sections: tuple[str, ...] = ()
    heading: str = ""


@cache
def headings(document: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Section numbers (``4``, ``4.3``) and heading titles of ``docs/<document>``."""
    text = (DOCS / document).read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    numbers, titles = set(), []
    for match in HEADING.finditer(text):
        if match[1]:
            numbers.add(match[1])
        titles.append(match[2].lower())
    return frozenset(numbers), tuple(titles)


def scanned_files() -> Iterator[Path]:
    """Every text file that may cite the design, outside docs/ and caches."""
    for name in SCANNED_FILES:
        if (ROOT / name).is_file():
            yield ROOT / name
    for folder in SCANNED_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SCANNED_SUFFIXES
                and "__pycache__" not in path.parts
                and path.resolve() != THIS_FILE
            ):
                yield path


def doc_files() -> list[Path]:
    """The design documents themselves."""
    return sorted(DOCS.glob("*.md"))


def read(path: Path) -> str:
    """The file's text (undecodable bytes replaced: binaries are skipped by suffix)."""
    return path.read_text(encoding="utf-8", errors="replace")


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset``."""
    return text.count("\n", 0, offset) + 1


def sections_in(tail: str) -> tuple[str, ...]:
    """Section numbers named in a citation's tail; ``§5–6`` names 5 and 6."""
    found: list[str] = []
    for match in SECTION.finditer(tail):
        found.append(match[1])
        if match[2] and match[1].isdigit():
            found.extend(str(n) for n in range(int(match[1]) + 1, int(match[2]) + 1))
    return tuple(found)


def citations(path: Path) -> Iterator[Citation]:
    """The citations of ``path``: explicit ones, then bare ``§N`` tied to the last one above."""
    text = read(path)
    rel = path.relative_to(ROOT)
    pattern = DOC_LINK if path.parent == DOCS else CODE_CITATION
    spans: list[tuple[int, int, str]] = []
    for match in pattern.finditer(text):
        tail = TAIL.match(text, match.end())
        end = tail.end() if tail else match.end()
        tail_text = tail.group() if tail else ""
        quoted = QUOTED_HEADING.match(tail_text)
        spans.append((match.start(), end, match[1]))
        yield Citation(
            f"{rel}:{line_of(text, match.start())}",
            match[1],
            sections_in(tail_text),
            quoted[1] if quoted else "",
        )
    if path.parent == DOCS:
        return  # a document's own "§5" means its own section 5; its links are checked above
    for match in SECTION.finditer(text):
        if any(start <= match.start() < end for start, end, _ in spans):
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        if FOREIGN_SECTION.search(before):
            continue
        cited = [doc for start, _, doc in spans if start < match.start()]
        yield Citation(
            f"{rel}:{line_of(text, match.start())}",
            cited[-1] if cited else "",
            sections_in(match.group()),
        )


def all_citations() -> list[Citation]:
    """Every citation in the scanned files and in the documents."""
    found: list[Citation] = []
    for path in [*scanned_files(), *doc_files()]:
        found.extend(citations(path))
    return found


def problem(citation: Citation) -> str | None:
    """Why ``citation`` leads nowhere, or None when it is good."""
    if not citation.document:
        return f"{citation.where}: § {citation.sections} cites no document (write docs/NAME.md §N)"
    if not (DOCS / citation.document).is_file():
        return f"{citation.where}: docs/{citation.document} does not exist"
    numbers, titles = headings(citation.document)
    missing = [s for s in citation.sections if s not in numbers]
    if missing:
        return f"{citation.where}: docs/{citation.document} has no section §{', §'.join(missing)}"
    wanted = citation.heading.lower()
    if wanted and not any(wanted in title for title in titles):
        return f"{citation.where}: docs/{citation.document} has no heading « {citation.heading} »"
    return None


def test_the_design_documents_are_in_the_repository() -> None:
    names = {path.name for path in doc_files()}
    assert {"architecture.md", "storage.md", "address-standard.md", "import-formats.md",
            "ged-search.md", "style.md", "environment.md"} <= names  # fmt: skip


def test_code_cites_the_design_documents() -> None:
    # The code cites the documents dozens of times: a scan that found none is broken.
    assert sum(c.document == "storage.md" and bool(c.sections) for c in all_citations()) >= 5


def test_every_citation_names_an_existing_document_and_section() -> None:
    problems = [p for c in all_citations() if (p := problem(c))]
    assert not problems, "\n".join(problems)


def test_documents_are_cited_by_their_path_in_the_repository() -> None:
    documents = {path.name.lower() for path in doc_files()}
    stale = [
        f"{path.relative_to(ROOT)}:{line_of(text, m.start())}: {m.group().strip()}"
        for path in scanned_files()
        for text in [read(path)]
        for m in [*RETIRED.finditer(text), *BARE_MD.finditer(text)]
        if m.re is RETIRED or m[1].lower() in documents
    ]
    assert not stale, "cite docs/NAME.md instead:\n" + "\n".join(stale)


def test_comments_give_reasons_not_ticket_numbers() -> None:
    tagged = [
        f"{path.relative_to(ROOT)}:{line_of(text, m.start())}: {m.group()}"
        for path in scanned_files()
        if path.suffix == ".py"
        for text in [read(path)]
        for m in TICKET.finditer(text)
    ]
    assert not tagged, "say why (or cite docs/…) instead of the ticket:\n" + "\n".join(tagged)


def readme_targets() -> list[str]:
    """Link and image targets of the README, and paths it quotes in backticks."""
    text = read(ROOT / "README.md")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    quoted = re.findall(r"`([^`\s]*(?:\.\./|/shared/)[^`\s]*)`", text)
    return links + quoted


def test_readme_links_stay_inside_the_repository() -> None:
    outside = [
        t for t in readme_targets()
        if t.startswith(("../", "/", "~", "file:")) or "../" in t or "/shared/" in t
    ]  # fmt: skip
    assert not outside, f"README links outside the repository: {outside}"


def test_readme_links_lead_to_files() -> None:
    missing = [
        t for t in readme_targets()
        if "://" not in t and not t.startswith(("#", "mailto:"))
        and not (ROOT / t.split("#")[0]).exists()
    ]  # fmt: skip
    assert not missing, f"README links to missing files: {missing}"


@pytest.mark.parametrize(
    ("text", "document", "sections"),
    [
        ("(docs/storage.md §4.4, §4.5)", "storage.md", ("4.4", "4.5")),
        ("docs/import-formats.md §5–6): plan", "import-formats.md", ("5", "6")),
        ("docs/import-formats.md §6 rules 1–5 and 9", "import-formats.md", ("6",)),
        ("(docs/import-formats.md §3,\n# §5). Headers", "import-formats.md", ("3", "5")),
    ],
)
def test_citation_tails_are_read_as_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, document: str,
    sections: tuple[str, ...],
) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    path = tmp_path / "module.py"
    path.write_text(text, encoding="utf-8")
    found = list(citations(path))
    assert found[0].document == document
    assert found[0].sections == sections


def test_a_bare_section_refers_to_the_last_document_cited_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    path = tmp_path / "module.py"
    path.write_text(
        '"""Reads vCards (docs/import-formats.md §3)."""\n'
        "# Folded at 75 octets (RFC 2426 §2.6).\n"
        "# A closed row is rejected (§6 rule 9).\n",
        encoding="utf-8",
    )
    found = list(citations(path))
    assert [(c.document, c.sections) for c in found] == [
        ("import-formats.md", ("3",)),
        ("import-formats.md", ("6",)),
    ]


def test_headings_give_numbers_and_titles() -> None:
    numbers, titles = headings("storage.md")
    assert {"4", "4.3", "5"} <= numbers
    assert any("transaction discipline" in t for t in titles)
