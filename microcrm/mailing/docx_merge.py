"""DOCX mail merge: Word fields and ``{{ champ }}`` tags, one DOCX for the whole run.

Every part that prints is merged: the body, headers and footers (first page,
even pages, default), footnotes and endnotes, and the text boxes inside any
of them (VML or DrawingML shapes), tables included. The fields themselves —
simple or complex, nested, MERGEFIELD with its switches, IF, QUOTE, MERGEREC —
are read by :mod:`microcrm.mailing.wordfields`, which also refuses up front
what cannot be merged right (NEXT, SKIPIF, ASK, FILLIN…), naming the field
and where it is. Comments do not print and are left alone.

The template is prepared once: each field and tag becomes a placeholder and
a compiled *slot*. The body is then serialised once to a string and each
letter is a substitution of that body's placeholders (values XML-escaped,
line breaks as ``<w:br/>``), so a 1,000-letter merge costs 1,000
substitutions and one concatenation — no per-letter document object, nothing
quadratic. Footnotes and endnotes are copied for each letter (their ids made
unique, like bookmarks and pictures), so each letter's notes carry its own
values.

Letters are separated the way Word's own « fusionner vers un nouveau document »
does it: a « section break, next page » after each letter, whose section
restarts page numbering, so ``PAGE`` fields count within each letter while
headers and footers stay those of the template. Headers and footers are
printed the same on every letter: only run-level fields (date, our company,
custom fields) may appear there. The result drops the template's link to its
Word data source (``w:mailMerge``), so Word opens it as a plain document.

Before anything is written, the produced document gets a last look
(:func:`microcrm.mailing.wordfields.leftovers`): a merge field, a tag or a
« «Champ» » marker left in a part that prints stops the run with a French
message instead of reaching paper.

LibreOffice, when installed (``soffice`` or ``libreoffice`` on PATH), converts
the result to PDF (:func:`docx_to_pdf`); it is optional.
"""

from __future__ import annotations

import copy
import io
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from microcrm.mailing.errors import RunCancelledError, TemplateError, UnknownFieldError
from microcrm.mailing.fields import MergeContext, field_key, known_fields, merge_values, run_values
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.wordfields import (
    MARKERS,
    PLACEHOLDER,
    Compiler,
    FieldUse,
    Slot,
    Story,
    Values,
    leftovers,
    shared_recipient_fields,
    stories,
)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W = f"{{{W_NS}}}"
DOCUMENT = "word/document.xml"
RELS = "word/_rels/document.xml.rels"
SETTINGS = "word/settings.xml"
_START, _END = "<!--mcrm-body-start-->", "<!--mcrm-body-end-->"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})
#: Note parts: relationship type → (note element, French name of one note).
_NOTES = {
    "footnotes": ("footnote", "la note de bas de page"),
    "endnotes": ("endnote", "la note de fin"),
}


@dataclass(frozen=True, slots=True)
class DocxResult:
    """A merged run: the DOCX, its letter count, and the PDF when LibreOffice made one."""

    path: Path
    letters: int
    pdf_path: Path | None = None
    pdf_pages: int | None = None


@dataclass(frozen=True, slots=True)
class _Notes:
    """A footnotes or endnotes part: separators in ``head``, the notes copied per letter."""

    head: str
    block: str
    tail: str


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A template ready to merge: zip parts, the body split around its letter content.

    ``shared`` holds the headers and footers (filled once, run-level fields),
    ``notes`` the footnotes and endnotes (filled for each letter), ``slots``
    what each placeholder prints, ``uses`` every merge field and where it is.
    """

    name: str
    parts: dict[str, bytes]
    head: str
    body: str
    tail: str
    section_break: str
    shared: dict[str, str]
    notes: dict[str, _Notes]
    slots: list[Slot]
    uses: list[FieldUse]

    @property
    def fields(self) -> list[tuple[str, str]]:
        """(field as written, where) of every merge field, each place once, in order."""
        return list(dict.fromkeys((use.name, use.where) for use in self.uses))


def _section_break(sect: etree._Element | None) -> str:
    """An empty paragraph carrying a copy of the section properties, restarting numbering."""
    sect = copy.deepcopy(sect) if sect is not None else etree.Element(f"{W}sectPr")
    kind = sect.find(f"{W}type")
    if kind is None:
        kind = etree.Element(f"{W}type")
        sect.insert(0, kind)
    kind.set(f"{W}val", "nextPage")
    _restart_numbering(sect)
    para = etree.Element(f"{W}p", nsmap={"w": W_NS})
    ppr = etree.SubElement(para, f"{W}pPr")
    ppr.append(sect)
    text: str = etree.tostring(para, encoding="unicode")
    return text.replace(f' xmlns:w="{W_NS}"', "", 1)


def _restart_numbering(sect: etree._Element) -> None:
    numbering = sect.find(f"{W}pgNumType")
    if numbering is None:
        numbering = etree.Element(f"{W}pgNumType")
        # Schema order: pgNumType comes after pgMar/paperSrc/pgBorders/lnNumType.
        anchor = None
        for tag in ("lnNumType", "pgBorders", "paperSrc", "pgMar", "pgSz"):
            anchor = sect.find(f"{W}{tag}")
            if anchor is not None:
                break
        if anchor is not None:
            anchor.addnext(numbering)
        else:
            sect.append(numbering)
    numbering.set(f"{W}start", "1")


def _read_parts(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise TemplateError(f"Document Word illisible « {path.name} » : {exc}") from exc


def _parse(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"Document Word illisible « {name} » : {exc}") from exc


def _relationships(parts: dict[str, bytes], name: str) -> dict[str, tuple[str, str]]:
    """The main document's relationships: id → (type, part name), external ones left out."""
    if RELS not in parts:
        return {}
    found = {}
    for rel in _parse(parts[RELS], name):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("word", target)
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        found[rel.get("Id") or ""] = (kind, posixpath.normpath(part))
    return found


def _header_labels(
    root: etree._Element, rels: dict[str, tuple[str, str]], name: str
) -> dict[str, str]:
    """Part name → « l'en-tête de la première page du document « x » » and the like."""
    sections = [
        sect
        for sect in root.iter(f"{W}sectPr")
        if sect.getparent() is not None and sect.getparent().tag in (f"{W}body", f"{W}pPr")
    ]
    labels: dict[str, str] = {}
    for number, sect in enumerate(sections, start=1):
        for ref in sect:
            if ref.tag not in (f"{W}headerReference", f"{W}footerReference"):
                continue
            _, part = rels.get(ref.get(f"{{{R_NS}}}id") or "", ("", ""))
            kind = "l'en-tête" if ref.tag == f"{W}headerReference" else "le pied de page"
            page = {"first": " de la première page", "even": " des pages paires"}.get(
                ref.get(f"{W}type") or "", ""
            )
            section = f" de la section {number}" if len(sections) > 1 else ""
            labels.setdefault(part, f"{kind}{page}{section} du document « {name} »")
    return labels


def _note_numbers(root: etree._Element, kind: str) -> dict[str, int]:
    """Note id → its number as printed (the order of the references in the body)."""
    numbers: dict[str, int] = {}
    for ref in root.iter(f"{W}{kind}Reference"):
        numbers.setdefault(ref.get(f"{W}id") or "", len(numbers) + 1)
    return numbers


def _prepare_notes(
    data: bytes, kind: str, numbers: dict[str, int], compiler: Compiler, name: str
) -> _Notes:
    """Compile each footnote (or endnote); keep them apart from the separators."""
    element, label = _NOTES[kind]
    root = _parse(data, name)
    notes = [n for n in root if n.tag == f"{W}{element}" and n.get(f"{W}type") not in _SEPARATORS]
    for position, note in enumerate(notes, start=1):
        number = numbers.get(note.get(f"{W}id") or "", position)
        for story in stories(Story(note, f"{label} n° {number} du document « {name} »")):
            compiler.story(story)
        root.remove(note)
    root.append(etree.Comment("mcrm-body-start"))
    root.extend(notes)
    root.append(etree.Comment("mcrm-body-end"))
    text = etree.tostring(root, encoding="unicode")
    head, _, rest = text.partition(_START)
    block, _, tail = rest.partition(_END)
    return _Notes(_DECLARATION + head, block, tail)


def prepare(path: Path) -> _Prepared:
    """Read a template and compile every part that prints (nothing is checked yet).

    Raises:
        TemplateError: not a readable DOCX, or a field or tag that cannot be merged
            (named, with where it is), or a per-recipient field in a header or footer.
    """
    name = path.name
    parts = _read_parts(path)
    if DOCUMENT not in parts:
        raise TemplateError(f"« {name} » n'est pas un document Word (.docx).")
    root = _parse(parts[DOCUMENT], name)
    body = root.find(f"{W}body")
    if body is None:
        raise TemplateError(f"« {name} » n'a pas de corps de document.")
    rels = _relationships(parts, name)
    compiler = Compiler()
    for story in stories(Story(body, f"le corps du document « {name} »")):
        compiler.story(story)
    labels = _header_labels(root, rels, name)
    shared: dict[str, str] = {}
    notes: dict[str, _Notes] = {}
    order = {"header": 0, "footer": 1, "footnotes": 2, "endnotes": 3}
    for kind, part_name in sorted(set(rels.values()), key=lambda r: (order.get(r[0], 9), r[1])):
        if part_name not in parts:
            continue
        if kind in ("header", "footer"):
            part = _parse(parts[part_name], name)
            default = "l'en-tête" if kind == "header" else "le pied de page"
            label = labels.get(part_name, f"{default} du document « {name} »")
            for story in stories(Story(part, label, shared=True)):
                compiler.story(story)
            shared[part_name] = _DECLARATION + etree.tostring(part, encoding="unicode")
        elif kind in _NOTES:
            numbers = _note_numbers(root, _NOTES[kind][0])
            notes[part_name] = _prepare_notes(parts[part_name], kind, numbers, compiler, name)
    shared_recipient_fields(compiler.uses)
    sect = body.find(f"{W}sectPr")
    if sect is not None and sect is body[-1]:
        body.remove(sect)
        _restart_numbering(sect)
    else:
        sect = None
    body.insert(0, etree.Comment("mcrm-body-start"))
    body.append(etree.Comment("mcrm-body-end"))
    if sect is not None:
        body.append(sect)
    text = etree.tostring(root, encoding="unicode")
    head, _, rest = text.partition(_START)
    content, _, tail = rest.partition(_END)
    return _Prepared(
        name,
        parts,
        _DECLARATION + head,
        content,
        tail,
        _section_break(sect),
        shared,
        notes,
        compiler.slots,
        compiler.uses,
    )


def docx_fields(path: Path) -> list[tuple[str, str]]:
    """(field as written, where) of every merge field and ``{{ champ }}`` of a DOCX template.

    Raises:
        TemplateError: the template cannot be merged (see :func:`prepare`).
    """
    return prepare(path).fields


def check_docx(path: Path, custom: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Check a DOCX template before any file is written; return the fields it uses.

    Raises:
        UnknownFieldError: naming every field that is neither in the catalogue nor custom.
        TemplateError: the template cannot be merged (see :func:`prepare`).
    """
    prepared = prepare(path)
    _check(prepared, known_fields(custom))
    return prepared.fields


def _check(prepared: _Prepared, known: set[str]) -> None:
    unknown = [(n, w) for n, w in prepared.fields if field_key(n) not in known]
    if unknown:
        (name, where), others = unknown[0], unknown[1:]
        raise UnknownFieldError(name, where, known, others=others)


def _fill(text: str, slots: Sequence[Slot], values: Values) -> str:
    return PLACEHOLDER.sub(lambda m: slots[int(m.group(1))].xml(values), text)


_IDS = re.compile(
    r'(<wp:docPr\b[^>]*?\bid="|<w:bookmark(?:Start|End)\b[^>]*?\bw:id="'
    r'|<w:(?:footnote|endnote)(?:Reference)?\b[^>]*?\bw:id=")(\d+)"'
)
_ID_STEP = 100_000


def _renumber(letter: str, index: int) -> str:
    """Unique drawing, bookmark and note ids per letter (Word reports duplicates as damage)."""
    if not index:
        return letter
    return _IDS.sub(lambda m: f'{m.group(1)}{int(m.group(2)) + index * _ID_STEP}"', letter)


def _markers(values: Values) -> set[str]:
    """Markers (``{{``, « «x» ») the recipient's own data holds: printing them is right."""
    return {m for value in values.fields.values() for m in MARKERS.findall(value)}


def _settings(data: bytes) -> bytes:
    """The settings without the link to Word's data source (Word would ask to query it)."""
    if b"mailMerge" not in data:
        return data
    root = etree.fromstring(data)
    for link in root.findall(f"{W}mailMerge"):
        root.remove(link)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


class _Letters:
    """The merged parts of a run (or of one letter), letter after letter."""

    def __init__(self, prepared: _Prepared, context: MergeContext) -> None:
        self.prepared = prepared
        self.context = context
        self.run_level = Values(run_values(context), context.run_date, 0)
        self.allowed = _markers(self.run_level)
        self.body: list[str] = []
        self.notes: dict[str, list[str]] = {name: [] for name in prepared.notes}

    def add(self, recipient: Recipient, number: int, index: int) -> None:
        """Letter ``number`` (from 1) for ``recipient``; ``index`` makes its ids unique."""
        prepared = self.prepared
        values = Values(merge_values(recipient, self.context), self.context.run_date, number)
        self.allowed |= _markers(values)
        if self.body:
            self.body.append(prepared.section_break)
        self.body.append(_renumber(_fill(prepared.body, prepared.slots, values), index))
        for name, notes in prepared.notes.items():
            self.notes[name].append(_renumber(_fill(notes.block, prepared.slots, values), index))

    def parts(self) -> dict[str, bytes]:
        """Every part of the produced DOCX, checked: nothing unmerged reaches paper.

        Raises:
            TemplateError: something was left unmerged (nothing should be written).
        """
        prepared = self.prepared
        document = prepared.head + "".join(self.body) + prepared.tail
        printed = {DOCUMENT: document}
        for name, notes in prepared.notes.items():
            printed[name] = notes.head + "".join(self.notes[name]) + notes.tail
        for name, xml in prepared.shared.items():
            printed[name] = _fill(xml, prepared.slots, self.run_level)
        self._last_look(printed)
        out = dict(prepared.parts)
        out.update({name: text.encode("utf-8") for name, text in printed.items()})
        if SETTINGS in out:
            out[SETTINGS] = _settings(out[SETTINGS])
        return out

    def _last_look(self, printed: dict[str, str]) -> None:
        allowed = frozenset(self.allowed)
        for name, text in printed.items():
            try:
                root = etree.fromstring(text.encode("utf-8"))
            except etree.XMLSyntaxError as exc:
                raise TemplateError(
                    f"Fusion arrêtée : le document produit à partir de « {self.prepared.name} » "
                    f"serait illisible ({name} : {exc}). Aucun fichier n'a été écrit."
                ) from exc
            story = root.find(f"{W}body") if name == DOCUMENT else root
            label = "le corps" if name == DOCUMENT else f"la partie {name}"
            found = leftovers(Story(story, f"{label} du document produit"), allowed)
            if found is not None:
                raise TemplateError(
                    f"Fusion arrêtée : un champ non remplacé serait imprimé dans "
                    f"« {self.prepared.name} » : {found}. Aucun fichier n'a été écrit ; "
                    "corrigez le modèle ou signalez-le."
                )


def _write_docx(target: io.BufferedIOBase | Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def merge_docx(
    template_path: Path,
    recipients: Sequence[Recipient],
    output: Path,
    *,
    context: MergeContext,
    to_pdf: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> DocxResult:
    """Merge every recipient into one DOCX at ``output`` (and a PDF beside it if asked).

    Fields are checked before anything is written, the produced document once
    more before it is written; the file appears only when complete. ``to_pdf``
    converts with LibreOffice when it is installed (``pdf_path`` stays None
    otherwise).

    Raises:
        UnknownFieldError: a field is not in the catalogue nor a custom field.
        TemplateError: unreadable template, a field or tag that cannot be merged,
            a per-recipient field in a header, or something left unmerged.
        RunCancelledError: cancelled (no file is left).
    """
    prepared = prepare(template_path)
    _check(prepared, known_fields(context.custom))
    letters = _Letters(prepared, context)
    total = len(recipients)
    for index, recipient in enumerate(recipients):
        if cancel is not None and index % 50 == 0 and cancel():
            raise RunCancelledError()
        letters.add(recipient, index + 1, index)
        if progress is not None and (index % 50 == 0 or index + 1 == total):
            progress(index + 1, total, "Lettres")
    parts = letters.parts()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".fusion-", suffix=".docx.part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write_docx(tmp, parts)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    pdf_path: Path | None = None
    pdf_pages: int | None = None
    if to_pdf and find_soffice() is not None:
        pdf_path = docx_to_pdf(output, output.parent)
        from pypdf import PdfReader

        pdf_pages = len(PdfReader(pdf_path).pages)
    return DocxResult(output, total, pdf_path, pdf_pages)


def docx_letters(
    template_path: Path, recipients: Sequence[Recipient], *, context: MergeContext
) -> Iterator[bytes]:
    """One single-letter DOCX per recipient, in order (the GED copies of a DOCX run).

    Each copy gets the same last look as a whole run.
    """
    prepared = prepare(template_path)
    _check(prepared, known_fields(context.custom))
    for number, recipient in enumerate(recipients, start=1):
        letter = _Letters(prepared, context)
        letter.add(recipient, number, 0)
        buffer = io.BytesIO()
        _write_docx(buffer, letter.parts())
        yield buffer.getvalue()


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice`` or ``libreoffice``), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: Path, out_dir: Path, *, timeout: float = 600.0) -> Path:
    """Convert with LibreOffice (headless, private profile); returns the PDF's path.

    Raises:
        TemplateError: LibreOffice is missing or the conversion failed.
    """
    program = find_soffice()
    if program is None:
        raise TemplateError("LibreOffice n'est pas installé : conversion en PDF impossible.")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="microcrm-lo-") as profile:
        command = [
            program,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TemplateError(f"Conversion en PDF impossible : {exc}") from exc
    pdf = out_dir / f"{docx.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        message = done.stderr.decode("utf-8", "replace").strip()[:300]
        raise TemplateError(f"LibreOffice n'a pas pu convertir « {docx.name} » : {message}")
    return pdf
