"""Label sheets and envelopes read back: counts per page, positions, start slot, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from microcrm.crm.lists import ListQuery
from microcrm.errors import ValidationError
from microcrm.mailing.envelopes import ENVELOPES, get_envelope_format, render_envelopes
from microcrm.mailing.errors import TemplateError
from microcrm.mailing.fields import MergeContext
from microcrm.mailing.labels import (
    LabelFormat,
    get_label_format,
    label_formats,
    render_calibration,
    render_labels,
    save_label_format,
)
from microcrm.mailing.recipients import Recipient, RecipientSource, select_recipients
from tests.mailing.helpers import Base, page_lines, where

BUILTIN = {  # name: (columns, rows, width, height)
    "L7160": (3, 7, 63.5, 38.1),
    "L7161": (3, 6, 63.5, 46.6),
    "L7162": (2, 8, 99.1, 33.9),
    "L7163": (2, 7, 99.1, 38.1),
    "L7173": (2, 5, 99.1, 57.0),
    "3x8-70x37": (3, 8, 70.0, 37.0),
}


def _many(n: int) -> list[Recipient]:
    return [
        Recipient(
            key=f"o{i}",
            organisation_id=i,
            person_id=None,
            address_id=i,
            display_name=f"Client {i}",
            lines=(
                f"CLIENT NUMERO {i:04d}",
                "BOULANGERIE DU CENTRE VILLE ET ENVIRONS",
                "12 RUE DE LA PAIX",
                "35000 RENNES",
            ),
        )
        for i in range(1, n + 1)
    ]


def test_builtin_formats_fit_on_a4() -> None:
    formats = label_formats()
    for name, (cols, rows, w, h) in BUILTIN.items():
        fmt = formats[name].validate()
        assert (fmt.columns, fmt.rows, fmt.width, fmt.height) == (cols, rows, w, h)
    assert get_label_format("l7163").name == "L7163"
    with pytest.raises(TemplateError) as caught:
        get_label_format("L9999")
    assert "L7160" in caught.value.message


@pytest.mark.parametrize("name", list(BUILTIN))
def test_labels_per_page_and_positions(name: str, tmp_path: Path) -> None:
    fmt = get_label_format(name)
    n = fmt.per_sheet + 3
    out = tmp_path / "etiquettes.pdf"
    result = render_labels(_many(n), out, fmt)
    reader = PdfReader(out)
    assert result.pages == len(reader.pages) == 2
    first = page_lines(out, 0)
    names = [t for t, _, _ in first if t.startswith("CLIENT NUMERO")]
    assert len(names) == fmt.per_sheet
    assert len([t for t, _, _ in page_lines(out, 1) if t.startswith("CLIENT NUMERO")]) == 3
    for index in (1, fmt.columns, fmt.per_sheet):  # first, end of first row, last
        x, y = where(first, f"CLIENT NUMERO {index:04d}")
        left, top = fmt.origin(index)
        assert left < x < left + fmt.width
        assert top < y < top + fmt.height
        assert where(first, "35000 RENNES")  # every line is printed
    assert result.positions[0] == (1, 1, 1)
    assert result.positions[fmt.columns] == (1, 1, 2)


def test_start_position_and_printer_offset(tmp_path: Path) -> None:
    fmt = get_label_format("L7160")
    out = tmp_path / "reprise.pdf"
    result = render_labels(_many(3), out, fmt, start=5, offset_mm=(1.5, -2.0))
    assert result.positions == [(1, 2, 2), (1, 3, 2), (1, 1, 3)]
    lines = page_lines(out, 0)
    x, y = where(lines, "CLIENT NUMERO 0001")
    left, top = fmt.origin(5)
    assert left + 1.5 < x < left + 1.5 + fmt.width and top - 2 < y < top - 2 + fmt.height
    x_plain, y_plain = where(
        page_lines(render_labels(_many(1), out, fmt, start=5).path, 0), "CLIENT NUMERO 0001"
    )
    assert x - x_plain == pytest.approx(1.5, abs=0.05)
    assert y - y_plain == pytest.approx(-2.0, abs=0.05)
    with pytest.raises(ValidationError):
        render_labels(_many(1), out, fmt, start=22)


def test_calibration_page(tmp_path: Path) -> None:
    out = render_calibration(
        tmp_path / "etalonnage.pdf", get_label_format("L7163"), offset_mm=(0.5, 1.0)
    )
    text = PdfReader(out).pages[0].extract_text() or ""
    assert "Page d'étalonnage" in text and "+0.5 mm" in text and "14" in text


def test_user_defined_format(tmp_path: Path) -> None:
    own = LabelFormat(
        "Maison 2x4", "Maison — 8 étiquettes", 2, 4, 100.0, 70.0, 5.0, 8.5, 100.0, 70.0
    )
    save_label_format(own, tmp_path)
    assert get_label_format("maison 2x4", tmp_path) == own
    assert "L7160" in label_formats(tmp_path)  # built-in ones still there
    with pytest.raises(ValidationError):
        save_label_format(
            LabelFormat("Trop", "", 3, 4, 100.0, 70.0, 5.0, 8.5, 100.0, 70.0), tmp_path
        )


def test_envelopes(mail_base: Base, context: MergeContext, tmp_path: Path) -> None:
    recipients = select_recipients(
        mail_base.db, RecipientSource(query=ListQuery(base="prospect"))
    ).recipients
    assert set(ENVELOPES) == {"DL", "C5", "C4"}
    for name, size in {"DL": (220, 110), "C5": (229, 162), "C4": (324, 229)}.items():
        fmt = get_envelope_format(name.lower())
        out = tmp_path / f"{name}.pdf"
        assert render_envelopes(recipients, out, fmt, company=context.company) == 4
        reader = PdfReader(out)
        assert len(reader.pages) == 4
        box = reader.pages[0].mediabox
        assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == size
        lines = page_lines(out, 1)
        for line in recipients[1].lines:
            x, y = where(lines, line)
            assert fmt.address_left - 0.01 <= x <= fmt.width - 20
            assert fmt.address_top <= y <= fmt.height - 15
        x, y = where(lines, "Atelier Œuvre & Cie")
        assert x < 20 and y < 20
        assert where(lines, "35000 Rennes")
