"""One publipostage production, for the wizard and for ``microcrm mailmerge`` alike.

:class:`MailMerge` is built once by the composition root (``AppContext.mailmerge``)
over the database, the GED content store and the user's configuration folder.
:meth:`MailMerge.produce` writes the letters, then the labels and envelopes
beside them (``NAME-etiquettes.pdf``, ``NAME-enveloppes.pdf``), with the printer
offset and envelope window this workstation remembers (:mod:`.print_settings`);
nothing goes in the database. :meth:`MailMerge.confirm` then records the run as
a campaign (history, GED copies). A failed or cancelled production removes every
file it wrote, so a half run never reaches the printer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import MailingRun, confirm_run, default_context, produce_run
from microcrm.mailing.envelopes import get_envelope_format, render_envelopes
from microcrm.mailing.errors import RunCancelledError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.labels import LabelFormat, LabelResult, render_labels
from microcrm.mailing.letters import LetterLayout, WindowSpec
from microcrm.mailing.print_settings import (
    PrintSettings,
    load_print_settings,
    save_label_offset,
    save_window,
    window_override,
)
from microcrm.mailing.recipients import Selection
from microcrm.mailing.templates import LetterTemplate, Template, user_templates_dir

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


def _never() -> bool:
    return False


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to produce for one run.

    Attributes:
        template: The letter or DOCX template.
        want_pdf: Produce a print-ready PDF.
        want_docx: Produce a Word document (DOCX templates only).
        window: Envelope window of app-rendered letters (``DL`` or ``C5``).
        window_override: Measured window position replacing the ``window`` preset, or None.
        label_format: Labels to print with the run, or None.
        label_start: First free position on the label sheet (1-based).
        label_offset: Printer offset (dx, dy) in mm applied to every label.
        envelope: Envelope printed for each recipient (``DL``, ``C5``, ``C4``), or None.
    """

    template: Template
    want_pdf: bool = True
    want_docx: bool = False
    window: str = "DL"
    label_format: LabelFormat | None = None
    label_start: int = 1
    window_override: WindowSpec | None = None
    label_offset: tuple[float, float] = (0.0, 0.0)
    envelope: str | None = None

    def layout(self) -> LetterLayout:
        """The letter layout for the chosen window (and its measured position, if any)."""
        return LetterLayout(window=self.window, window_override=self.window_override)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A produced file offered for printing or saving."""

    path: Path
    label: str
    pages: int | None

    @property
    def is_pdf(self) -> bool:
        """Whether it can be previewed and printed by the app."""
        return self.path.suffix.lower() == ".pdf"


@dataclass(slots=True)
class Produced:
    """A produced run and its files."""

    run: MailingRun
    files: list[OutputFile]
    labels: LabelResult | None = None
    envelopes: int | None = None

    @property
    def folder(self) -> Path:
        """The folder holding the run's files."""
        return self.run.output.parent

    def summary(self, campaign_id: int | None = None) -> dict[str, object]:
        """The JSON summary printed by ``microcrm mailmerge``."""
        data = self.run.summary(campaign_id)
        if self.labels is not None:
            data["labels"] = {
                "file": str(self.labels.path),
                "labels": self.labels.labels,
                "pages": self.labels.pages,
            }
        if self.envelopes is not None:
            data["envelopes"] = {
                "file": str(envelopes_path(self.run.output)),
                "pages": self.envelopes,
            }
        return data


def labels_path(output: Path) -> Path:
    """Where the labels of a run go: ``NAME-etiquettes.pdf`` beside the letters."""
    return output.with_name(f"{output.stem}-etiquettes.pdf")


def envelopes_path(output: Path) -> Path:
    """Where the envelopes of a run go: ``NAME-enveloppes.pdf`` beside the letters."""
    return output.with_name(f"{output.stem}-enveloppes.pdf")


def run_file_stem(template: Template, day: dt.date) -> str:
    """``publipostage-prospection-2026-11-24``: the default name of a run's files."""
    return f"publipostage-{template.name}-{day:%Y-%m-%d}".replace(" ", "-")


def template_context(template: Template, context: MergeContext) -> MergeContext:
    """The run context with a letter template's custom fields and place, as a run uses them."""
    if not isinstance(template, LetterTemplate):
        return context
    return MergeContext(
        context.company,
        context.run_date,
        {**template.custom, **context.custom},
        context.place or template.place,
    )


class MailMerge:
    """Publipostage over one database, one content store and one configuration folder."""

    def __init__(self, db: Database, store: ContentStore, config_dir: Path) -> None:
        self.db = db
        self.store = store
        self.config_dir = config_dir

    @property
    def templates_dir(self) -> Path:
        """The user's letter and DOCX templates."""
        return user_templates_dir(self.config_dir)

    @property
    def labels_dir(self) -> Path:
        """Where user-defined label formats are kept."""
        return self.config_dir

    def print_settings(self) -> PrintSettings:
        """This workstation's printer offsets and envelope windows."""
        return load_print_settings(self.config_dir)

    def save_label_offset(self, format_name: str, offset_mm: tuple[float, float]) -> None:
        """Remember the printer offset measured for a label sheet."""
        save_label_offset(self.config_dir, format_name, offset_mm)

    def save_window(self, window: WindowSpec) -> None:
        """Remember where an envelope's window falls on the letter."""
        save_window(self.config_dir, window)

    def letter_layout(self, window: str) -> LetterLayout:
        """Layout of letters for envelope ``window``, with its remembered position."""
        spec = self.print_settings().window(window)
        return LetterLayout(window=window, window_override=window_override(spec))

    def context(
        self, *, run_date: dt.date | None = None, custom: Mapping[str, str] | None = None
    ) -> MergeContext:
        """Company identity, the letters' date and custom fields."""
        return default_context(self.db, run_date=run_date, custom=dict(custom or {}))

    def produce(
        self,
        options: RunOptions,
        selection: Selection,
        output: Path,
        *,
        context: MergeContext | None = None,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> Produced:
        """Write the letters to ``output`` (``.pdf`` or ``.docx``), labels and envelopes beside.

        Raises:
            RunCancelledError: cancelled; every file of the run is removed.
            MicroCRMError: the run cannot be produced (unknown field, no recipient…),
                before any file is written, or with every written file removed.
        """
        cancel = cancel or _never
        context = context or self.context()
        if options.label_format is not None and not (
            1 <= options.label_start <= options.label_format.per_sheet
        ):
            raise ValidationError(
                "start",
                f"La position de départ doit être entre 1 et {options.label_format.per_sheet}.",
            )
        envelope = get_envelope_format(options.envelope) if options.envelope else None
        written: list[Path] = []
        try:
            run = produce_run(
                self.db,
                options.template,
                selection,
                output,
                context=context,
                layout=options.layout(),
                progress=progress,
                cancel=cancel,
            )
            files: list[OutputFile] = []
            for path in (run.pdf_path, run.docx_path):
                if path is not None:
                    written.append(path)
            if run.pdf_path is not None:
                files.append(OutputFile(run.pdf_path, "Lettres (PDF prêt à imprimer)", run.pages))
            if run.docx_path is not None and (options.want_docx or run.pdf_path is None):
                files.append(OutputFile(run.docx_path, "Lettres (document Word)", None))
            labels = None
            if options.label_format is not None:
                if cancel():
                    raise RunCancelledError()
                written.append(labels_path(output))
                labels = render_labels(
                    selection.recipients,
                    labels_path(output),
                    options.label_format,
                    start=options.label_start,
                    offset_mm=options.label_offset,
                    progress=progress,
                    cancel=cancel,
                )
                files.append(
                    OutputFile(labels.path, f"Étiquettes {options.label_format.name}", labels.pages)
                )
            envelopes = None
            if envelope is not None:
                if cancel():
                    raise RunCancelledError()
                path = envelopes_path(output)
                written.append(path)
                envelopes = render_envelopes(
                    selection.recipients,
                    path,
                    envelope,
                    company=context.company,
                    progress=progress,
                    cancel=cancel,
                )
                files.append(OutputFile(path, f"Enveloppes {envelope.name}", envelopes))
            if cancel():
                raise RunCancelledError()
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return Produced(run, files, labels, envelopes)

    def confirm(
        self,
        produced: Produced,
        *,
        name: str | None = None,
        progress: Progress | None = None,
        cancel: Cancel | None = None,
    ) -> int:
        """Record the produced run as sent; returns the campaign id (see ``confirm_run``)."""
        return confirm_run(
            self.db, produced.run, store=self.store, name=name, progress=progress, cancel=cancel
        )
