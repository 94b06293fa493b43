"""Offscreen screenshots of « Normaliser les adresses » on demo data with typical typing errors.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_address_batch.py [out_dir]

Writes ``address-batch-review.png`` (the before/after review) and
``address-batch-history.png`` into ``docs/screenshots/`` (or ``out_dir``). The
base is a throw-away demo base (``microcrm.demo.generate``) in which a share of
the addresses were rewritten as an old spreadsheet import leaves them
(``benchmarks/bench_address_batch.py``'s ``dirty_addresses``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_address_batch import dirty_addresses  # noqa: E402
from sqlalchemy import select  # noqa: E402

from microcrm.crm.address_batch import AddressBatchService  # noqa: E402
from microcrm.demo import generate  # noqa: E402
from microcrm.models import Organisation  # noqa: E402
from microcrm.storage.opening import open_database  # noqa: E402
from microcrm.ui.address_batch_dialog import HistoryDialog, ReviewDialog  # noqa: E402
from microcrm.ui.application import make_application  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def main() -> None:
    """Build the base, open the dialogs and grab them."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="shot-address-batch-"))
    os.environ.setdefault("MICROCRM_HOME", str(folder / "home"))
    db = open_database(folder / "crm.sqlite", user_login="mdupont")
    generate(db, organisations=600, persons=0, seed=7)
    dirty_addresses(db, 0.25, seed=7)
    with db.read() as s:
        ids = list(s.scalars(select(Organisation.id).order_by(Organisation.name_key)))
    service = AddressBatchService(db)
    proposals = service.propose(ids)
    app = make_application([])
    review = ReviewDialog(proposals, examined=len(ids), label="Suspects")
    review.model.set_checked([0, 2, 3, 5], True)
    review.table.selectRow(2)
    review.show()
    app.processEvents()
    review.grab().save(str(out / "address-batch-review.png"))
    service.apply(proposals[:40], label="Suspects — 40 fiches sélectionnées")
    batch = service.apply(proposals[40:], label="Suspects")
    assert batch.batch_id is not None
    service.undo(batch.batch_id)
    history = HistoryDialog(service)
    history.show()
    app.processEvents()
    history.grab().save(str(out / "address-batch-history.png"))
    db.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
