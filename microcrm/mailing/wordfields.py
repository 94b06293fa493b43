r"""Word fields of a DOCX template: found in every story, checked, compiled, evaluated per letter.

A *story* is a stretch of paragraphs a field cannot leave: the body, one header
or footer, one footnote or endnote, one text box (``w:txbxContent``, in a VML
or a DrawingML shape). :class:`Compiler` walks a story's paragraphs (tables
included, text boxes apart), pairs ``w:fldChar`` begin/separate/end around
their instructions (``w:instrText`` split over any number of runs), nests the
fields found inside instructions, and treats ``w:fldSimple`` as one field.

Each top-level field is then

* **merged**: MERGEFIELD (switches ``\\* Upper|Lower|Caps|FirstCap``, ``\\b``,
  ``\\f``, ``\\@`` on the date fields), IF (``=``, ``<>``, ``<``, ``<=``, ``>``,
  ``>=``, numbers compared as numbers, ``*`` and ``?`` wildcards in a quoted
  right operand of ``=``/``<>``, texts that hold fields and paragraph marks),
  QUOTE, MERGEREC and MERGESEQ (the letter's number): the field's runs are
  replaced by one run holding a placeholder, and the field becomes a *slot*
  evaluated for each letter;
* **refused** up front with a French message naming it and where it is:
  NEXT, NEXTIF, SKIPIF (MicroCRM writes one letter per recipient), ASK,
  FILLIN, SET (they ask or store values while merging), ADDRESSBLOCK,
  GREETINGLINE, DATABASE, and any other field holding a merge field;
* **left to the word processor** otherwise (PAGE, NUMPAGES, DATE, HYPERLINK…);
  merge fields shown in such a field's result are merged.

``{{ champ }}`` tags in the text become slots too. What a slot prints is XML
text for inside a ``w:t``: values escaped, line breaks as ``w:br``, the
paragraph marks of an IF's text as a paragraph break carrying the properties
of the paragraph that followed it in the template.

Two approximations of Word, both visible in the letter and never a lost
value: a field prints in one formatting, that of its shown result (what
``\\* MERGEFORMAT`` keeps), so bold words inside an IF's text come out plain;
and when an IF's text drops a paragraph mark, the joined paragraph keeps the
properties of the first paragraph where Word keeps the last one's.

:func:`leftovers` is the last look at a produced document: any merge field,
tag or « «Champ» » marker left there is reported, so it never reaches paper.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from xml.sax.saxutils import escape

from lxml import etree  # type: ignore[import-untyped]

from microcrm.mailing.errors import TemplateError
from microcrm.mailing.fields import FIELDS_BY_NAME, TAG, field_key
from microcrm.text import MONTHS

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
W = f"{{{W_NS}}}"
P, R, T, RPR, PPR = f"{W}p", f"{W}r", f"{W}t", f"{W}rPr", f"{W}pPr"
FLDCHAR, INSTR, FLDSIMPLE = f"{W}fldChar", f"{W}instrText", f"{W}fldSimple"
TXBX, SECTPR = f"{W}txbxContent", f"{W}sectPr"
FALLBACK = f"{{{MC_NS}}}Fallback"
SPACE = f"{{{XML_NS}}}space"
#: Not opened when looking for a paragraph's runs: properties, text boxes (stories
#: of their own), and deleted content (a tracked deletion never prints).
_NOT_INLINE = frozenset({PPR, RPR, TXBX, f"{W}del", f"{W}moveFrom"})

PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
#: Characters XML 1.0 cannot hold (a value pasted from a spreadsheet may have them).
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c]")
BREAK = '</w:t><w:br/><w:t xml:space="preserve">'

#: Fields evaluated by the merge.
EVALUATED = frozenset({"MERGEFIELD", "IF", "QUOTE", "MERGEREC", "MERGESEQ"})
_NEXT = (
    "MicroCRM produit une lettre par destinataire, ce champ ferait passer au destinataire "
    "suivant au milieu d'une lettre. Pour des étiquettes, cochez « Imprimer aussi les "
    "étiquettes » (--labels en ligne de commande) ; sinon supprimez ce champ du modèle."
)
_SELECT = (
    "choisissez les destinataires avec un segment ou des filtres, puis supprimez ce champ "
    "du modèle."
)
_ASK = (
    "il demande une saisie pendant la fusion. Utilisez un champ personnalisé {{ nom }} "
    "(même valeur dans toutes les lettres) à la place."
)
#: Merge fields refused up front, with the end of their French message.
REFUSED: Mapping[str, str] = {
    "NEXT": _NEXT,
    "NEXTIF": _NEXT,
    "SKIPIF": _SELECT,
    "ASK": _ASK,
    "FILLIN": _ASK,
    "SET": "supprimez-le du modèle.",
    "DATABASE": "insérez les données avec des champs de fusion.",
    "ADDRESSBLOCK": (
        "remplacez ce « bloc d'adresse » par le champ {{ bloc_adresse }} "
        "(adresse aux normes La Poste)."
    ),
    "GREETINGLINE": "remplacez cette « ligne de salutation » par le champ {{ formule_appel }}.",
    "MERGEBARCODE": "supprimez-le du modèle.",
}
#: Field types that still mean an unmerged field when found in a produced document.
MERGE_TYPES = frozenset(EVALUATED - {"IF", "QUOTE"}) | frozenset(REFUSED)

_CASES = {"UPPER": "upper", "LOWER": "lower", "CAPS": "caps", "FIRSTCAP": "firstcap"}
_IGNORED_FORMATS = frozenset({"MERGEFORMAT", "CHARFORMAT"})
_OPERATORS = ("<=", ">=", "<>", "=", "<", ">")
DATE_FIELDS = frozenset({"date", "date_courte"})
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
#: What must not be printed: a tag, a Jinja instruction, a « «Champ» » marker.
MARKERS = re.compile(r"\{\{|\{%|«[^«»\s]+»")
_DOCXTPL_TAG = re.compile(r"^(p|r|tr|tc)\s")
_SWITCHES = "\\* Upper, \\* Lower, \\* Caps, \\* FirstCap, \\b, \\f, et \\@ pour les dates"


# -- stories ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    """Paragraphs a field cannot leave, and where they are in French.

    Attributes:
        root: The element holding them (``w:body``, ``w:hdr``, ``w:footnote``,
            ``w:txbxContent``…).
        label: « le corps du document « lettre.docx » », « la note de bas de page n° 2 … ».
        shared: Printed the same for every letter (headers and footers): only
            run-level fields may appear there.
    """

    root: etree._Element
    label: str
    shared: bool = False


def of(label: str) -> str:
    """« le corps … » → « du corps … », « l'en-tête … » → « de l'en-tête … »."""
    if label.startswith("le "):
        return "du " + label[3:]
    if label.startswith("les "):
        return "des " + label[4:]
    return "de " + label


def stories(story: Story) -> Iterator[Story]:
    """The story and every text box inside it (each its own story), in document order.

    A DrawingML text box is usually written twice (``mc:Choice`` and the VML
    ``mc:Fallback``): both are merged, and both carry the same number.
    """
    yield story
    number = 0
    numbers: dict[int, int] = {}
    for box in _own_boxes(story.root):
        fallback = _ancestor(box, FALLBACK, story.root)
        if fallback is not None:
            choice = fallback.getprevious()
            twins = list(_own_boxes(choice)) if choice is not None else []
            index = list(_own_boxes(fallback)).index(box)
            twin = twins[index] if index < len(twins) else None
            ordinal = numbers.get(id(twin)) if twin is not None else None
            if ordinal is None:
                number += 1
                ordinal = number
        else:
            number += 1
            ordinal = number
        numbers[id(box)] = ordinal
        yield from stories(
            Story(box, f"la zone de texte n° {ordinal} {of(story.label)}", story.shared)
        )


def _own_boxes(root: etree._Element) -> Iterator[etree._Element]:
    """Text boxes under ``root`` that are not inside another text box under ``root``."""
    for box in root.iter(TXBX):
        if box is not root and _ancestor(box, TXBX, root) is None:
            yield box


def _ancestor(element: etree._Element, tag: str, stop: etree._Element) -> etree._Element | None:
    node = element.getparent()
    while node is not None and node is not stop:
        if node.tag == tag:
            return node
        node = node.getparent()
    return None


def paragraphs(root: etree._Element) -> Iterator[etree._Element]:
    """A story's own paragraphs (tables included, text boxes not), in document order."""
    for child in root:
        if child.tag == P:
            yield child
        elif child.tag != TXBX and isinstance(child.tag, str):
            yield from paragraphs(child)


def inline(paragraph: etree._Element) -> Iterator[etree._Element]:
    """Runs and simple fields of a paragraph, in order.

    Hyperlinks, content controls and insertions are opened; deletions and text
    boxes are left out.
    """
    for child in paragraph:
        tag = child.tag
        if tag in (R, FLDSIMPLE):
            yield child
        elif isinstance(tag, str) and tag not in _NOT_INLINE:
            yield from inline(child)


def texts(paragraph: etree._Element) -> list[etree._Element]:
    """The ``w:t`` a paragraph prints (a simple field's shown result included)."""
    found: list[etree._Element] = []
    for item in inline(paragraph):
        found += item.findall(T) if item.tag == R else list(item.iter(T))
    return found


def _split_runs(paragraph: etree._Element) -> None:
    """One ``w:fldChar`` or ``w:instrText`` per run: a run never straddles a field's edge."""
    for run in list(inline(paragraph)):
        if run.tag != R:
            continue
        content = [c for c in run if c.tag != RPR]
        if len(content) < 2 or not any(c.tag in (FLDCHAR, INSTR) for c in content):
            continue
        rpr = run.find(RPR)
        for child in content:
            piece = etree.Element(R)
            if rpr is not None:
                piece.append(copy.deepcopy(rpr))
            piece.append(child)
            run.addprevious(piece)
        parent = run.getparent()
        assert parent is not None
        parent.remove(run)


# -- fields as found -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Boundary:
    """The paragraph mark ending paragraph ``index`` (0-based in its story)."""

    index: int


@dataclass(eq=False)
class Field:
    """A field as found: its instruction (text, nested fields, paragraph marks) and runs."""

    begin: etree._Element
    number: int
    pieces: list[str | Field | Boundary] = field(default_factory=list)
    runs: list[etree._Element] = field(default_factory=list)
    paragraphs: list[etree._Element] = field(default_factory=list)
    in_result: bool = False
    result_rpr: etree._Element | None = None
    result_fields: list[Field] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The field type in capitals (``MERGEFIELD``), ``?`` when a field computes it.

        Word splits an instruction anywhere, the type too (`` MERGE`` + ``FIELD x``).
        """
        text = ""
        for piece in self.pieces:
            if not isinstance(piece, str):
                if text.strip():
                    break
                return "?" if isinstance(piece, Field) else ""
            text += piece
            if text.strip() and text != text.rstrip():
                break
        words = text.split()
        return words[0].upper() if words else ""

    def nested(self) -> Iterator[Field]:
        """Fields inside the instruction, at any depth."""
        for piece in self.pieces:
            if isinstance(piece, Field):
                yield piece
                yield from piece.nested()


class _Parser:
    """Pairs the field characters of one story (see :func:`parse`)."""

    def __init__(self, where: Callable[[int], str]) -> None:
        self.where = where
        self.top: list[Field] = []
        self.stack: list[Field] = []

    def attach(self, done: Field) -> None:
        if not self.stack:
            self.top.append(done)
        elif self.stack[-1].in_result:
            self.stack[-1].result_fields.append(done)
        else:
            self.stack[-1].pieces.append(done)

    def simple(self, item: etree._Element, number: int, paragraph: etree._Element) -> None:
        first = item.find(R)
        found = Field(item, number, [item.get(f"{W}instr") or ""], [item], [paragraph])
        found.result_rpr = first.find(RPR) if first is not None else None
        self.attach(found)

    def character(
        self, item: etree._Element, kind: str | None, number: int, paragraph: etree._Element
    ) -> None:
        if kind == "begin":
            self.stack.append(Field(item, number, [], [item], [paragraph]))
            return
        if not self.stack:
            raise TemplateError(
                f"Un champ Word est refermé sans avoir été ouvert dans {self.where(number)} : "
                "ouvrez le document dans Word et enregistrez-le à nouveau."
            )
        if kind == "separate":
            self.stack[-1].in_result = True
        elif kind == "end":
            self.attach(self.stack.pop())

    def text(self, item: etree._Element, text: str) -> None:
        inner = self.stack[-1]
        if not inner.in_result:
            inner.pieces.append(text)
        elif inner.result_rpr is None:
            inner.result_rpr = item.find(RPR)

    def run(self, item: etree._Element, number: int, paragraph: etree._Element) -> None:
        for child in item:
            if child.tag == FLDCHAR:
                self.character(item, child.get(f"{W}fldCharType"), number, paragraph)
            elif child.tag == INSTR and self.stack and not self.stack[-1].in_result:
                self.stack[-1].pieces.append(child.text or "")
            elif child.tag == T and self.stack:
                self.text(item, child.text or "")


def parse(paragraph_list: Sequence[etree._Element], where: Callable[[int], str]) -> list[Field]:
    """The top-level fields of a story's paragraphs, nested fields inside them.

    Raises:
        TemplateError: a field is not closed, or closed without being opened.
    """
    parser = _Parser(where)
    stack = parser.stack
    for index, paragraph in enumerate(paragraph_list):
        number = index + 1
        for open_field in stack:
            open_field.paragraphs.append(paragraph)
        for item in inline(paragraph):
            for open_field in stack:
                open_field.runs.append(item)
            if item.tag == FLDSIMPLE:
                parser.simple(item, number, paragraph)
            else:
                parser.run(item, number, paragraph)
        if stack and not stack[-1].in_result:
            stack[-1].pieces.append(Boundary(index))
    if stack:
        raise TemplateError(
            f"Un champ Word n'est pas refermé dans {where(stack[0].number)} : le document est "
            "peut-être endommagé ; ouvrez-le dans Word et enregistrez-le à nouveau."
        )
    return parser.top


# -- instructions ----------------------------------------------------------------------------

Part = str | Field | Boundary


@dataclass(slots=True)
class Token:
    """A word of an instruction: text, nested fields, paragraph marks; quoted or not."""

    parts: list[Part] = field(default_factory=list)
    quoted: bool = False
    operator: str = ""

    def add(self, part: Part) -> None:
        if isinstance(part, str) and self.parts and isinstance(self.parts[-1], str):
            self.parts[-1] += part
        else:
            self.parts.append(part)

    @property
    def text(self) -> str | None:
        """The token as plain text, or None when it holds a field or a paragraph mark."""
        if all(isinstance(p, str) for p in self.parts):
            return "".join(str(p) for p in self.parts)
        return None

    @property
    def switch(self) -> bool:
        r"""An unquoted ``\x`` token."""
        text = self.text
        return not self.quoted and text is not None and text.startswith("\\")


def tokenize(pieces: Sequence[Part], where: str, kind: str) -> list[Token]:
    r"""Split an instruction into words: quotes (``\"`` inside), operators, nested fields.

    Raises:
        TemplateError: a quote is not closed.
    """
    items: list[Part] = []
    for piece in pieces:
        items.extend(piece if isinstance(piece, str) else [piece])
    tokens: list[Token] = []
    current: Token | None = None
    i = 0
    while i < len(items):
        item = items[i]
        if current is not None and current.quoted:
            i = _quoted(items, i, current, tokens)
            if i < 0:
                current, i = None, -i
            continue
        if isinstance(item, Boundary) or (isinstance(item, str) and item.isspace()):
            _flush(current, tokens)
            current = None
        elif item == '"':
            _flush(current, tokens)
            current = Token(quoted=True)
        elif isinstance(item, str) and item in "<>=":
            _flush(current, tokens)
            current = None
            pair = item + str(items[i + 1]) if i + 1 < len(items) else item
            operator = pair if pair in _OPERATORS else item
            tokens.append(Token([operator], operator=operator))
            i += len(operator)
            continue
        else:
            current = current or Token()
            current.add(item)
        i += 1
    if current is not None and current.quoted:
        raise TemplateError(f"Le champ {kind} dans {where} a un guillemet non refermé.")
    _flush(current, tokens)
    return tokens


def _flush(current: Token | None, tokens: list[Token]) -> None:
    if current is not None:
        tokens.append(current)


def _quoted(items: list[Part], i: int, current: Token, tokens: list[Token]) -> int:
    """Read one item inside quotes; the next index, negated when the quote closed."""
    item = items[i]
    if item == "\\" and i + 1 < len(items) and items[i + 1] in ('"', "\\"):
        current.add(str(items[i + 1]))
        return i + 2
    if item == '"':
        tokens.append(current)
        return -(i + 1)
    current.add(item)
    return i + 1


# -- compiled fields -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Values:
    """What one letter prints: field values (folded names), the run's date, its number."""

    fields: Mapping[str, str]
    day: dt.date
    number: int = 1


Output = list[str | Boundary]


class Node:
    """A compiled field: evaluated for each letter."""

    def eval(self, values: Values) -> Output:  # pragma: no cover - abstract
        raise NotImplementedError

    def names(self) -> Iterator[str]:
        """The merge fields it reads, as written."""
        return iter(())


def _text(output: Output) -> str:
    return "".join(p if isinstance(p, str) else "\n" for p in output)


def _apply_case(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "caps":
        return re.sub(r"(?<![\w'’])(\w)", lambda m: m.group(1).upper(), text)
    if case == "firstcap":
        return re.sub(r"^(\W*)(\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


def _cased(output: Output, case: str) -> Output:
    if not case:
        return output
    return [_apply_case(p, case) if isinstance(p, str) else p for p in output]


_PICTURE = re.compile(r"'[^']*'|d{1,4}|M{1,4}|y+|[hHmsS]+|am/pm|AM/PM|.", re.DOTALL)


def check_picture(picture: str) -> str | None:
    """The reason a date picture cannot be printed, or None (times: the run has no hour)."""
    for token in _PICTURE.findall(picture):
        if token[0] == "m":
            return "« m » désigne les minutes dans Word : écrivez « M » pour le mois"
        if token[0] in "hHsS" or token.lower() == "am/pm":
            return "la date des lettres n'a pas d'heure"
    return None


def format_date(day: dt.date, picture: str) -> str:
    """A date with a Word picture (``d MMMM yyyy``), in French."""
    out = []
    for token in _PICTURE.findall(picture):
        if token.startswith("'") and token.endswith("'") and len(token) > 1:
            out.append(token[1:-1])
        elif token[0] == "d":
            out.append(
                {
                    1: str(day.day),
                    2: f"{day.day:02d}",
                    3: _DAYS[day.weekday()][:3] + ".",
                    4: _DAYS[day.weekday()],
                }[len(token)]
            )
        elif token[0] == "M":
            out.append(
                {
                    1: str(day.month),
                    2: f"{day.month:02d}",
                    3: _MONTHS_SHORT[day.month - 1],
                    4: MONTHS[day.month - 1],
                }[len(token)]
            )
        elif token[0] == "y":
            out.append(f"{day.year % 100:02d}" if len(token) <= 2 else str(day.year))
        else:
            out.append(token)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class MergeField(Node):
    """MERGEFIELD (or a ``{{ champ }}`` tag): the value, its case, text before and after."""

    name: str
    key: str
    case: str = ""
    before: str = ""
    after: str = ""
    picture: str | None = None

    def eval(self, values: Values) -> Output:
        if self.picture is not None:
            value = format_date(values.day, self.picture)
        else:
            value = values.fields.get(self.key, "")
        if value:
            value = self.before + value + self.after
        return [_apply_case(value, self.case)] if value else []

    def names(self) -> Iterator[str]:
        yield self.name


@dataclass(frozen=True, slots=True)
class RecordNumber(Node):
    """MERGEREC, MERGESEQ: the letter's number in the run, from 1."""

    def eval(self, values: Values) -> Output:
        return [str(values.number)]


@dataclass(frozen=True, slots=True)
class Expression:
    """An operand or a text of IF/QUOTE: literal text and fields, quoted or not."""

    parts: tuple[str | Boundary | Node, ...]
    quoted: bool = False

    def eval(self, values: Values) -> Output:
        out: Output = []
        for part in self.parts:
            out += part.eval(values) if isinstance(part, Node) else [part]
        return out

    def names(self) -> Iterator[str]:
        for part in self.parts:
            if isinstance(part, Node):
                yield from part.names()


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def _number(text: str) -> float | None:
    plain = re.sub(r"[\s\u00a0\u202f]", "", text)
    return float(plain.replace(",", ".")) if _NUMBER.match(plain) else None


def compare(left: str, operator: str, right: str, *, pattern: bool) -> bool:
    """Word's IF comparison: numbers as numbers, text case-sensitive, wildcards if ``pattern``."""
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        x: float | str
        y: float | str
        x, y = a, b
    else:
        if operator in ("=", "<>") and pattern and ("*" in right or "?" in right):
            matched = fnmatchcase(left, right.replace("[", "[[]"))
            return matched if operator == "=" else not matched
        x, y = left, right
    return {
        "=": x == y,
        "<>": x != y,
        "<": x < y,  # type: ignore[operator]
        "<=": x <= y,  # type: ignore[operator]
        ">": x > y,  # type: ignore[operator]
        ">=": x >= y,  # type: ignore[operator]
    }[operator]


@dataclass(frozen=True, slots=True)
class IfField(Node):
    """IF left operator right "if true" "if false"."""

    left: Expression
    operator: str
    right: Expression
    yes: Expression
    no: Expression
    case: str = ""

    def eval(self, values: Values) -> Output:
        left = _text(self.left.eval(values))
        right = _text(self.right.eval(values))
        chosen = (
            self.yes if compare(left, self.operator, right, pattern=self.right.quoted) else self.no
        )
        return _cased(chosen.eval(values), self.case)

    def names(self) -> Iterator[str]:
        for part in (self.left, self.right, self.yes, self.no):
            yield from part.names()


@dataclass(frozen=True, slots=True)
class QuoteField(Node):
    """QUOTE "text": its text, fields inside evaluated."""

    text: Expression
    case: str = ""

    def eval(self, values: Values) -> Output:
        return _cased(self.text.eval(values), self.case)

    def names(self) -> Iterator[str]:
        yield from self.text.names()


@dataclass(frozen=True, slots=True)
class Slot:
    """A compiled field or tag and where it is; ``breaks`` maps paragraph marks to XML."""

    node: Node
    where: str
    breaks: Mapping[int, str] = field(default_factory=dict)

    def xml(self, values: Values) -> str:
        """What it prints for one letter, as XML text inside a ``w:t``."""
        out = []
        for part in self.node.eval(values):
            if isinstance(part, Boundary):
                out.append(self.breaks[part.index])
            else:
                out.append(escape(printable(part)).replace("\n", BREAK))
        return "".join(out)


def printable(value: str) -> str:
    """A value as a ``w:t`` can hold it.

    CR, VT (Excel's line break in a cell) and FF become line breaks; other
    control characters, which XML cannot hold, are dropped.
    """
    return _NOT_XML.sub("", _LINE_BREAKS.sub("\n", value))


@dataclass(frozen=True, slots=True)
class FieldUse:
    """A merge field read by a template: its name as written, where, and whether shared."""

    name: str
    where: str
    shared: bool = False


# -- compiling a story -----------------------------------------------------------------------


class Compiler:
    """Compiles the stories of one template into slots; reports the fields it found."""

    def __init__(self) -> None:
        self.slots: list[Slot] = []
        self.uses: list[FieldUse] = []
        self._slot_of: list[int] = []  # the slot reading each use

    def _use(self, name: str, where: str, story: Story) -> None:
        self.uses.append(FieldUse(name, where, story.shared))
        self._slot_of.append(len(self.slots))

    def story(self, story: Story) -> None:
        """Replace the story's merge fields and tags by placeholders; refuse what cannot merge.

        Raises:
            TemplateError: an unsupported field or tag, named with where it is.
        """
        own = list(paragraphs(story.root))
        numbers = {id(p): n for n, p in enumerate(own, start=1)}
        start = len(self.uses)
        for paragraph in own:
            _split_runs(paragraph)

        def where(number: int) -> str:
            return f"{story.label}, paragraphe {number}"

        for found in parse(own, where):
            self._top(found, story, own, where(found.number))
        for paragraph in own:
            if paragraph.getparent() is None:
                continue  # merged into the paragraph where its field began
            self._tags(paragraph, story, where(numbers[id(paragraph)]))
        self._in_order(story, start)

    def _in_order(self, story: Story, start: int) -> None:
        """Order the story's field uses as their placeholders stand in the text."""
        rank: dict[int, int] = {}
        for paragraph in paragraphs(story.root):
            for t in texts(paragraph):
                for match in PLACEHOLDER.finditer(t.text or ""):
                    rank.setdefault(int(match.group(1)), len(rank))
        pairs = sorted(
            zip(self._slot_of[start:], self.uses[start:], strict=True),
            key=lambda pair: rank.get(pair[0], len(rank)),
        )
        self._slot_of[start:] = [slot for slot, _ in pairs]
        self.uses[start:] = [use for _, use in pairs]

    # -- fields ------------------------------------------------------------------------------
    def _top(self, found: Field, story: Story, own: list[etree._Element], where: str) -> None:
        kind = found.kind
        if kind in REFUSED:
            raise TemplateError(refusal(kind, where))
        nested = list(found.nested())
        merging = [f for f in nested if f.kind in EVALUATED or f.kind in REFUSED]
        passive = [f for f in nested if f.kind not in EVALUATED and f.kind not in REFUSED]
        if kind not in EVALUATED or (passive and kind in ("IF", "QUOTE") and not merging):
            if merging:
                shown = kind if kind not in ("", "?") else "calculé"
                raise TemplateError(
                    f"Le champ {shown} dans {where} contient un champ de fusion : ce montage "
                    "n'est pas pris en charge. Gardez les champs de fusion hors de ce champ."
                )
            if any(isinstance(p, str) and "{{" in p for p in found.pieces):
                raise TemplateError(
                    f"Une balise {{{{ … }}}} dans le code du champ {kind or 'vide'} de {where} "
                    "ne serait pas remplacée : sortez-la du champ."
                )
            for inner in found.result_fields:  # its shown result prints as it is
                self._top(inner, story, own, f"{story.label}, paragraphe {inner.number}")
            return
        if passive:
            other = passive[0].kind if passive[0].kind not in ("", "?") else "calculé"
            raise TemplateError(
                f"Le champ {kind} dans {where} mélange des champs de fusion et un champ "
                f"{other} que seul le traitement de texte sait calculer : ce montage n'est pas "
                "pris en charge. Gardez les champs de fusion hors de ce champ."
            )
        node = self.node(found, where, story)
        self._replace(found, node, story, own, where)

    def node(self, found: Field, where: str, story: Story) -> Node:
        """The compiled form of an evaluated field.

        Raises:
            TemplateError: refused field inside, unknown switch, malformed IF.
        """
        kind = found.kind
        if kind in REFUSED:
            raise TemplateError(refusal(kind, where))
        tokens = tokenize(found.pieces, where, kind)[1:]
        if kind == "MERGEFIELD":
            merge = self._mergefield(tokens, where)
            self._use(merge.name, where, story)
            return merge
        if kind in ("MERGEREC", "MERGESEQ"):
            if story.shared:
                raise TemplateError(
                    f"Le champ {kind} (numéro de la lettre) change pour chaque destinataire : "
                    f"il ne peut pas être dans {where} ; placez-le dans le corps du document."
                )
            return RecordNumber()
        args, case = self._switches(tokens, where, kind)
        if kind == "QUOTE":
            parts: list[str | Boundary | Node] = []
            for n, token in enumerate(args):
                if n:
                    parts.append(" ")
                parts += self._expression(token, where, story).parts
            return QuoteField(Expression(tuple(parts)), case)
        if len(args) < 3 or not args[1].operator or args[0].operator or args[2].operator:
            raise TemplateError(
                f"Le champ IF dans {where} est incompris : attendu IF valeur opérateur valeur "
                '"texte si vrai" "texte si faux" (opérateurs =, <>, <, <=, >, >=).'
            )
        if len(args) > 5:
            raise TemplateError(
                f"Le champ IF dans {where} a trop de textes : mettez chaque texte entre "
                'guillemets droits (").'
            )
        empty = Expression(())
        chosen = [self._expression(t, where, story) for t in args[3:5]]
        return IfField(
            self._expression(args[0], where, story),
            args[1].operator,
            self._expression(args[2], where, story),
            chosen[0] if chosen else empty,
            chosen[1] if len(chosen) > 1 else empty,
            case,
        )

    def _expression(self, token: Token, where: str, story: Story) -> Expression:
        parts: list[str | Boundary | Node] = []
        for part in token.parts:
            if isinstance(part, Field):
                parts.append(self.node(part, where, story))
            else:
                if isinstance(part, str) and "{{" in part:
                    raise TemplateError(
                        f"Une balise {{{{ … }}}} dans le champ IF ou QUOTE de {where} ne serait "
                        "pas remplacée : insérez un champ MERGEFIELD à la place."
                    )
                parts.append(part)
        return Expression(tuple(parts), token.quoted)

    def _switches(self, tokens: list[Token], where: str, kind: str) -> tuple[list[Token], str]:
        r"""(arguments, case) of an IF or QUOTE: ``\*`` switches at the end are read."""
        args: list[Token] = []
        case = ""
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if not token.switch:
                args.append(token)
                i += 1
                continue
            name = (token.text or "").lower()
            value = tokens[i + 1].text if i + 1 < len(tokens) else None
            if name == "\\*" and value is not None and value.upper() in _IGNORED_FORMATS:
                pass
            elif name == "\\*" and value is not None and value.upper() in _CASES:
                case = _CASES[value.upper()]
            else:
                shown = f"{token.text} {value}" if name == "\\*" and value else token.text
                raise TemplateError(
                    f"Le commutateur « {shown} » du champ {kind} dans {where} n'est pas pris "
                    "en charge (commutateurs acceptés : \\* Upper, \\* Lower, \\* Caps, "
                    "\\* FirstCap)."
                )
            i += 2
        return args, case

    def _mergefield(self, tokens: list[Token], where: str) -> MergeField:
        if not tokens or tokens[0].text is None or tokens[0].switch or tokens[0].operator:
            if tokens and tokens[0].text is None:
                raise TemplateError(
                    f"Le nom du champ MERGEFIELD dans {where} est calculé par un autre champ : "
                    "ce n'est pas pris en charge."
                )
            raise TemplateError(f"Un champ MERGEFIELD sans nom de champ dans {where}.")
        name = (tokens[0].text or "").strip()
        merge = MergeField(name, field_key(name))
        i = 1
        while i < len(tokens):
            token = tokens[i]
            switch = (token.text or "").lower() if token.switch else ""
            value = tokens[i + 1].text if i + 1 < len(tokens) else None
            if switch == "\\m":
                i += 1
                continue
            changed = _merge_switch(merge, switch, value, where)
            if changed is None:
                shown = f"{token.text} {value}" if switch == "\\*" and value else token.text
                raise TemplateError(
                    f"Le commutateur « {shown} » du champ MERGEFIELD « {name} » dans {where} "
                    f"n'est pas pris en charge (commutateurs acceptés : {_SWITCHES})."
                )
            merge = changed
            i += 2
        return merge

    def _replace(
        self, found: Field, node: Node, story: Story, own: list[etree._Element], where: str
    ) -> None:
        """Put one placeholder run where the field was; join the paragraphs it spanned."""
        first = _paragraph_of(found.begin)
        spanned = [first, *found.paragraphs[1:]]
        if len(spanned) > 1:
            parent = first.getparent()
            crossing = any(p.getparent() is not parent for p in spanned) or any(
                p.find(f"{PPR}/{SECTPR}") is not None for p in spanned[:-1]
            )
            if crossing:
                raise TemplateError(
                    f"Le champ {found.kind} dans {where} s'étend sur plusieurs cellules de "
                    "tableau ou sur un saut de section : ce montage n'est pas pris en charge."
                )
        rpr = found.result_rpr if found.result_rpr is not None else found.begin.find(RPR)
        run = etree.Element(R)
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        text = etree.SubElement(run, T)
        text.set(SPACE, "preserve")
        text.text = f"\ue000{len(self.slots)}\ue001"
        found.begin.addprevious(run)
        marks = _boundaries(found)
        if marks and run.getparent() is not first:
            raise TemplateError(
                f"Le champ {found.kind} dans {where} contient une marque de paragraphe et "
                "commence dans un lien hypertexte ou un contrôle de contenu : ce montage "
                "n'est pas pris en charge."
            )
        rpr_xml = _xml(rpr) if rpr is not None else ""
        breaks = {}
        for index in marks:
            following = own[index + 1]
            ppr = following.find(PPR)
            breaks[index] = (
                "</w:t></w:r></w:p><w:p>"
                + (_xml(ppr) if ppr is not None else "")
                + f'<w:r>{rpr_xml}<w:t xml:space="preserve">'
            )
        for item in found.runs:
            holder = item.getparent()
            if holder is not None:
                holder.remove(item)
        for paragraph in spanned[1:]:
            for child in list(paragraph):
                if child.tag != PPR:
                    first.append(child)
            holder = paragraph.getparent()
            if holder is not None:
                holder.remove(paragraph)
        self.slots.append(Slot(node, where, breaks))

    # -- tags --------------------------------------------------------------------------------
    def _tags(self, paragraph: etree._Element, story: Story, where: str) -> None:
        """``{{ champ }}`` tags → placeholders; refuse Jinja blocks and « «Champ» » text."""
        found = texts(paragraph)
        join_split_tags(found)
        joined = "".join(t.text or "" for t in found)
        if "{%" in joined:
            raise TemplateError(
                f"Les instructions {{% … %}} ne sont pas prises en charge ({where}) : "
                "utilisez seulement des champs {{ champ }}."
            )
        for t in found:
            if t.text and "{{" in t.text:
                t.text = TAG.sub(lambda m: self._tag(m, story, where), t.text)
                t.set(SPACE, "preserve")
        rest = "".join(t.text or "" for t in found)
        if "{{" in rest:
            raise TemplateError(
                f"Une balise {{{{ … }}}} n'est pas refermée dans {where} : écrivez "
                "{{ nom_du_champ }}."
            )
        marker = re.search(r"«[^«»\s]+»", rest)
        if marker:
            raise TemplateError(
                f"Le texte {marker.group(0)} dans {where} ressemble à un champ de fusion "
                "devenu du simple texte : il serait imprimé tel quel. Insérez à sa place un "
                "champ de fusion ou une balise {{ champ }}."
            )

    def _tag(self, match: re.Match[str], story: Story, where: str) -> str:
        content = match.group(1)
        if _DOCXTPL_TAG.match(content):
            raise TemplateError(
                f"La balise docxtpl « {match.group(0)} » dans {where} n'est pas prise en "
                "charge : seules les balises {{ nom_du_champ }} le sont."
            )
        if re.search(r"[|()\[\]+*/%<>=!\"\ue000\ue001]", content):
            raise TemplateError(
                f"La balise « {match.group(0)} » dans {where} n'est pas prise en charge : "
                "une balise ne contient qu'un nom de champ, par exemple {{ nom }}."
            )
        self._use(content, where, story)
        self.slots.append(Slot(MergeField(content, field_key(content)), where))
        return f"\ue000{len(self.slots) - 1}\ue001"


def _merge_switch(
    merge: MergeField, switch: str, value: str | None, where: str
) -> MergeField | None:
    """The MERGEFIELD with one more switch (and its argument), or None when unsupported.

    Raises:
        TemplateError: a date picture on a field that is not a date, or with hours.
    """
    if value is None:
        return None
    if switch in ("\\b", "\\f"):
        return replace(merge, **{"before" if switch == "\\b" else "after": value})
    if switch == "\\*":
        upper = value.upper()
        if upper in _IGNORED_FORMATS:
            return merge
        return replace(merge, case=_CASES[upper]) if upper in _CASES else None
    if switch != "\\@":
        return None
    if merge.key not in DATE_FIELDS:
        raise TemplateError(
            f"Le format de date « \\@ {value} » du champ MERGEFIELD « {merge.name} » dans "
            f"{where} ne s'applique qu'aux champs date et date_courte."
        )
    reason = check_picture(value)
    if reason:
        raise TemplateError(
            f"Le format de date « \\@ {value} » du champ MERGEFIELD « {merge.name} » dans "
            f"{where} n'est pas pris en charge : {reason}."
        )
    return replace(merge, picture=value)


def refusal(kind: str, where: str) -> str:
    """The French message refusing a merge field type."""
    return f"Le champ {kind} dans {where} n'est pas pris en charge : {REFUSED[kind]}"


def _paragraph_of(element: etree._Element) -> etree._Element:
    """The paragraph holding a run now (an earlier field may have joined paragraphs)."""
    node = element.getparent()
    while node is not None and node.tag != P:
        node = node.getparent()
    assert node is not None
    return node


def _boundaries(found: Field) -> list[int]:
    marks: list[int] = []
    for piece in found.pieces:
        if isinstance(piece, Boundary):
            marks.append(piece.index)
        elif isinstance(piece, Field):
            marks += _boundaries(piece)
    return marks


def _xml(element: etree._Element) -> str:
    text: str = etree.tostring(element, encoding="unicode")
    return text


def join_split_tags(found: list[etree._Element]) -> None:
    """Move each ``{{ … }}`` tag that spans several ``w:t`` into the first of them."""
    if len(found) < 2:
        return
    joined = "".join(t.text or "" for t in found)
    if "{{" not in joined:
        return
    starts, pos = [], 0
    for t in found:
        starts.append(pos)
        pos += len(t.text or "")
    for match in reversed(list(TAG.finditer(joined))):
        s, e = match.span()
        first = max(k for k in range(len(found)) if starts[k] <= s)
        last = max(k for k in range(len(found)) if starts[k] < e)
        if first == last:
            continue
        head = (found[first].text or "")[: s - starts[first]]
        tail = (found[last].text or "")[e - starts[last] :]
        found[first].text = head + match.group(0)
        found[first].set(SPACE, "preserve")
        for k in range(first + 1, last):
            found[k].text = ""
        found[last].text = tail
        found[last].set(SPACE, "preserve")


def shared_recipient_fields(uses: Sequence[FieldUse]) -> None:
    """Refuse a per-recipient field in a header or footer (printed once for every letter).

    Raises:
        TemplateError: naming the field and where it is.
    """
    for use in uses:
        key = field_key(use.name)
        if use.shared and key in FIELDS_BY_NAME and FIELDS_BY_NAME[key].per_recipient:
            raise TemplateError(
                f"Le champ « {use.name} » change pour chaque destinataire : il ne peut pas être "
                f"dans {use.where} ; placez-le dans le corps du document."
            )


# -- the last look at a produced document ----------------------------------------------------


def _where_in(label: str) -> Callable[[int], str]:
    def where(number: int) -> str:
        return f"{label}, paragraphe {number}"

    return where


def leftovers(story: Story, allowed: frozenset[str] = frozenset()) -> str | None:
    """The first unmerged thing in a produced story (and its text boxes), in French, or None.

    Merge fields (MERGEFIELD, NEXT… simple or complex, at any depth), ``{{``,
    ``{%``, « «Champ» » markers and placeholders count; a marker found in the
    recipients' own data (``allowed``) does not.
    """
    for part in stories(story):
        own = list(paragraphs(part.root))
        for number, paragraph in enumerate(own, start=1):
            where = f"{part.label}, paragraphe {number}"
            text = "".join(t.text or "" for t in texts(paragraph))
            for match in MARKERS.finditer(text):
                if match.group(0) not in allowed:
                    excerpt = text[max(0, match.start() - 20) : match.end() + 20]
                    return f"« {excerpt.strip()} » ({where})"
            if "\ue000" in text or "\ue001" in text:
                return f"un champ non évalué ({where})"
        try:
            found = parse(own, _where_in(part.label))
        except TemplateError as exc:
            return exc.message
        pending = list(found)
        while pending:
            current = pending.pop()
            pending += [p for p in current.pieces if isinstance(p, Field)]
            pending += current.result_fields
            if current.kind in MERGE_TYPES:
                return f"un champ {current.kind} ({part.label}, paragraphe {current.number})"
    return None
