"""Letter templates: built-in ones by name, the user's own (TOML), and DOCX files.

A *letter template* is rendered by the app (:mod:`microcrm.mailing.letters`):
subject, rich-text body, signature, window position, custom fields with
their defaults; stored as TOML (``resources/templates/letters/*.toml`` for the
built-in ones, ``<user_dir>/<name>.toml`` for the user's, which win on a name
clash). A *DOCX template* is a Word/LibreOffice file merged by
:mod:`microcrm.mailing.docx_merge`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import tomli_w

from microcrm.errors import ValidationError
from microcrm.mailing import richtext
from microcrm.mailing.errors import TemplateError, UnknownFieldError
from microcrm.mailing.fields import field_key, find_tags, known_fields
from microcrm.mailing.resources import resource_path

USER_FOLDER = "modeles"
"""Sub-folder of the user's configuration folder holding their own templates."""
BUILTIN_LETTERS = ("templates", "letters")
BUILTIN_DOCX = ("templates", "docx")
_NAME = re.compile(r"^[\w][\w\- ]{0,79}$")


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    """A letter rendered by the app.

    Attributes:
        name: Key (file stem), e.g. ``prospection``.
        title: French title shown in lists.
        subject: The « Objet : … » line (merge fields allowed).
        body_html: Body in the rich-text subset of :mod:`richtext` (merge fields allowed).
        signature_name: Signatory (``{{ commercial }}`` by default).
        signature_title: Signatory's function.
        window: Envelope window the address block is placed for: ``DL`` or ``C5``.
        place: « Fait à » city before the date; empty means the company's city.
        custom: Custom fields and their default values.
        path: File it was read from (None for a new, unsaved template).
        builtin: Shipped with the app (read-only: saving writes a user copy).
    """

    name: str
    title: str = ""
    subject: str = ""
    body_html: str = ""
    signature_name: str = "{{ commercial }}"
    signature_title: str = ""
    window: str = "DL"
    place: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    builtin: bool = False

    kind: Literal["lettre"] = "lettre"

    def parts(self) -> list[tuple[str, str]]:
        """(text, where in French) of every part that may hold merge fields."""
        return [
            (self.subject, f"l'objet du modèle « {self.name} »"),
            (self.body_html, f"le corps du modèle « {self.name} »"),
            (self.signature_name, f"la signature du modèle « {self.name} »"),
            (self.signature_title, f"la fonction du signataire du modèle « {self.name} »"),
        ]


@dataclass(frozen=True, slots=True)
class DocxTemplateFile:
    """A Word document with MERGEFIELD fields and/or ``{{ champ }}`` tags."""

    name: str
    path: Path
    builtin: bool = False

    kind: Literal["docx"] = "docx"


Template = LetterTemplate | DocxTemplateFile


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """A template as listed in the wizard."""

    name: str
    title: str
    kind: Literal["lettre", "docx"]
    builtin: bool
    path: Path


def user_templates_dir(config_dir: Path) -> Path:
    """The user's templates folder: ``<config>/modeles`` (label formats stay in ``<config>``)."""
    return config_dir / USER_FOLDER


def _read_letter(path: Path, *, builtin: bool) -> LetterTemplate:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"Modèle illisible « {path.name} » : {exc}") from exc
    custom = data.get("custom", {})
    window = str(data.get("window", "DL")).upper()
    return LetterTemplate(
        name=path.stem,
        title=str(data.get("title", path.stem)),
        subject=str(data.get("subject", "")),
        body_html=richtext.sanitize(str(data.get("body", ""))),
        signature_name=str(data.get("signature_name", "")),
        signature_title=str(data.get("signature_title", "")),
        window=window if window in ("DL", "C5") else "DL",
        place=str(data.get("place", "")),
        custom={str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        path=path,
        builtin=builtin,
    )


def _candidates(name: str, user_dir: Path | None) -> list[tuple[Path, bool]]:
    found: list[tuple[Path, bool]] = []
    if user_dir is not None:
        found += [(user_dir / f"{name}.toml", False), (user_dir / f"{name}.docx", False)]
    found += [
        (resource_path(*BUILTIN_LETTERS, f"{name}.toml"), True),
        (resource_path(*BUILTIN_DOCX, f"{name}.docx"), True),
    ]
    return found


def _from_path(path: Path, *, builtin: bool) -> Template:
    if path.suffix.lower() == ".docx":
        return DocxTemplateFile(path.stem, path, builtin)
    if path.suffix.lower() == ".toml":
        return _read_letter(path, builtin=builtin)
    raise TemplateError(
        f"Format de modèle non pris en charge « {path.name} » (attendu : .toml ou .docx)."
    )


def load_template(name_or_path: str | Path, *, user_dir: Path | None = None) -> Template:
    """A template by name (user's first, then built-in) or by file path.

    Raises:
        TemplateError: no such template, unreadable file or unsupported format.
    """
    as_path = Path(name_or_path)
    if as_path.suffix.lower() in (".toml", ".docx"):
        if not as_path.is_file():
            raise TemplateError(f"Fichier de modèle introuvable : {as_path}")
        return _from_path(as_path, builtin=False)
    name = str(name_or_path).strip()
    for path, builtin in _candidates(name, user_dir):
        if path.is_file():
            return _from_path(path, builtin=builtin)
    names = ", ".join(t.name for t in list_templates(user_dir))
    raise TemplateError(f"Modèle inconnu « {name} » (modèles disponibles : {names}).")


def list_templates(user_dir: Path | None = None) -> list[TemplateInfo]:
    """Every template, the user's first, then the built-in ones, by name."""
    seen: dict[str, TemplateInfo] = {}
    folders: list[tuple[Path, bool]] = []
    if user_dir is not None:
        folders.append((user_dir, False))
    folders += [(resource_path(*BUILTIN_LETTERS), True), (resource_path(*BUILTIN_DOCX), True)]
    for folder, builtin in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".toml", ".docx") or path.stem in seen:
                continue
            if path.suffix == ".toml":
                try:
                    title = _read_letter(path, builtin=builtin).title
                except TemplateError:
                    continue
                seen[path.stem] = TemplateInfo(path.stem, title, "lettre", builtin, path)
            else:
                seen[path.stem] = TemplateInfo(
                    path.stem, f"Document Word « {path.stem} »", "docx", builtin, path
                )
    return list(seen.values())


def save_letter_template(template: LetterTemplate, user_dir: Path) -> Path:
    """Write a letter template as ``<user_dir>/<name>.toml`` (atomic); returns the path.

    A built-in template saved this way becomes a user copy that hides it.

    Raises:
        ValidationError: the name is empty or not a file name.
    """
    name = template.name.strip()
    if not _NAME.match(name):
        raise ValidationError(
            "name", "Le nom du modèle est obligatoire (lettres, chiffres, espaces, tirets)."
        )
    data: dict[str, Any] = {
        "title": template.title or name,
        "window": template.window,
        "subject": template.subject,
        "signature_name": template.signature_name,
        "signature_title": template.signature_title,
        "place": template.place,
        "body": richtext.sanitize(template.body_html),
        "custom": dict(template.custom),
    }
    user_dir.mkdir(parents=True, exist_ok=True)
    path = user_dir / f"{name}.toml"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)
    return path


def delete_template(name: str, user_dir: Path) -> None:
    """Remove a user template (built-in ones cannot be removed).

    Raises:
        TemplateError: no user template of that name.
    """
    for suffix in (".toml", ".docx"):
        path = user_dir / f"{name}{suffix}"
        if path.is_file():
            path.unlink()
            return
    raise TemplateError(f"Aucun modèle personnel nommé « {name} ».")


def with_defaults(template: LetterTemplate, **changes: Any) -> LetterTemplate:
    """A copy with some attributes changed (the editor's working copy)."""
    return replace(template, **changes)


def template_fields(template: Template) -> list[tuple[str, str]]:
    """(field as written, where) of every merge field the template uses."""
    if isinstance(template, DocxTemplateFile):
        from microcrm.mailing.docx_merge import docx_fields

        return docx_fields(template.path)
    return [(name, where) for text, where in template.parts() for name in find_tags(text)]


def custom_names(template: Template) -> list[str]:
    """The custom fields a letter template declares (none for DOCX)."""
    if isinstance(template, LetterTemplate):
        return [field_key(k) for k in template.custom]
    return []


def check_template(
    template: Template, custom: list[str] | tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Check every merge field before anything is produced; return (field, where) of each.

    A DOCX template is read whole (body, headers, footers, notes, text boxes):
    a Word field that cannot be merged is refused there, named with where it is.

    Raises:
        UnknownFieldError: naming every field that is neither known nor custom.
        TemplateError: a DOCX template that cannot be merged as it is.
    """
    known = [*custom, *custom_names(template)]
    if isinstance(template, DocxTemplateFile):
        from microcrm.mailing.docx_merge import check_docx

        return check_docx(template.path, known)
    found = template_fields(template)
    unknown = [(name, where) for name, where in found if field_key(name) not in known_fields(known)]
    if unknown:
        (name, where), others = unknown[0], unknown[1:]
        raise UnknownFieldError(name, where, known_fields(known), others=others)
    return found
