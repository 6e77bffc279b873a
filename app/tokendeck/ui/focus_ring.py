"""A clear focus ring: where the keyboard is, at a glance, on light and dark alike.

Qt's Fusion style marks a focused button or field with a faint outline; walking the window with
Tab, a person loses track of it. One `FocusRing` per application follows the focus and draws a
2 px ring in the palette's highlight colour on the edge of the focused control (a `QFocusFrame`,
which follows the control's moves in C++; it is drawn above the control and takes no clicks).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt
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
    QProxyStyle,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QTextEdit,
    QWidget,
)

RING_WIDTH = 2
FOCUSABLE_CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
)
"""The controls that get the ring. Not a tab bar: it marks its current tab itself, and a ring
round the whole bar reads as a line."""


class _RingStyle(QProxyStyle):
    """The ring's own style: as big as the control (no margin outside it, where a parent with no
    margins would cut it) and drawn above it. Asked only by the ring, so a Python style is cheap
    here."""

    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric in (
            QStyle.PixelMetric.PM_FocusFrameHMargin,
            QStyle.PixelMetric.PM_FocusFrameVMargin,
        ):
            return 0
        return super().pixelMetric(metric, option, widget)

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        returnData: QStyleHintReturn | None = None,  # noqa: N803  (Qt's name)
    ) -> int:
        if hint == QStyle.StyleHint.SH_FocusFrame_AboveWidget:
            return 1
        return super().styleHint(hint, option, widget, returnData)


class _Ring(QFocusFrame):
    def __init__(self, style: QStyle) -> None:
        super().__init__()
        self.setObjectName("focus-ring")
        self.setStyle(style)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), RING_WIDTH))
        inset = RING_WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 3, 3)
        painter.end()


class FocusRing(QObject):
    """Follows the application's focus. Qt moves the ring into the focused control's parent, so
    the ring is deleted with that parent (a dialog closing): then the next focus makes a new one."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._style = _RingStyle()  # kept: a widget does not own the style it is given
        self._ring: _Ring | None = None
        app.focusChanged.connect(self._follow)
        self._follow(None, app.focusWidget())  # installed after the window is up: ring it now

    @property
    def ring(self) -> _Ring | None:
        """The ring now, if Qt has not deleted it with a parent."""
        if self._ring is not None and not shiboken6.isValid(self._ring):
            self._ring = None
        return self._ring

    def _follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        ring = self.ring
        if isinstance(new, FOCUSABLE_CONTROLS) and not new.isWindow():
            if ring is None:
                ring = self._ring = _Ring(self._style)
            ring.setWidget(new)
            ring.show()
        elif ring is not None:
            ring.hide()
