"""The friendly page a list shows when it has nothing yet: what this is and what to do next.

The page scrolls when the window is too small for it (its text would otherwise be squeezed under
the heading), and is drawn on the window's own background in light and dark."""

from __future__ import annotations

from PySide6.QtCore import QEvent
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

from tokendeck.ui.enum_properties import set_by_name
from tokendeck.ui.icons import Act, icon
from tokendeck.ui.viewports import own_viewport

PICTURE_SIZE = 72


class EmptyState(QScrollArea):
    """Its words and picture are made when it is first shown: a tab that has rows never shows
    it, and the heading's font, the picture and the `Qt` namespace its alignments and policies
    import (93 enums: see ui/probes.py) cost the way to the first rows. The page and its buttons
    are made at once, so they keep their place in the window's Tab order."""

    def __init__(
        self, picture: QIcon | Act, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        """`picture`: the app's icon, or an action's (drawn in the palette's colours)."""
        super().__init__(parent)
        self._picture = picture
        self._words: tuple[str, str] | None = (title, text)
        self.picture: QLabel | None = None
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        page = QWidget()
        page.setAutoFillBackground(False)
        # Drawn on the window's own background; made here, known to PySide (ui/viewports.py).
        own_viewport(self, role=QPalette.ColorRole.Window).setAutoFillBackground(False)
        self._page_layout = layout = QVBoxLayout(page)
        layout.addStretch(2)
        # (the picture, the heading and the text go here: see _show_words)
        layout.addSpacing(12)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons.addStretch(1)
        layout.addLayout(self._buttons)
        layout.addStretch(3)
        self.setWidget(page)
        self.setAccessibleName(title)

    def showEvent(self, event: QShowEvent) -> None:
        self._show_words()
        super().showEvent(event)

    def _show_words(self) -> None:
        if self._words is None:
            return
        (title, text), self._words = self._words, None
        from PySide6.QtCore import Qt

        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its buttons, not the page
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        body_row = QHBoxLayout()
        body_row.addStretch(1)
        body_row.addWidget(body, 6)  # wide lines up to its maximum, not a narrow column
        body_row.addStretch(1)
        layout = self._page_layout
        layout.insertWidget(1, picture_label)
        layout.insertWidget(2, heading)
        layout.insertLayout(3, body_row)
        for label in (picture_label, heading, body):
            label.show()  # the page is already visible: a layout would show them a turn late

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
        button = QPushButton(text)
        button.setDefault(primary)
        button.setAutoDefault(primary)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button


class LoadingState(QLabel):
    """What a tab shows until its first rows arrive: never "No … yet" over a catalog that is
    still loading."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        set_by_name(self, "alignment", "AlignCenter")  # shown on the way to the first rows
        set_by_name(self, "textFormat", "PlainText")  # it may say why, in an error's words
        self.setWordWrap(True)
        self.setAccessibleName(text)
