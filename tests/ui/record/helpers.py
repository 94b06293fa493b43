"""What the record sheets' tests share: the conflict dialog answered without a user."""

from __future__ import annotations

from collections.abc import Callable

from microcrm.ui.conflict_dialog import ConflictDialog


def conflict_exec(
    choices: dict[str, str],
    seen: list[dict[str, tuple[str, str, str]]],
    during: Callable[[], None] | None = None,
) -> Callable[[ConflictDialog], int]:
    """A stand-in for ``ConflictDialog.exec``: notes (base, theirs, mine) per field in
    ``seen``, runs ``during`` (another change meanwhile), picks ``choices``, saves."""

    def run(dialog: ConflictDialog) -> int:
        seen.append({f.name: (f.base, f.theirs, f.mine) for f in dialog.fields})
        if during is not None:
            during()
        for name, side in choices.items():
            dialog.choose(name, side)
        dialog.save_button.click()
        return dialog.result()

    return run
