"""The ``microcrm`` console script: a subcommand runs the CLI, none starts the GUI.

Kept apart from :mod:`microcrm.cli` so that the CLI never imports Qt.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the CLI or the GUI."""
    # GED text extraction and index rebuilds use worker processes: in a frozen
    # (PyInstaller) build on Windows, spawned children re-enter here first.
    multiprocessing.freeze_support()
    from microcrm import cli

    args = list(sys.argv[1:] if argv is None else argv)
    parsed = cli.build_parser().parse_args(args)
    if parsed.command is not None:
        return cli.run(args)
    from microcrm.ui.application import run_gui

    return run_gui(parsed.db)


if __name__ == "__main__":
    raise SystemExit(main())
