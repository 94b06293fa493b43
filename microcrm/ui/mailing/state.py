"""What the publipostage wizard carries from page to page, and its production job.

The job functions here are Qt-free and run in a worker (``ui/workers.py``):
they only call :mod:`microcrm.mailing`. Production writes into a private
temporary folder; on a cancel or an error the folder is removed whole, so
nothing is left behind, and nothing is written in the database before the
user confirms the run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from microcrm.app import AppContext
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.production import Produced, RunOptions, run_file_stem
from microcrm.mailing.recipients import RecipientSource, Selection
from microcrm.mailing.templates import DocxTemplateFile, Template

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


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
        return self.ctx.mailmerge.templates_dir

    @property
    def labels_dir(self) -> Path:
        """Where user-defined label formats are kept."""
        return self.ctx.mailmerge.labels_dir

    def context(self) -> MergeContext:
        """Company identity and today's date, read once per wizard."""
        if self._context is None:
            self._context = self.ctx.mailmerge.context()
        return self._context

    def discard_files(self) -> None:
        """Remove the produced files (the run is dropped or redone)."""
        if self.produced is not None:
            shutil.rmtree(self.produced.folder, ignore_errors=True)
            self.produced = None


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

    The production is ``microcrm mailmerge``'s (:meth:`MailMerge.produce`), into
    the wizard's private folder, removed whole on a cancel or an error.

    Raises:
        RunCancelledError: cancelled; the folder is gone.
        MicroCRMError: the run cannot be produced; the folder is gone.
    """
    try:
        context = state.context()
        stem = run_file_stem(options.template, context.run_date)
        suffix = ".pdf" if options.want_pdf else ".docx"
        return state.ctx.mailmerge.produce(
            options,
            selection,
            folder / f"{stem}{suffix}",
            context=context,
            progress=progress,
            cancel=cancel,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def confirm_files(
    state: WizardState, produced: Produced, name: str, progress: Progress, cancel: Cancel
) -> int:
    """Record the produced run as sent; returns the campaign id (see ``MailMerge.confirm``)."""
    return state.ctx.mailmerge.confirm(produced, name=name, progress=progress, cancel=cancel)


def is_docx(template: Template) -> bool:
    """Whether the template is a Word document."""
    return isinstance(template, DocxTemplateFile)
