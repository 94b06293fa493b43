"""The rich-text subset of letter bodies: Qt's HTML in, canonical b/i/u paragraphs out."""

from __future__ import annotations

from microcrm.mailing.richtext import from_qt_html, paragraphs, sanitize, to_plain_text

QT_HTML = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0//EN">
<html><head><meta name="qrichtext" content="1" /><style type="text/css">
p, li { white-space: pre-wrap; }
</style></head><body style=" font-family:'Sans'; font-size:10pt;">
<p style=" margin-top:0px;">Bonjour <span style=" font-weight:700;">{{ prenom }}</span>,</p>
<p align="justify" style=" margin-top:0px;"><span style=" font-style:italic;">très</span>
<span style=" text-decoration: underline;">important</span> &amp; urgent<br />suite</p>
<p style="-qt-paragraph-type:empty; margin-top:0px;"><br /></p>
</body></html>"""


def test_qt_html_becomes_the_subset() -> None:
    assert from_qt_html(QT_HTML) == (
        "<p>Bonjour <b>{{ prenom }}</b>,</p>"
        '<p align="justify"><i>très</i> <u>important</u> &amp; urgent<br/>suite</p>'
        "<p><br/></p>"
    )


def test_nesting_is_canonical_and_unknown_tags_keep_their_text() -> None:
    source = "<div><strong>gras <em>et italique</em></strong> <font color=red>rouge</font></div>"
    assert sanitize(source) == "<p><b>gras </b><b><i>et italique</i></b> rouge</p>"
    assert sanitize(sanitize(source)) == sanitize(source)


def test_plain_text_and_script_are_handled() -> None:
    assert sanitize("ligne 1\nligne 2 & co") == "<p>ligne 1</p><p>ligne 2 &amp; co</p>"
    assert sanitize("<p>a<script>alert(1)</script>b</p>") == "<p>ab</p>"
    assert to_plain_text("<p>Madame,</p><p><b>Merci</b> &amp; à bientôt</p>") == (
        "Madame,\nMerci & à bientôt"
    )
    paras = paragraphs('<p align="center">titre</p><p></p>')
    assert paras[0].align == "center"
    assert paras[1].is_empty
