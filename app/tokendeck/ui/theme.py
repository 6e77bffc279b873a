"""The window's light or dark look: Settings → Theme (System / Light / Dark).

Qt's colour-scheme request (`QStyleHints.setColorScheme`, Qt 6.8) is made first, so a platform that
honours it (Windows, macOS, the GNOME and KDE platform themes) draws its own light or dark. The
explicit palettes below make the choice hold everywhere else: a plain X11 session has no platform
theme, and there Qt ignores the request. "System" withdraws both and the desktop decides.

Every colour of TokenDeck's own widgets comes from the palette, or from ui/status_style.py for the
tones of a state (which has one set for a light and one for a dark palette).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from tokendeck.core.settings import Theme
from tokendeck.ui.icons import follow_desktop_icons

DARK_COLORS = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9a9a9a",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4a4a",
    QPalette.ColorRole.Midlight: "#404040",
    QPalette.ColorRole.Mid: "#303030",
    QPalette.ColorRole.Dark: "#1a1a1a",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#2f6fbd",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7ab4ff",
    QPalette.ColorRole.LinkVisited: "#c39bff",
}
DARK_DISABLED_TEXT = "#808080"


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in DARK_COLORS.items():
        palette.setColor(role, QColor(color))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DARK_DISABLED_TEXT))
    return palette


def light_palette(app: QApplication) -> QPalette:
    style = app.style()
    return style.standardPalette() if style is not None else QPalette()


def apply_theme(app: QApplication, theme: Theme) -> None:
    hints = app.styleHints()
    follow_desktop_icons(theme is Theme.SYSTEM)
    if theme is Theme.SYSTEM:
        hints.unsetColorScheme()
        app.setPalette(QPalette())  # a palette that sets nothing: back to the platform's own
        return
    from PySide6.QtCore import Qt  # not before the first paint on "System" (ui/probes.py)

    dark = theme is Theme.DARK
    hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    app.setPalette(dark_palette() if dark else light_palette(app))
