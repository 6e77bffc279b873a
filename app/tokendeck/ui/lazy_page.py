"""A tab's page whose content is built when it is first needed, not before the first paint.

The window's frame paints before any page can be built (ui/main_window.py): until `start()`
gives a page its builder it shows only its placeholder text. Then the Accounts page is built at
once; the others (their modules, models, tables and buttons: about 50 ms for API keys and Tokens
together) once the first rows are on screen, or at once when they are shown or asked for,
whichever comes first (`content()`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class LazyPage(QWidget, Generic[W]):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build: Callable[[], W] | None = None
        self._content: W | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder: QWidget | None = None
        if placeholder:
            # Centred by stretches around it: no Qt.AlignmentFlag before the first paint. A page
            # of its own, so it leaves whole (a layout's items taken out one by one would leave
            # PySide wrappers of deleted items behind).
            self._placeholder = QWidget()
            self._placeholder.setObjectName("lazy-page-placeholder")
            rows = QVBoxLayout(self._placeholder)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(QLabel(placeholder))
            row.addStretch(1)
            rows.addStretch(1)
            rows.addLayout(row)
            rows.addStretch(1)
            self._layout.addWidget(self._placeholder)

    @property
    def built(self) -> bool:
        return self._content is not None

    def start(self, build: Callable[[], W]) -> None:
        """From now on the page may be built; a page already shown is built at once."""
        self._build = build
        if self.isVisible():
            self.content()

    def content(self) -> W:
        """The page's content, built now if it was not yet (once `start()` was called)."""
        if self._content is None:
            assert self._build is not None, "the window is not furnished yet"
            build, self._build = self._build, None
            self._content = build()
            self._drop_placeholder()
            self._layout.addWidget(self._content)
            # Shown with the page: a child added to a page already shown (or being shown, in
            # its showEvent) would otherwise wait for a queued show, and the page paint empty.
            self._content.show()
        return self._content

    def _drop_placeholder(self) -> None:
        if self._placeholder is not None:
            self._layout.removeWidget(self._placeholder)
            self._placeholder.hide()
            self._placeholder.deleteLater()
            self._placeholder = None

    def showEvent(self, event: QShowEvent) -> None:
        if self._build is not None:
            self.content()  # shown: built before it paints
        super().showEvent(event)
