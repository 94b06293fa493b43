"""Publipostage screens: the run wizard, the letter template editor, the campaigns.

The domain lives in :mod:`microcrm.mailing`; these widgets only call it, in
workers for anything that renders or writes (docs/style.md §2, long jobs).

Modules::

    wizard.py            MailingWizard(ctx, organisation_ids=, person_ids=, list_label=)
                         open_mailing_wizard(main_window)       # Outils › Publipostage…
    recipients_pages.py  1 Destinataires (SourcePage), 2 Contrôle (CheckPage)
    output_pages.py      3 Modèle (TemplatePage), 4 Aperçu (PreviewPage)
    run_pages.py         5 Production (ProductionPage), 6 Confirmation (ConfirmPage)
    state.py             WizardState; produce_files / confirm_files (Qt-free jobs over
                         ctx.mailmerge, see microcrm.mailing.production)
    print_options.py     LabelFormatDialog (« Nouveau format… »), CalibrationDialog
                         (« Page d'étalonnage… »), WindowPositionBox (« Position de la fenêtre »)
    address_fix.py       AddressFixDialog: an excluded recipient's address fixed in place
    template_editor.py   TemplateEditor: formatted text, field menu, live preview, save
    templates_dialog.py  TemplatesDialog                        # Outils › Modèles de courrier…
    campaigns_view.py    CampaignsView / CampaignsDialog, « Marquer NPAI »  # Outils › Campagnes…
    npai_button.py       NpaiButton: « Courrier revenu NPAI » on the record sheets
    pdf_view.py          QtPdf: render_pages (on white), print_pdf, PageStrip,
                         PdfPrinting (« Imprimer… »), ask_save_copy / save_copy
    window_links.py      open_party(main_window, organisation_id, person_id)
"""
