"""This workstation's printing measurements: label offsets per sheet, envelope window positions.

Both depend on the printer and the envelopes bought, not on the database, so
they live beside the user's label formats (``etiquettes.toml``) in the config
folder, in ``impression.toml``::

    [etiquettes.L7160]          # printer offset measured with the calibration page
    dx = 0.5                    # mm, right is positive
    dy = -1.0                   # mm, down is positive

    [fenetres.DL]               # window of the envelopes in use, on the A4 letter
    left = 92.0
    top = 46.0
    width = 100.0
    height = 45.0

Qt-free. An unreadable file gives the defaults (no offset, the standard
windows of :data:`~microcrm.mailing.letters.WINDOWS`) rather than blocking a
run; the next save rewrites it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from microcrm.mailing.letters import WINDOWS, WindowSpec

FILE_NAME = "impression.toml"
OFFSET_LIMIT_MM = 10.0
"""Largest printer offset accepted (either direction); larger means a wrong sheet."""


@dataclass(frozen=True, slots=True)
class PrintSettings:
    """The measurements read from ``impression.toml``."""

    label_offsets: dict[str, tuple[float, float]] = field(default_factory=dict)
    windows: dict[str, WindowSpec] = field(default_factory=dict)

    def label_offset(self, format_name: str) -> tuple[float, float]:
        """(dx, dy) in mm for a label sheet; (0, 0) when never measured."""
        return self.label_offsets.get(format_name, (0.0, 0.0))

    def window(self, name: str) -> WindowSpec:
        """The window position for envelope ``name`` (``DL``, ``C5``): saved, else standard."""
        return self.windows.get(name, WINDOWS.get(name, WINDOWS["DL"]))


def _path(config_dir: Path) -> Path:
    return config_dir / FILE_NAME


def _read_raw(config_dir: Path) -> dict[str, Any]:
    path = _path(config_dir)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _clamp(value: float) -> float:
    return max(-OFFSET_LIMIT_MM, min(OFFSET_LIMIT_MM, value))


def load_print_settings(config_dir: Path) -> PrintSettings:
    """Read ``<config_dir>/impression.toml`` (defaults for anything missing or malformed)."""
    raw = _read_raw(config_dir)
    offsets: dict[str, tuple[float, float]] = {}
    labels = raw.get("etiquettes", {})
    if isinstance(labels, dict):
        for name, spec in labels.items():
            try:
                offsets[name] = (_clamp(float(spec["dx"])), _clamp(float(spec["dy"])))
            except (KeyError, TypeError, ValueError):
                continue
    windows: dict[str, WindowSpec] = {}
    saved = raw.get("fenetres", {})
    if isinstance(saved, dict):
        for name, spec in saved.items():
            try:
                windows[name] = WindowSpec(
                    name,
                    float(spec["left"]),
                    float(spec["top"]),
                    float(spec.get("width", 100.0)),
                    float(spec.get("height", 45.0)),
                )
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
    return PrintSettings(offsets, windows)


def _write(config_dir: Path, section: str, key: str, value: dict[str, float]) -> None:
    raw = _read_raw(config_dir)
    table = raw.get(section)
    if not isinstance(table, dict):
        table = raw[section] = {}
    table[key] = value
    config_dir.mkdir(parents=True, exist_ok=True)
    path = _path(config_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(raw), encoding="utf-8")
    tmp.replace(path)


def save_label_offset(config_dir: Path, format_name: str, offset_mm: tuple[float, float]) -> None:
    """Remember the printer offset of a label sheet (clamped to ±10 mm)."""
    dx, dy = (round(_clamp(v), 2) for v in offset_mm)
    _write(config_dir, "etiquettes", format_name, {"dx": dx, "dy": dy})


def save_window(config_dir: Path, window: WindowSpec) -> None:
    """Remember where the window of envelope ``window.name`` falls on the letter."""
    _write(
        config_dir,
        "fenetres",
        window.name,
        {
            "left": round(window.left_mm, 2),
            "top": round(window.top_mm, 2),
            "width": round(window.width_mm, 2),
            "height": round(window.height_mm, 2),
        },
    )


def window_override(window: WindowSpec) -> WindowSpec | None:
    """``window`` when it differs from its envelope's standard position, else None."""
    standard = WINDOWS.get(window.name)
    return None if standard == window else window
