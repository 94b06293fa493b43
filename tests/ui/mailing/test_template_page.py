"""The wizard's template page lists the merge fields of the template chosen, and names at once
what a Word template cannot merge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.ui.mailing.wizard import MailingWizard
from tests.mailing.helpers import fill
from tests.mailing.wordml import field, mergefield, para, template


@pytest.fixture
def wizard(qtbot: QtBot, app_ctx: AppContext) -> Iterator[MailingWizard]:
    base = fill(app_ctx.db)
    wizard = MailingWizard(app_ctx, organisation_ids=[base.alpha], list_label="Liste de test")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    yield wizard
    wizard.close()


def _shown(wizard: MailingWizard) -> list[str]:
    fields = wizard.template_page.fields
    return [fields.item(row).text() for row in range(fields.count())]


def test_fields_of_the_word_template_are_listed(wizard: MailingWizard) -> None:
    page = wizard.template_page
    page.select_template("exemple")
    shown = _shown(wizard)
    assert shown[:2] == [
        "« bloc_adresse » — le corps du document « exemple.docx », paragraphe 1",
        "« lieu » — le corps du document « exemple.docx », paragraphe 2",
    ]
    assert (
        shown[-1]
        == "« entreprise_telephone » — l'en-tête du document « exemple.docx », paragraphe 1"
    )
    assert page.error.text() == ""
    page.select_template("prospection")
    assert "« formule_appel » — le corps du modèle « prospection »" in _shown(wizard)


def test_a_word_template_with_next_is_named_on_selection(
    wizard: MailingWizard, app_ctx: AppContext
) -> None:
    folder = app_ctx.paths.config / "modeles"
    folder.mkdir(parents=True, exist_ok=True)
    body = para(mergefield("nom")) + para(field(" NEXT ", result="«Enregistrement suivant»"))
    template(folder / "planche.docx", body)
    page = wizard.template_page
    page.reload_templates("planche")
    assert page.template_name() == "planche"
    assert _shown(wizard) == []
    assert page.error.text().startswith(
        "Le champ NEXT dans le corps du document « planche.docx », paragraphe 2 n'est pas pris "
        "en charge"
    )
    wizard.next()
    assert wizard.currentPage() is page and wizard.state.options is None
