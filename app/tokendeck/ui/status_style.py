"""Colours for the tones of `core.verdict` (ok / warn / bad / muted), readable on light and dark
palettes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

_LIGHT = {"ok": "#1e7e34", "warn": "#b35c00", "bad": "#c5221f", "muted": "#5f6368"}
_DARK = {"ok": "#81c995", "warn": "#fdd663", "bad": "#f28b82", "muted": "#bdc1c6"}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: str, palette: QPalette) -> QColor:
    return tone_color_on(tone, dark=is_dark(palette))


def tone_color_on(tone: str, *, dark: bool) -> QColor:
    """The tone's colour on a dark or light palette (one QColor each, made once: the tables ask
    for it for every cell they paint)."""
    key = (tone, dark)
    color = _COLORS.get(key)
    if color is None:
        color = _COLORS[key] = QColor((_DARK if dark else _LIGHT)[tone])
    return color


def status_icon(tone: str, *, dark: bool | None = None) -> QIcon:
    """A small dot in the tone's colour, so state is not told by colour alone (with the text)."""
    from tokendeck.ui.icons import dot_icon

    key = (tone, is_dark(QGuiApplication.palette()) if dark is None else dark)
    icon = _ICONS.get(key)
    if icon is None:
        icon = _ICONS[key] = dot_icon(tone_color_on(tone, dark=key[1]))
    return icon


_ICONS: dict[tuple[str, bool], QIcon] = {}
_COLORS: dict[tuple[str, bool], QColor] = {}


# The three parts of a compact JWS / JWE as jwt.io colours them (header, payload, signature; a JWE's
# five parts cycle through them), one set per palette.
_PARTS_LIGHT = ("#c2185b", "#7b1fa2", "#0277bd")
_PARTS_DARK = ("#f48fb1", "#ce93d8", "#81d4fa")


def token_part_color(index: int, *, dark: bool) -> QColor:
    return QColor((_PARTS_DARK if dark else _PARTS_LIGHT)[index % 3])


def badge_colors(tone: str, palette: QPalette) -> tuple[QColor, QColor]:
    """(background, text) of a verdict badge: the tone's colour behind text that reads on it."""
    background = tone_color(tone, palette)
    text = QColor("#202124") if background.lightness() > 140 else QColor("#ffffff")
    return background, text
