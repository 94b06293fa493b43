"""What the GED screens share: type labels, dropped and dragged files, opening.

Opening a document with the system application goes through an exported copy
(``Ged.export_copy``) in a temporary folder of its own: the store's objects
have no extension and must never be edited in place by another program.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QDesktopServices

from microcrm.ged.service import Ged

#: Custom drag format for documents moved from the list onto a dossier (ids, comma-separated).
DOCUMENT_IDS_MIME = "application/x-microcrm-document-ids"
#: Hard limit on the files taken from one drop (a whole disk dropped by mistake).
MAX_DROPPED_FILES = 2000


def type_label(doc_type: str) -> str:
    """A stored document type as shown: « facture » → « Facture »."""
    return doc_type[:1].upper() + doc_type[1:]


def dropped_paths(mime: QMimeData) -> list[Path]:
    """Local files carried by a drop (folders are walked), in a stable order.

    Files dragged from a file manager, or ``.eml``/``.msg`` files saved from
    a mail client, arrive as ``file://`` URLs; anything else is ignored.
    """
    paths: list[Path] = []
    for url in mime.urls() if mime.hasUrls() else []:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            paths.append(path)
        if len(paths) >= MAX_DROPPED_FILES:
            break
    return list(dict.fromkeys(paths))[:MAX_DROPPED_FILES]


def document_ids_mime(ids: Iterable[int]) -> QMimeData:
    """Drag payload of documents moved inside the app."""
    mime = QMimeData()
    mime.setData(DOCUMENT_IDS_MIME, ",".join(str(i) for i in ids).encode("ascii"))
    return mime


def dragged_document_ids(mime: QMimeData) -> list[int]:
    """Document ids of an internal drag ([] for anything else)."""
    if not mime.hasFormat(DOCUMENT_IDS_MIME):
        return []
    raw = bytes(mime.data(DOCUMENT_IDS_MIME).data()).decode("ascii", "replace")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def opening_folder() -> Path:
    """A fresh temporary folder for one exported copy (files stay open in other programs)."""
    base = Path(tempfile.gettempdir()) / "microcrm-documents"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="doc-", dir=base))


def open_with_system(path: Path) -> bool:
    """Open ``path`` with the application the desktop associates with its type.

    Tests replace this function (nothing must be launched offscreen).
    """
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def open_document(ged: Ged, document_id: int, version: int | None = None) -> Path:
    """Export a copy of a document (or one of its versions) and open it; the copy's path.

    Raises:
        MicroCRMError: from the service (document gone, object missing…).
        OSError: the copy could not be written.
    """
    path = ged.export_copy(document_id, opening_folder(), version=version)
    # Read-only copy: edits must go back through « Ajouter » (a new version), not here.
    path.chmod(0o444)
    open_with_system(path)
    return path
