#!/usr/bin/env python3
"""Set up and run MicroCRM from a fresh checkout, with nothing but Python 3.11+.

    python3 dev.py run [ARGS...]    set up (venv, dependencies, Qt system libraries), start the app
    python3 dev.py test [ARGS...]   set up (plus PostgreSQL for the tests), run lint, types, tests

Works on Debian/Ubuntu (installs the missing system packages with apt-get, as
root or through sudo) and on Windows/macOS (no system packages needed). The
virtual environment lives in ``.venv``; dependencies are reinstalled only when
pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# What a bare Debian 12 lacks for Qt (offscreen and on screen), docs/environment.md §2.
QT_RUNTIME = [
    "libegl1", "libgl1", "libglib2.0-0", "libfontconfig1", "libfreetype6", "libxkbcommon0",
    "libdbus-1-3", "libx11-6", "fonts-dejavu-core",
]
QT_SCREEN = [
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-randr0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
    "libxcb-xfixes0",
]
TEST_ONLY = ["postgresql"]


def say(message: str) -> None:
    """Print a progress line."""
    print(f"[microcrm] {message}", flush=True)


def missing_debian_packages(packages: list[str]) -> list[str]:
    """Packages not installed, per dpkg-query (empty off Debian)."""
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for name in packages:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def install_debian_packages(packages: list[str]) -> None:
    """apt-get install what is missing (as root, or via sudo)."""
    try:
        import ensurepip  # noqa: F401  (Debian splits it into python3-venv)
    except ImportError:
        packages = [*packages, "python3-venv"]
    missing = missing_debian_packages(packages)
    if not missing:
        return
    if not shutil.which("apt-get"):
        say(f"Paquets système manquants (à installer vous-même) : {' '.join(missing)}")
        return
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            say(f"Installez d'abord (en root) : apt-get install {' '.join(missing)}")
            sys.exit(1)
        prefix = ["sudo"]
    say(f"Installation des paquets système : {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True, env=env,
    )


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project (editable) with ``extras``; skip when up to date."""
    if not PYTHON.exists():
        say("Création de l'environnement virtuel .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".microcrm-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("Installation des dépendances Python (une minute environ la première fois)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f".[{extras}]" if extras else "."], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run_app(args: list[str]) -> int:
    """Set up and start the GUI (or a CLI command when ``args`` has one)."""
    install_debian_packages(QT_RUNTIME + QT_SCREEN)
    ensure_venv("")
    return subprocess.call([str(PYTHON), "-m", "microcrm", *args], cwd=ROOT)


def run_tests(args: list[str]) -> int:
    """Set up and run ruff, mypy, import-linter and pytest; 0 only when all pass."""
    install_debian_packages(QT_RUNTIME + TEST_ONLY)
    ensure_venv("test")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    steps = [
        ("ruff", [str(BIN / "ruff"), "check", "."]),
        ("mypy", [str(BIN / "mypy")]),
        ("import-linter", [str(BIN / "lint-imports")]),
    ]
    for name, cmd in steps:
        say(f"{name}…")
        if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
            say(f"{name} a signalé des problèmes.")
            return 1
    say("pytest…")
    code = subprocess.call([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:  # pytest: no test collected; never a success here
        say("Aucun test n'a été exécuté.")
        return 1
    return code


def main() -> int:
    """Dispatch ``run`` or ``test``."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before any venv exists
        say("Python 3.11 ou plus récent est nécessaire.")
        return 1
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return run_app(rest) if command == "run" else run_tests(rest)


if __name__ == "__main__":
    sys.exit(main())
