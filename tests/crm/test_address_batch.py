"""Batch normalisation: propose writes nothing, apply is atomic and journalled, undo is exact."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from microcrm.crm import address_batch as ab
from microcrm.crm.address_batch import BatchResult, UndoResult
from microcrm.crm.addresses import (
    load_primary_address,
    save_primary_address,
)
from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.models import Address, ChangeLog, ImportBatch, ImportChange
from tests.crm.helpers import EXPECTED, Base, dump, fill

NNBSP = "\u202f"


@pytest.fixture
def base(sqlite_db: Database) -> Base:
    return fill(sqlite_db)


@pytest.fixture
def any_base(any_db: Database) -> Base:
    return fill(any_db)


def _name_of(base: Base, org_id: int) -> str:
    return next(n for n, i in base.by_name.items() if i == org_id)


# -- propose ------------------------------------------------------------------------------


def test_propose_finds_exactly_the_changed_ones_and_writes_nothing(base: Base) -> None:
    before = dump(base.db)
    proposals = ab.propose(base.db, base.org_ids)
    assert dump(base.db) == before
    got = {p.name: (p.kind, p.after.postcode, p.after.city) for p in proposals}
    assert got == EXPECTED
    # In the order asked for (the list's order), one per organisation.
    assert [p.organisation_id for p in proposals] == [
        i for i in base.org_ids if _name_of(base, i) in EXPECTED
    ]


def test_proposal_details(base: Base) -> None:
    props = {p.name: p for p in ab.propose(base.db, base.org_ids)}
    zero = props["Fromagerie de l'Ain"]
    assert zero.before.postcode == "1000" and zero.before.norm_status == "corrected"
    assert zero.after.norm_lines == ("3 RUE BOURGMAYER", "01000 BOURG EN BRESSE")
    assert zero.after.norm_status == "valid" and zero.after.norm_errors == ()
    assert zero.codes == ("postcode_padded",)
    assert zero.changed_fields == ("postcode",)
    assert zero.version_id == 1 and zero.after.version_id == 2
    assert "zéro initial" in zero.explanation
    assert "code postal 1000 → 01000" in zero.explanation

    paris = props["Maison Kléber"]
    assert paris.after.norm_lines[-1] == "75016 PARIS"
    assert paris.changed_fields == ("city",)
    assert "localité «\u00a0Paris 16e\u00a0» → «\u00a0PARIS\u00a0»" in paris.explanation
    assert paris.explanation.startswith("La localité a été remplacée")

    invalid = props["Garage Sans Code"]
    assert invalid.after.typed() == invalid.before.typed()  # never "corrected" (R26)
    assert invalid.after.norm_status == "invalid"
    assert invalid.after.norm_errors == ("postcode_malformed",)
    assert invalid.before.norm_status is None
    assert "conservée telle que saisie" in invalid.explanation

    padded_but_invalid = props["Quincaillerie Mal Placée"]
    assert padded_but_invalid.after.postcode == "1000"  # typed postcode untouched
    assert padded_but_invalid.after.norm_lines[-1] == "01000 LYON"  # R26: L6 form only
    assert padded_but_invalid.after.norm_status == "invalid"

    cedex = props["Imprimerie Occitane"]
    assert cedex.after.norm_lines == ("BP 90432", "34092 MONTPELLIER CEDEX 5")
    assert cedex.after.norm_status == "valid"
    assert "jamais vérifiée" in cedex.explanation

    foreign = props["Chocolaterie Bruxelloise"]
    assert foreign.after.norm_lines == ("RUE HAUTE 12", "4000 LIEGE", "BELGIQUE")


def test_after_is_what_the_record_sheet_would_store(base: Base) -> None:
    result = ab.apply(base.db, ab.propose(base.db, base.org_ids))
    assert result.applied == len(EXPECTED)
    for name in EXPECTED:
        org_id = base.by_name[name]
        stored = load_primary_address(base.db, org_id)
        resaved = save_primary_address(base.db, org_id, stored).record
        assert (resaved.norm_lines, resaved.norm_status, resaved.norm_errors) == (
            stored.norm_lines, stored.norm_status, stored.norm_errors,
        ), name
    assert ab.propose(base.db, base.org_ids) == []  # idempotent


def test_propose_reads_by_blocks_not_per_row(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ab, "READ_BLOCK", 5)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(base.db.engine, "before_cursor_execute", count)
    try:
        progress: list[tuple[int, int]] = []
        proposals = ab.propose(base.db, base.org_ids, lambda d, t, _m: progress.append((d, t)))
    finally:
        event.remove(base.db.engine, "before_cursor_execute", count)
    assert len(proposals) == len(EXPECTED)
    n = len(base.org_ids)
    assert len(statements) == -(-n // 5)  # one query per block of 5 organisations
    assert progress == [(5, n), (10, n), (n, n)]


def test_cancel_in_the_middle_of_propose_leaves_the_base_untouched(
    base: Base, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ab, "READ_BLOCK", 4)
    before = dump(base.db)
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2  # after two blocks

    assert ab.propose(base.db, base.org_ids, cancelled=cancelled) == []
    assert dump(base.db) == before
    assert len(calls) == 3


def test_duplicates_and_unknown_ids_are_ignored(base: Base) -> None:
    ids = [base.by_name["Maison Kléber"]] * 3 + [999_999]
    assert [p.name for p in ab.propose(base.db, ids)] == ["Maison Kléber"]


# -- apply --------------------------------------------------------------------------------


def test_apply_writes_the_accepted_ones_only_with_journal_and_undo_batch(any_base: Base) -> None:
    db = any_base.db
    proposals = ab.propose(db, any_base.org_ids)
    accepted = [p for p in proposals if p.name in ("Maison Kléber", "Garage Sans Code")]
    untouched = dump(db)["addresses"]
    result = ab.apply(db, accepted, label="Suspects — 2 fiches")
    assert result.applied == 2 and result.skipped_conflicts == () and result.batch_id

    after = {row["id"]: row for row in dump(db)["addresses"]}
    for row in untouched:
        changed = after[row["id"]]
        if row["id"] not in {p.address_id for p in accepted}:
            assert changed == row
    kleber = next(p for p in accepted if p.name == "Maison Kléber")
    row = after[kleber.address_id]
    assert (row["postcode"], row["city"], row["city_key"]) == ("75016", "PARIS", "paris")
    assert row["norm_lines"] == "10 AVENUE KLEBER\n75016 PARIS"
    assert (row["norm_status"], row["norm_errors"]) == ("valid", "")
    assert row["version_id"] == 2 and row["updated_by"] == "test"
    garage = next(p for p in accepted if p.name == "Garage Sans Code")
    row = after[garage.address_id]
    assert (row["postcode"], row["city"]) == ("123", "Rennes")
    assert (row["norm_status"], row["norm_errors"]) == ("invalid", "postcode_malformed")

    with db.read() as s:
        journal = s.execute(
            select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.op, ChangeLog.new_version,
                   ChangeLog.user_login, ChangeLog.workstation_id)
            .where(ChangeLog.entity == "address", ChangeLog.op == "update")
        ).all()
        assert sorted(journal) == sorted(
            ("address", p.address_id, "update", 2, "test", "ws-test") for p in accepted
        )
        batch = s.get_one(ImportBatch, result.batch_id)
        assert (batch.preset, batch.status, batch.sources, batch.created_by) == (
            "normalisation", "done", "Suspects — 2 fiches", "test",
        )
        changes = s.scalars(
            select(ImportChange).where(ImportChange.batch_id == batch.id)
            .order_by(ImportChange.seq)
        ).all()
        assert [(c.seq, c.entity, c.entity_id, c.op) for c in changes] == [
            (n, "address", p.address_id, "update") for n, p in enumerate(accepted)
        ]
    [info] = ab.history(db)
    assert (info.batch_id, info.applied, info.skipped, info.undone) == (
        result.batch_id, 2, 0, False,
    )
    assert info.label == "Suspects — 2 fiches" and info.created_by == "test"
    assert info.created_at.tzinfo is not None


def test_apply_nothing_writes_nothing(base: Base) -> None:
    before = dump(base.db)
    assert ab.apply(base.db, []) == BatchResult(None, 0, ())
    assert dump(base.db) == before


def test_a_failure_midway_leaves_nothing(base: Base, monkeypatch: pytest.MonkeyPatch) -> None:
    proposals = ab.propose(base.db, base.org_ids)
    before = dump(base.db)
    monkeypatch.setattr(ab, "WRITE_CHUNK", 2)
    real = ab._apply_chunk
    calls: list[int] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disque plein")
        return real(*args, **kwargs)

    monkeypatch.setattr(ab, "_apply_chunk", failing)
    with pytest.raises(RuntimeError, match="disque plein"):
        ab.apply(base.db, proposals)
    assert len(calls) == 3  # two chunks were written inside the transaction, then it failed
    assert dump(base.db) == before
    assert ab.history(base.db) == []


def test_address_changed_elsewhere_is_skipped_not_overwritten(any_base: Base) -> None:
    db = any_base.db
    proposals = ab.propose(db, any_base.org_ids)
    kleber = next(p for p in proposals if p.name == "Maison Kléber")
    brest = next(p for p in proposals if p.name == "Chantier naval du Ponant")
    # Another workstation edits one address and deletes another meanwhile.
    mine = load_primary_address(db, kleber.organisation_id)
    save_primary_address(db, kleber.organisation_id, replace(mine, line1="12 avenue Kléber"), mine)

    def delete(s: Session) -> None:
        s.delete(s.get_one(Address, brest.address_id))

    db.run_write(delete)
    result = ab.apply(db, proposals)
    assert set(result.skipped_conflicts) == {kleber.address_id, brest.address_id}
    assert result.applied == len(proposals) - 2
    theirs = load_primary_address(db, kleber.organisation_id)
    assert (theirs.line1, theirs.city, theirs.version_id) == ("12 avenue Kléber", "Paris 16e", 2)
    assert result.summary() == (
        f"{len(proposals) - 2} adresses normalisées, 2 ignorées car modifiées sur un autre poste."
    )


def test_all_conflicting_records_no_batch(base: Base) -> None:
    proposals = ab.propose(base.db, [base.by_name["Maison Kléber"]])
    mine = load_primary_address(base.db, base.by_name["Maison Kléber"])
    save_primary_address(base.db, base.by_name["Maison Kléber"], replace(mine, line2="Bât. A"),
                         mine)
    result = ab.apply(base.db, proposals)
    assert result == BatchResult(None, 0, (proposals[0].address_id,))
    assert ab.history(base.db) == []


# -- undo ---------------------------------------------------------------------------------


def test_undo_restores_exactly(any_base: Base) -> None:
    db = any_base.db
    before = dump(db, content_only=True)["addresses"]
    versions = {row["id"]: row["version_id"] for row in dump(db)["addresses"]}
    result = ab.apply(db, ab.propose(db, any_base.org_ids))
    assert result.batch_id is not None
    assert dump(db, content_only=True)["addresses"] != before
    journal_before_undo = dump(db)["counts"]["ChangeLog"]

    undone = ab.undo(db, result.batch_id)
    assert undone == UndoResult(result.batch_id, result.applied, ())
    assert dump(db, content_only=True)["addresses"] == before
    after = dump(db)
    moved = {r["id"] for r in after["addresses"] if r["version_id"] == versions[r["id"]] + 2}
    assert len(moved) == result.applied  # apply then undo: two saves of each address
    assert after["counts"]["ChangeLog"] == journal_before_undo + result.applied
    [info] = ab.history(db)
    assert info.undone and info.undone_at is not None
    with pytest.raises(ValidationError, match="déjà été annulée"):
        ab.undo(db, result.batch_id)
    assert ab.propose(db, any_base.org_ids) != []  # back to proposable


def test_undo_skips_addresses_changed_since(base: Base) -> None:
    db = base.db
    result = ab.apply(db, ab.propose(db, base.org_ids))
    assert result.batch_id is not None
    org_id = base.by_name["Maison Kléber"]
    mine = load_primary_address(db, org_id)
    edited = save_primary_address(db, org_id, replace(mine, line1="12 avenue Kléber"), mine).record
    undone = ab.undo(db, result.batch_id)
    assert undone.skipped_conflicts == (edited.id,)
    assert undone.restored == result.applied - 1
    assert load_primary_address(db, org_id) == edited  # left as the other user saved it
    assert undone.summary() == (
        f"{result.applied - 1} adresses restaurées, 1 laissée telle quelle car modifiée depuis."
    )
    fromagerie = load_primary_address(db, base.by_name["Fromagerie de l'Ain"])
    assert fromagerie.postcode == "1000"


def test_undo_unknown_batch(base: Base) -> None:
    with pytest.raises(NotFoundError):
        ab.undo(base.db, 12345)


def test_history_lists_normalisations_only(base: Base) -> None:
    def import_batch(s: Session) -> None:
        s.add(ImportBatch(preset="sirene", sources="export.csv"))

    base.db.run_write(import_batch)
    proposals = ab.propose(base.db, base.org_ids)
    first = ab.apply(base.db, proposals[:2], label="premier")
    second = ab.apply(base.db, proposals[2:], label="second")
    assert [(i.batch_id, i.label, i.applied) for i in ab.history(base.db)] == [
        (second.batch_id, "second", len(proposals) - 2),
        (first.batch_id, "premier", 2),
    ]
    with pytest.raises(NotFoundError):
        ab.undo(base.db, 1)  # the import batch is not a normalisation


def test_summaries_use_french_number_format() -> None:
    assert BatchResult(7, 1234, (1, 2, 3)).summary() == (
        f"1{NNBSP}234 adresses normalisées, 3 ignorées car modifiées sur un autre poste."
    )
    assert BatchResult(7, 1).summary() == "1 adresse normalisée."
    assert BatchResult(None, 0, (4,)).summary() == (
        "0 adresse normalisée, 1 ignorée car modifiée sur un autre poste."
    )
    assert UndoResult(7, 2, (5, 6)).summary() == (
        "2 adresses restaurées, 2 laissées telles quelles car modifiées depuis."
    )


def test_service_binds_the_database(base: Base) -> None:
    service = ab.AddressBatchService(base.db)
    proposals = service.propose([base.by_name["Maison Kléber"]])
    result = service.apply(proposals, label="une fiche")
    assert result.batch_id is not None
    assert [i.batch_id for i in service.history()] == [result.batch_id]
    assert service.undo(result.batch_id).restored == 1
