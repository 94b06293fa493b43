"""A document dropped in the GUI on a shared base is re-read and hash-checked (docs/storage.md §4.3).

The GUI and the CLI take the content store from the composition root, which
decides write verification once from the storage mode: this drives the real
Documents tab on a base marked shared and watches the store's verification.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext, build_context
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.db import StorageMode
from microcrm.ged.store import ContentStore
from microcrm.storage.connection import share_database
from microcrm.ui.application import make_application
from microcrm.ui.ged.documents_tab import DocumentsTab
from tests.ged.samples import make_pdf
from tests.ui.helpers import drop, file_mime

FILED_MS = 60000


@pytest.fixture(params=["shared", "local"])
def ctx(request: pytest.FixtureRequest, sqlite_path: Path) -> Iterator[AppContext]:
    make_application([])
    first = build_context(str(sqlite_path))
    if request.param == "shared":
        share_database(first.db)
    first.db.dispose()
    ctx = build_context(str(sqlite_path))
    yield ctx
    ctx.db.dispose()


def test_a_file_dropped_in_the_documents_tab_is_verified_on_a_shared_base(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    original = ContentStore._verify_new

    def watch(self: ContentStore, sha256: str) -> None:
        verified.append(sha256)
        original(self, sha256)

    monkeypatch.setattr(ContentStore, "_verify_new", watch)
    org = save_organisation(ctx.db, OrganisationRecord(name="Boulangerie Martin")).record
    assert org.id is not None
    tab = DocumentsTab(ctx, org.id)
    qtbot.addWidget(tab)
    with qtbot.waitExposed(tab):
        tab.show()
    pdf = make_pdf(tmp_path / "Facture F2025-012.pdf", ["Facture F2025-012", "Pétrin : 1 250 €"])
    try:
        with qtbot.waitSignal(tab.filed, timeout=FILED_MS) as blocker:
            assert drop(tab, file_mime([pdf]))
    finally:
        tab.index.close()
    [result] = blocker.args[0]
    assert result.new_document
    sha = _sha_of(ctx, result.document_id)
    assert ctx.store.object_path(sha).is_file()
    if ctx.db.mode is StorageMode.SHARED:
        assert ctx.store.verify_writes
        assert verified == [sha]  # the object filed is the one re-read and hash-checked
    else:
        assert not ctx.store.verify_writes
        assert verified == []


def _sha_of(ctx: AppContext, document_id: int) -> str:
    ged = ctx.open_ged()
    try:
        return ged.document(document_id).sha256
    finally:
        ged.close()
