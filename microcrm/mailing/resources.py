"""Where the publipostage's shipped files live: fonts and built-in templates.

Read through ``importlib.resources`` so a wheel and the PyInstaller bundle
(which ships ``resources/`` as ``microcrm/resources``) find them; a plain
checkout falls back to the repository's ``resources/`` folder.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path


@cache
def resources_root() -> Path:
    """The folder of the ``microcrm.resources`` package."""
    try:
        root = Path(str(importlib.resources.files("microcrm.resources")))
        if root.is_dir():
            return root
    except ModuleNotFoundError:  # pragma: no cover - running from a bare checkout
        pass
    return Path(__file__).resolve().parents[2] / "resources"  # pragma: no cover


def resource_path(*parts: str) -> Path:
    """A shipped file or folder, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return resources_root().joinpath(*parts)
