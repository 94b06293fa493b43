"""The package list, computed from the source tree so a wheel cannot miss a package.

All other metadata is in pyproject.toml. Only the list of packages is here:
resources/ and migrations/ sit at the top of the repository but install as
microcrm.resources and microcrm.migrations (``package-dir`` in pyproject.toml),
and setuptools' declarative ``packages.find`` cannot find packages under a
mapped folder, while a hand-written ``packages`` list went stale (the wheel
once lacked microcrm.ui.record and microcrm.ui.models). tests/test_packaging.py
checks the built wheel against the source tree.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_namespace_packages, setup

ROOT = Path(__file__).resolve().parent


def packages() -> list[str]:
    """Each ``package-dir`` root of pyproject.toml with every folder below it.

    Data folders (resources/postal, ...) count as packages too: their files ship
    through ``package-data``, and setuptools warns about folders it does not know.
    """
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    found = set(package_dir)
    for package, folder in package_dir.items():
        below = find_namespace_packages(str(ROOT / folder), exclude=["*__pycache__"])
        found.update(f"{package}.{name}" for name in below)
    return sorted(found)


setup(packages=packages())
