"""Text extraction of GED documents, in worker processes.

:func:`extract_text` recognises the format by the file's first bytes, then
by its extension, and never raises on a bad file: a document whose text
cannot be read is still filed and findable by its name and metadata, and
:attr:`Extraction.note` says why in French ("PDF sans couche texte (image
scannée)", "fichier protégé par mot de passe"…).

:class:`ExtractorPool` runs it in at most two spawned processes (the same
on Linux, Windows and in a frozen build) with a per-file time limit: a PDF
that makes the parser loop is abandoned, its worker killed and replaced.
A frozen app must call ``multiprocessing.freeze_support()`` at start.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import email
import email.utils
import logging
import multiprocessing
import os
import signal
import stat
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Final, Protocol

from microcrm.ged import readers
from microcrm.ged.readers import Source, Unreadable
from microcrm.text import short_date

log = logging.getLogger(__name__)

MAX_EMAIL_DEPTH: Final = 3
"""Nesting of forwarded messages read (an e-mail attached to an e-mail…)."""
DEFAULT_TIMEOUT: Final = 60.0
"""Seconds one file may take in a worker before it is abandoned."""
NOTE_TIMEOUT: Final = "extraction trop longue (abandonnée)"
NOTE_MSG_DAMAGED: Final = "message Outlook illisible ou endommagé"
NOTE_BROKEN: Final = "fichier illisible ou endommagé"
"""A reader failed in a way nobody foresaw: the file is still filed, with this note."""


@dataclass(frozen=True)
class Extraction:
    """The text of a file; ``note`` is the French reason when it could not be read."""

    text: str
    note: str | None


_TEXT_EXTS: Final = frozenset(
    (".txt", ".csv", ".tsv", ".md", ".log", ".ini", ".json", ".xml", ".vcf", ".ics")
)
_HTML_EXTS: Final = frozenset((".html", ".htm", ".xhtml"))
_IMAGE_EXTS: Final = frozenset(
    (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".heic")
)
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_EXTS: Final = frozenset((".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm", ".ppsx"))
_PDF_OR_ZIP: Final = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".pptx": "pptx",
    ".pptm": "pptx",
    ".ppsx": "pptx",
    ".odt": "odf",
    ".ods": "odf",
    ".odp": "odf",
}


def _zip_kind(src: Source) -> str:
    """``docx``, ``xlsx``, ``pptx``, ``odf`` or ``zip`` from the names inside a ZIP package."""
    import zipfile

    try:
        with zipfile.ZipFile(readers.open_source(src)) as pkg:
            names = set(pkg.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "content.xml" in names and "mimetype" in names:
                mime = pkg.read("mimetype").decode("ascii", "replace")
                if mime.startswith("application/vnd.oasis.opendocument"):
                    return "odf"
    except (zipfile.BadZipFile, OSError, KeyError):
        return "broken-zip"
    return "zip"


def sniff(src: Source, name: str) -> str:  # noqa: PLR0911 - one answer per signature
    """The format of a file: by its first bytes, else by the extension of ``name``."""
    head = readers.read_bytes(src, 512)
    ext = Path(name).suffix.lower()
    if head.startswith(b"%PDF") or b"%PDF-" in head[:64]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(src)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(_OLE_MAGIC):
        if ext == ".msg":
            return "msg"
        return "encrypted-office" if ext in _OOXML_EXTS else "ole"
    if ext in _PDF_OR_ZIP:
        return "corrupt"  # the extension promises a format the bytes do not have
    if ext == ".eml" or (ext == "" and _looks_like_email(head)):
        return "eml"
    if ext in _HTML_EXTS or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext == ".rtf":
        return "corrupt"
    if ext in _TEXT_EXTS:
        return "text"
    if ext in _IMAGE_EXTS:
        return "image"
    return "unknown"


def _looks_like_email(head: bytes) -> bool:
    lower = head[:512].lower()
    return lower.startswith(
        (
            b"from:",
            b"received:",
            b"return-path:",
            b"message-id:",
            b"mime-version:",
            b"date:",
            b"delivered-to:",
        )
    )


_FAILURE_NOTES: Final = {
    "encrypted-office": readers.NOTE_PASSWORD,
    "ole": "ancien format Office (.doc, .xls, .ppt) : enregistrez-le en .docx, .xlsx ou .pptx",
    "image": "image : pas de texte à lire (pas de reconnaissance de caractères)",
    "broken-zip": "fichier endommagé (archive illisible)",
    "zip": "archive ZIP : contenu non lu",
}


def _unsupported(name: str) -> str:
    ext = Path(name).suffix.lower()
    return (
        f"format non pris en charge : {ext}"
        if ext
        else ("format non pris en charge (fichier sans extension)")
    )


_READERS: Final[dict[str, Callable[[Source], str]]] = {
    "pdf": readers.read_pdf,
    "docx": readers.read_docx,
    "xlsx": readers.read_xlsx,
    "pptx": readers.read_pptx,
    "odf": readers.read_odf,
    "rtf": readers.read_rtf,
    "html": readers.read_html,
    "text": readers.read_plain,
}


def _refusal(kind: str, name: str) -> str | None:
    """The note of a format read no further (None: a reader handles ``kind``)."""
    if kind == "corrupt":
        return f"fichier endommagé ou mal nommé ({Path(name).suffix.lower()})"
    if kind == "unknown":
        return _unsupported(name)
    return _FAILURE_NOTES.get(kind)


def _read(src: Source, name: str, depth: int) -> Extraction:
    kind = sniff(src, name)
    refusal = _refusal(kind, name)
    if refusal:
        return Extraction("", refusal)
    try:
        if kind == "eml":
            text = email_text(readers.read_bytes(src), depth)
        elif kind == "msg":
            text = msg_text(src, depth)
        else:
            text = _READERS[kind](src)
    except Unreadable as exc:
        return Extraction("", exc.reason)
    except OSError:
        raise  # the file itself could not be read: extract_text says so
    except Exception:  # a reader library choking on a malformed file: never fail the filing
        # Debug level: the note tells the user; a traceback on the console would not help.
        log.debug("extraction failed for %s", name, exc_info=True)
        return Extraction("", NOTE_BROKEN)
    text = text.strip()[: readers.MAX_TEXT]
    if not text:
        return Extraction("", "document sans texte")
    return Extraction(text, None)


def extract_text(path: Path, *, filename: str | None = None) -> Extraction:
    """The text of the file at ``path``; ``filename`` (its real name) gives the extension.

    Never raises for a bad or unreadable file: the reason is in ``note``.
    """
    name = filename or path.name
    try:
        return _read(path, name, 0)
    except OSError as exc:
        return Extraction("", f"fichier illisible : {exc.strerror or exc}")
    except Exception:  # e.g. while sniffing the format: still a note, never a traceback
        log.debug("extraction failed for %s", name, exc_info=True)
        return Extraction("", NOTE_BROKEN)


def extract_bytes(data: bytes, filename: str) -> Extraction:
    """:func:`extract_text` for content already in memory (an attachment, a mail merge)."""
    try:
        return _read(data, filename, 0)
    except OSError as exc:
        return Extraction("", f"fichier illisible : {exc.strerror or exc}")
    except Exception:
        log.debug("extraction failed for %s", filename, exc_info=True)
        return Extraction("", NOTE_BROKEN)


# -- e-mail ----------------------------------------------------------------------------------


def _date_line(value: str) -> str:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value
    return short_date(when)


def _part_text(part: Message) -> str:
    """A text part decoded with its charset (a bad or unknown charset falls back to cp1252)."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, ValueError, AssertionError, KeyError):
            pass
    payload = part.get_payload(decode=True)
    return readers.decode_text(payload) if isinstance(payload, bytes) else ""


def email_text(data: bytes, depth: int = 0) -> str:
    """Header lines, body (plain text, else HTML as text), then each attachment's text.

    The layout (``De :``, ``À :``, ``Objet :``, ``Date :``, ``--- Pièce jointe : x ---``)
    is also what the demo writes, so both index the same way.
    """
    msg = email.message_from_bytes(data, policy=policy.default)
    lines = []
    for header, label in (("From", "De"), ("To", "À"), ("Cc", "Cc"), ("Subject", "Objet")):
        value = msg.get(header)
        if value:
            lines.append(f"{label} : {' '.join(str(value).split())}")
    if msg.get("Date"):
        lines.append(f"Date : {_date_line(str(msg['Date']))}")
    parts = ["\n".join(lines)]
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _part_text(body)
        parts.append(readers.html_to_text(text) if body.get_content_subtype() == "html" else text)
    for attachment in msg.iter_attachments():
        name = attachment.get_filename() or "pièce jointe"
        parts.append(_attachment_text(attachment, name, depth))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _attachment_text(part: Message, name: str, depth: int) -> str:
    head = f"--- Pièce jointe : {name} ---"
    if depth >= MAX_EMAIL_DEPTH:
        return head
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        nested = inner[0] if isinstance(inner, list) and inner else None
        data = nested.as_bytes() if isinstance(nested, Message) else b""
        if not name.lower().endswith(".eml"):
            name += ".eml"
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    return _attached_text(head, data, name, depth)


def _attached_text(head: str, data: bytes, name: str, depth: int) -> str:
    """An attachment's heading line, then its text or, in brackets, why it has none."""
    found = _read(data, name, depth + 1)
    if found.note:
        return f"{head}\n({found.note})"
    return f"{head}\n{found.text}"


# -- Outlook .msg ----------------------------------------------------------------------------


def msg_text(src: Source, depth: int = 0) -> str:
    """An Outlook ``.msg`` file in the layout of :func:`email_text`, read by extract-msg.

    Header lines, body (plain text, else HTML as text), then each attachment's
    text (an attached message in turn). Another Outlook item (a contact, a
    meeting, a task) gives what it has: its subject and body.
    """
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    readers.quiet_libraries()
    tolerant = (
        ErrorBehavior.ATTACH_SUPPRESS_ALL | ErrorBehavior.RTFDE | ErrorBehavior.STANDARDS_VIOLATION
    )
    try:
        msg = extract_msg.openMsg(
            str(src) if isinstance(src, Path) else src, strict=False, errorBehavior=tolerant
        )
    except Exception as exc:  # olefile and extract-msg errors of a damaged file
        raise Unreadable(NOTE_MSG_DAMAGED) from exc
    try:
        return _outlook_text(msg, depth)
    finally:
        msg.close()


def _field(item: object, attr: str) -> object:
    """One property of an Outlook item; None when absent or malformed (not the whole item)."""
    try:
        return getattr(item, attr, None)
    except Exception:  # extract-msg decodes properties lazily: a bad one raises here
        return None


def _one_line(value: object) -> str:
    return " ".join(str(value).replace("\x00", " ").split()) if value else ""


def _outlook_text(msg: object, depth: int) -> str:
    lines = []
    for attr, label in (("sender", "De"), ("to", "À"), ("cc", "Cc"), ("subject", "Objet")):
        value = _one_line(_field(msg, attr))
        if value:
            lines.append(f"{label} : {value}")
    when = _field(msg, "date")
    if isinstance(when, dt.datetime):
        lines.append(f"Date : {short_date(when.astimezone() if when.tzinfo else when)}")
    parts = ["\n".join(lines), _outlook_body(msg)]
    attachments = _field(msg, "attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        parts.append(_outlook_attachment(attachment, depth))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _outlook_body(msg: object) -> str:
    body = _field(msg, "body")
    if isinstance(body, str) and body.strip():
        return body.replace("\x00", "").replace("\r\n", "\n")
    html = _field(msg, "htmlBody")
    if isinstance(html, bytes) and html.strip():
        return readers.read_html(html)
    return ""


def _outlook_attachment(attachment: object, depth: int) -> str:
    from extract_msg.msg_classes import MSGFile

    name = (
        _one_line(
            _field(attachment, "longFilename")
            or _field(attachment, "displayName")
            or _field(attachment, "shortFilename")
        )
        or "pièce jointe"
    )
    data = _field(attachment, "data")
    if isinstance(data, MSGFile) and not name.lower().endswith(".msg"):
        name += ".msg"
    head = f"--- Pièce jointe : {name} ---"
    if depth >= MAX_EMAIL_DEPTH:
        return head
    if isinstance(data, bytes):
        return _attached_text(head, data, name, depth)
    if isinstance(data, MSGFile):
        return f"{head}\n{_outlook_text(data, depth + 1)}"
    return head  # a link to a file elsewhere, a broken attachment: its name only


# -- worker processes ------------------------------------------------------------------------


def _worker_start() -> None:
    """Set up a worker process so that nothing it meets prints on the user's console.

    Readers turn a bad file into a note; what the libraries log or warn about
    it would only reach stderr (with no handler, logging prints warnings there
    itself). A Ctrl+C in the terminal stops the worker quietly: the parent
    process reports the interruption.
    """
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")
    readers.quiet_libraries()
    signal.signal(signal.SIGINT, lambda _signum, _frame: os._exit(130))


def _job(path: str, filename: str | None) -> tuple[str, str | None]:
    """Worker entry point (module level: picklable under spawn)."""
    found = extract_text(Path(path), filename=filename)
    return found.text, found.note


Job = Path | tuple[Path, str]
INLINE_MAX_BYTES: Final = 2_000_000
"""Largest file read in the calling thread while the workers start (a few 100 ms at most)."""


def _small(path: Path) -> bool:
    """A regular file small enough to read inline (never a FIFO or a device: they can block)."""
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= INLINE_MAX_BYTES
"""A file to extract: its path, or (path, real filename) for a store object."""


class Extractor(Protocol):
    """What extracts texts for the GED: an :class:`ExtractorPool`, or a test double."""

    def map(self, jobs: Iterable[Job]) -> Iterator[Extraction]: ...

    def start(self) -> None: ...

    def close(self) -> None: ...


class ExtractorPool:
    """:func:`extract_text` in worker processes, at most two, with a per-file time limit.

    Reuse one pool: starting a spawned worker costs about half a second.
    Several threads may share it: their :meth:`map` calls run one after the
    other (each holds the pool until its iterator is exhausted or closed, so
    consume it fully, e.g. with ``list``).
    """

    def __init__(self, *, workers: int = 2, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.workers = max(1, min(workers, 2, os.cpu_count() or 1))
        self.timeout = timeout
        self._executor: cf.ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        """Whether a worker has answered (the pool's start-up cost is paid)."""
        return self._ready.is_set()

    def start(self) -> None:
        """Start the workers in the background, without waiting for them."""
        with self._lock:
            self._pool()

    def _pool(self) -> cf.ProcessPoolExecutor:
        if self._executor is None:
            self._ready.clear()
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_worker_start,
            )
            probe = self._executor.submit(os.getpid)
            probe.add_done_callback(lambda _f: self._ready.set())
        return self._executor

    def _kill(self) -> None:
        """Stop the workers at once (one is stuck on a file) and forget the pool."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.kill()
        executor.shutdown(wait=True, cancel_futures=True)

    def map(self, jobs: Iterable[Job]) -> Iterator[Extraction]:
        """One :class:`Extraction` per job, in order; a file over the time limit gets a note.

        A single small file filed while the workers are still starting (about
        2 s after the first use) is read in the calling thread instead, so that
        a document dropped at once is searchable without waiting for them.
        """
        queue = list(jobs)
        if len(queue) == 1 and not self.ready:
            only = queue[0]
            path, name = (only, None) if isinstance(only, Path) else only
            if _small(path):
                yield extract_text(path, filename=name)
                return
        with self._lock:
            yield from self._map(queue)

    def _map(self, jobs: Iterable[Job]) -> Iterator[Extraction]:
        queue = [(j, None) if isinstance(j, Path) else j for j in jobs]
        window = self.workers * 2
        position = 0
        pending: list[tuple[tuple[Path, str | None], cf.Future[tuple[str, str | None]]]] = []
        while position < len(queue) or pending:
            while position < len(queue) and len(pending) < window:
                path, name = queue[position]
                pending.append(((path, name), self._pool().submit(_job, str(path), name)))
                position += 1
            job, future = pending.pop(0)
            try:
                text, note = future.result(timeout=self.timeout)
            except cf.TimeoutError:
                text, note = "", NOTE_TIMEOUT
                pending = self._restart(pending)
            except cf.process.BrokenProcessPool:
                # A worker died (a reader crashed): the pool is lost for every pending file.
                # Retry this file alone, so that only the culprit gets the note.
                self._kill()
                try:
                    text, note = (
                        self._pool().submit(_job, str(job[0]), job[1]).result(timeout=self.timeout)
                    )
                except (cf.TimeoutError, cf.process.BrokenProcessPool):
                    text, note = "", "fichier illisible (le lecteur s'est arrêté)"
                pending = self._restart(pending)
            yield Extraction(text, note)

    def _restart(
        self, pending: list[tuple[tuple[Path, str | None], cf.Future[tuple[str, str | None]]]]
    ) -> list[tuple[tuple[Path, str | None], cf.Future[tuple[str, str | None]]]]:
        """Kill the workers and submit the waiting files again to a fresh pool."""
        self._kill()
        return [(j, self._pool().submit(_job, str(j[0]), j[1])) for j, _ in pending]

    def close(self) -> None:
        """Stop the workers (waits for the running files)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
