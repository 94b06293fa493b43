"""The PyInstaller one-folder bundle builds and runs: resources, migrations, fonts found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_frozen_bundle_runs_the_cli(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller is in the test extra")
    dist, work = tmp_path / "dist", tmp_path / "build"
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(ROOT / "installer" / "microcrm.spec")],
        check=True, timeout=900, cwd=tmp_path,
    )
    exe = dist / "MicroCRM" / ("MicroCRM.exe" if os.name == "nt" else "MicroCRM")
    env = {**os.environ, "MICROCRM_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    db = tmp_path / "frozen.sqlite"

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run([str(exe), "--db", str(db), *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # Migrations (alembic scripts as files), the demo generator (postal data, PDF fonts).
    assert "Démonstration : 30 organisations" in run(
        "demo", "--organisations", "30", "--persons", "40", "--documents", "4"
    )
    assert "Intégrité : OK" in run("check")
    line = json.loads(run("address", "normalize",
                          stdin='{"id": 1, "line1": "3 r. de la Paix", "postcode": "75002", "city": "Paris 2e"}\n'))
    assert line["lines"] == ["3 RUE DE LA PAIX", "75002 PARIS"]
    assert line["status"] == "corrected"
