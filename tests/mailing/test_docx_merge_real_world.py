"""Word templates as Word writes them: every field merged in every part, or refused by name.

The templates are built here (:mod:`tests.mailing.wordml`): complex fields whose
instruction is split across runs, IF fields nesting MERGEFIELDs and other IFs,
a paragraph mark inside an IF's text, footnotes and endnotes, first-page,
even-page and default headers and footers, a text box (DrawingML shape and VML
fallback), a table. Each merged document is read back part by part with lxml:
the exact text of each letter, and no field code left anywhere.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from microcrm.mailing import wordfields
from microcrm.mailing.docx_merge import (
    check_docx,
    docx_fields,
    docx_letters,
    docx_to_pdf,
    find_soffice,
    merge_docx,
)
from microcrm.mailing.errors import TemplateError, UnknownFieldError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.recipients import Recipient
from microcrm.mailing.templates import DocxTemplateFile, check_template
from tests.mailing.helpers import COMPANY, RUN_DATE
from tests.mailing.wordml import (
    Notes,
    W,
    Xml,
    begin,
    endnote_ref,
    field,
    field_codes,
    footnote_ref,
    instr,
    mergefield,
    notes_by_id,
    para,
    paragraph_text,
    parts,
    result,
    run,
    simple,
    template,
    text_box,
    texts,
)

CLAIRE = Recipient(
    key="o1-p1",
    organisation_id=1,
    person_id=1,
    address_id=1,
    display_name="Alpha Conseil — Claire Martin",
    lines=("MADAME CLAIRE MARTIN", "ALPHA CONSEIL", "12 RUE DE LA PAIX", "35000 RENNES"),
    civility="Mme",
    first_name="Claire",
    last_name="Martin",
    role="gérante",
    organisation_name="Alpha Conseil",
    reference="C001",
    salesperson="Julien Dupont",
    postcode="35000",
    city="rennes",
)
PAUL = Recipient(
    key="o2-p2",
    organisation_id=2,
    person_id=2,
    address_id=2,
    display_name="Beta Bâtiment — Paul Durand",
    lines=("MONSIEUR PAUL DURAND", "BETA BATIMENT", "3 PLACE DE LA MAIRIE", "35400 SAINT-MALO"),
    civility="M.",
    first_name="Paul",
    last_name="Durand",
    organisation_name="Beta Bâtiment",
    reference="C002",
    postcode="35400",
    city="saint-malo",
)
THETA = Recipient(
    key="o3",
    organisation_id=3,
    person_id=None,
    address_id=3,
    display_name="Theta Marine",
    lines=("THETA MARINE", "40 QUAI DE LA DOUANE", "29200 BREST"),
    organisation_name="Theta Marine",
    reference="C003",
    salesperson="Julien Dupont",
    postcode="29200",
    city="brest",
)
RECIPIENTS = [CLAIRE, PAUL, THETA]
CONTEXT = MergeContext(COMPANY, RUN_DATE)
DOCUMENT = "word/document.xml"
IND = '<w:pPr><w:ind w:left="4252"/></w:pPr>'


def _merge(path: Path, tmp_path: Path, recipients: list[Recipient] = RECIPIENTS) -> Path:
    out = tmp_path / "fusion.docx"
    result = merge_docx(path, recipients, out, context=CONTEXT)
    assert result.letters == len(recipients)
    return out


def _letters(path: Path) -> list[list[str]]:
    """The body's paragraphs, letter by letter (a letter ends at its section break)."""
    body = parts(path)[DOCUMENT].find(f"{W}body")
    assert body is not None
    letters: list[list[str]] = [[]]
    for paragraph in body.iter(f"{W}p"):
        if _in_box(paragraph):
            continue
        if paragraph.find(f"{W}pPr/{W}sectPr") is not None:
            letters.append([])
        else:
            letters[-1].append(paragraph_text(paragraph))
    return letters


def _in_box(element: etree._Element) -> bool:
    return any(a.tag == f"{W}txbxContent" for a in element.iterancestors())


def _no_field_left(path: Path) -> None:
    """No merge field code, tag or marker in any part of the produced document."""
    for name, root in parts(path).items():
        codes = " ".join(field_codes(root))
        assert "MERGEFIELD" not in codes.upper() and " IF " not in codes, (name, codes)
        text = "".join(t.text or "" for t in root.iter(f"{W}t"))
        assert "{{" not in text and "«" not in text and "\ue000" not in text, (name, text)


# -- merged ----------------------------------------------------------------------------------


def test_nested_if_chooses_the_salutation(tmp_path: Path) -> None:
    salutation = field(
        " IF ",
        mergefield("civilite", nested=True),
        ' = "Mad',
        'ame" "Chère Madame" "',
        field(
            " IF ",
            mergefield("civilite", nested=True),
            ' = "Monsieur" "Cher Monsieur" "Madame, Monsieur"',
            result="Cher Monsieur",
            nested=True,
        ),
        '" \\* MERGEFORMAT ',
        result="Chère Madame",
    )
    path = template(tmp_path / "modele.docx", para(salutation, run(",")))
    out = _merge(path, tmp_path)
    assert _letters(out) == [["Chère Madame,"], ["Cher Monsieur,"], ["Madame, Monsieur,"]]
    assert field_codes(parts(out)[DOCUMENT]) == []
    _no_field_left(out)
    assert docx_fields(path) == [
        ("civilite", "le corps du document « modele.docx », paragraphe 1"),
    ]


def test_mergefield_switches_and_record_number(tmp_path: Path) -> None:
    body = (
        para(mergefield("nom", switches="\\* Upper"))
        + para(mergefield("prenom", switches='\\b "Prénom : " \\f " !"'))
        + para(mergefield("raison_sociale", switches="\\* Lower"))
        + para(mergefield("ville", switches="\\* Caps"))
        + para(mergefield("fonction", switches="\\* FirstCap"))
        + para(mergefield("date_courte", switches='\\@ "dddd d MMMM yyyy"'))
        + para(mergefield("date", switches='\\@ "dd/MM/yy"'))
        + para(field(" MERGEFIELD  Civilité ", result="«Civilité»"))
        + para(simple(' MERGEFIELD "Raison sociale" \\* Upper '))
        + para(run("Lettre n° "), field(" MERGEREC ", result="«Enregistrement fusionné»"))
    )
    out = _merge(template(tmp_path / "modele.docx", body), tmp_path)
    date = ["mardi 24 novembre 2026", "24/11/26"]
    claire = ["MARTIN", "Prénom : Claire !", "alpha conseil", "Rennes", "Gérante", *date]
    paul = ["DURAND", "Prénom : Paul !", "beta bâtiment", "Saint-Malo", "", *date]
    theta = ["", "", "theta marine", "Brest", "", *date]
    assert _letters(out) == [
        [*claire, "Madame", "ALPHA CONSEIL", "Lettre n° 1"],
        [*paul, "Monsieur", "BETA BÂTIMENT", "Lettre n° 2"],
        [*theta, "", "THETA MARINE", "Lettre n° 3"],
    ]
    _no_field_left(out)


def test_if_compares_numbers_text_and_wildcards(tmp_path: Path) -> None:
    def cond(name: str, test: str, switches: str = "") -> Xml:
        return para(field(" IF ", mergefield(name, nested=True), test + switches))

    body = (
        cond("code_postal", ' >= 35000 "nord" "sud"')
        + cond("code_postal", ' = "35*" "Ille-et-Vilaine" "Ailleurs"')
        + cond("civilite", " = Monsieur Oui Non")
        + cond("civilite", ' = "madame" "minuscules" "casse respectée"')
        + cond("civilite", '="Madame" "F" "H"', " \\* Upper")
        + para(
            field(
                " IF ",
                mergefield("prenom", nested=True),
                ' <> "" "Bonjour ',
                mergefield("prenom", nested=True),
                '" "Bonjour"',
            )
        )
        + para(field(' IF 1 < 2 "toujours" "jamais" '))
    )
    out = _merge(template(tmp_path / "modele.docx", body), tmp_path)
    same = ["casse respectée"]
    assert _letters(out) == [
        ["nord", "Ille-et-Vilaine", "Non", *same, "F", "Bonjour Claire", "toujours"],
        ["nord", "Ille-et-Vilaine", "Oui", *same, "H", "Bonjour Paul", "toujours"],
        ["sud", "Ailleurs", "Non", *same, "H", "Bonjour", "toujours"],
    ]
    _no_field_left(out)


def test_quote_field_holding_merge_fields(tmp_path: Path) -> None:
    quote = field(
        ' QUOTE "Réf. ', mergefield("reference", nested=True), " / {", '" \\* Upper ', result="x"
    )
    out = _merge(template(tmp_path / "modele.docx", para(quote)), tmp_path)
    assert _letters(out) == [["RÉF. C001 / {"], ["RÉF. C002 / {"], ["RÉF. C003 / {"]]
    _no_field_left(out)


def test_headers_of_a_second_section_are_named_with_it(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Première section")
    doc.sections[0].header.paragraphs[0].text = "{{ entreprise }}"
    second = doc.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Annexe — {{ date }}"
    doc.add_paragraph("{{ raison_sociale }}")
    path = tmp_path / "sections.docx"
    doc.save(str(path))
    assert docx_fields(path) == [
        ("raison_sociale", "le corps du document « sections.docx », paragraphe 3"),
        ("entreprise", "l'en-tête de la section 1 du document « sections.docx », paragraphe 1"),
        ("date", "l'en-tête de la section 2 du document « sections.docx », paragraphe 1"),
    ]
    out = _merge(path, tmp_path)
    headers = sorted(texts(root)[0] for root in parts(out).values() if root.tag == f"{W}hdr")
    assert headers == ["Annexe — le 24 novembre 2026", "Atelier Œuvre & Cie"]


def test_paragraph_mark_inside_an_if_text(tmp_path: Path) -> None:
    """Word's « skip the empty line » idiom: { IF { MERGEFIELD fonction } <> "" "{…}¶" }."""
    body = Xml(
        f"<w:p>{IND}"
        + (begin() + instr(" IF ") + mergefield("fonction", nested=True)).text
        + (instr(' <> "" "') + mergefield("fonction", nested=True)).text
        + f"</w:p><w:p>{IND}"
        + (instr('" ') + result("«fonction»") + mergefield("raison_sociale")).text
        + "</w:p>"
    ) + para(run("Suite"))
    out = _merge(template(tmp_path / "modele.docx", body), tmp_path)
    assert _letters(out) == [
        ["gérante", "Alpha Conseil", "Suite"],
        ["Beta Bâtiment", "Suite"],
        ["Theta Marine", "Suite"],
    ]
    body_root = parts(out)[DOCUMENT]
    for paragraph in body_root.iter(f"{W}p"):
        if paragraph_text(paragraph) in ("gérante", "Alpha Conseil", "Beta Bâtiment"):
            assert paragraph.find(f"{W}pPr/{W}ind").get(f"{W}left") == "4252"
    _no_field_left(out)


def test_footnotes_and_endnotes_are_merged_for_each_letter(tmp_path: Path) -> None:
    body = para(run("Voir la note"), footnote_ref(2), run(" et la note de fin"), endnote_ref(1))
    notes = Notes(
        footnotes={
            2: para(
                run("Dossier de "),
                mergefield("raison_sociale"),
                run(" suivi par {{ com"),
                run("mercial }}"),
            )
        },
        endnotes={
            1: para(
                run("Rédigé par {{ entreprise }}, pour "),
                field(
                    " IF ",
                    mergefield("civilite", nested=True),
                    ' = "" "vous" "',
                    mergefield("civilite", nested=True),
                    '"',
                ),
            )
        },
    )
    path = template(tmp_path / "modele.docx", body, notes=notes)
    out = _merge(path, tmp_path)
    merged = parts(out)
    refs = [r.get(f"{W}id") for r in merged[DOCUMENT].iter(f"{W}footnoteReference")]
    end_refs = [r.get(f"{W}id") for r in merged[DOCUMENT].iter(f"{W}endnoteReference")]
    assert refs == ["2", "100002", "200002"] and end_refs == ["1", "100001", "200001"]
    assert notes_by_id(merged["word/footnotes.xml"], "footnote") == {
        "2": ["Dossier de Alpha Conseil suivi par Julien Dupont"],
        "100002": ["Dossier de Beta Bâtiment suivi par "],
        "200002": ["Dossier de Theta Marine suivi par Julien Dupont"],
    }
    assert notes_by_id(merged["word/endnotes.xml"], "endnote") == {
        "1": ["Rédigé par Atelier Œuvre & Cie, pour Madame"],
        "100001": ["Rédigé par Atelier Œuvre & Cie, pour Monsieur"],
        "200001": ["Rédigé par Atelier Œuvre & Cie, pour vous"],
    }
    separators = merged["word/footnotes.xml"].findall(f"{W}footnote[@{W}type]")
    assert len(separators) == 2
    _no_field_left(out)
    assert docx_fields(path) == [
        ("raison_sociale", "la note de bas de page n° 1 du document « modele.docx », paragraphe 1"),
        ("commercial", "la note de bas de page n° 1 du document « modele.docx », paragraphe 1"),
        ("entreprise", "la note de fin n° 1 du document « modele.docx », paragraphe 1"),
        ("civilite", "la note de fin n° 1 du document « modele.docx », paragraphe 1"),
    ]


def test_headers_and_footers_first_even_and_default(tmp_path: Path) -> None:
    path = template(
        tmp_path / "modele.docx",
        para(mergefield("nom")),
        first_header=para(run("Première page — "), mergefield("entreprise")),
        even_header=para(run("{{ date_"), run("courte }}")),
        header=para(
            run("En-tête : "),
            field(
                " IF ", mergefield("lieu", nested=True), ' = "Rennes" "Siège de Rennes" "Agence"'
            ),
        ),
        first_footer=para(simple(" MERGEFIELD entreprise_telephone ")),
        footer=para(run("Page "), field(" PAGE ", result="1")),
    )
    out = _merge(path, tmp_path)
    merged = parts(out)
    shown = {
        name: texts(root)
        for name, root in merged.items()
        if root.tag in (f"{W}hdr", f"{W}ftr") and texts(root)
    }
    assert sorted(shown.values()) == sorted(
        [
            ["Première page — Atelier Œuvre & Cie"],
            ["24/11/2026"],
            ["En-tête : Siège de Rennes"],
            ["02 99 00 00 00"],
            ["Page 1"],
        ]
    )
    codes = [c for root in merged.values() for c in field_codes(root)]
    assert codes == [" PAGE "]  # left for the word processor, as it should
    assert [letter[:1] for letter in _letters(out)] == [["Martin"], ["Durand"], [""]]
    assert docx_fields(path) == [
        ("nom", "le corps du document « modele.docx », paragraphe 1"),
        ("lieu", "l'en-tête du document « modele.docx », paragraphe 1"),
        ("entreprise", "l'en-tête de la première page du document « modele.docx », paragraphe 1"),
        ("date_courte", "l'en-tête des pages paires du document « modele.docx », paragraphe 1"),
        (
            "entreprise_telephone",
            "le pied de page de la première page du document « modele.docx », paragraphe 1",
        ),
    ]


def test_text_box_in_shape_and_vml_fallback(tmp_path: Path) -> None:
    box = text_box(
        para(mergefield("bloc_adresse")),
        para(run("Réf. {{ reference }}")),
    )
    path = template(tmp_path / "modele.docx", para(box) + para(run("Corps")))
    out = _merge(path, tmp_path)
    document = parts(out)[DOCUMENT]
    boxes = [texts(box) for box in document.iter(f"{W}txbxContent")]
    expected = [
        ["\n".join(CLAIRE.lines), "Réf. C001"],
        ["\n".join(PAUL.lines), "Réf. C002"],
        ["\n".join(THETA.lines), "Réf. C003"],
    ]
    assert boxes == [expected[0], expected[0], expected[1], expected[1], expected[2], expected[2]]
    ids = [d.get("id") for d in document.iter("{*}docPr")]
    assert ids == ["1", "100001", "200001"]
    assert _letters(out) == [["", "Corps"]] * 3
    _no_field_left(out)
    assert docx_fields(path) == [
        (
            "bloc_adresse",
            "la zone de texte n° 1 du corps du document « modele.docx », paragraphe 1",
        ),
        ("reference", "la zone de texte n° 1 du corps du document « modele.docx », paragraphe 2"),
    ]


def test_fields_in_table_cells(tmp_path: Path) -> None:
    cell = "<w:tc><w:tcPr><w:tcW w:w='3000' w:type='dxa'/></w:tcPr>{}</w:tc>"
    table = Xml(
        "<w:tbl><w:tblPr><w:tblW w:w='0' w:type='auto'/></w:tblPr><w:tblGrid>"
        "<w:gridCol w:w='3000'/><w:gridCol w:w='3000'/></w:tblGrid><w:tr>"
        + cell.format(para(run("Client")).text)
        + cell.format(para(simple(" MERGEFIELD reference ")).text)
        + "</w:tr><w:tr>"
        + cell.format(para(run("Ville")).text)
        + cell.format(
            para(
                mergefield("code_postal"), run(" "), mergefield("ville", switches="\\* Upper")
            ).text
        )
        + "</w:tr></w:tbl>"
    )
    out = _merge(template(tmp_path / "modele.docx", table + para(run("Fin"))), tmp_path)
    assert _letters(out) == [
        ["Client", "C001", "Ville", "35000 RENNES", "Fin"],
        ["Client", "C002", "Ville", "35400 SAINT-MALO", "Fin"],
        ["Client", "C003", "Ville", "29200 BREST", "Fin"],
    ]
    _no_field_left(out)


def test_ged_copies_carry_their_own_notes_and_number(tmp_path: Path) -> None:
    body = para(run("Lettre n° "), field(" MERGESEQ "), footnote_ref(1))
    notes = Notes(footnotes={1: para(run("Pour "), mergefield("nom_complet"))}, endnotes={})
    path = template(tmp_path / "modele.docx", body, notes=notes)
    copies = list(docx_letters(path, RECIPIENTS, context=CONTEXT))
    assert len(copies) == 3
    for number, (data, recipient) in enumerate(zip(copies, RECIPIENTS, strict=True), start=1):
        copy = tmp_path / f"copie{number}.docx"
        copy.write_bytes(data)
        assert _letters(copy) == [[f"Lettre n° {number}"]]
        footnotes = notes_by_id(parts(copy)["word/footnotes.xml"], "footnote")
        full = " ".join(
            p for p in (recipient.civility, recipient.first_name, recipient.last_name) if p
        )
        assert footnotes == {"1": [f"Pour {full}"]}
        _no_field_left(copy)


def test_word_data_source_link_is_dropped(tmp_path: Path) -> None:
    path = template(tmp_path / "modele.docx", para(mergefield("nom")), mail_merge_settings=True)
    with zipfile.ZipFile(path) as archive:
        assert b"<w:mailMerge>" in archive.read("word/settings.xml")
    out = _merge(path, tmp_path)
    settings = parts(out)["word/settings.xml"]
    assert settings.find(f"{W}mailMerge") is None
    assert settings.find(f"{W}defaultTabStop") is not None  # the rest is kept


def test_markers_from_the_recipients_own_data_are_printed(tmp_path: Path) -> None:
    odd = Recipient(
        key="o9",
        organisation_id=9,
        person_id=None,
        address_id=9,
        display_name="Bar",
        lines=("BAR LE ZINC", "1 RUE HAUTE", "35000 RENNES"),
        organisation_name="Bar «Zinc» {{ depuis 1920 }}",
    )
    path = template(tmp_path / "modele.docx", para(mergefield("raison_sociale")))
    out = _merge(path, tmp_path, [odd])
    assert _letters(out) == [["Bar «Zinc» {{ depuis 1920 }}"]]


def test_spreadsheet_control_characters_become_line_breaks(tmp_path: Path) -> None:
    pasted = Recipient(
        key="o8",
        organisation_id=8,
        person_id=None,
        address_id=8,
        display_name="Gamma",
        lines=("GAMMA", "5 AVENUE JANVIER", "35000 RENNES"),
        organisation_name="Gamma\x0bŒnologie\x00\r\nService achats",
    )
    path = template(tmp_path / "modele.docx", para(mergefield("raison_sociale")))
    out = _merge(path, tmp_path, [pasted])
    assert _letters(out) == [["Gamma\nŒnologie\nService achats"]]


# -- refused, before anything is written -----------------------------------------------------

WHERE = "le corps du document « modele.docx », paragraphe 1"
ACCEPTED = "\\* Upper, \\* Lower, \\* Caps, \\* FirstCap, \\b, \\f, et \\@ pour les dates"
REFUSALS = [
    pytest.param(
        para(mergefield("nom"), field(" NEXT ", result="«Enregistrement suivant»")),
        f"Le champ NEXT dans {WHERE} n'est pas pris en charge : MicroCRM produit une lettre par "
        "destinataire, ce champ ferait passer au destinataire suivant au milieu d'une lettre. "
        "Pour des étiquettes, cochez « Imprimer aussi les étiquettes » (--labels en ligne de "
        "commande) ; sinon supprimez ce champ du modèle.",
        id="next",
    ),
    pytest.param(
        para(simple(' SKIPIF { MERGEFIELD ville } = "Brest" ', "")),
        f"Le champ SKIPIF dans {WHERE} n'est pas pris en charge : choisissez les destinataires "
        "avec un segment ou des filtres, puis supprimez ce champ du modèle.",
        id="skipif",
    ),
    pytest.param(
        para(field(" NEXTIF ", mergefield("ville", nested=True), ' = "Brest" ')),
        f"Le champ NEXTIF dans {WHERE} n'est pas pris en charge : MicroCRM produit une lettre par "
        "destinataire, ce champ ferait passer au destinataire suivant au milieu d'une lettre. "
        "Pour des étiquettes, cochez « Imprimer aussi les étiquettes » (--labels en ligne de "
        "commande) ; sinon supprimez ce champ du modèle.",
        id="nextif",
    ),
    pytest.param(
        para(field(' ADDRESSBLOCK \\f "<<_TITLE0_ >><<_LAST0_>>" ')),
        f"Le champ ADDRESSBLOCK dans {WHERE} n'est pas pris en charge : remplacez ce « bloc "
        "d'adresse » par le champ {{ bloc_adresse }} (adresse aux normes La Poste).",
        id="addressblock",
    ),
    pytest.param(
        para(field(' GREETINGLINE \\l 1036 \\e "Madame, Monsieur," ')),
        f"Le champ GREETINGLINE dans {WHERE} n'est pas pris en charge : remplacez cette « ligne "
        "de salutation » par le champ {{ formule_appel }}.",
        id="greetingline",
    ),
    pytest.param(
        para(field(' HYPERLINK "mailto:', mergefield("commercial_email", nested=True), '" ')),
        f"Le champ HYPERLINK dans {WHERE} contient un champ de fusion : ce montage n'est pas pris "
        "en charge. Gardez les champs de fusion hors de ce champ.",
        id="hyperlink-holding-a-mergefield",
    ),
    pytest.param(
        para(
            field(
                " IF ",
                field(" PAGE ", result="1", nested=True),
                ' = 1 "',
                mergefield("nom", nested=True),
                '" "" ',
            )
        ),
        f"Le champ IF dans {WHERE} mélange des champs de fusion et un champ PAGE que seul le "
        "traitement de texte sait calculer : ce montage n'est pas pris en charge. Gardez les "
        "champs de fusion hors de ce champ.",
        id="if-on-page-and-mergefield",
    ),
    pytest.param(
        para(mergefield("nom", switches='\\# "0,00"')),
        f"Le commutateur « \\# » du champ MERGEFIELD « nom » dans {WHERE} n'est pas pris en "
        f"charge (commutateurs acceptés : {ACCEPTED}).",
        id="numeric-switch",
    ),
    pytest.param(
        para(mergefield("date_courte", switches='\\@ "dd/mm/yyyy"')),
        f"Le format de date « \\@ dd/mm/yyyy » du champ MERGEFIELD « date_courte » dans {WHERE} "
        "n'est pas pris en charge : « m » désigne les minutes dans Word : écrivez « M » pour le "
        "mois.",
        id="minutes-in-a-date",
    ),
    pytest.param(
        para(mergefield("nom", switches='\\@ "d MMMM yyyy"')),
        f"Le format de date « \\@ d MMMM yyyy » du champ MERGEFIELD « nom » dans {WHERE} ne "
        "s'applique qu'aux champs date et date_courte.",
        id="date-picture-on-a-name",
    ),
    pytest.param(
        para(field(" IF ", mergefield("nom", nested=True), ' "oui" "non" ')),
        f"Le champ IF dans {WHERE} est incompris : attendu IF valeur opérateur valeur "
        '"texte si vrai" "texte si faux" (opérateurs =, <>, <, <=, >, >=).',
        id="if-without-operator",
    ),
    pytest.param(
        Xml(para(begin() + instr(" MERGEFIELD nom ")).text),
        f"Un champ Word n'est pas refermé dans {WHERE} : le document est peut-être endommagé ; "
        "ouvrez-le dans Word et enregistrez-le à nouveau.",
        id="unclosed-field",
    ),
    pytest.param(
        para(run("Cher «Nom»,")),
        f"Le texte «Nom» dans {WHERE} ressemble à un champ de fusion devenu du simple texte : il "
        "serait imprimé tel quel. Insérez à sa place un champ de fusion ou une balise {{ champ }}.",
        id="field-turned-into-text",
    ),
    pytest.param(
        para(run("{{p sous_document }}")),
        f"La balise docxtpl « {{{{p sous_document }}}} » dans {WHERE} n'est pas prise en charge : "
        "seules les balises {{ nom_du_champ }} le sont.",
        id="docxtpl-paragraph-tag",
    ),
    pytest.param(
        para(run("{{ nom|upper }}")),
        f"La balise « {{{{ nom|upper }}}} » dans {WHERE} n'est pas prise en charge : une balise "
        "ne contient qu'un nom de champ, par exemple {{ nom }}.",
        id="jinja-filter",
    ),
    pytest.param(
        para(field(' HYPERLINK "https://exemple.fr/{{ reference }}" ', result="notre site")),
        f"Une balise {{{{ … }}}} dans le code du champ HYPERLINK de {WHERE} ne serait pas "
        "remplacée : sortez-la du champ.",
        id="tag-inside-a-hyperlink-address",
    ),
    pytest.param(
        para(run("Bonjour {{ nom")),
        f"Une balise {{{{ … }}}} n'est pas refermée dans {WHERE} : écrivez {{{{ nom_du_champ }}}}.",
        id="unclosed-tag",
    ),
]


@pytest.mark.parametrize(("body", "message"), REFUSALS)
def test_refused_before_anything_is_written(tmp_path: Path, body: Xml, message: str) -> None:
    path = template(tmp_path / "modele.docx", body)
    with pytest.raises(TemplateError) as caught:
        check_docx(path)
    assert caught.value.message == message
    out = tmp_path / "sortie" / "fusion.docx"
    with pytest.raises(TemplateError):
        merge_docx(path, RECIPIENTS, out, context=CONTEXT)
    assert not out.parent.exists()


def test_refusals_name_the_footnote_and_the_header_text_box(tmp_path: Path) -> None:
    in_note = template(
        tmp_path / "note.docx",
        para(run("Texte"), footnote_ref(1), footnote_ref(2)),
        notes=Notes(
            footnotes={
                1: para(run("Première note")),
                2: para(run("Votre code : "), field(' FILLIN "Code ?" ')),
            },
            endnotes={},
        ),
    )
    with pytest.raises(TemplateError) as caught:
        check_docx(in_note)
    assert caught.value.message == (
        "Le champ FILLIN dans la note de bas de page n° 2 du document « note.docx », paragraphe 1 "
        "n'est pas pris en charge : il demande une saisie pendant la fusion. Utilisez un champ "
        "personnalisé {{ nom }} (même valeur dans toutes les lettres) à la place."
    )
    in_box = template(
        tmp_path / "entete.docx",
        para(run("Texte")),
        header=para(text_box(para(run("Service : "), field(' ASK service "Service ?" ')))),
    )
    with pytest.raises(TemplateError) as caught:
        check_docx(in_box)
    assert caught.value.message == (
        "Le champ ASK dans la zone de texte n° 1 de l'en-tête du document « entete.docx », "
        "paragraphe 1 n'est pas pris en charge : il demande une saisie pendant la fusion. "
        "Utilisez un champ personnalisé {{ nom }} (même valeur dans toutes les lettres) à la "
        "place."
    )
    in_endnote = template(
        tmp_path / "fin.docx",
        para(run("Texte"), endnote_ref(1)),
        notes=Notes(footnotes={}, endnotes={1: para(run("{% if nom %}Bonjour{% endif %}"))}),
    )
    with pytest.raises(TemplateError) as caught:
        check_docx(in_endnote)
    assert caught.value.message == (
        "Les instructions {% … %} ne sont pas prises en charge (la note de fin n° 1 du document "
        "« fin.docx », paragraphe 1) : utilisez seulement des champs {{ champ }}."
    )


def test_recipient_field_in_first_page_header_is_refused(tmp_path: Path) -> None:
    path = template(
        tmp_path / "modele.docx",
        para(mergefield("nom")),
        first_header=para(
            field(" IF ", mergefield("civilite", nested=True), ' = "Madame" "Mme" "M."')
        ),
    )
    with pytest.raises(TemplateError) as caught:
        check_docx(path)
    assert caught.value.message == (
        "Le champ « civilite » change pour chaque destinataire : il ne peut pas être dans "
        "l'en-tête de la première page du document « modele.docx », paragraphe 1 ; placez-le "
        "dans le corps du document."
    )


def test_check_template_reports_every_field_and_every_unknown_one(tmp_path: Path) -> None:
    path = template(
        tmp_path / "modele.docx",
        para(field(' MERGEFIELD "Numéro client" ')) + para(text_box(para(mergefield("nom")))),
        footer=para(run("{{ entreprise }}")),
        notes=Notes(footnotes={1: para(run("Code {{ code_promo }}"))}, endnotes={}),
    )
    with zipfile.ZipFile(path) as archive:  # the footnote is referenced from the body
        assert b"footnotes.xml" in archive.read("word/_rels/document.xml.rels")
    with pytest.raises(UnknownFieldError) as caught:
        check_template(DocxTemplateFile("modele", path))
    assert caught.value.unknown == [
        ("Numéro client", "le corps du document « modele.docx », paragraphe 1"),
        ("code_promo", "la note de bas de page n° 1 du document « modele.docx », paragraphe 1"),
    ]
    assert caught.value.message.startswith(
        "Champs de fusion inconnus : « Numéro client » dans le corps du document « modele.docx », "
        "paragraphe 1, « code_promo » dans la note de bas de page n° 1 du document "
        "« modele.docx », paragraphe 1. Champs disponibles : bloc_adresse, "
    )
    found = check_template(DocxTemplateFile("modele", path), ["numero_client", "code_promo"])
    assert found == [
        ("Numéro client", "le corps du document « modele.docx », paragraphe 1"),
        ("nom", "la zone de texte n° 1 du corps du document « modele.docx », paragraphe 1"),
        ("entreprise", "le pied de page du document « modele.docx », paragraphe 1"),
        ("code_promo", "la note de bas de page n° 1 du document « modele.docx », paragraphe 1"),
    ]


# -- the last look ---------------------------------------------------------------------------


def test_last_look_stops_a_tag_left_by_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = template(tmp_path / "modele.docx", para(run("Bonjour {{ nom }}")))
    monkeypatch.setattr(wordfields.Compiler, "_tags", lambda *_args: None)
    out = tmp_path / "sortie" / "fusion.docx"
    with pytest.raises(TemplateError) as caught:
        merge_docx(path, RECIPIENTS, out, context=CONTEXT)
    assert caught.value.message == (
        "Fusion arrêtée : un champ non remplacé serait imprimé dans « modele.docx » : "
        "« Bonjour {{ nom }} » (le corps du document produit, paragraphe 1). Aucun fichier n'a "
        "été écrit ; corrigez le modèle ou signalez-le."
    )
    assert not out.parent.exists()


def test_last_look_stops_a_field_left_by_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = template(
        tmp_path / "modele.docx", para(run("Madame "), field(" MERGEFIELD nom ", result="Nom"))
    )
    monkeypatch.setattr(wordfields.Compiler, "_top", lambda *_args: None)
    with pytest.raises(TemplateError) as caught:
        list(docx_letters(path, RECIPIENTS, context=CONTEXT))
    assert caught.value.message == (
        "Fusion arrêtée : un champ non remplacé serait imprimé dans « modele.docx » : un champ "
        "MERGEFIELD (le corps du document produit, paragraphe 1). Aucun fichier n'a été écrit ; "
        "corrigez le modèle ou signalez-le."
    )


# -- printed by LibreOffice ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_merged_constructs(tmp_path: Path) -> None:
    from pypdf import PdfReader

    body = Xml(
        f"<w:p>{IND}"
        + (begin() + instr(" IF ") + mergefield("fonction", nested=True)).text
        + (instr(' <> "" "') + mergefield("fonction", nested=True)).text
        + f"</w:p><w:p>{IND}"
        + (instr('" ') + result("«fonction»") + mergefield("raison_sociale")).text
        + "</w:p>"
    ) + para(
        field(" IF ", mergefield("civilite", nested=True), ' = "Madame" "Chère Madame" "Bonjour"'),
        run(","),
        footnote_ref(1),
    )
    notes = Notes(footnotes={1: para(run("Dossier "), mergefield("reference"))}, endnotes={})
    path = template(tmp_path / "modele.docx", body, notes=notes)
    out = _merge(path, tmp_path)
    pdf = docx_to_pdf(out, tmp_path / "pdf")
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]
    assert len(pages) == 3
    assert "gérante" in pages[0] and "Alpha Conseil" in pages[0] and "Chère Madame," in pages[0]
    assert "Dossier C001" in pages[0]
    assert "Beta Bâtiment" in pages[1] and "Bonjour," in pages[1] and "Dossier C002" in pages[1]
    assert "Dossier C003" in pages[2] and "Theta Marine" in pages[2]
    for page in pages:
        assert "MERGEFIELD" not in page and "«" not in page and "{{" not in page


# -- real templates from other projects' test suites (opt-in) --------------------------------

SAMPLES = Path(__file__).parent / "samples"


def test_real_templates_merge_or_are_refused(tmp_path: Path) -> None:
    """Templates of docx-mailmerge's and docxtpl's test suites (samples/README.md)."""
    folder = SAMPLES
    custom = {
        "fieldname": "Valeur",
        "a_jinja_variable": "Variable",
        **{
            f"{kind}{part}": kind
            for kind in ("header", "footer")
            for part in ("field", "even", "first")
        },
    }
    context = MergeContext(COMPANY, RUN_DATE, custom)

    def merged(name: str) -> Path:
        out = tmp_path / name
        merge_docx(folder / name, [CLAIRE, PAUL], out, context=context)
        _no_field_left(out)
        return out

    assert _letters(merged("test_nested_if_inside.docx")) == [["more: Valeur"]] * 2
    out = merged("test_footnote_header_footer.docx")
    assert notes_by_id(parts(out)["word/footnotes.xml"], "footnote") == {
        "1": [" Merge : Valeur"],
        "100001": [" Merge : Valeur"],
    }
    out = merged("footnotes_tpl.docx")
    notes = notes_by_id(parts(out)["word/footnotes.xml"], "footnote")
    assert list(notes.values()) == [[" And in the footnote there’s Variable"]] * 2
    with pytest.raises(TemplateError) as caught:
        check_docx(folder / "test_next_record.docx")
    assert caught.value.message.startswith(
        "Le champ NEXT dans le corps du document « test_next_record.docx », paragraphe 1 "
    )
    with pytest.raises(TemplateError) as caught:
        check_docx(folder / "header_footer_tpl.docx")
    assert caught.value.message.startswith("La balise docxtpl « {{p mysubdoc}} » dans le corps")
