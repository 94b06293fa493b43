"""The embedded DejaVu Sans family, registered once with reportlab (accents, œ, €, « »).

reportlab's 14 standard PDF fonts lack ``œ``/``Œ`` and the narrow no-break
space; an embedded TrueType family prints every French character the same on
every workstation (licence and source: ``resources/fonts/README.md``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from microcrm.mailing.resources import resource_path

FAMILY = "MicroCRMSans"
_FILES = {
    "regular": ("MicroCRMSans", "DejaVuSans.ttf"),
    "bold": ("MicroCRMSans-Bold", "DejaVuSans-Bold.ttf"),
    "italic": ("MicroCRMSans-Italic", "DejaVuSans-Oblique.ttf"),
    "bold_italic": ("MicroCRMSans-BoldItalic", "DejaVuSans-BoldOblique.ttf"),
}
_lock = threading.Lock()
_done: list[FontSet] = []


@dataclass(frozen=True, slots=True)
class FontSet:
    """reportlab names of the four faces (``<b>``/``<i>`` in Paragraphs map onto them)."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


def register_fonts() -> FontSet:
    """Register the family with reportlab (idempotent, thread-safe) and return its names.

    Also switches reportlab to binary (zlib only) page streams: its default
    ASCII85 wrapping only matters on 7-bit channels, makes files 25 % larger and
    cost a third of the time of writing a 1,000-letter run.
    """
    with _lock:
        if _done:
            return _done[0]
        rl_config.useA85 = 0
        for name, filename in _FILES.values():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
        fonts = FontSet(*(name for name, _ in _FILES.values()))
        addMapping(FAMILY, 0, 0, fonts.regular)
        addMapping(FAMILY, 1, 0, fonts.bold)
        addMapping(FAMILY, 0, 1, fonts.italic)
        addMapping(FAMILY, 1, 1, fonts.bold_italic)
        addMapping(fonts.regular, 0, 0, fonts.regular)
        addMapping(fonts.regular, 1, 0, fonts.bold)
        addMapping(fonts.regular, 0, 1, fonts.italic)
        addMapping(fonts.regular, 1, 1, fonts.bold_italic)
        _done.append(fonts)
        return fonts
