"""The JSON Lines contract of `microcrm address normalize` (normalize_stream)."""

from __future__ import annotations

import io
import json

from microcrm.postal.jsonl import normalize_stream


def run(text: str) -> tuple[int, list[dict[str, object]]]:
    dst = io.StringIO()
    count = normalize_stream(io.StringIO(text), dst)
    return count, [json.loads(line) for line in dst.getvalue().splitlines()]


def test_one_output_object_per_record_in_order() -> None:
    records = [
        {
            "id": 1,
            "name": "Jean Dupont",
            "line1": "5 bis av. Foch",
            "postcode": "75016",
            "city": "Paris 16e",
        },
        {
            "id": "b",
            "company": "ACME",
            "line1": "BP 12",
            "postcode": "34092",
            "city": "Montpellier Cedex 5",
        },
        {"postcode": "13000", "city": "Marseille"},
    ]
    count, outputs = run("".join(json.dumps(record) + "\n" for record in records))
    assert count == 3
    assert outputs == [
        {
            "id": 1,
            "lines": ["JEAN DUPONT", "5 B AVENUE FOCH", "75016 PARIS"],
            "status": "corrected",
            "errors": ["locality_replaced"],
        },
        {
            "id": "b",
            "lines": ["ACME", "BP 12", "34092 MONTPELLIER CEDEX 5"],
            "status": "valid",
            "errors": [],
        },
        {
            "id": None,
            "lines": ["13000 MARSEILLE"],
            "status": "invalid",
            "errors": ["postcode_unknown"],
        },
    ]
    assert list(outputs[0]) == ["id", "lines", "status", "errors"]


def test_bad_input_lines_do_not_stop_the_run() -> None:
    text = "\n".join(
        [
            "{not json",
            "[1, 2]",
            '"a string"',
            '{"id": 7, "city": 75}',
            '{"id": 8, "city": null}',
            '{"id": [1], "city": "Lille"}',
            '{"id": true, "city": "Lille"}',
            '{"id": 9, "postcode": "59000", "city": "Lille", "extra": 1}',
        ]
    )
    count, outputs = run(text)
    assert count == 8
    bad = {"lines": [], "status": "invalid", "errors": ["bad_input"]}
    assert outputs[:7] == [
        {"id": None, **bad},
        {"id": None, **bad},
        {"id": None, **bad},
        {"id": 7, **bad},
        {"id": 8, **bad},
        {"id": None, **bad},
        {"id": None, **bad},
    ]
    assert outputs[7] == {"id": 9, "lines": ["59000 LILLE"], "status": "valid", "errors": []}


def test_blank_lines_skipped_and_bom_ignored() -> None:
    count, outputs = run('\ufeff{"id": 1, "city": "Lille", "postcode": "59000"}\n\n   \n')
    assert count == 1
    assert outputs[0]["status"] == "valid"


def test_output_keeps_non_ascii_and_empty_input() -> None:
    dst = io.StringIO()
    assert normalize_stream(io.StringIO(""), dst) == 0
    assert dst.getvalue() == ""
    dst = io.StringIO()
    normalize_stream(io.StringIO('{"id": "é", "city": "Lille"}\n'), dst)
    assert dst.getvalue().startswith('{"id": "é"')
