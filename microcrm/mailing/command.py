"""The ``microcrm mailmerge`` command: one run from the command line, summarised as JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from microcrm.errors import ValidationError
from microcrm.mailing.envelopes import get_envelope_format
from microcrm.mailing.labels import get_label_format
from microcrm.mailing.production import MailMerge, RunOptions
from microcrm.mailing.recipients import RecipientSource, parse_where, select_recipients
from microcrm.mailing.templates import USER_FOLDER, load_template

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
    envelope: str | None = None
    window: str = "DL"
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


def run_mailmerge(
    mailmerge: MailMerge,
    request: MailmergeRequest,
    *,
    progress: Progress | None = None,
) -> dict[str, object]:
    """Select, check, produce (and with ``confirm`` record) a run; returns the JSON summary.

    The production is the wizard's (:meth:`MailMerge.produce`): labels with this
    workstation's printer offset, letters in its measured envelope window, envelopes.

    Raises:
        MicroCRMError: unknown template, field, segment, base, filter, label or
            envelope format, before any file is written.
    """
    if (request.segment is None) == (request.base is None):
        raise ValidationError("segment", "Indiquez soit --segment NOM, soit --base BASE.")
    db = mailmerge.db
    template = load_template(request.template, user_dir=mailmerge.templates_dir)
    label_format = (
        get_label_format(request.labels, mailmerge.labels_dir) if request.labels else None
    )
    if request.envelope:
        get_envelope_format(request.envelope)  # an unknown format is refused before selecting
    settings = mailmerge.print_settings()
    layout = mailmerge.letter_layout(request.window)
    options = RunOptions(
        template=template,
        want_pdf=request.output.suffix.lower() == ".pdf",
        want_docx=request.output.suffix.lower() == ".docx",
        window=layout.window,
        window_override=layout.window_override,
        label_format=label_format,
        label_start=request.labels_start,
        label_offset=settings.label_offset(label_format.name) if label_format else (0.0, 0.0),
        envelope=request.envelope,
    )
    if request.segment is not None:
        source = RecipientSource(segment=request.segment, per_contact=request.per_contact)
    else:
        assert request.base is not None
        query = parse_where(db, request.base, request.where)
        source = RecipientSource(query=query, per_contact=request.per_contact)
    selection = select_recipients(db, source)
    context = mailmerge.context(run_date=request.run_date, custom=request.custom)
    produced = mailmerge.produce(
        options, selection, request.output, context=context, progress=progress
    )
    campaign_id = None
    if request.confirm:
        campaign_id = mailmerge.confirm(produced, name=request.name, progress=progress)
    return produced.summary(campaign_id)
