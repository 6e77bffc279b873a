"""A form's problem message, in the "bad" tone of the palette in use (readable on light and dark)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from tokendeck.ui.status_style import tone_color


class ProblemLabel(QLabel):
    """Hidden until it has something to say; word-wrapped; plain text always (a message may
    carry a platform's own words, which must never be read as rich text)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        palette = QPalette()  # only the text colour is set: every other role is inherited
        palette.setColor(
            QPalette.ColorRole.WindowText, tone_color("bad", QGuiApplication.palette())
        )
        self.setPalette(palette)
        if not text:
            self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
