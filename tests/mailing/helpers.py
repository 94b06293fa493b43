"""Helpers of the publipostage tests: a small, fully known base (every exclusion case is in
it), our company, and generated PDFs read back (text per page, where each line was drawn)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import insert
from sqlalchemy.orm import Session

from microcrm.crm.company import CompanyInfo, save_company
from microcrm.crm.lists import ListQuery
from microcrm.crm.segments import save_segment
from microcrm.db import Database
from microcrm.models import Address, Organisation, Person, Stage, Tag, User, organisation_tag

# --- the known base -------------------------------------------------------------------------

RUN_DATE = dt.date(2026, 11, 24)


def logo_png() -> bytes:
    image = Image.new("RGB", (240, 90), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 90, 90), fill=(25, 118, 210))
    draw.ellipse((110, 10, 230, 80), fill=(240, 160, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


COMPANY = CompanyInfo(
    name="Atelier Œuvre & Cie",
    legal_form="SARL",
    capital_cents=1_000_000,
    siret="73282932000074",
    rcs_city="Rennes",
    vat_number="FR44732829320",
    address_line1="12 rue de la Monnaie",
    postcode="35000",
    city="Rennes",
    phone="02 99 00 00 00",
    email="contact@oeuvre.fr",
)


@dataclass
class Base:
    """Ids of the rows made by :func:`mail_db`."""

    db: Database
    alpha: int
    beta: int
    gamma: int
    delta_npai: int
    epsilon_invalid: int
    zeta_no_address: int
    eta_no_mail: int
    alpha_twin: int
    theta_brest: int
    particulier: int
    claire: int
    luc_no_mail: int
    anne: int
    paul: int
    delta_address: int
    alpha_address: int


def _org(s: Session, name: str, **kw: object) -> Organisation:
    org = Organisation(name=name, stage=kw.pop("stage", Stage.PROSPECT), **kw)
    s.add(org)
    s.flush()
    return org


def _address(
    s: Session,
    *,
    org: int | None = None,
    person: int | None = None,
    line1: str,
    postcode: str,
    city: str,
    npai: bool = False,
) -> Address:
    row = Address(
        organisation_id=org,
        person_id=person,
        line1=line1,
        postcode=postcode,
        city=city,
        is_primary=True,
        npai=npai,
        npai_on=dt.date(2026, 3, 2) if npai else None,
    )
    s.add(row)
    s.flush()
    return row


def _person(
    s: Session, org: int | None, civility: str | None, first: str, last: str, **kw: object
) -> Person:
    person = Person(organisation_id=org, civility=civility, first_name=first, last_name=last, **kw)
    s.add(person)
    s.flush()
    return person


def fill(db: Database) -> Base:
    save_company(db, COMPANY_WITH_LOGO)

    def write(s: Session) -> Base:
        seller = User(
            login="jdupont",
            full_name="Julien Dupont",
            email="j.dupont@oeuvre.fr",
            phone="+33299112233",
        )
        s.add(seller)
        s.flush()
        tag = Tag(name="Salon 2026")
        s.add(tag)
        s.flush()
        alpha = _org(s, "Alpha Conseil", salesperson_id=seller.id, reference="C001")
        claire = _person(s, alpha.id, "Mme", "Claire", "Martin", role="Gérante")
        paul = _person(s, alpha.id, "M.", "Paul", "Durand")
        alpha_addr = _address(
            s, org=alpha.id, line1="12 rue de la Paix", postcode="35000", city="Rennes"
        )
        beta = _org(s, "Beta Bâtiment")
        _address(s, org=beta.id, line1="3 place de la Mairie", postcode="35400", city="Saint-Malo")
        gamma = _org(s, "Gamma Œnologie", salesperson_id=seller.id)
        luc = _person(s, gamma.id, "M.", "Luc", "Petit", no_mail=True)
        anne = _person(s, gamma.id, "Mme", "Anne", "Roux")
        _address(s, org=gamma.id, line1="5 avenue Janvier", postcode="35000", city="Rennes")
        delta = _org(s, "Delta Négoce")
        delta_addr = _address(
            s, org=delta.id, line1="8 rue de Brest", postcode="35000", city="Rennes", npai=True
        )
        epsilon = _org(s, "Epsilon Services")
        _address(s, org=epsilon.id, line1="1 rue Haute", postcode="35999", city="Nulle Part")
        zeta = _org(s, "Zeta Conseil")
        eta = _org(s, "Eta Transports", no_mail=True)
        _address(s, org=eta.id, line1="2 rue Basse", postcode="35000", city="Rennes")
        twin = _org(s, "Alpha Conseil")
        _person(s, twin.id, "Mme", "Claire", "Martin")
        _address(s, org=twin.id, line1="12, rue de la Paix", postcode="35000", city="RENNES")
        theta = _org(s, "Theta Marine", salesperson_id=seller.id)
        _address(s, org=theta.id, line1="40 quai de la Douane", postcode="29200", city="Brest")
        s.execute(insert(organisation_tag).values(organisation_id=alpha.id, tag_id=tag.id))
        s.execute(insert(organisation_tag).values(organisation_id=theta.id, tag_id=tag.id))
        jean = _person(s, None, "M.", "Jean", "Valjean", stage=Stage.PROSPECT)
        _address(s, person=jean.id, line1="8 rue Victor Hugo", postcode="75005", city="Paris")
        return Base(
            db,
            alpha.id,
            beta.id,
            gamma.id,
            delta.id,
            epsilon.id,
            zeta.id,
            eta.id,
            twin.id,
            theta.id,
            jean.id,
            claire.id,
            luc.id,
            anne.id,
            paul.id,
            delta_addr.id,
            alpha_addr.id,
        )

    base = db.run_write(write)
    save_segment(db, "Bretagne", ListQuery(base="prospect", departement="35"))
    return base


COMPANY_WITH_LOGO = replace(COMPANY, logo_png=logo_png())


# --- generated PDFs read back ---------------------------------------------------------------

MM = 72 / 25.4


def page_lines(pdf: Path | str, page: int) -> list[tuple[str, float, float]]:
    """(text, x mm from the left, y mm from the top of the baseline) of every text chunk."""
    reader = PdfReader(pdf)
    target = reader.pages[page]
    height = float(target.mediabox.height)
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        if text.strip():
            x = cm[4] + tm[4] * cm[0]
            y = cm[5] + tm[5] * cm[3]
            found.append((text.strip(), x / MM, (height - y) / MM))

    target.extract_text(visitor_text=visit)
    return found


def page_texts(pdf: Path | str) -> list[str]:
    """The text of each page."""
    return [p.extract_text() or "" for p in PdfReader(pdf).pages]


def where(lines: list[tuple[str, float, float]], text: str) -> tuple[float, float]:
    """Position of the first chunk equal to ``text``."""
    for chunk, x, y in lines:
        if chunk == text:
            return x, y
    raise AssertionError(f"{text!r} not drawn; drawn: {[c for c, _, _ in lines]}")
