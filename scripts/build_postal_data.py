"""Build `resources/postal/codes-postaux-4.1.2.tsv.gz` from the npm package `codes-postaux`.

Usage, from the repository root:

    .venv/bin/python scripts/build_postal_data.py            # fetch with `npm pack`
    .venv/bin/python scripts/build_postal_data.py --tarball codes-postaux-4.1.2.tgz

The tarball's SHA-512 is checked against the npm registry's published integrity, and the
output is byte-for-byte reproducible (sorted rows, gzip header with mtime 0 and no name).
The libellé and commune name are also stored cleaned per R18-R20 of
docs/address-standard.md, with the normaliser's own functions, so loading needs no cleaning.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
PACKAGE: Final = "codes-postaux"
VERSION: Final = "4.1.2"
INTEGRITY: Final = (
    "sha512-naSV2sect0t5YmX9GhQgvBD/eLGtdhbhMSEu2eYx7Gwd2zpzH2qY2CQI2r41"
    "zb5/97YOuIwLVbuHxA1TCDuIZA=="
)
"""`dist.integrity` of codes-postaux@4.1.2 on registry.npmjs.org."""
SOURCE_MEMBER: Final = "package/codes-postaux.json"
SOURCE_KEYS: Final = ("codePostal", "codeCommune", "nomCommune", "libelleAcheminement")


def fetch_tarball(workdir: Path) -> Path:
    """Download the package tarball with `npm pack` into `workdir`."""
    command = ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"]
    completed = subprocess.run(command, cwd=workdir, check=True, capture_output=True, text=True)
    return workdir / completed.stdout.strip().splitlines()[-1]


def check_integrity(data: bytes) -> None:
    """Refuse a tarball that is not the published 4.1.2 (reproducibility, supply chain)."""
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if digest != INTEGRITY:
        msg = f"tarball integrity {digest} does not match {INTEGRITY}"
        raise SystemExit(msg)


def read_records(tarball: bytes) -> list[dict[str, str]]:
    """Return the records of `codes-postaux.json` from the package tarball."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(SOURCE_MEMBER)
        if member is None:
            msg = f"{SOURCE_MEMBER} missing from the tarball"
            raise SystemExit(msg)
        records: list[dict[str, str]] = json.load(member)
    for record in records:
        values = [record.get(key) for key in SOURCE_KEYS]
        if not all(isinstance(value, str) and "\t" not in value for value in values):
            msg = f"unexpected record {record!r}"
            raise SystemExit(msg)
    return records


def build_tsv(records: list[dict[str, str]]) -> bytes:
    """Return the TSV (header + rows sorted by postcode, INSEE code, commune, libellé)."""
    sys.path.insert(0, str(REPO_ROOT))
    from microcrm.postal.locality import (
        clean_commune_name,
        clean_reference_libelle,
    )
    from microcrm.postal.reference import COLUMNS

    rows: set[tuple[str, str, str, str, str, str]] = set()
    for record in records:
        postcode, insee, commune, raw = (record[key] for key in SOURCE_KEYS)
        libelle = clean_reference_libelle(raw, postcode)
        commune_key = clean_commune_name(commune)
        rows.add(
            (
                postcode,
                insee,
                commune,
                raw,
                "" if libelle == raw else libelle,
                "" if commune_key == libelle else commune_key,
            )
        )
    lines = ["\t".join(COLUMNS), *("\t".join(row) for row in sorted(rows))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def compress(data: bytes) -> bytes:
    """Gzip `data` deterministically: no file name, mtime 0, maximum compression."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(data)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build the data file; print its size and SHA-256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="use this codes-postaux-4.1.2.tgz")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO_ROOT / "resources" / "postal" / f"{PACKAGE}-{VERSION}.tsv.gz",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        tarball = args.tarball or fetch_tarball(Path(workdir))
        data = tarball.read_bytes()
    check_integrity(data)
    records = read_records(data)
    output = compress(build_tsv(records))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(output)
    sha256 = hashlib.sha256(output).hexdigest()
    print(f"{len(records)} records -> {args.output} ({len(output)} bytes, sha256 {sha256})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
