"""Realistic French demo data generator (``microcrm demo``).

Organisations with valid SIRET, contacts, private customers, staff, La
Poste–normalised addresses, two years of commercial actions and real
documents (PDF, DOCX, ODT, XLSX, RTF, HTML, CSV, TXT, EML) in the GED store.
See :func:`generate`.
"""

from microcrm.demo.generator import DemoReport, generate

__all__ = ["DemoReport", "generate"]
