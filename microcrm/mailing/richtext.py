"""The small rich-text subset of letter bodies: paragraphs, line breaks, bold, italic, underline.

Templates store a canonical HTML subset — ``<p>`` (optionally ``align="center"``,
``"right"`` or ``"justify"``), ``<br/>``, ``<b>``, ``<i>``, ``<u>`` — always well
nested, so the same text renders identically in the editor (a ``QTextEdit``)
and in reportlab, whose Paragraph markup accepts exactly these tags.
:func:`sanitize` turns anything (Qt's ``toHtml()`` with its styled spans,
pasted HTML, ``<strong>``/``<em>``) into that subset; everything else is
dropped but its text kept. ``{{ champ }}`` tags are plain text here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

ALLOWED_TAGS = ("p", "br", "b", "i", "u")
ALIGNMENTS = ("left", "center", "right", "justify")
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"}
_SKIPPED = {"head", "style", "script", "title"}
_SPACE = re.compile(r"[ \t\r\n\f]+")


@dataclass(frozen=True, slots=True)
class RichParagraph:
    """One paragraph: reportlab/HTML inline markup and its alignment."""

    markup: str
    align: str = "left"

    @property
    def is_empty(self) -> bool:
        """True for a blank line."""
        return not self.markup.strip()


@dataclass(slots=True)
class _Para:
    align: str = "left"
    runs: list[tuple[str, tuple[bool, bool, bool]]] = field(default_factory=list)


def _style_flags(tag: str, attrs: dict[str, str]) -> tuple[bool, bool, bool]:
    """(bold, italic, underline) switched on by a start tag."""
    style = attrs.get("style", "").replace(" ", "").lower()
    weight = re.search(r"font-weight:(\w+)", style)
    bold = tag in ("b", "strong") or bool(
        weight
        and (
            weight.group(1) == "bold" or (weight.group(1).isdigit() and int(weight.group(1)) >= 600)
        )
    )
    italic = tag in ("i", "em") or "font-style:italic" in style
    underline = tag == "u" or ("text-decoration:" in style and "underline" in style)
    return bold, italic, underline


def _align(attrs: dict[str, str]) -> str:
    align = attrs.get("align", "").lower()
    found = re.search(r"text-align:\s*(\w+)", attrs.get("style", "").lower())
    if found:
        align = found.group(1)
    return align if align in ALIGNMENTS else "left"


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paras: list[_Para] = []
        self.current: _Para | None = None
        self.stack: list[tuple[str, tuple[bool, bool, bool]]] = []
        self.counts = [0, 0, 0]
        self.skip = 0

    def _para(self) -> _Para:
        if self.current is None:
            self.current = _Para()
            self.paras.append(self.current)
        return self.current

    def _state(self) -> tuple[bool, bool, bool]:
        return (self.counts[0] > 0, self.counts[1] > 0, self.counts[2] > 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in _SKIPPED:
            self.skip += 1
            return
        if tag in _BLOCKS:
            self.current = _Para(align=_align(values))
            self.paras.append(self.current)
        if tag == "br":
            self._para().runs.append(("\n", self._state()))
            return
        flags = _style_flags(tag, values)
        for i, on in enumerate(flags):
            self.counts[i] += int(on)
        self.stack.append((tag, flags))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._para().runs.append(("\n", self._state()))
        elif tag in _BLOCKS:
            self.handle_starttag(tag, attrs)
            self.current = None

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
            return
        for pos in range(len(self.stack) - 1, -1, -1):
            if self.stack[pos][0] == tag:
                for _name, flags in self.stack[pos:]:
                    for i, on in enumerate(flags):
                        self.counts[i] -= int(on)
                del self.stack[pos:]
                break
        if tag in _BLOCKS:
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = _SPACE.sub(" ", data)
        if not text.strip() and self.current is None:
            return
        self._para().runs.append((text, self._state()))


_Run = tuple[str, tuple[bool, bool, bool]]


def _merged_runs(runs: list[_Run]) -> list[_Run]:
    """Adjacent runs of one style joined; spaces trimmed at the ends and around breaks."""
    merged: list[_Run] = []
    for text, style in runs:
        if merged and merged[-1][1] == style and "\n" not in (text, merged[-1][0]):
            merged[-1] = (merged[-1][0] + text, style)
        else:
            merged.append((text, style))
    cleaned: list[_Run] = []
    for i, (text, style) in enumerate(merged):
        trimmed = text
        if text != "\n":
            if i == 0 or merged[i - 1][0] == "\n":
                trimmed = trimmed.lstrip(" ")
            if i == len(merged) - 1 or merged[i + 1][0] == "\n":
                trimmed = trimmed.rstrip(" ")
        if trimmed:
            cleaned.append((trimmed, style))
    return cleaned


def _markup(para: _Para) -> str:
    """Well-nested inline markup of a paragraph's runs."""
    out: list[str] = []
    for text, (bold, italic, underline) in _merged_runs(para.runs):
        if text == "\n":
            out.append("<br/>")
            continue
        piece = html.escape(text, quote=False)
        if underline:
            piece = f"<u>{piece}</u>"
        if italic:
            piece = f"<i>{piece}</i>"
        if bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)


def paragraphs(source: str) -> list[RichParagraph]:
    """The paragraphs of any HTML (or plain text: one paragraph per line)."""
    if "<" not in source:
        source = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in source.split("\n"))
    parser = _Parser()
    parser.feed(source)
    parser.close()
    return [RichParagraph(_markup(p), p.align) for p in parser.paras]


def sanitize(source: str) -> str:
    """The canonical stored form of ``source`` (see the module docstring)."""
    out = []
    for para in paragraphs(source):
        attr = f' align="{para.align}"' if para.align != "left" else ""
        out.append(f"<p{attr}>{para.markup}</p>")
    return "".join(out)


def from_qt_html(qt_html: str) -> str:
    """The stored form of a ``QTextEdit.toHtml()`` document (styled spans become b/i/u)."""
    return sanitize(qt_html)


def to_reportlab(source: str) -> list[RichParagraph]:
    """Paragraphs whose markup reportlab's ``Paragraph`` renders as is."""
    return paragraphs(source)


def to_plain_text(source: str) -> str:
    """The text only, one line per paragraph (for e-mail bodies and search)."""
    lines = []
    for para in paragraphs(source):
        text = re.sub(r"<br/>", "\n", para.markup)
        lines.append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join(lines)
