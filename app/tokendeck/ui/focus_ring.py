"""A clear focus ring: where the keyboard is, at a glance, on light and dark alike.

Qt's Fusion style marks a focused button or field with a faint outline; walking the window with
Tab, a person loses track of it. One `FocusRing` per application follows the focus and draws a
2 px ring in the palette's highlight colour around the focused control, just outside it (a
`QFocusFrame`: it is drawn above the control's neighbours and takes no clicks).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

RING_WIDTH = 2
_RINGED = (
    QAbstractButton,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
)
# Not a tab bar: it marks its current tab itself, and a ring round the whole bar reads as a line.


class FocusRing(QFocusFrame):
    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.setObjectName("focus-ring")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        app.focusChanged.connect(self._follow)

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, _RINGED) and not new.isWindow():
            self.setWidget(new)
            self.show()
            self.raise_()
        else:
            self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), RING_WIDTH)
        painter.setPen(pen)
        half = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 4, 4)
        painter.end()
