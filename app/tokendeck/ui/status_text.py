"""One line of status-bar text that never runs into its neighbours.

The status bar is part of the window's frame, painted before anything touches PySide's `Qt`
namespace (ui/main_window.py: its 93 enums take 25 ms to make): a text that fits and holds no
"<" nor "&" needs none of it, so the namespace is imported only to cut a text or to keep markup
plain.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel

from tokendeck.ui.rich_text import escape

# Qt.AlignLeft | Qt.AlignVCenter, QLabel's own default, as the int drawItemText takes.
LEFT_AND_MIDDLE = 0x0001 | 0x0080


class StatusText(QLabel):
    """One line of status-bar text that never runs into its neighbours: when the window is too
    narrow it is drawn ending in "…" and the whole text is in its tooltip. `text()` (and what
    screen readers get) stays whole."""

    def __init__(self, name: str, minimum_width: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self._plain = False  # the text format is made PlainText before a text with "<"
        self._tip = ""
        self._minimum_width = minimum_width

    def full_text(self) -> str:
        return self.text()

    def shown_text(self) -> str:
        """What is drawn: the text, cut with "…" to the room there is."""
        text, room = self.text(), self.contentsRect().width()
        if self.fontMetrics().horizontalAdvance(text) <= room:
            return text
        from PySide6.QtCore import Qt

        return self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, room)

    def set_full_text(self, text: str, tip: str = "") -> None:
        """Show `text`; the tooltip is `tip`, else the whole text when it had to be cut."""
        self._tip = tip
        # Qt reads a text as markup only if it holds a tag or an entity ("&lt;").
        if ("<" in text or "&" in text) and not self._plain:
            from PySide6.QtCore import Qt

            self.setTextFormat(Qt.TextFormat.PlainText)
            self._plain = True
        self.setText(text)
        self._update_tip()

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), self._minimum_width), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            # QLabel draws a text that fits as it is (plain: see set_full_text) in C++; asking
            # `style()` from Python would make QStyle's 19 enums, 10 ms of the frame's paint.
            super().paintEvent(event)
            return
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            LEFT_AND_MIDDLE,
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )

    def _update_tip(self) -> None:
        cut = self.shown_text() != self.text()
        tip = self._tip or (self.text() if cut else "")
        # Forced rich text, escaped: a label from a token can never be read as markup.
        self.setToolTip(f"<qt>{escape(tip).replace(chr(10), '<br>')}</qt>" if tip else "")

    def tip_text(self) -> str:
        """The tooltip's text as a person reads it (the plain text behind its markup)."""
        return self._tip or (self.text() if self.shown_text() != self.text() else "")
