"""The friendly page a list shows when it has nothing yet: what this is and what to do next.

The page scrolls when the window is too small for it (its text would otherwise be squeezed under
the heading), and is drawn on the window's own background in light and dark."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QIcon, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from tokendeck.ui.icons import Act, icon
from tokendeck.ui.viewports import own_viewport

PICTURE_SIZE = 72


class EmptyState(QScrollArea):
    """Its page (the picture, the heading, the text, the buttons) is made when it is first
    shown: a tab that has rows never shows it, and its fonts and picture cost the way to the
    first rows about 5 ms."""

    def __init__(
        self, picture: QIcon | Act, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        """`picture`: the app's icon, or an action's (drawn in the palette's colours)."""
        super().__init__(parent)
        self._picture = picture
        self._words: tuple[str, str] | None = (title, text)
        self._added: list[QPushButton] = []
        self.picture: QLabel | None = None
        self._buttons: QHBoxLayout | None = None
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its buttons, not the page
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Drawn on the window's own background; made here, known to PySide (ui/viewports.py).
        own_viewport(self, role=QPalette.ColorRole.Window).setAutoFillBackground(False)
        self.setAccessibleName(title)

    def showEvent(self, event: QShowEvent) -> None:
        self._build()
        super().showEvent(event)

    def _build(self) -> None:
        if self._words is None:
            return
        (title, text), self._words = self._words, None
        page = QWidget()
        page.setAutoFillBackground(False)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        self.picture = picture_label = QLabel()
        picture_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._draw_picture()
        heading = QLabel(title)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        body = QLabel(text)
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setMaximumWidth(520)
        body.setForegroundRole(body.foregroundRole())
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        for button in self._added:
            self._buttons.addWidget(button)
            button.setVisible(True)  # hidden while it had no place (see add_button)
        self._buttons.addStretch(1)
        for widget in (picture_label, heading):
            layout.addWidget(widget)
        body_row = QHBoxLayout()
        body_row.addStretch(1)
        body_row.addWidget(body, 6)  # wide lines up to its maximum, not a narrow column
        body_row.addStretch(1)
        layout.addLayout(body_row)
        layout.addSpacing(12)
        layout.addLayout(self._buttons)
        layout.addStretch(3)
        self.setWidget(page)

    def _draw_picture(self) -> None:
        if self.picture is None:
            return
        picture = self._picture
        drawn = icon(picture, self.palette()) if isinstance(picture, Act) else picture
        self.picture.setPixmap(drawn.pixmap(PICTURE_SIZE, PICTURE_SIZE))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and isinstance(self._picture, Act):
            self._draw_picture()

    def add_button(self, text: str, *, primary: bool = False) -> QPushButton:
        """A button under the text (placed when the page is made, if it is not yet)."""
        button = QPushButton(text, self)
        button.setDefault(primary)
        button.setAutoDefault(primary)
        self._added.append(button)
        if self._buttons is not None:
            self._buttons.insertWidget(self._buttons.count() - 1, button)
        else:
            button.hide()  # a child of the scroll area until the page is made: not drawn on it
        return button


class LoadingState(QLabel):
    """What a tab shows until its first rows arrive: never "No … yet" over a catalog that is
    still loading."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAccessibleName(text)
