"""The ``microcrm mailmerge`` command: one run from the command line, summarised as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import confirm_run, default_context, produce_run
from microcrm.mailing.labels import get_label_format, render_labels
from microcrm.mailing.recipients import RecipientSource, parse_where, select_recipients
from microcrm.mailing.templates import USER_FOLDER, load_template, user_templates_dir

Progress = Callable[[int, int, str], None]

TEMPLATES_FOLDER = USER_FOLDER
"""The user's templates folder, relative to the configuration folder (``modeles``)."""


@dataclass(frozen=True, slots=True)
class MailmergeRequest:
    """What the command line asked for (see ``microcrm mailmerge --help``)."""

    template: str
    output: Path
    segment: str | None = None
    base: str | None = None
    where: Sequence[str] = ()
    labels: str | None = None
    labels_start: int = 1
    confirm: bool = False
    name: str | None = None
    run_date: dt.date | None = None
    custom: dict[str, str] = field(default_factory=dict)
    per_contact: bool = False


def parse_custom(pairs: Sequence[str]) -> dict[str, str]:
    """``nom=valeur`` pairs of ``--champ``.

    Raises:
        ValidationError: a pair without ``=``.
    """
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError("champ", f"Champ personnalisé incompris « {pair} » (nom=valeur).")
        values[key.strip()] = value
    return values


def labels_path(output: Path) -> Path:
    """Where the labels of a run go: ``FILE-etiquettes.pdf`` beside the output."""
    return output.with_name(f"{output.stem}-etiquettes.pdf")


def run_mailmerge(
    db: Database,
    request: MailmergeRequest,
    *,
    ged_root: Path,
    config_dir: Path,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Select, check, produce (and with ``confirm`` record) a run; returns the JSON summary.

    Raises:
        MicroCRMError: unknown template, field, segment, base, filter or label format,
            before any file is written.
    """
    if (request.segment is None) == (request.base is None):
        raise ValidationError("segment", "Indiquez soit --segment NOM, soit --base BASE.")
    template = load_template(request.template, user_dir=user_templates_dir(config_dir))
    label_format = get_label_format(request.labels, config_dir) if request.labels else None
    if label_format is not None and not 1 <= request.labels_start <= label_format.per_sheet:
        raise ValidationError(
            "start", f"La position de départ doit être entre 1 et {label_format.per_sheet}."
        )
    if request.segment is not None:
        source = RecipientSource(segment=request.segment, per_contact=request.per_contact)
    else:
        assert request.base is not None
        query = parse_where(db, request.base, request.where)
        source = RecipientSource(query=query, per_contact=request.per_contact)
    selection = select_recipients(db, source)
    context = default_context(db, run_date=request.run_date, custom=request.custom)
    run = produce_run(db, template, selection, request.output, context=context, progress=progress)
    campaign_id = None
    if request.confirm:
        campaign_id = confirm_run(
            db, run, store=ContentStore(ged_root), name=request.name, progress=progress
        )
    summary = run.summary(campaign_id)
    if label_format is not None:
        result = render_labels(
            selection.recipients,
            labels_path(request.output),
            label_format,
            start=request.labels_start,
        )
        summary["labels"] = {
            "file": str(result.path),
            "labels": result.labels,
            "pages": result.pages,
        }
    return summary
