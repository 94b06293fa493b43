"""scripts/build_postal_data.py: reproducible build of the reference data file."""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_postal_data.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_postal_data", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDS: list[dict[str, object]] = [
    {
        "codePostal": "13520",
        "codeCommune": "13068",
        "nomCommune": "Paradou",
        "libelleAcheminement": "PARADOU (LE)",
    },
    {
        "codePostal": "13520",
        "codeCommune": "13011",
        "nomCommune": "Les Baux-de-Provence",
        "libelleAcheminement": "BAUX-DE-PROVENCE (LES)",
    },
    {
        "codePostal": "05330",
        "codeCommune": "05133",
        "nomCommune": "Saint-Chaffrey",
        "libelleAcheminement": "SAINT CHAFFREY 05330",
    },
    {
        "codePostal": "75016",
        "codeCommune": "75116",
        "nomCommune": "Paris 16e Arrondissement",
        "libelleAcheminement": "PARIS 16",
    },
]


def test_tsv_sorted_with_raw_and_cleaned_columns(build: ModuleType) -> None:
    tsv = build.build_tsv(RECORDS).decode("utf-8").splitlines()
    assert tsv == [
        "postcode\tinsee_code\tcommune\tlibelle_raw\tlibelle\tcommune_key",
        "05330\t05133\tSaint-Chaffrey\tSAINT CHAFFREY 05330\tST CHAFFREY\t",
        "13520\t13011\tLes Baux-de-Provence\tBAUX-DE-PROVENCE (LES)\tLES BAUX DE PROVENCE\t",
        "13520\t13068\tParadou\tPARADOU (LE)\tLE PARADOU\tPARADOU",
        "75016\t75116\tParis 16e Arrondissement\tPARIS 16\tPARIS\tPARIS 16E ARRONDISSEMENT",
    ]


def test_same_bytes_every_run(build: ModuleType) -> None:
    first = build.compress(build.build_tsv(RECORDS))
    second = build.compress(build.build_tsv(list(reversed(RECORDS))))
    assert first == second
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert gzip.decompress(first).startswith(b"postcode\t")


def _tarball(records: list[dict[str, object]]) -> bytes:
    data = json.dumps(records).encode("utf-8")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/codes-postaux.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_read_records_from_tarball(build: ModuleType) -> None:
    assert build.read_records(_tarball(RECORDS)) == RECORDS
    with pytest.raises(SystemExit):
        build.read_records(_tarball([{"codePostal": 75016}]))


def test_integrity_checked(build: ModuleType) -> None:
    with pytest.raises(SystemExit, match="does not match"):
        build.check_integrity(b"not the published tarball")


def test_main_with_local_tarball(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tarball = tmp_path / "codes-postaux-4.1.2.tgz"
    tarball.write_bytes(_tarball(RECORDS))
    monkeypatch.setattr(build, "check_integrity", lambda _data: None)
    output = tmp_path / "out.tsv.gz"
    assert build.main(["--tarball", str(tarball), "--output", str(output)]) == 0
    assert gzip.decompress(output.read_bytes()).count(b"\n") == 5
