"""DOCX mail merge: Word MERGEFIELD fields and ``{{ champ }}`` tags, one DOCX for the whole run.

The template is prepared once: every MERGEFIELD — simple (``w:fldSimple``) or
complex (``w:fldChar`` begin/separate/end with its instruction split over any
number of runs) — becomes a ``{{ champ }}`` tag, and tags that Word split
across runs (spell-check marks, formatting changes) are joined into their first
run. The body is then serialised once to a string and each letter is a plain
string substitution of that body (values XML-escaped, line breaks as
``<w:br/>``), so a 1,000-letter merge costs 1,000 substitutions and one parse-free
concatenation — no per-letter document object, nothing quadratic.

Letters are separated the way Word's own « fusionner vers un nouveau document »
does it: a « section break, next page » after each letter, whose section
restarts page numbering, so ``PAGE`` fields count within each letter while
headers and footers stay those of the template. Headers and footers may only
use run-level fields (date, our company, custom fields).

LibreOffice, when installed (``soffice`` or ``libreoffice`` on PATH), converts
the result to PDF (:func:`docx_to_pdf`); it is optional.
"""

from __future__ import annotations

import copy
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree  # type: ignore[import-untyped]

from microcrm.mailing.errors import RunCancelledError, TemplateError, UnknownFieldError
from microcrm.mailing.fields import (
    FIELDS_BY_NAME,
    TAG,
    MergeContext,
    field_key,
    known_fields,
    merge_values,
    run_values,
)
from microcrm.mailing.recipients import Recipient

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_NS = "http://www.w3.org/XML/1998/namespace"
W = f"{{{W_NS}}}"
DOCUMENT = "word/document.xml"
_HEADER_FOOTER = re.compile(r"^word/(header|footer)\d*\.xml$")
_MERGEFIELD = re.compile(r'^\s*MERGEFIELD\s+("([^"]+)"|(\S+))', re.IGNORECASE)
_START, _END = "<!--mcrm-body-start-->", "<!--mcrm-body-end-->"
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


@dataclass(frozen=True, slots=True)
class DocxResult:
    """A merged run: the DOCX, its letter count, and the PDF when LibreOffice made one."""

    path: Path
    letters: int
    pdf_path: Path | None = None
    pdf_pages: int | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A template ready to merge: zip parts, the body split around its letter content."""

    parts: dict[str, bytes]
    head: str
    body: str
    tail: str
    section_break: str
    headers: dict[str, str]
    fields: list[tuple[str, str]]


def _mergefield_name(instruction: str) -> str | None:
    found = _MERGEFIELD.match(instruction)
    if not found:
        return None
    return found.group(2) or found.group(3)


def _tag_run(name: str, rpr: etree._Element | None) -> etree._Element:
    run = etree.Element(f"{W}r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    text = etree.SubElement(run, f"{W}t")
    text.set(f"{{{XML_NS}}}space", "preserve")
    text.text = f"{{{{ {name} }}}}"
    return run


def _simple_fields(root: etree._Element) -> None:
    for fld in list(root.iter(f"{W}fldSimple")):
        name = _mergefield_name(fld.get(f"{W}instr", ""))
        if name is None:
            continue
        first_run = fld.find(f"{W}r")
        rpr = first_run.find(f"{W}rPr") if first_run is not None else None
        parent = fld.getparent()
        assert parent is not None
        parent.replace(fld, _tag_run(name, rpr))


def _scan_field(
    runs: list[etree._Element], start: int
) -> tuple[int, str, etree._Element | None, bool]:
    """From a field's ``begin`` run: (end run index, instruction, result's rPr, closed)."""
    depth, instruction, rpr, seen_separate = 0, "", None, False
    for j in range(start, len(runs)):
        for child in runs[j]:
            if child.tag == f"{W}fldChar":
                kind = child.get(f"{W}fldCharType") or ""
                depth += {"begin": 1, "end": -1}.get(kind, 0)
                seen_separate = seen_separate or (kind == "separate" and depth == 1)
            elif child.tag == f"{W}instrText" and depth == 1 and not seen_separate:
                instruction += child.text or ""
            elif child.tag == f"{W}t" and seen_separate and rpr is None:
                rpr = runs[j].find(f"{W}rPr")
        if depth == 0:
            return j, instruction, rpr, True
    return len(runs), instruction, rpr, False


def _complex_fields(paragraph: etree._Element) -> None:
    """Replace MERGEFIELD complex fields of one paragraph by tag runs."""
    runs = list(paragraph.iter(f"{W}r"))
    i = 0
    while i < len(runs):
        begin = runs[i].find(f"{W}fldChar")
        if begin is None or begin.get(f"{W}fldCharType") != "begin":
            i += 1
            continue
        end, instruction, rpr, closed = _scan_field(runs, i)
        name = _mergefield_name(instruction)
        if closed and name is not None:
            parent = runs[i].getparent()
            parent.replace(
                runs[i], _tag_run(name, rpr if rpr is not None else runs[i].find(f"{W}rPr"))
            )
            for run in runs[i + 1 : end + 1]:
                holder = run.getparent()
                if holder is not None:
                    holder.remove(run)
        i = end + 1


def _join_split_tags(paragraph: etree._Element) -> None:
    """Move each ``{{ … }}`` tag that spans several ``w:t`` into the first of them."""
    texts = list(paragraph.iter(f"{W}t"))
    if len(texts) < 2:
        return
    joined = "".join(t.text or "" for t in texts)
    if "{{" not in joined:
        return
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t.text or "")
    for match in reversed(list(TAG.finditer(joined))):
        s, e = match.span()
        first = max(k for k in range(len(texts)) if starts[k] <= s)
        last = max(k for k in range(len(texts)) if starts[k] < e)
        if first == last:
            continue
        head = (texts[first].text or "")[: s - starts[first]]
        tail = (texts[last].text or "")[e - starts[last] :]
        texts[first].text = head + match.group(0)
        texts[first].set(f"{{{XML_NS}}}space", "preserve")
        for k in range(first + 1, last):
            texts[k].text = ""
        texts[last].text = tail
        texts[last].set(f"{{{XML_NS}}}space", "preserve")
    for t in texts:
        if t.text and "{{" in t.text:
            t.set(f"{{{XML_NS}}}space", "preserve")


def _normalise(root: etree._Element) -> None:
    _simple_fields(root)
    for paragraph in root.iter(f"{W}p"):
        _complex_fields(paragraph)
        _join_split_tags(paragraph)


def _fields_of(root: etree._Element, where: str) -> list[tuple[str, str]]:
    found = []
    for number, paragraph in enumerate(root.iter(f"{W}p"), start=1):
        text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
        if "{%" in text:
            raise TemplateError(
                f"Les instructions {{% … %}} ne sont pas prises en charge ({where}, "
                f"paragraphe {number}) : utilisez seulement des champs {{{{ champ }}}}."
            )
        found += [(m.group(1), f"{where}, paragraphe {number}") for m in TAG.finditer(text)]
    return found


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


def prepare(path: Path) -> _Prepared:
    """Read and normalise a template; report its fields (nothing is checked yet).

    Raises:
        TemplateError: not a readable DOCX, or it uses ``{% … %}`` instructions.
    """
    parts = _read_parts(path)
    if DOCUMENT not in parts:
        raise TemplateError(f"« {path.name} » n'est pas un document Word (.docx).")
    try:
        root = etree.fromstring(parts[DOCUMENT])
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"Document Word illisible « {path.name} » : {exc}") from exc
    _normalise(root)
    fields = _fields_of(root, f"le document « {path.name} »")
    headers: dict[str, str] = {}
    for name in sorted(parts):
        if _HEADER_FOOTER.match(name):
            part = etree.fromstring(parts[name])
            _normalise(part)
            label = "l'en-tête" if "header" in name else "le pied de page"
            fields += _fields_of(part, f"{label} du document « {path.name} »")
            headers[name] = etree.tostring(part, encoding="unicode")
    body = root.find(f"{W}body")
    if body is None:
        raise TemplateError(f"« {path.name} » n'a pas de corps de document.")
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
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + head
    return _Prepared(parts, head, content, tail, _section_break(sect), headers, fields)


def docx_fields(path: Path) -> list[tuple[str, str]]:
    """(field as written, where) of every MERGEFIELD and ``{{ champ }}`` of a DOCX template."""
    return prepare(path).fields


def _check(prepared: _Prepared, context: MergeContext) -> None:
    known = known_fields(context.custom)
    for name, where in prepared.fields:
        key = field_key(name)
        if key not in known:
            raise UnknownFieldError(name, where, known)
        in_header = where.startswith(("l'en-tête", "le pied"))
        if in_header and key in FIELDS_BY_NAME and FIELDS_BY_NAME[key].per_recipient:
            raise TemplateError(
                f"Le champ « {name} » change pour chaque destinataire : il ne peut pas être "
                f"dans {where} ; placez-le dans le corps du document."
            )


def _fill(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        found = values.get(field_key(match.group(1)))
        if found is None:
            return match.group(0)
        return escape(found).replace("\n", _BREAK)

    return TAG.sub(value, text)


_IDS = re.compile(r'(<wp:docPr\b[^>]*?\bid="|<w:bookmark(?:Start|End)\b[^>]*?\bw:id=")(\d+)"')
_ID_STEP = 100_000


def _renumber(letter: str, index: int) -> str:
    """Unique drawing and bookmark ids per letter (Word reports duplicates as damage)."""
    if not index:
        return letter
    return _IDS.sub(lambda m: f'{m.group(1)}{int(m.group(2)) + index * _ID_STEP}"', letter)


def _write_docx(
    prepared: _Prepared, target: io.BufferedIOBase | Path, document: str, run_level: dict[str, str]
) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in prepared.parts.items():
            if name == DOCUMENT:
                out.writestr(name, document.encode("utf-8"))
            elif name in prepared.headers:
                out.writestr(name, _fill(prepared.headers[name], run_level).encode("utf-8"))
            else:
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

    Fields are checked before anything is written; the file appears only when
    complete. ``to_pdf`` converts with LibreOffice when it is installed
    (``pdf_path`` stays None otherwise).

    Raises:
        UnknownFieldError: a field is not in the catalogue nor a custom field.
        TemplateError: unreadable template, or a per-recipient field in a header.
        RunCancelledError: cancelled (no file is left).
    """
    prepared = prepare(template_path)
    _check(prepared, context)
    pieces: list[str] = []
    total = len(recipients)
    for index, recipient in enumerate(recipients):
        if cancel is not None and index % 50 == 0 and cancel():
            raise RunCancelledError()
        if index:
            pieces.append(prepared.section_break)
        pieces.append(_renumber(_fill(prepared.body, merge_values(recipient, context)), index))
        if progress is not None and (index % 50 == 0 or index + 1 == total):
            progress(index + 1, total, "Lettres")
    document = prepared.head + "".join(pieces) + prepared.tail
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".fusion-", suffix=".docx.part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write_docx(prepared, tmp, document, run_values(context))
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
    """One single-letter DOCX per recipient, in order (the GED copies of a DOCX run)."""
    prepared = prepare(template_path)
    _check(prepared, context)
    run_level = run_values(context)
    for recipient in recipients:
        buffer = io.BytesIO()
        letter = _fill(prepared.body, merge_values(recipient, context))
        _write_docx(prepared, buffer, prepared.head + letter + prepared.tail, run_level)
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
