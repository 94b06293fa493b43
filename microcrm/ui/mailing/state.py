"""What the publipostage wizard carries from page to page, and its production job.

The job functions here are Qt-free and run in a worker (``ui/workers.py``):
they only call :mod:`microcrm.mailing`. Production writes into a private
temporary folder; on a cancel or an error the folder is removed whole, so
nothing is left behind, and nothing is written in the database before the
user confirms the run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from microcrm.app import AppContext
from microcrm.ged.store import ContentStore
from microcrm.mailing.campaigns import MailingRun, confirm_run, default_context, produce_run
from microcrm.mailing.envelopes import get_envelope_format, render_envelopes
from microcrm.mailing.errors import RunCancelledError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.labels import LabelFormat, LabelResult, render_labels
from microcrm.mailing.letters import LetterLayout, WindowSpec
from microcrm.mailing.recipients import RecipientSource, Selection
from microcrm.mailing.templates import (
    DocxTemplateFile,
    LetterTemplate,
    Template,
    user_templates_dir,
)

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The choices of the « Modèle » page.

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
    """A produced run and its files, all inside ``folder`` (removed with the wizard)."""

    run: MailingRun
    folder: Path
    files: list[OutputFile]
    labels: LabelResult | None = None
    envelopes: int | None = None


@dataclass(slots=True)
class WizardState:
    """The run being prepared: recipients, choices, files, campaign."""

    ctx: AppContext
    organisation_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    list_label: str = "Liste courante"
    source: RecipientSource | None = None
    selection: Selection | None = None
    options: RunOptions | None = None
    produced: Produced | None = None
    campaign_id: int | None = None
    _context: MergeContext | None = None

    @property
    def templates_dir(self) -> Path:
        """The user's letter and DOCX templates (as ``microcrm mailmerge`` finds them)."""
        return user_templates_dir(self.ctx.paths.config)

    @property
    def labels_dir(self) -> Path:
        """Where user-defined label formats are kept."""
        return self.ctx.paths.config

    def context(self) -> MergeContext:
        """Company identity and today's date, read once per wizard."""
        if self._context is None:
            self._context = default_context(self.ctx.db)
        return self._context

    def discard_files(self) -> None:
        """Remove the produced files (the run is dropped or redone)."""
        if self.produced is not None:
            shutil.rmtree(self.produced.folder, ignore_errors=True)
            self.produced = None


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


def run_file_stem(template: Template, day: dt.date) -> str:
    """``publipostage-prospection-2026-11-24``: the default name of a run's files."""
    return f"publipostage-{template.name}-{day:%Y-%m-%d}".replace(" ", "-")


def new_run_folder() -> Path:
    """A fresh private folder for one production."""
    return Path(tempfile.mkdtemp(prefix="microcrm-publipostage-"))


def produce_files(
    state: WizardState,
    options: RunOptions,
    selection: Selection,
    folder: Path,
    *,
    progress: Progress,
    cancel: Cancel,
) -> Produced:
    """Produce the letters, labels and envelopes in ``folder`` (see :func:`new_run_folder`).

    Raises:
        RunCancelledError: cancelled; the folder is gone.
        MicroCRMError: the run cannot be produced; the folder is gone.
    """
    try:
        template = options.template
        context = state.context()
        stem = run_file_stem(template, context.run_date)
        suffix = ".pdf" if options.want_pdf else ".docx"
        run = produce_run(
            state.ctx.db,
            template,
            selection,
            folder / f"{stem}{suffix}",
            context=context,
            layout=options.layout(),
            progress=progress,
            cancel=cancel,
        )
        files: list[OutputFile] = []
        if run.pdf_path is not None:
            files.append(OutputFile(run.pdf_path, "Lettres (PDF prêt à imprimer)", run.pages))
        if run.docx_path is not None and (options.want_docx or run.pdf_path is None):
            files.append(OutputFile(run.docx_path, "Lettres (document Word)", None))
        labels = None
        if options.label_format is not None:
            if cancel():
                raise RunCancelledError()
            labels = render_labels(
                selection.recipients,
                folder / f"{stem}-etiquettes.pdf",
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
        if options.envelope is not None:
            if cancel():
                raise RunCancelledError()
            fmt = get_envelope_format(options.envelope)
            path = folder / f"{stem}-enveloppes.pdf"
            envelopes = render_envelopes(
                selection.recipients,
                path,
                fmt,
                company=context.company,
                progress=progress,
                cancel=cancel,
            )
            files.append(OutputFile(path, f"Enveloppes {fmt.name}", envelopes))
        if cancel():
            raise RunCancelledError()
        return Produced(run, folder, files, labels, envelopes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def confirm_files(
    state: WizardState, produced: Produced, name: str, progress: Progress, cancel: Cancel
) -> int:
    """Record the produced run as sent; returns the campaign id (see ``confirm_run``)."""
    store = ContentStore(state.ctx.ged_root)
    return confirm_run(
        state.ctx.db, produced.run, store=store, name=name, progress=progress, cancel=cancel
    )


def is_docx(template: Template) -> bool:
    """Whether the template is a Word document."""
    return isinstance(template, DocxTemplateFile)
