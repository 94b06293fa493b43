"""How the publipostage windows open a record sheet in the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microcrm.ui.main_window import MainWindow


def open_party(window: MainWindow, organisation_id: object, person_id: object) -> None:
    """Open (or bring forward) the sheet of an organisation, else of a person."""
    if isinstance(organisation_id, int):
        window._open_sheet(organisation_id)
    elif isinstance(person_id, int):
        window._open_person_sheet(person_id)
