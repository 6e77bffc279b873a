"""One line of status-bar text that never runs into its neighbours."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel


class StatusText(QLabel):
    """One line of status-bar text that never runs into its neighbours: when the window is too
    narrow it is drawn ending in "…" and the whole text is in its tooltip. `text()` (and what
    screen readers get) stays whole."""

    def __init__(self, name: str, minimum_width: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._tip = ""
        self._minimum_width = minimum_width

    def full_text(self) -> str:
        return self.text()

    def shown_text(self) -> str:
        """What is drawn: the text, cut with "…" to the room there is."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def set_full_text(self, text: str, tip: str = "") -> None:
        """Show `text`; the tooltip is `tip`, else the whole text when it had to be cut."""
        self._tip = tip
        self.setText(text)
        self._update_tip()

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), self._minimum_width), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )

    def _update_tip(self) -> None:
        cut = self.shown_text() != self.text()
        tip = self._tip or (self.text() if cut else "")
        # Forced rich text, escaped: a label from a token can never be read as markup.
        self.setToolTip(f"<qt>{html.escape(tip).replace(chr(10), '<br>')}</qt>" if tip else "")

    def tip_text(self) -> str:
        """The tooltip's text as a person reads it (the plain text behind its markup)."""
        return self._tip or (self.text() if self.shown_text() != self.text() else "")
