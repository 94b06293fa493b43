"""Publipostage: merge fields, letters, DOCX merges, labels, envelopes and campaigns.

Pure Python (no Qt). Long functions take ``progress(done, total, message)`` and
``cancel() -> bool``; a cancel raises :class:`RunCancelledError` and leaves no
output file and nothing in the database. Every error meant for the user is a
:class:`~microcrm.errors.MicroCRMError` with a French message.

Module map and public signatures (stable; the wizard and the template editor build on them)::

    errors.py      UnknownFieldError(field, where, known, *, others=())  # .field, .where,
                                   # .unknown (every unknown (field, where)), .message (French)
                   TemplateError(message); RunCancelledError()
    fields.py      FieldDef(name, label, description, example, per_recipient=True)
                   FIELDS: tuple[FieldDef, ...]; FIELDS_BY_NAME
                   field_catalogue(custom=()) -> list[FieldDef]    # the editor's field menu
                   MergeContext(company=CompanyInfo(), run_date=today, custom={}, place="")
                   merge_values(recipient, context) -> dict[str, str]
                   example_values(context=None) -> dict[str, str]  # preview without recipient
                   formule_appel(civility, last_name) -> str       # "Madame," / "Madame, Monsieur,"
                   french_date(d) -> str                           # "le 24 novembre 2026"
                   field_key(name) -> str                          # "Civilité" -> "civilite"
                   find_tags(text) -> list[str]                    # names in {{ champ }} tags
                   check_fields(names, where, custom=()) -> None   # raises UnknownFieldError
                   substitute(text, values, *, html_escape=False) -> str
                   local_today() -> date
    richtext.py    sanitize(html) -> str        # stored subset: <p align=…>, <br/>, <b>, <i>, <u>
                   from_qt_html(qt_html) -> str # QTextEdit.toHtml() -> stored subset
                   paragraphs(html) / to_reportlab(html) -> list[RichParagraph(markup, align)]
                   to_plain_text(html) -> str
    templates.py   LetterTemplate(name, title="", subject="", body_html="",
                                  signature_name="{{ commercial }}", signature_title="",
                                  window="DL", place="", custom={}, path=None, builtin=False)
                   DocxTemplateFile(name, path, builtin=False);  Template = LetterTemplate | Docx…
                   TemplateInfo(name, title, kind: "lettre"|"docx", builtin, path)
                   load_template(name_or_path, *, user_dir=None) -> Template   # TemplateError
                   list_templates(user_dir=None) -> list[TemplateInfo]
                   save_letter_template(template, user_dir) -> Path   # TOML, name = file stem
                   delete_template(name, user_dir) -> None
                   user_templates_dir(ctx.paths.config) -> Path   # <config>/modeles
                   (label formats: user_dir = ctx.paths.config, file etiquettes.toml)
                   template_fields(template) -> list[tuple[str, str]]  # (field, where)
                   check_template(template, custom=()) -> list[tuple[str, str]]
                                   # every (field, where); UnknownFieldError, TemplateError
    recipients.py  Recipient(key, organisation_id, person_id, address_id, display_name,
                             lines: tuple[str, ...] (full NF Z10-011 block, line 1 included),
                             civility, first_name, last_name, role, organisation_name, enseigne,
                             reference, salesperson, salesperson_email, salesperson_phone,
                             postcode, city, country)                     # frozen
                   Exclusion(organisation_id, person_id, address_id, name, reason, detail).label
                   REASON_LABELS: dict[str, str]   # npai, adresse_invalide, refus_courrier,
                                                   # doublon_adresse, sans_adresse
                   RecipientSource(segment=None, query: ListQuery | None = None,
                                   organisation_ids=(), person_ids=(), per_contact=False)
                   Selection(recipients, excluded, segment_id, segment_name, description)
                   parse_where(db, base, clauses) -> ListQuery  # departement=35, commercial=login,
                                                   # etiquette=X, traite=oui|non, recherche=texte
                   select_recipients(db, source) -> Selection   # reads only
    letters.py     WindowSpec(name, left_mm, top_mm, width_mm=100, height_mm=45)
                   WINDOWS = {"DL": x 90 y 45, "C5": x 90 y 50}   (mm from the page's top-left)
                   LetterLayout(window="", window_override=None, inset_mm=5, address_pt=10,
                                body_pt=10.5, margin_mm=20, fold_marks=True)
                   PageRange(key, first_page (0-based), page_count)
                   RenderResult(path, pages, ranges)
                   render_letters(template, recipients, output, *, context, layout=None,
                                  progress=None, cancel=None) -> RenderResult
                   render_preview(template, recipient | None, *, context, layout=None) -> bytes
                   split_pages(pdf_path, ranges) -> Iterator[bytes]  # one PDF per range
    docx_merge.py  DocxResult(path, letters, pdf_path=None, pdf_pages=None)
                   merge_docx(template_path, recipients, output, *, context, to_pdf=False,
                              progress=None, cancel=None) -> DocxResult
                   docx_letters(template_path, recipients, *, context) -> Iterator[bytes]
                   docx_fields(template_path) -> list[tuple[str, str]]   # (field, where)
                   check_docx(template_path, custom=()) -> list[tuple[str, str]]
                   find_soffice() -> str | None; docx_to_pdf(docx, out_dir) -> Path
    wordfields.py  Word fields of each story (body, headers, footers, notes, text boxes):
                   Compiler().story(Story(root, label, shared)) -> placeholders and slots;
                   MERGEFIELD/IF/QUOTE/MERGEREC merged, NEXT/SKIPIF/ASK/FILLIN… refused;
                   leftovers(story, allowed) -> str | None   # the last look at a produced part
    labels.py      LabelFormat(name, title, columns, rows, width, height, left, top, h_pitch,
                               v_pitch, page_width=210, page_height=297)   # millimetres
                   label_formats(user_dir=None) -> dict[str, LabelFormat]  # built-in + user's
                   get_label_format(name, user_dir=None) -> LabelFormat    # TemplateError
                   save_label_format(fmt, user_dir) -> None                # ValidationError
                   LabelResult(path, labels, pages, positions: [(page, col, row)] 1-based)
                   render_labels(recipients, output, fmt, *, start=1, offset_mm=(0, 0),
                                 progress=None, cancel=None) -> LabelResult
                   render_calibration(output, fmt, *, offset_mm=(0, 0)) -> Path
    envelopes.py   EnvelopeFormat(name, title, width, height, address_left, address_top, …)
                   ENVELOPES {"DL", "C5", "C4"}; get_envelope_format(name) -> EnvelopeFormat
                   render_envelopes(recipients, output, fmt, *, company, offset_mm=(0, 0),
                                    progress=None, cancel=None) -> int   # pages
    fonts.py       register_fonts() -> FontSet(regular, bold, italic, bold_italic)
    pdfsplit.py    split_pdf(pdf_path, ranges) -> Iterator[bytes]   # raw-byte copy per letter
    print_settings.py  <config>/impression.toml: label offsets per sheet, envelope windows
                   load_print_settings(config) -> PrintSettings; save_label_offset, save_window
    production.py  MailMerge(db, store, config_dir)        # built by AppContext.mailmerge
                   .produce(options: RunOptions, selection, output, *, context, progress,
                            cancel) -> Produced   # letters, labels, envelopes; the ONE
                            # production of the wizard and of ``microcrm mailmerge``
                   .confirm(produced, *, name, progress, cancel) -> campaign id
    command.py     MailmergeRequest(...); run_mailmerge(mailmerge, request, *,
                                                    progress=None) -> dict  # the CLI's JSON
    campaigns.py   MailingRun(template, context, kind "pdf"|"docx", output, pdf_path, docx_path,
                              letters, pages | None, recipients, excluded, ranges, segment_id,
                              segment_name, description, warnings, fields)
                              .summary(campaign_id=None)   # fields: [{"name", "where"}]
                   default_context(db, *, run_date=None, custom=None, place="") -> MergeContext
                   produce_run(db, template, selection, output, *, context=None, layout=None,
                               progress=None, cancel=None) -> MailingRun    # writes nothing in db
                   confirm_run(db, run, *, store: ContentStore, name=None, progress=None,
                               cancel=None) -> int (campaign id)   # ONE write transaction:
                               # Campaign, recipients + exclusions, Actions « Courrier : <nom> »,
                               # GED copies in dossier « Courrier »
                   mark_npai(db, campaign_recipient_id) -> None
                   mark_address_npai(db, address_id) -> None
                   list_campaigns(db) -> list[CampaignSummary]
                   campaign_recipients(db, campaign_id) -> list[CampaignRecipientRow]

Typical wizard flow: ``select_recipients`` → show ``selection.excluded`` (reason label +
detail; fix addresses in place, then select again) → ``load_template`` / editor with
``render_preview`` → ``produce_run`` in a worker → print or save → ``confirm_run``.
"""
