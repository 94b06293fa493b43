"""« Publipostage » wizard: recipients, check, template, preview, production, sending.

Six pages share one :class:`~microcrm.ui.mailing.state.WizardState`:

1. Destinataires — the main window's current list (or its selection) or a saved
   segment; one letter per organisation or per contact;
2. Contrôle — recipients counted, exclusions with their reason, invalid
   addresses fixed in place, then checked again;
3. Modèle — letter or Word template, PDF and/or DOCX, envelope window (and
   its measured position), envelopes, labels (format, start, printer offset,
   calibration page, « Nouveau format… »);
4. Aperçu — each recipient's letter rendered as it will print;
5. Production — rendered in a worker (« Annuler »), then « Imprimer… » and
   « Enregistrer sous… »;
6. Confirmation — « Confirmer l'envoi » records the campaign, « Ne pas
   enregistrer » closes without writing anything.

The wizard is not modal: the user may open a record sheet from page 2, fix it
there, and come back to « Vérifier à nouveau ».
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from microcrm.app import AppContext
from microcrm.crm.bases import BASES_BY_KEY, BaseKind, is_trash
from microcrm.text import thousands
from microcrm.ui.mailing.output_pages import PreviewPage, TemplatePage
from microcrm.ui.mailing.recipients_pages import CheckPage, SourcePage
from microcrm.ui.mailing.run_pages import ConfirmPage, ProductionPage
from microcrm.ui.mailing.state import WizardState
from microcrm.ui.mailing.window_links import open_party

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow


class MailingWizard(QWizard):
    """The publipostage run, from the recipients to the campaign recorded as sent.

    Signals:
        campaign_confirmed(int): a campaign was recorded (its id).
        record_requested(object, object): (organisation id, person id) to open.
    """

    campaign_confirmed = Signal(int)
    record_requested = Signal(object, object)

    def __init__(
        self,
        ctx: AppContext,
        *,
        organisation_ids: Sequence[int] = (),
        person_ids: Sequence[int] = (),
        list_label: str = "Liste courante",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mailing-wizard")
        self.setWindowTitle("Publipostage")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(980, 720)
        for button, text in (
            (QWizard.WizardButton.BackButton, "< Précédent"),
            (QWizard.WizardButton.NextButton, "Suivant >"),
            (QWizard.WizardButton.FinishButton, "Terminer"),
            (QWizard.WizardButton.CancelButton, "Fermer"),
        ):
            self.setButtonText(button, text)
        self.state = WizardState(
            ctx,
            organisation_ids=list(organisation_ids),
            person_ids=list(person_ids),
            list_label=list_label,
        )
        self.source_page = SourcePage(self.state)
        self.check_page = CheckPage(self.state)
        self.template_page = TemplatePage(self.state)
        self.preview_page = PreviewPage(self.state)
        self.production_page = ProductionPage(self.state)
        self.confirm_page = ConfirmPage(self.state)
        for page in (
            self.source_page,
            self.check_page,
            self.template_page,
            self.preview_page,
            self.production_page,
            self.confirm_page,
        ):
            self.addPage(page)
        self.check_page.record_requested.connect(self.record_requested)
        self.confirm_page.confirmed.connect(self.campaign_confirmed)
        self.confirm_page.discarded.connect(self.reject)

    def done(self, result: int) -> None:
        """Closing: stop a production under way and remove the produced files.

        The wizard stays open while a confirmation is being written (it ends
        in one transaction, within seconds): its copies come from those files.
        """
        if self.confirm_page.task is not None:
            self.confirm_page.status.setText("Enregistrement de la campagne en cours : patientez…")
            return
        self.production_page.cancel()
        self.state.discard_files()
        super().done(result)


def open_mailing_wizard(window: MainWindow) -> MailingWizard:
    """Outils › Publipostage…: the wizard on the list shown (or its selected rows)."""
    panel = window.list_panel
    base = window.current_base()
    selected = panel.selected_ids()
    ids = [] if is_trash(base) else (selected or panel.model.ids())
    label = window.navigation.base_label(base)
    if selected:
        label = f"{label} — sélection de {thousands(len(selected))}"
    persons = BASES_BY_KEY[base].kind is BaseKind.PERSON
    wizard = MailingWizard(
        window.ctx,
        organisation_ids=[] if persons else ids,
        person_ids=ids if persons else [],
        list_label=f"Liste courante : {label}",
        parent=window,
    )
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.record_requested.connect(lambda org, person: open_party(window, org, person))
    wizard.campaign_confirmed.connect(window.poll_changes)
    wizard.show()
    return wizard
