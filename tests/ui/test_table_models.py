"""The shared table-model bases: column declarations, headers, rows.

The header labels of every model moved onto the bases are pinned here, as
they were before the move.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from microcrm.ui.address_batch_dialog import HistoryModel, ProposalTableModel
from microcrm.ui.ged.document_table import SIZE, TITLE, VERSION, DocumentTableModel
from microcrm.ui.ged.versions_dialog import VersionTableModel
from microcrm.ui.importing.company_search import ResultModel
from microcrm.ui.importing.history_dialog import ImportHistoryModel
from microcrm.ui.importing.review_models import DuplicateModel, IssueModel
from microcrm.ui.models.columns import RIGHT, Column, ColumnsTableModel, Index, text_columns
from microcrm.ui.models.rows import RowsTableModel
from microcrm.ui.record.contacts_tab import ContactTableModel
from microcrm.ui.record.history_tab import HistoryTableModel

H = Qt.Orientation.Horizontal
V = Qt.Orientation.Vertical


class Words(RowsTableModel[str]):
    COLUMNS = (Column("Mot"), Column("Longueur", RIGHT))
    ROW_NUMBERS = True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        word = self.row_at(index)
        if word is None:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return (word, str(len(word)))[index.column()]
        return None


def headers(model: ColumnsTableModel) -> list[object]:
    return [model.headerData(c, H) for c in range(model.columnCount())]


def test_rows_model_counts_headers_and_rows(qtmodeltester: ModelTester) -> None:
    model = Words(["adresse", "cedex"])
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert headers(model) == ["Mot", "Longueur"]
    assert model.headerData(0, H, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(2, H) is None
    assert [model.headerData(r, V) for r in (0, 1, 2)] == [1, 2, None]
    assert model.index(1, 1).data(Qt.ItemDataRole.TextAlignmentRole) == int(RIGHT)
    assert model.index(1, 0).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.row(1) == "cedex" and model.rows() == ["adresse", "cedex"]
    assert model.row_at(QModelIndex()) is None
    model.set_rows(["npai"])
    assert model.rowCount() == 1 and model.index(0, 0).data() == "npai"
    assert text_columns("A", "B") == (Column("A"), Column("B"))


def test_no_row_numbers_unless_asked() -> None:
    model = HistoryModel()
    assert model.headerData(0, V) is None


def test_header_labels_unchanged(qtmodeltester: ModelTester) -> None:
    expected: list[tuple[ColumnsTableModel, list[str]]] = [
        (ContactTableModel(), ["Civilité", "Nom", "Fonction", "Téléphone", "Mobile", "E-mail"]),
        (HistoryTableModel(), ["Date", "Type", "Objet", "Utilisateur", "Statut"]),
        (VersionTableModel(), ["Version", "Fichier", "Taille", "Déposée le", "Par", "Texte"]),
        (DocumentTableModel(), ["Titre", "Type", "Date", "Version", "Taille", "Classé par",
                                "Dossier"]),
        (IssueModel(), ["Fichier", "Ligne", "Gravité", "Motif", "Détail"]),
        (DuplicateModel(), ["Type", "Ligne", "Dans le fichier", "Fiche existante", "Décision",
                            "Motif"]),
        (ResultModel(), ["Raison sociale", "Enseigne", "SIRET", "Activité", "Adresse",
                         "Code postal", "Ville", "Effectif"]),
        (ProposalTableModel([]), ["Raison sociale", "Avant (saisie)", "Après (bloc La Poste)",
                                  "Motif"]),
        (HistoryModel(), ["Date", "Utilisateur", "Portée", "Adresses", "État"]),
        (ImportHistoryModel(), ["N°", "Date", "Utilisateur", "Fichiers", "Type de fichier",
                                "État"]),
    ]  # fmt: skip
    for model, labels in expected:
        assert headers(model) == labels, type(model).__name__
        assert model.rowCount() == 0
        qtmodeltester.check(model)


def test_document_sizes_and_versions_align_right() -> None:
    model = DocumentTableModel()
    assert [model.alignment(c) for c in (TITLE, VERSION, SIZE)] == [None, int(RIGHT), int(RIGHT)]
