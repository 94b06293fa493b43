"""The wheel carries the whole source tree, and the app runs from it alone.

The wheel is built from a copy of the tree (top-level files and the folders of
``package-dir``): a build in the checkout would write build/ there, and
setuptools ships whatever an earlier build left in build/lib.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["setuptools"]["package-dir"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".*")


def source_files(tree: Path) -> set[str]:
    """Where every file of the mapped folders of ``tree`` belongs in the wheel."""
    expected = set()
    for package, folder in PACKAGE_DIR.items():
        base = tree / folder
        for path in base.rglob("*"):
            relative = path.relative_to(base)
            if path.is_file() and "__pycache__" not in relative.parts and path.suffix != ".pyc":
                expected.add("/".join((*package.split("."), *relative.parts)))
    return expected


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the copy of the source tree it was built from), built once per module."""
    assert int(version("setuptools").split(".")[0]) >= 77, (
        "the venv's setuptools is older than [build-system] asks: rerun `python3 dev.py test`"
    )
    tmp = tmp_path_factory.mktemp("wheel")
    tree, out = tmp / "src", tmp / "dist"
    tree.mkdir()
    for path in ROOT.iterdir():
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, tree / path.name)
    for folder in set(PACKAGE_DIR.values()):
        shutil.copytree(ROOT / folder, tree / folder, ignore=IGNORED)
    # No build isolation: offline, and a few seconds instead of a setuptools download.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", "-w", str(out), "."],
        cwd=tree, timeout=300, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("microcrm-*.whl")
    return wheel, tree


def test_wheel_holds_exactly_the_source_tree(built: tuple[Path, Path]) -> None:
    wheel, tree = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    shipped = {name for name in names if ".dist-info/" not in name}
    expected = source_files(tree)
    # Every module of every package, resources/** and migrations/** (data files included:
    # a file that package-data misses, an icon say, is missing from the installed app).
    assert sorted(expected - shipped) == [], "in the source tree, not in the wheel"
    assert sorted(shipped - expected) == [], "in the wheel, not in the source tree"
    # The ones that once went missing, and the data the app reads through importlib.resources.
    for name in (
        "microcrm/py.typed",
        "microcrm/ui/record/__init__.py",
        "microcrm/ui/models/__init__.py",
        "microcrm/resources/postal/codes-postaux-4.1.2.tsv.gz",
        "microcrm/resources/naf/naf-rev2.tsv",
        "microcrm/resources/templates/docx/exemple.docx",
        "microcrm/resources/fonts/DejaVuSans.ttf",
        "microcrm/migrations/env.py",
        "microcrm/migrations/script.py.mako",
    ):
        assert name in shipped
    assert any(n.startswith("microcrm/migrations/versions/") and n.endswith(".py") and "__init__" not in n
               for n in shipped)
    assert "License-Expression: GPL-3.0-or-later" in metadata
    assert "microcrm = microcrm.main:main" in entry_points


def venv_python(env_dir: Path) -> Path:
    """The interpreter of a venv, on Windows as elsewhere."""
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


CHECK_INSTALLED = r'''
import importlib.resources, json, sys
from pathlib import Path

venv, repo, db = Path(sys.prefix).resolve(), Path(sys.argv[1]).resolve(), sys.argv[2]
dependencies = [Path(site).resolve() for site in sys.argv[3:]]  # may be inside the checkout


def from_checkout(module):
    path = getattr(module, "__file__", None)
    if not path:
        return False
    path = Path(path).resolve()
    return path.is_relative_to(repo) and not any(path.is_relative_to(d) for d in (venv, *dependencies))


import microcrm, microcrm.ui.models, microcrm.ui.record
assert Path(microcrm.__file__).resolve().is_relative_to(venv), microcrm.__file__
from microcrm.postal.reference import DATA_FILE, read_reference
resources = importlib.resources.files("microcrm.resources")
migrations = importlib.resources.files("microcrm.migrations")
assert (resources / "postal" / DATA_FILE).is_file()
assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
revisions = [p.name for p in (migrations / "versions").iterdir() if p.name[0].isdigit()]
assert revisions
assert read_reference().rows("75002")

from PySide6.QtCore import QThreadPool, QTimer
from microcrm.main import main
from microcrm.ui.application import make_application
from microcrm.ui.main_window import MainWindow

app = make_application([])
seen = []
ticks = 0

def look():
    # Quit once the main window is on screen and the start-up worker is done.
    global ticks
    ticks += 1
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if windows and QThreadPool.globalInstance().activeThreadCount() == 0 or ticks > 400:
        seen.extend(w.windowTitle() for w in windows)
        app.quit()

timer = QTimer()
timer.timeout.connect(look)
timer.start(50)
code = main(["--db", db])
outside = sorted(name for name, module in list(sys.modules.items())
                 if name.startswith("microcrm") and getattr(module, "__file__", None)
                 and not Path(module.__file__).resolve().is_relative_to(venv))
from_repo = sorted(name for name, module in list(sys.modules.items()) if from_checkout(module))
print(json.dumps({"code": code, "windows": seen, "revisions": len(revisions),
                  "outside": outside, "from_repo": from_repo,
                  "modules": sum(n.startswith("microcrm") for n in sys.modules)}))
'''


@pytest.mark.slow
def test_installed_wheel_opens_the_main_window(built: tuple[Path, Path], tmp_path: Path) -> None:
    """A fresh venv with only the wheel for microcrm: CLI and GUI run, nothing from the checkout.

    The third-party dependencies come from this venv's site-packages through a plain
    path line in a .pth file (no download); its own .pth files, the editable install's
    finder among them, are not processed that way, so the checkout stays out of reach.
    """
    wheel, _tree = built
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(env_dir)
    python = venv_python(env_dir)
    # This venv's pip installs into the fresh one; --no-deps, so the wheel alone.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--disable-pip-version-check", "-q", str(wheel)],
        timeout=300, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    child_site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip())
    parent_site = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (child_site / "_parent_dependencies.pth").write_text("\n".join(sorted(parent_site)) + "\n")

    run_dir = tmp_path / "run"  # cwd: not the checkout, so its microcrm/ is not on sys.path
    run_dir.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "PYTHONHOME", "MICROCRM_DB"}}
    env |= {"QT_QPA_PLATFORM": "offscreen", "MICROCRM_HOME": str(tmp_path / "home")}
    db = tmp_path / "installed.sqlite"

    # The console script of the wheel: migrations, demo generator, postal data.
    script = env_dir / ("Scripts/microcrm.exe" if os.name == "nt" else "bin/microcrm")
    done = subprocess.run(
        [str(script), "--db", str(db), "demo", "--organisations", "5", "--persons", "8"],
        cwd=run_dir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Démonstration : 5 organisations" in done.stdout

    # The GUI through the app's own start-up (main -> run_gui) on that base.
    check = run_dir / "check_installed.py"
    check.write_text(CHECK_INSTALLED, encoding="utf-8")
    done = subprocess.run(
        [str(python), str(check), str(ROOT), str(db), *sorted(parent_site)],
        cwd=run_dir, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["windows"], "the main window was not shown"
    assert report["revisions"] >= 1
    assert report["outside"] == [], "microcrm modules imported from outside the fresh venv"
    assert report["from_repo"] == [], "modules imported from the checkout"
