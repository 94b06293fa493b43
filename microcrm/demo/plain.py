"""The plain text of a demo document, as text extraction would read it from the file.

The demo files 100,000 documents: extracting them again would take longer
than rendering them, so the generator writes the text sidecar of the GED
store (``ContentStore.write_text``) from the content it already knows. The
layout follows :mod:`microcrm.ged.extract` (for e-mails: the same header
lines and attachment separator), so the index sees the same words either way.
"""

from __future__ import annotations

from microcrm.demo.render_office import csv_text, xlsx_rows
from microcrm.demo.texts import DocContent


def _blocks(c: DocContent) -> list[str]:
    sender = [c.sender.name, *c.sender.lines, f"Tél. {c.sender.phone}", f"SIRET {c.sender.siret}"]
    recipient = [c.recipient.name]
    if c.recipient.contact:
        recipient.append(f"À l'attention de {c.recipient.contact}")
    recipient += list(c.recipient.lines)
    return ["\n".join(sender), "\n".join(recipient), c.place_date]


def _table(c: DocContent) -> list[str]:
    if not c.table:
        return []
    lines = ["Désignation Qté P.U. HT Total HT"]
    lines += [" ".join(row) for row in c.table]
    lines += [f"{label} {value}" for label, value in c.totals]
    return ["\n".join(lines)]


def email_text(c: DocContent) -> str:
    """An e-mail: header lines, body, then each attachment after its separator."""
    head = [
        f"De : {c.email_from}",
        f"À : {c.email_to}",
        f"Objet : {c.subject}",
        f"Date : {c.doc_date:%d/%m/%Y}",
    ]
    body = "\n\n".join([*c.paragraphs, c.signature, c.quote]).strip()
    parts = ["\n".join(head), body]
    if c.attachment:
        name, data = c.attachment
        parts.append(f"--- Pièce jointe : {name} ---\n{data.strip()}")
    return "\n\n".join(parts) + "\n"


def text_of(c: DocContent) -> str:
    """The words a reader finds in the rendered file of ``c``, in reading order."""
    if c.fmt == "eml":
        return email_text(c)
    if c.fmt == "csv":
        return csv_text(c).replace("\r\n", "\n")
    if c.fmt == "xlsx":
        rows = ["\t".join(v for v in row if v) for row in xlsx_rows(c)]
        return "\n".join(["Feuille : Document", *(r for r in rows if r)]) + "\n"
    parts = [c.title]
    if c.kind != "note":
        parts += _blocks(c)
    if c.subject != c.title:
        parts.append(f"Objet : {c.subject}")
    parts += c.paragraphs[:1]
    parts += _table(c)
    parts += c.paragraphs[1:]
    parts += [p for p in (c.closing, c.signature) if p]
    return "\n\n".join(parts) + "\n"
