"""Text extraction from real files of every supported format, and the worker pool."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from microcrm.ged.extract import (
    NOTE_MSG_DAMAGED,
    NOTE_TIMEOUT,
    Extraction,
    ExtractorPool,
    extract_bytes,
    extract_text,
)
from tests.ged import samples
from tests.ged.samples import ACCENTS


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_text_layer_with_accents(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "facture.pdf", ["Facture F2025-00042", ACCENTS])
    found = extract_text(path)
    assert found.note is None
    assert "Facture F2025-00042" in found.text and ACCENTS in _flat(found.text)


def test_scanned_pdf_has_a_note(tmp_path: Path) -> None:
    found = extract_text(samples.make_scanned_pdf(tmp_path / "scan.pdf"))
    assert found == Extraction("", "PDF sans couche texte (image scannée)")


def test_password_protected_pdf(tmp_path: Path) -> None:
    found = extract_text(samples.make_encrypted_pdf(tmp_path / "locked.pdf", ["Confidentiel"]))
    assert found.text == "" and found.note == "fichier protégé par mot de passe"


def test_corrupt_pdf(tmp_path: Path) -> None:
    good = samples.pdf_bytes(["Texte complet"])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good[: len(good) // 3])
    found = extract_text(broken)
    assert found.text == "" and found.note is not None
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a pdf at all")
    assert extract_text(garbage).note == "fichier endommagé ou mal nommé (.pdf)"


def test_docx_paragraphs_table_header_footer(tmp_path: Path) -> None:
    path = samples.make_docx(
        tmp_path / "devis.docx",
        body=["Devis D2025-00017", ACCENTS],
        table=[["Désignation", "Qté"], ["Copieur multifonction", "2"]],
        header="En-tête : Office Plus SARL",
        footer="Pied de page : SIRET 73282932000074",
    )
    found = extract_text(path)
    assert found.note is None
    text = found.text
    for expected in (
        "Devis D2025-00017",
        ACCENTS,
        "Copieur multifonction\t2",
        "En-tête : Office Plus SARL",
        "SIRET 73282932000074",
    ):
        assert expected in text
    assert text.index("Devis") < text.index("Copieur")


def test_odt_body_and_footer(tmp_path: Path) -> None:
    path = samples.make_odt(
        tmp_path / "courrier.odt", ["Courrier de relance", ACCENTS], footer="Pied : Maître Œuvre"
    )
    found = extract_text(path)
    assert found.note is None
    assert "Courrier de relance" in found.text and ACCENTS in found.text
    assert "Pied : Maître Œuvre" in found.text


def test_xlsx_values(tmp_path: Path) -> None:
    import datetime as dt

    path = samples.make_xlsx(
        tmp_path / "releve.xlsx",
        [
            ["Désignation", "Montant", "Échéance"],
            ["Maintenance élevée", 1250.5, dt.date(2025, 3, 4)],
        ],
    )
    found = extract_text(path)
    assert found.note is None
    assert "Feuille : Relevé" in found.text
    assert "Maintenance élevée\t1250,50\t04/03/2025" in found.text


def test_rtf_accents_and_unicode(tmp_path: Path) -> None:
    path = samples.make_rtf(tmp_path / "note.rtf", f"Note interne\n{ACCENTS}")
    found = extract_text(path)
    assert found.note is None
    assert "Note interne" in found.text and ACCENTS in found.text


def test_html_skips_script_and_style(tmp_path: Path) -> None:
    path = samples.make_html(tmp_path / "page.html", "Compte rendu", [ACCENTS, "Fin"])
    found = extract_text(path)
    assert found.note is None
    assert ACCENTS in found.text and "Compte rendu" in found.text
    assert "ne pas indexer" not in found.text and "color" not in found.text


def test_csv_in_windows_1252(tmp_path: Path) -> None:
    path = samples.make_csv_cp1252(
        tmp_path / "export.csv", [["Société", "Ville"], ["Crème & Café", "Épinal"]]
    )
    found = extract_text(path)
    assert found.note is None
    assert "Crème & Café;Épinal" in found.text


def test_utf8_text_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("\ufeff".encode() + ACCENTS.encode())
    assert extract_text(path) == Extraction(ACCENTS, None)


def test_eml_headers_body_and_pdf_attachment(tmp_path: Path) -> None:
    attachment = samples.pdf_bytes(["Facture jointe F2025-00099", "Montant dû : 480,00 €"])
    path = samples.make_eml(
        tmp_path / "message.eml",
        sender="Zoé Baron <z.baron@cremerie-epinal.fr>",
        to="ventes@officeplus.fr",
        subject="Règlement de la facture",
        body=ACCENTS,
        attachment=("facture.pdf", attachment, "application/pdf"),
    )
    found = extract_text(path)
    assert found.note is None
    text = found.text
    assert "De : Zoé Baron <z.baron@cremerie-epinal.fr>" in text
    assert "À : ventes@officeplus.fr" in text and "Objet : Règlement de la facture" in text
    assert "Date : 04/03/2025" in text and ACCENTS in text
    assert "--- Pièce jointe : facture.pdf ---" in text
    assert "Facture jointe F2025-00099" in text and "480,00 €" in text


def test_eml_html_body_and_nested_message(tmp_path: Path) -> None:
    inner = samples.make_eml(
        tmp_path / "inner.eml",
        sender="a@b.fr",
        to="c@d.fr",
        subject="Message transféré",
        body="Contenu d'origine élevé",
    )
    path = samples.make_eml(
        tmp_path / "outer.eml",
        sender="x@y.fr",
        to="z@w.fr",
        subject="Fwd",
        html=True,
        body="Voir le message ci-joint",
        attachment=("origine.eml", inner.read_bytes(), "application/octet-stream"),
    )
    found = extract_text(path)
    assert "Voir le message ci-joint" in found.text and "<p>" not in found.text
    assert "Objet : Message transféré" in found.text
    assert "Contenu d'origine élevé" in found.text


def test_unsupported_formats_have_a_reason(tmp_path: Path) -> None:
    msg = tmp_path / "outlook.msg"
    msg.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert extract_text(msg).note == NOTE_MSG_DAMAGED  # an OLE header and nothing else
    odd = tmp_path / "plan.xyz"
    odd.write_bytes(b"\x01\x02\x03")
    assert extract_text(odd) == Extraction("", "format non pris en charge : .xyz")
    locked = tmp_path / "locked.docx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert extract_text(locked).note == "fichier protégé par mot de passe"
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    assert extract_text(empty).note == "document sans texte"
    png = tmp_path / "photo.png"
    png.write_bytes(samples._grey_png(2, 2))
    assert "image" in (extract_text(png).note or "")


def test_content_wins_over_a_wrong_extension(tmp_path: Path) -> None:
    # A PDF saved without extension, a DOCX renamed .bin: found by their first bytes.
    bare = tmp_path / "scan0001"
    bare.write_bytes(samples.pdf_bytes(["Bon de livraison BL-778"]))
    assert "BL-778" in extract_text(bare).text
    docx = samples.make_docx(
        tmp_path / "x.docx", body=["Contrat de maintenance"], table=[["a"]], header="", footer=""
    )
    renamed = tmp_path / "piece.bin"
    renamed.write_bytes(docx.read_bytes())
    assert "Contrat de maintenance" in extract_text(renamed).text
    assert "Contrat" in extract_text(docx, filename="autre-nom.docx").text


def test_corrupt_docx_and_zip(tmp_path: Path) -> None:
    path = tmp_path / "faux.docx"
    with zipfile.ZipFile(path, "w") as pkg:
        pkg.writestr("word/document.xml", "<not-closed")
    assert extract_text(path).note == "document Word illisible ou endommagé"


def test_extract_bytes() -> None:
    assert extract_bytes("Crème brûlée".encode("cp1252"), "menu.txt").text == "Crème brûlée"


def test_pool_extracts_in_order_in_worker_processes(tmp_path: Path) -> None:
    files = [samples.make_pdf(tmp_path / f"d{i}.pdf", [f"Document numéro {i}"]) for i in range(5)]
    store_like = tmp_path / "objet-sans-nom"
    store_like.write_bytes("Bonjour élève".encode("cp1252"))
    with ExtractorPool(workers=2) as pool:
        results = list(pool.map([*files, (store_like, "note.txt")]))
    assert [r.text for r in results[:5]] == [f"Document numéro {i}" for i in range(5)]
    assert results[5] == Extraction("Bonjour élève", None)


def test_pool_abandons_a_file_over_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A FIFO blocks the reader forever, as a parser stuck on a hostile file would.
    import os

    fifo = tmp_path / "bloque.txt"
    os.mkfifo(fifo)
    ok = tmp_path / "ok.txt"
    ok.write_text("lisible", encoding="utf-8")
    with ExtractorPool(workers=1, timeout=1.5) as pool:
        results = list(pool.map([fifo, ok]))
    assert results == [Extraction("", NOTE_TIMEOUT), Extraction("lisible", None)]


def test_pool_shared_by_two_threads(tmp_path: Path, extractor_pool: ExtractorPool) -> None:
    import threading

    files = []
    for i in range(6):
        path = tmp_path / f"n{i}.txt"
        path.write_text(f"texte {i}", encoding="utf-8")
        files.append(path)
    results: dict[int, list[str]] = {}

    def run(k: int) -> None:
        results[k] = [e.text for e in extractor_pool.map(files[k * 3 : k * 3 + 3])]

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {0: ["texte 0", "texte 1", "texte 2"], 1: ["texte 3", "texte 4", "texte 5"]}


def test_a_reader_crash_becomes_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from microcrm.ged import extract

    def boom(_src: object) -> str:
        raise ZeroDivisionError("bug in the PDF library")

    monkeypatch.setitem(extract._READERS, "pdf", boom)
    path = samples.make_pdf(tmp_path / "x.pdf", ["texte"])
    assert extract_text(path) == Extraction("", "fichier illisible ou endommagé")


def test_one_small_file_is_read_at_once_while_the_workers_start(tmp_path: Path) -> None:
    from microcrm.ged.extract import ExtractorPool

    note = tmp_path / "note.txt"
    note.write_text("Relance du devis élevé", encoding="utf-8")
    pool = ExtractorPool()
    try:
        (found,) = list(pool.map([(note, note.name)]))
        assert "élevé" in found.text and found.note is None
        assert pool._executor is None  # nothing waited for a worker process
        pool.start()
        deadline = time.monotonic() + 60
        while not pool.ready and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.ready
        (again,) = list(pool.map([note]))  # now through the workers
        assert again.text == found.text
    finally:
        pool.close()


def test_a_lone_fifo_still_goes_to_the_workers_and_times_out(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "bloque.txt"
    os.mkfifo(fifo)
    with ExtractorPool(workers=1, timeout=1.5) as pool:
        assert list(pool.map([fifo])) == [Extraction("", NOTE_TIMEOUT)]
