"""Templates: built-in ones by name, the user's own (TOML), DOCX files, field checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcrm.errors import ValidationError
from microcrm.mailing.errors import TemplateError, UnknownFieldError
from microcrm.mailing.templates import (
    DocxTemplateFile,
    LetterTemplate,
    check_template,
    delete_template,
    list_templates,
    load_template,
    save_letter_template,
    template_fields,
)


def test_builtin_templates_load_and_check() -> None:
    names = {t.name: t for t in list_templates()}
    assert {"prospection", "relance", "exemple"} <= set(names)
    assert names["exemple"].kind == "docx"
    for name in ("prospection", "relance"):
        template = load_template(name)
        assert isinstance(template, LetterTemplate)
        assert template.builtin
        check_template(template)
        assert ("formule_appel", f"le corps du modèle « {name} »") in template_fields(template)
    docx = load_template("exemple")
    assert isinstance(docx, DocxTemplateFile)
    check_template(docx)


def test_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template("inexistant")
    assert "« inexistant »" in caught.value.message
    assert "prospection" in caught.value.message
    with pytest.raises(TemplateError):
        load_template("/nulle/part/modele.docx")


def test_user_template_roundtrip_and_override(tmp_path: Path) -> None:
    own = LetterTemplate(
        name="relance",
        title="Ma relance",
        subject="Objet : {{ offre }} pour {{ raison_sociale }}",
        body_html="<p>{{ formule_appel }}</p><p><b>Offre</b> spéciale</p>",
        custom={"offre": "Remise de 10 %"},
        window="C5",
    )
    path = save_letter_template(own, tmp_path)
    assert path == tmp_path / "relance.toml"
    loaded = load_template("relance", user_dir=tmp_path)
    assert isinstance(loaded, LetterTemplate)
    assert not loaded.builtin
    assert (loaded.title, loaded.window, loaded.custom) == ("Ma relance", "C5", own.custom)
    assert loaded.body_html == own.body_html
    check_template(loaded)  # its custom field is declared
    by_path = load_template(str(path))
    assert isinstance(by_path, LetterTemplate) and by_path.title == "Ma relance"
    listed = {t.name: t for t in list_templates(tmp_path)}
    assert listed["relance"].title == "Ma relance" and not listed["relance"].builtin
    delete_template("relance", tmp_path)
    restored = load_template("relance", user_dir=tmp_path)
    assert isinstance(restored, LetterTemplate) and restored.builtin
    with pytest.raises(ValidationError):
        save_letter_template(LetterTemplate(name="../x"), tmp_path)


def test_check_names_the_unknown_field_and_where() -> None:
    template = LetterTemplate(name="essai", subject="Objet : {{ numero_dossier }}")
    with pytest.raises(UnknownFieldError) as caught:
        check_template(template)
    assert caught.value.field == "numero_dossier"
    assert caught.value.where == "l'objet du modèle « essai »"
    check_template(template, ["numero_dossier"])
