"""A tab's page whose content is built when it is first needed, not before the first paint.

The window opens on one tab; the others (their modules, models, tables and buttons: about 50 ms
for API keys and Tokens together) are built once the first rows are on screen, or at once when
they are shown or asked for, whichever comes first (`content()`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class LazyPage(QWidget, Generic[W]):
    def __init__(self, build: Callable[[], W], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build: Callable[[], W] | None = build
        self._content: W | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> bool:
        return self._content is not None

    def content(self) -> W:
        """The page's content, built now if it was not yet."""
        if self._content is None:
            assert self._build is not None
            build, self._build = self._build, None
            self._content = build()
            self._layout.addWidget(self._content)
            # Shown with the page: a child added to a page already shown (or being shown, in
            # its showEvent) would otherwise wait for a queued show, and the page paint empty.
            self._content.show()
        return self._content

    def showEvent(self, event: QShowEvent) -> None:
        self.content()  # shown: built before it paints
        super().showEvent(event)
